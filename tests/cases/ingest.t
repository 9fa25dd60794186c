# ingest and info: formats, dirty rows (reasons and lines), re-ingesting,
# stdin, errors.  Stores live in $TMP/ing-*; fixtures in tests/data/ingest.

# --- Comtrade with every kind of dirty row: the summary and per-reason counts
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/ing-ct comtrade_dirty.csv
! ingest: 14 rows read, 6 kept, 8 rejected; store .*: 6 rows \(0 replaced\), generation 1

$ chokepoint info --store $TMP/ing-ct --format json
> {"rows":6,"periods":2,"reporters":2,"partners":3,"products":4,"sources":1,"bytes":706,"first_period":"2022","last_period":"2023-03","generation":1,"source_names":"comtrade","source_provenance":null,"source_editions":"comtrade:HS2022"}

# the same file again: replaced, not doubled
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/ing-ct comtrade_dirty.csv
! store .*: 6 rows \(6 replaced\), generation 2

$ chokepoint info --store $TMP/ing-ct --format csv
> rows,periods,reporters,partners,products,sources,bytes,first_period,last_period,generation,source_names,source_provenance,source_editions
> 6,2,2,3,4,1,706,2022,2023-03,2,comtrade,,comtrade:HS2022

# --- every rejected row with file, line, reason and the row itself
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/ing-ct2 --rejects - comtrade_dirty.csv
> file,line,reason,detail,row
> comtrade_dirty.csv,5,unknown-reporter,unknown Comtrade reporter code '999',"C,A,2022,52,2022,999,M,156,0,H6,250410,C00,0,0,8,1,1,1,0,1"
> comtrade_dirty.csv,6,bad-flow,"flow code 'DX' is not X, M, RX or RM","C,A,2022,52,2022,842,DX,156,0,H6,250410,C00,0,0,8,1,1,1,0,1"
> comtrade_dirty.csv,8,breakdown-row,motCode 2100 is one mode of transport (total is 0),"C,A,2022,52,2022,842,M,156,0,H6,250410,C00,0,2100,8,1,1,1,0,1"
> comtrade_dirty.csv,9,not-hs-classification,classification 'S4' is not HS (H0-H6),"C,A,2022,52,2022,842,M,156,0,S4,250410,C00,0,0,8,1,1,1,0,1"
> comtrade_dirty.csv,10,bad-value,primaryValue: value is inf or NaN,"C,A,2022,52,2022,842,M,156,0,H6,380110,C00,0,0,8,5,5,inf,0,inf"
> comtrade_dirty.csv,11,bad-value,primaryValue: missing value,"C,A,2022,52,2022,842,M,156,0,H6,380110,C00,0,0,8,5,5,,,"
> comtrade_dirty.csv,15,missing-field,row has too few fields,"C,A,2022,52,2022,842,M,999999"
> comtrade_dirty.csv,13,duplicate-key,"same period, reporter, partner, flow and HS code as comtrade_dirty.csv:2 (kept; later duplicates are rejected, not summed)","2022,USA,CHN,M,250410,2"

# --- BACI: thousand USD and tonnes converted; a broken quote is one bad row
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/ing-baci baci_HS17_small.csv
! 10 rows read, 4 kept, 6 rejected
! rejected 1 malformed-row

# --- generic flows, the format forced, a named source
$ cd $CASES/../data/ingest && chokepoint ingest -q --format flows --source mine --store $TMP/ing-fl --rejects - flows_dirty.csv
> file,line,reason,detail,row
> flows_dirty.csv,4,bad-value,value is inf or NaN,"2023,CHN,JPN,M,250410,NaN,1,kg"
> flows_dirty.csv,5,unknown-partner,"partner: unknown country ""Atlantis"" (closest: Argentina (ARG), Åland Islands (ALA), Albania (ALB))","2023-09,CHN,Atlantis,X,811292,5,1,kg"
> flows_dirty.csv,6,bad-flow,"flow 'Z' is not X, M, RX or RM","2023-09,CHN,USA,Z,811292,5,1,kg"
> flows_dirty.csv,7,bad-period,period '2023-13' is not a real month or day,"2023-13,CHN,USA,X,811292,5,1,kg"
> flows_dirty.csv,10,bad-quantity,qty is not a non-negative number,"2023-11,CHN,USA,X,811292,7,-1,kg"

# --- standard input; a synth-named source is marked synthetic
$ chokepoint ingest -q --store $TMP/ing-stdin --source synth-test - && chokepoint info --store $TMP/ing-stdin --format csv
< period,reporter,partner,flow,hs,value
< 2023,USA,CHN,M,850110,5
< 2023-02,USA,CHN,M,850110,6
> rows,periods,reporters,partners,products,sources,bytes,first_period,last_period,generation,source_names,source_provenance,source_editions
> 2,2,1,1,1,1,546,2023,2023-02,1,synth-test (synthetic),,synth-test:unknown

# --- the shipped real data
$ chokepoint ingest --store $TMP/ing-real --source comtrade $DATA/flows/comtrade-annual/graphite_trade_data.csv
! 80 rows read, 80 kept, 0 rejected

$ chokepoint ingest --store $TMP/ing-real --source comtrade-cn-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv
! 6442 rows read, 6442 kept, 0 rejected; store .*: 6522 rows \(0 replaced\), generation 2

$ chokepoint info --store $TMP/ing-real --format json
~ "rows":6522,"periods":101,"reporters":2,"partners":41,"products":6,"sources":2,
~ "source_names":"comtrade;comtrade-cn-monthly"

# --- errors
$ chokepoint ingest --store $TMP/ing-err no-such-file.csv
? 1
! chokepoint: ingest: no-such-file.csv: cannot open

$ chokepoint ingest --store $TMP/ing-err -
< a,b,c
< 1,2,3
? 1
! chokepoint: ingest: <stdin>:1: cannot tell the format from the header

$ chokepoint ingest --format xml x.csv
? 2
! --format must be auto, comtrade, comtrade-legacy, comtradr, comtrade-json, comext, comext-bulk, baci or flows

$ chokepoint ingest
? 2

$ chokepoint info --store $TMP/ing-none
? 1
! chokepoint: info: .*ing-none: no store here

$ chokepoint ingest --help
~ ^usage: chokepoint ingest

# out-of-range values, impossible dates, periods in another form, HS codes
# outside their edition's nomenclature (issue 12): each rejected by reason;
# 1e15 USD itself and 29 February of a leap year are kept, and so are
# 999999/000000 with --keep-unknown-hs
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/ing-range --rejects - flows_range.csv | cut -d, -f2,3
> line,reason
> 2,value-out-of-range
> 3,value-out-of-range
> 5,value-out-of-range
> 6,value-out-of-range
> 7,bad-period
> 8,bad-period
> 10,bad-period
> 11,bad-period
> 13,unknown-hs
> 14,unknown-hs
> 15,unknown-hs
> 17,bad-hs

$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/ing-range2 flows_range.csv
! ^  rejected 4 value-out-of-range$
? 0

$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/ing-range3 --keep-unknown-hs flows_range.csv 2>&1 >/dev/null | grep '^  kept' ; chokepoint info --store $TMP/ing-range3 --format csv | cut -d, -f1 | tail -1
>   kept 3 rows whose HS code is not in its edition's nomenclature (--keep-unknown-hs)
> 7

$ chokepoint dependency --store $TMP/ing-range --importer USA --hs 8110 --format csv | cut -d, -f1-6
> importer,hs,period,supplier,value,share
> USA,8110,2020,CHN,1000000000000000,1.0000

# info names every source in full, however long the list (it stopped
# silently after about 820 bytes: 9 of these 12 names)
$ for i in 01 02 03 04 05 06 07 08 09 10 11 12; do printf 'period,reporter,partner,flow,hs,value\n2023,USA,CHN,M,850110,%s\n' $i > f.csv && chokepoint ingest -q --store many --source source-with-a-rather-long-name-number-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx f.csv || exit 1; done; chokepoint info --store many --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["source_names"].split(";")))'
> 12
