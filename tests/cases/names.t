# names.t — inputs are never silently misread (issue 17): country names in
# any language the reference data holds, whole-word matches only, ambiguity
# an error; HS codes with dots and national 8/10-digit codes folded to HS6
# the same in every verb, `hs`, `ingest` and `screen` (owner: reference data).

# "Chine" is China in French (UNTERM); it was Taiwan once, by a prefix of
# "Chinese Taipei"
$ chokepoint country Chine --format csv | cut -d, -f1
> iso3
> CHN
# Russian, Chinese, German (ICU/CLDR display name) and a German formal name
$ chokepoint country Китай 中国 Deutschland Allemagne "Volksrepublik China" "République populaire de Chine" --format csv | cut -d, -f1
> iso3
> CHN
> CHN
> DEU
> DEU
> CHN
> CHN
# 美国 (the USA in MOFCOM's lists) was the US Minor Outlying Islands, by the
# prefix of 美国本土外小岛屿; it is the USA's CLDR name
$ chokepoint country 美国 美國 英国 --format csv | cut -d, -f1
> iso3
> USA
> USA
> GBR
# a whole word of one country's names still resolves; Taiwan by its own names
$ chokepoint country Taipei "Chinese Taipei" Saudi --format csv | cut -d, -f1
> iso3
> TWN
> TWN
> SAU
# the prefix of a word is no match
$ chokepoint country Chin
? 1
! ^chokepoint: country: unknown country "Chin" \(closest:
# a name several countries hold: an error listing them, never the first
$ chokepoint country "Virgin Islands"
? 1
! ^chokepoint: country: country "Virgin Islands" is ambiguous: United States Virgin Islands \(VIR\), British Virgin Islands \(VGB\)
$ chokepoint dependency --importer "Virgin Islands" --hs 811292 --period 2023
? 2
! --importer: country "Virgin Islands" is ambiguous: .*\(VIR\).*\(VGB\)

# ingest: "Chine" is China; an unresolvable or ambiguous name is a counted
# reject with its reason (never a guess); national codes are folded and counted
$ printf 'period,reporter,partner,flow,hs,value\n2023-01,Chine,RUS,X,811292,1000\n2023-01,Китай,RUS,X,2825.80.00,2000\n2023-01,中国,KAZ,X,38011000,3000\n2023-01,Atlantis,RUS,X,811292,4000\n2023-01,CHN,Virgin Islands,X,811292,5000\n2023-01,CHN,KGZ,X,8112.92,6000\n' > $TMP/names.csv && chokepoint ingest --store $TMP/names.store --source names --rejects $TMP/names-rej.csv $TMP/names.csv 2>&1
~ ^ingest: 6 rows read, 4 kept, 2 rejected;
~ ^  rejected 1 unknown-reporter$
~ ^  rejected 1 unknown-partner$
~ ^  folded 2 rows' national 8- or 10-digit commodity codes
$ cut -d, -f2-3 $TMP/names-rej.csv | sed 1d
> 5,unknown-reporter
> 6,unknown-partner
$ grep -c 'is ambiguous: United States Virgin Islands (VIR), British Virgin Islands (VGB)' $TMP/names-rej.csv
> 1
# the store holds China's rows (none for Taiwan), at HS6
$ chokepoint dependency --store $TMP/names.store --importer RUS --hs 811292 --period 2023-01 --source all --format csv | cut -d, -f2,4
> hs,supplier
> 811292,CHN
$ chokepoint dependency --store $TMP/names.store --importer KAZ --hs 380110 --period 2023-01 --source all --format csv | cut -d, -f2,4
> hs,supplier
> 380110,CHN

# HS with dots and national codes: every verb's --hs, with a note
$ chokepoint dependency --store $TMP/names.store --importer KAZ --hs 3801.10.00 --period 2023-01 --source all --format csv | cut -d, -f2,4
> hs,supplier
> 380110,CHN
! ^chokepoint: dependency: note: --hs 3801.10.00 read as HS6 380110 \(a national code
$ chokepoint dependency --store $TMP/names.store --importer KGZ --hs 8112.92 --period 2023-01 --source all --format csv | cut -d, -f2,4
> hs,supplier
> 811292,CHN
$ chokepoint surge --store $TMP/names.store --reporter CHN --hs 2825800000 --source all --format csv | cut -d, -f3,4,5 | sed -n 2p
> 282580,2023-01,2000
! note: --hs 2825800000 read as HS6 282580
$ chokepoint measures --hs 28258000 --format csv | cut -d, -f1 | grep -c CN-2024-33
> 1
# the hs verb
$ chokepoint hs 2825.80.00 --format csv | cut -d, -f1,3
> code,description
> 282580,Antimony oxides
! ^chokepoint: hs: note: 2825.80.00 read as HS6 282580
$ chokepoint hs 38011000,8112.92 --format csv | cut -d, -f1
> code
> 380110
> 811292
# not a code: 7 digits after a heading, or a heading of 3 digits
$ chokepoint dependency --importer RUS --hs 2825.8000000 --period 2023
? 2
$ chokepoint dependency --importer RUS --hs 282.580 --period 2023
? 2

# screen: a shipment's hs as a national code is screened at HS6 and counted
$ chokepoint screen - --no-parties | grep -o '"rule":"CN-2024-33"' | sort -u
< id,date,exporter_country,importer_country,origin,destination,hs
< N1,2025-01-15,CHN,USA,CHN,USA,2825.80.00
< N2,2025-01-15,CHN,USA,CHN,USA,28258000
> "rule":"CN-2024-33"
$ chokepoint screen - --no-parties
< id,date,exporter_country,importer_country,origin,destination,hs
< N1,2025-01-15,CHN,USA,CHN,USA,2825.80.00
< N2,2025-01-15,CHN,USA,CHN,USA,2825800000
? 1
! 2 shipments screened;.*; 2 hs codes were national 8- or 10-digit codes, folded to HS6

# more countries than one call answers: an error, never the first 64 only
$ chokepoint country $(for i in $(seq 1 65); do echo USA; done)
! at most 64 countries at once \(65 given\)
? 2
