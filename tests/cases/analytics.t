# analytics on the shipped real data (China's monthly exports of 811292,
# 250410, 380110 by partner; USA<->China annual Comtrade records) and the
# USGS production tables.  The store lives in $TMP/an.store.

$ chokepoint ingest -q --store $TMP/an.store --source comtrade-cn-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint ingest -q --store $TMP/an.store $DATA/flows/comtrade-annual/graphite_trade_data.csv; echo $?
> 0

# dependency: the US imports all its natural graphite flakes from China (reported)
$ chokepoint dependency --store $TMP/an.store --importer USA --hs 250410 --period 2023 --format json
> {"importer":"USA","hs":"250410","period":"2023","supplier":"CHN","value":111664882,"share":1.0000,"rank":1,"hhi":10000,"source":"reported","top_share":1.0000,"total":111664882,"suppliers":1,"qty":28649408,"cif_fob":null,"supplier_name":"China","level":"HS6","from_detail":false,"detail_value":null,"synthetic":false,"sources":["comtrade"],"coverage":0.6955,"coverage_note":"importer-reported: rests on USA's own import report; the partners held make 70 % of the World total it reports for 2023","caveat":"250410 holds both flake graphite and processed spherical (battery-anode) graphite: China's tariff splits them only at 8 digits (25041010 spherical, 25041091 flake)"}

# sources name the store sources a row rests on, not every one selected: the
# US import report above comes from the annual Comtrade file alone, and Japan's
# imports of 811292 rest on China's export reports alone (the monthly file)
$ chokepoint dependency --store $TMP/an.store --importer JPN --hs 811292 --period 2023 --format json | grep -o '"source":"[a-z]*"\|"sources":\[[^]]*\]'
> "source":"mirror"
> "sources":["comtrade-cn-monthly"]

# mirror too: the annual rows of the USA-China graphite pair for 2023, both
# reports, come from the annual Comtrade file (China's monthly file is of the
# other frequency)
$ chokepoint mirror --store $TMP/an.store --hs 250410 --period 2023 --format json | grep -o '"sources":\[[^]]*\]' | sort | uniq -c
>       2 "sources":["comtrade"]

# unitvalue: the flows compared (China's monthly exports of 811292), not the
# annual file, which holds no 811292
$ chokepoint unitvalue --store $TMP/an.store --hs 811292 --period 2023 --format json | grep -o '"sources":\[[^]]*\]' | sort | uniq -c | sed 's/^ *[0-9]* //'
> "sources":["comtrade-cn-monthly"]

# --measure instead of --hs: the caveats of the measure's codes
$ chokepoint surge --store $TMP/an.store --reporter CHN --measure CN-2023-23 --format json | head -1 | grep -o '"caveat":"[0-9]* [a-z]*'
> "caveat":"811292 is

# chokepoints too: each row names the sources of the reports it rests on
$ chokepoint chokepoints --store $TMP/an.store --limit 0 --hs 250410 --period 2023 --format csv | cut -d, -f1-4,9,12 | grep -E '^(USA|JPN),'
> JPN,250410,2023,CHN,mirror,comtrade-cn-monthly
> USA,250410,2023,CHN,reported,comtrade

# a basket code says what it holds, in every format, and so does a group built
# on one (gallium holds 811292, 811299 and three residual chemical codes)
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs 811292 --from 2023-01 --to 2023-01 --format json | grep -o '"caveat":"[^"]*"'
> "caveat":"811292 is one code for five metals: its figures are of all of them together, not of gallium or germanium alone (China's tariff splits them only at 8 digits: 81129210 gallium, 81129220 germanium)"

$ chokepoint dependency --store $TMP/an.store --importer JPN --hs gallium --period 2023 --format csv | sed 1d | grep -o '[0-9]\{6\} \(is\|holds\)'
> 811292 is
> 811299 is
> 282590 is
> 285000 holds
> 285390 is

$ chokepoint dependency --store $TMP/an.store --importer JPN --hs gallium --period 2023 --format table | tail -5 | cut -c1-16
> CAVEAT: 811292 i
> CAVEAT: 811299 i
> CAVEAT: 282590 i
> CAVEAT: 285000 h
> CAVEAT: 285390 i

# before 2020 the store has no US import report: China's export reports stand in
$ chokepoint dependency --store $TMP/an.store --importer USA --hs 250410 --period 2019 --format csv | cut -d, -f1-9,14
> importer,hs,period,supplier,value,share,rank,hhi,source,cif_fob
> USA,250410,2019,CHN,20489374,1.0000,1,10000,mirror,0.0600

$ chokepoint dependency --store $TMP/an.store --importer JPN --hs 811292 --period 2023 --mirror off --format csv
>>> 1

# a synthetic source that has China reporting until 2025-06 does not make
# 2025 months of zero trade in the real series (the reporter index is per source)
$ chokepoint ingest -q --store $TMP/mix.store --source comtrade-cn-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint synth -q --out $TMP/mix.csv --scenario antimony-2024 --rows 1 && chokepoint ingest -q --store $TMP/mix.store --synthetic $TMP/mix.csv && chokepoint surge --store $TMP/mix.store --reporter CHN --hs 811292 --format csv | tail -1 | cut -d, -f4,10
> 2024-12,
# (the two are never summed: --source all, which went on to 2025-06 with the
# synthetic months, is refused on this store)
$ chokepoint surge --store $TMP/mix.store --reporter CHN --hs 811292 --source all --format csv
? 2
! mixes real sources \(comtrade-cn-monthly\) with synthetic ones \(flows\)

# nothing in the real sources, but the store has a synthetic one: an empty
# answer says so on stderr (stdout keeps only the header)
$ chokepoint dependency --store $TMP/mix.store --importer USA --hs 282580 --period 2024 --format csv
> importer,hs,period,supplier,value,share,rank,hhi,source,top_share,total,suppliers,qty,cif_fob,supplier_name,level,from_detail,detail_value,synthetic,sources,coverage,coverage_note,caveat
! no rows from the real sources; the store's synthetic source \(flows\) is left out by default: --source synthetic answers from it alone
$ chokepoint dependency --store $TMP/mix.store --importer USA --hs 282580 --period 2024 --source synthetic --format csv | cut -d, -f4 | sed -n 2p
> CHN

# a code that is no basket (antimony oxides) has no caveat: the field is null
$ chokepoint dependency --store $TMP/mix.store --importer USA --hs 282580 --period 2024 --source synthetic --format json | head -1 | grep -o '"caveat":[a-z]*'
> "caveat":null

# surge by partner around China's gallium/germanium licensing (2023-08-01)
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs 811292 --event 2023-08-01 --by-partner --format csv | head -4 | cut -d, -f1-5,7,8,10
> reporter,partner,hs,period,value,baseline,change,flag
> CHN,HKG,811292,2022-08..2023-07 -> 2023-08..2024-07,9276584,4258751,1.1782,rose
> CHN,SGP,811292,2022-08..2023-07 -> 2023-08..2024-07,5016283,844947,4.9368,rose
> CHN,KOR,811292,2022-08..2023-07 -> 2023-08..2024-07,6931074,6406251,0.0819,rose

# the monthly series with its windows; the before/after summary is a record
# of its own (kind=summary), in CSV only with --summary
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs 250410 --partner USA --measure CN-2023-39 --format csv --summary | tail -1 | cut -d, -f1-4,10,15,16
> CHN,USA,250410,change,event,CN-2023-39 (2023-12-01),summary

$ chokepoint surge --store $TMP/an.store --reporter CHN --hs 250410 --partner USA --measure CN-2023-39 --format csv | grep -c ',before,data,HS6,false,false,'
> 12

# without --summary a CSV holds data rows only: every period a date, every
# row kind=data (a date column in pandas parses); the summary row is the one
# row --summary adds
$ f=$TMP/sg.csv; chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format csv > $f && awk -F, 'NR > 1 && ($4 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]$/ || $16 != "data") { bad++ } END { print NR - 1, bad + 0 }' $f && chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format csv --summary | diff $f - | grep -c '^>'
> 96 0
> 1

# JSON: every record says what it is; one summary record, after the data
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format json | grep -o '"period":"[^"]*"\|"kind":"[a-z]*"' | paste -d' ' - - | awk '{ k[$2]++ } END { print k["\"kind\":\"data\""], k["\"kind\":\"summary\""] }'
> 96 1

$ chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format json | tail -1
~ "period":"change".*"flag":"event".*"kind":"summary"

# the table shows the summary after a blank line (then the coverage line)
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format table | awk '/^Coverage /{exit} {print}' | sed '$d' | tail -2 | cut -c1-12 | sed "s/ *$//"

# the table shows the summary after a blank line, then the caveats of the
# group's basket codes, one line each
$ chokepoint surge --store $TMP/an.store --reporter CHN --hs graphite --event 2023-12-01 --format table | tail -6 | cut -c1-14 | sed "s/ *$//"
>
> Coverage 100 %
>
> CAVEAT: 250410
> CAVEAT: 250490
> CAVEAT: 380110

# a month with a value and quantity 0: unit value null, never inf
$ chokepoint surge --store $TMP/an.store --reporter CHN --partner BEL --hs 811231,811241,811292 --from 2017-01 --to 2017-01 --format json
~ "qty":0,.*"unit_value":null

# chokepoints: the whole store in one pass
$ chokepoint chokepoints --store $TMP/an.store --limit 3 --format csv | cut -d, -f1-6,8,9
> importer,hs,period,top_supplier,top_share,hhi,suppliers,source
> POL,380110,2022,CHN,1.0000,10000,1,mirror
> POL,380110,2023,CHN,1.0000,10000,1,mirror
> POL,380110,2021,CHN,1.0000,10000,1,mirror

$ chokepoint chokepoints --store $TMP/an.store --hs 811292 --period 2023 --min-share 0.99 --limit 0 --format csv | wc -l
~ ^[0-9]+$

# concentration from the store (importers of China's 811292) and from USGS
$ chokepoint concentration --store $TMP/an.store --hs 811292 --side importer --period 2023 --format csv | sed -n 2p | cut -d, -f1-4,6,7
> 811292,2023,importer,HKG,0.3404,1

$ chokepoint concentration --hs gallium --side producer --format csv | sed -n 1,3p | cut -d, -f1-8
> hs,period,side,country,value,share,rank,hhi
> gallium,2023,producer,CHN,600000,0.9836,1,9676
> gallium,2023,producer,RUS,5000,0.0082,2,9676

# germanium: the USGS tables give no country figures (NA, W withheld)
$ chokepoint concentration --hs germanium --side producer --format csv | grep ',USA,'
> germanium,2023,producer,USA,,,,,withheld (W),kg,germanium,USGS MCS2024: Primary and secondary refinery production,,,,false,,,not a trade figure (production tables),

$ chokepoint concentration --hs 261710 --side producer --period 2022 --format csv | sed -n 2p | cut -d, -f1-7
> 261710,2022,producer,CHN,40000,0.4813,1

$ chokepoint production --format csv | grep -E '^(graphite|rare-earths),'
> graphite,2023,CHN,1230000,0.7688,1,6011,1600000,t,"Mine production, graphite",USGS MCS2024,China
> rare-earths,2023,CHN,240000,0.6857,1,5003,350000,t,"Rare earths, mine production, rare-earth-oxide equivalent, metric tons",USGS MCS2024,China

# alternatives to China for US graphite: producers ranked (no other exporter in this store)
$ chokepoint alternatives --store $TMP/an.store --importer USA --hs graphite --exclude CHN --format csv | sed -n 2p | cut -d, -f1-3,9,10
> USA,graphite,MDG,100000,0.0625

# usage errors
$ chokepoint dependency --hs 811292
! --importer is required
? 2

$ chokepoint surge --store $TMP/an.store --reporter CHN --hs 811292 --by-partner
! --by-partner needs --measure or --event
? 2

$ chokepoint surge --store $TMP/an.store --reporter CHN --measure NOPE
! no measure 'NOPE'
? 2

$ chokepoint dependency --store $TMP/an.store --importer USA --hs 250410 --mirror maybe
! --mirror takes auto, on or off
? 2

$ chokepoint concentration --hs gallium --side miner
! --side takes exporter, importer or producer
? 2

# diversion names the sources of the flows it counted: China's monthly
# exports, not the annual Comtrade records it never used (both were named)
$ chokepoint diversion --store $TMP/an.store --measure CN-2024-46 --limit 1 --format json | grep -o '"sources":\[[^]]*\]'
> "sources":["comtrade-cn-monthly"]
