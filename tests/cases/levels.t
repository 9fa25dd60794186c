# Aggregate levels (issue 18): Comtrade's TOTAL, chapter (HS2) and heading
# (HS4) rows are kept at their level, every level-aware verb answers at the
# level asked (--hs TOTAL, --hs 28, --hs 2846), a reported aggregate answers
# for its cell and is never added to its own detail; rows say which was used
# (level, from_detail, detail_value).  docs/analytics.md, "Levels".

# --- synthetic, known ground truth (tests/data/levels/README.md)
$ chokepoint ingest --store $TMP/lv-syn --source synth-levels $CASES/../data/levels/nested.csv 2>&1 | sed 's/; store .*//'
> ingest: 8 rows read, 8 kept, 0 rejected
>   kept 5 aggregate rows at their level: 2 TOTAL, 2 HS2, 1 HS4 (they answer --hs TOTAL|CC|CCCC; never added to their detail)

# TOTAL: the reported totals answer; Japan's only row (an HS6) is summed up
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs TOTAL --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> DEU,TOTAL,2023,CHN,1000,TOTAL,false,300
> DEU,TOTAL,2023,USA,800,TOTAL,false,200
> DEU,TOTAL,2023,JPN,30,TOTAL,true,

# chapter 28: China's reported chapter row (300), not 300+120+50+40
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs 28 --format csv | cut -d, -f1-5,11,16-18
> importer,hs,period,supplier,value,total,level,from_detail,detail_value
> DEU,28,2023,CHN,300,530,HS2,false,120
> DEU,28,2023,USA,200,530,HS2,false,
> DEU,28,2023,JPN,30,530,HS2,true,

# heading 2846: the reported heading (120) beside its detail sum (90)
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs 2846 --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> DEU,2846,2023,CHN,120,HS4,false,90
> DEU,2846,2023,JPN,30,HS4,true,

# an HS6 code: the HS6 rows only, as before
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs 284690 --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> DEU,284690,2023,CHN,40,HS6,false,
> DEU,284690,2023,JPN,30,HS6,false,

# two asked codes, one inside the other: the outer one answers, once
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs 28,2846 --format json | grep -o '"supplier":"[A-Z]*","value":[0-9]*\|"level":"[A-Z0-9+]*"'
> "supplier":"CHN","value":300
> "level":"HS2"
> "supplier":"USA","value":200
> "level":"HS2"
> "supplier":"JPN","value":30
> "level":"HS2"

# --- the shipped Comtrade files: their 241 heading rows are kept, not rejected
$ chokepoint ingest --store $TMP/lv-ct --source comtrade-annual $DATA/flows/comtrade-annual/*.csv 2>&1 | sed 's/; store .*//'
> ingest: 600 rows read, 547 kept, 53 rejected
>   rejected 53 breakdown-row
>   kept 241 aggregate rows at their level: 0 TOTAL, 0 HS2, 241 HS4 (they answer --hs TOTAL|CC|CCCC; never added to their detail)
>   (--rejects FILE lists each rejected row with its file and line)

# heading 2846 (rare-earth compounds): the files hold no HS6 under it, so the
# USA's reported heading rows answer (heavy_ree_trade_data.csv, primaryValue)
$ chokepoint dependency --store $TMP/lv-ct --importer USA --hs 2846 --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> USA,2846,2020,CHN,45649703,HS4,false,
> USA,2846,2021,CHN,73953303,HS4,false,
> USA,2846,2022,CHN,121694423,HS4,false,
> USA,2846,2023,CHN,111168490,HS4,false,
> USA,2846,2024,CHN,116100303,HS4,false,

# chapter 28: no chapter row in the files, so the heading 2846 and the HS6
# codes 280530, 282200, 282520, 283691 are summed (2020: 45,649,703 +
# 6,675,957 + 961,189 + 218,423 + 1,896,815)
$ chokepoint dependency --store $TMP/lv-ct --importer USA --hs 28 --period 2020 --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> USA,28,2020,CHN,55402087,HS2,true,

# TOTAL: every code of the files, each heading row once (2020: the twelve
# US-reported imports from China, 127,707,078 USD)
$ chokepoint dependency --store $TMP/lv-ct --importer USA --hs TOTAL --period 2020 --format csv | cut -d, -f1-5,16-18
> importer,hs,period,supplier,value,level,from_detail,detail_value
> USA,TOTAL,2020,CHN,127707078,TOTAL,true,

# verbs that read HS6 rows only never see an aggregate row
$ chokepoint info --store $TMP/lv-ct --format csv | cut -d, -f1,5
> rows,products
> 547,28

# --- surge and concentration answer at the level asked too
# Germany's imports, TOTAL: 1000 + 800 reported, 30 from Japan's HS6 row
# (adding every row would give 2540)
$ chokepoint surge --store $TMP/lv-syn --reporter DEU --flow M --hs TOTAL --format csv | cut -d, -f1-5,16-18
> reporter,partner,hs,period,value,kind,level,from_detail
> DEU,*,TOTAL,2023,1830,data,TOTAL,true

$ chokepoint concentration --store $TMP/lv-syn --hs TOTAL --side exporter --format csv | cut -d, -f1-5,13-15
> hs,period,side,country,value,mirror_share,level,from_detail
> TOTAL,2023,exporter,CHN,943,1.0000,TOTAL,false
> TOTAL,2023,exporter,USA,755,1.0000,TOTAL,false
> TOTAL,2023,exporter,JPN,28,1.0000,TOTAL,true

# the shipped files: US imports of chapter 28 (five codes summed, 2020 as above)
$ chokepoint surge --store $TMP/lv-ct --reporter USA --flow M --hs 28 --format csv | cut -d, -f1-5,16-18
> reporter,partner,hs,period,value,kind,level,from_detail
> USA,*,28,2020,55402087,data,HS2,true
> USA,*,28,2021,87790279,data,HS2,true
> USA,*,28,2022,140781083,data,HS2,true
> USA,*,28,2023,136076863,data,HS2,true
> USA,*,28,2024,123330053,data,HS2,true

# partials hold HS6 rows only: a level the store has rows for is refused, not
# answered from the HS6 rows alone
$ chokepoint dependency --store $TMP/lv-syn --importer DEU --hs 28 --partial > /dev/null
? 2
! partials hold HS6 rows only

# a store with no aggregate row under the asked code (streamed, not held):
# the HS6 rows answer for the chapter from detail, as they would beside one
$ chokepoint ingest -q --store $TMP/lv-hs6 --source synth-hs6 - && chokepoint dependency --store $TMP/lv-hs6 --importer DEU --hs 28 --format csv | cut -d, -f1-5,16-18
< period,reporter,partner,flow,hs,value
< 2023,DEU,CHN,M,284610,50
< 2023,DEU,CHN,M,284690,40
< 2023,DEU,JPN,M,284690,30
> importer,hs,period,supplier,value,level,from_detail,detail_value
> DEU,28,2023,CHN,90,HS2,true,
> DEU,28,2023,JPN,30,HS2,true,

# bad aggregate codes are rejected with their line and reason: chapter 77 and
# chapters 98-99 are not HS, a heading must be in its edition's table
$ chokepoint ingest -q --store $TMP/lv-bad --rejects - - | cut -d, -f2-4
< period,reporter,partner,flow,hs,value,hs_edition
< 2023,DEU,CHN,M,77,1,
< 2023,DEU,CHN,M,2899,1,2022
< 2023,DEU,CHN,M,9901,1,
< 2023,DEU,CHN,M,TOTAL,1,2022
< 2023,DEU,CHN,M,TOTALS,1,
> line,reason,detail
> 2,unknown-hs,HS code 77 has no HS chapter 01-97 and heading (--keep-unknown-hs keeps such codes)
> 3,unknown-hs,HS code 2899 is not in the HS2022 nomenclature (--keep-unknown-hs keeps such codes)
> 4,unknown-hs,HS code 9901 has no HS chapter 01-97 and heading (--keep-unknown-hs keeps such codes)
> 6,bad-hs,'TOTALS' is not an HS code
