# ref.t — the reference-data verbs: country and hs (owner: reference data).

# Comtrade's own codes: 842 = USA, 490 = Taiwan ("Other Asia, nes")
$ chokepoint country 842 --format csv
> iso3,iso2,iso_num,m49,comtrade,baci,name,name_ru,name_zh,aggregate,kind
> USA,US,840,840,842,842,United States of America,Соединенные Штаты Америки,美利坚合众国,0,country

$ chokepoint country 490 --format csv
> iso3,iso2,iso_num,m49,comtrade,baci,name,name_ru,name_zh,aggregate,kind
> TWN,TW,158,158,490,490,Taiwan,Тайвань,台湾,0,country

$ chokepoint country Türkiye --format csv
> iso3,iso2,iso_num,m49,comtrade,baci,name,name_ru,name_zh,aggregate,kind
> TUR,TR,792,792,792,792,Türkiye,Турция,土耳其,0,country

# aliases, case and accents; one row per query
$ chokepoint country turkey TURKIYE Турция tur 792 --format csv
>>> 6
~ ^TUR,TR,792,792,792,792,Türkiye,

$ chokepoint country 251 757 699 579 --format csv
~ ^FRA,FR,250,250,251,251,
~ ^CHE,CH,756,756,757,757,
~ ^IND,IN,356,356,699,699,
~ ^NOR,NO,578,578,579,579,

$ chokepoint country "DR Congo" UAE "South Korea" "Viet Nam" UK "Côte d'Ivoire" --format csv
~ ^COD,
~ ^ARE,
~ ^KOR,
~ ^VNM,
~ ^GBR,
~ ^CIV,

# aggregates are flagged, never countries
$ chokepoint country World 899 837 838 "Fmr USSR" --format csv
> iso3,iso2,iso_num,m49,comtrade,baci,name,name_ru,name_zh,aggregate,kind
> WLD,,,1,0,,World,,,1,world
> XAN,,,,899,,"Areas, nes",,,1,special
> XBU,,,,837,,Bunkers,,,1,special
> XFZ,,,,838,,Free Zones,,,1,special
> SUN,,,,810,810,Fmr USSR,,,1,historical

$ chokepoint country 842 --format json
> {"iso3":"USA","iso2":"US","iso_num":840,"m49":840,"comtrade":842,"baci":842,"name":"United States of America","name_ru":"Соединенные Штаты Америки","name_zh":"美利坚合众国","aggregate":0,"kind":"country"}

$ chokepoint country --all --format csv
~ ^TWN,TW,158,158,490,490,Taiwan,
~ ^WLD,,,1,0,,World,
~ ^MCO,MC,492,492,,,Monaco,

# unknown: the closest candidates, exit 1
$ chokepoint country Germny
? 1
! ^chokepoint: country: unknown country "Germny" \(closest: Germany \(DEU\)

$ chokepoint country Atlantis
? 1
! closest:

$ chokepoint country
? 2
! give a country code or name

$ chokepoint country --help
~ ^usage: chokepoint country

# hs: groups, prefixes, words; HS2022 and HS2017 side by side
$ chokepoint hs antimony --format csv
> code,level,description,hs2017,hs2017_description,note
> 261710,6,Antimony ores and concentrates,261710,Antimony ores and concentrates,
> 282580,6,Antimony oxides,282580,Antimony oxides,
> 811010,6,"Antimony and articles thereof; unwrought antimony, powders",811010,"Antimony and articles thereof; unwrought antimony, powders",
> 811020,6,Antimony; waste and scrap,811020,Antimony; waste and scrap,
> 811090,6,"Antimony and articles thereof; wrought, other than waste and scrap",811090,"Antimony and articles thereof; wrought, other than waste and scrap",

$ chokepoint hs 8110 --format csv
> code,level,description,hs2017,hs2017_description,note
> 8110,4,"Antimony; articles thereof, including waste and scrap",8110,"Antimony; articles thereof, including waste and scrap",
> 811010,6,"Antimony and articles thereof; unwrought antimony, powders",811010,"Antimony and articles thereof; unwrought antimony, powders",
> 811020,6,Antimony; waste and scrap,811020,Antimony; waste and scrap,
> 811090,6,"Antimony and articles thereof; wrought, other than waste and scrap",811090,"Antimony and articles thereof; wrought, other than waste and scrap",

# a CHPL HS2022 code and its HS2017 predecessor
$ chokepoint hs 880730 --format csv
> code,level,description,hs2017,hs2017_description,note
> 880730,6,"Aircraft and spacecraft; parts of aeroplanes, helicopters or unmanned aircraft n.e.c. in heading no. 8807",880330,Aircraft and spacecraft; parts of aeroplanes or helicopters n.e.c. in heading no. 8803,new in HS2022

# 1:n — one HS2022 code, three HS2017 predecessors
$ chokepoint hs 293149 --edition 2022 --format csv
> code,level,description,hs2017
> 293149,6,"Non-halogenated organo-phosphorous derivatives; other non-halogenated organo-phosphorous derivatives, n.e.c. in item no. 2931.4",293134;293137;293139

# and back: an HS2017 code that no longer exists
$ chokepoint hs 880330 --edition 2017 --format csv
> code,level,description,hs2022
> 880330,6,Aircraft and spacecraft; parts of aeroplanes or helicopters n.e.c. in heading no. 8803,852411;852412;852419;852491;852492;852499;852990;880730

$ chokepoint hs 880330 --format csv
~ ^880330,6,,880330,.*,not in HS2022; now 852411;.*880730$

# a lost leading zero is restored
$ chokepoint hs 10121 --format csv
~ ^010121,6,"Horses; live, pure-bred breeding animals",010121,

$ chokepoint hs rare earth --edition 2022 --format csv
~ ^280530,6,
~ ^2846,4,

$ chokepoint hs antimony,graphite --format csv
>>> 10

$ chokepoint hs cn-2024-46 --format csv
>>> 11
~ ^811292,6,

$ chokepoint hs chpl-tier1 --format json
>>> 4
~ ^\{"code":"854231","level":6,

$ chokepoint hs integrated-circuits --format csv
~ ^8542,4,
~ ^854231,6,

$ chokepoint hs machine-tools --format csv
~ ^8456,4,
~ ^8463,4,

$ chokepoint hs --list --format csv
~ ^antimony,261710;811010;811020;811090;282580,.*,builtin,2022$
~ ^chpl-tier4,
~ ^CN-2024-46,.*,measures.csv,2022$
~ ^eu-russia,010121;.*,eu-russia-hs6,2017$

# user groups: --groups FILE and $CHOKEPOINT_GROUPS
$ printf 'name,codes,description\nmy-metals,8110;250410,mine\n' > g.csv && chokepoint hs my-metals --groups g.csv --format csv
>>> 6
~ ^250410,6,

$ printf 'name,codes,description\nmy-metals,8110;250410,mine\n' > g.csv && CHOKEPOINT_GROUPS=$PWD/g.csv chokepoint hs my-metals --format csv
>>> 6

$ printf 'name,codes\nbad,81x0\n' > bad.csv && chokepoint hs antimony --groups bad.csv
? 1
! bad.csv:2: group "bad": "81x0" is not an HS code

# unknown input: a clear error with the closest groups, exit 1
$ chokepoint hs antimny
? 1
! "antimny".*closest groups: antimony

$ chokepoint hs 842
? 1
! no HS2022 or HS2017 code 842

$ chokepoint hs 8110 --edition 1996
? 2
! --edition must be 2017, 2022 or both

$ chokepoint hs
? 2

# the data directory is found next to the binary when $CHOKEPOINT_DATA is unset
$ env -u CHOKEPOINT_DATA chokepoint country USA --format csv
~ ^USA,US,840,840,842,842,

$ CHOKEPOINT_DATA=/nonexistent chokepoint country USA
? 1
! no reference data in /nonexistent

# a NUL byte inside a caveat is an error naming the file, line and field: the
# text after it would be lost (the loader kept "one code" and dropped the rest)
$ cp -r $DATA nul && printf 'hs,holds,caveat,sources\n811292,gallium,"one code\0for five",HS 2022\n' > nul/ref/hs/caveats.csv && chokepoint hs 811292 --data nul
? 1
! nul/ref/hs/caveats.csv:2: field caveat holds a NUL byte
