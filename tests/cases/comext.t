# Eurostat Comext (issue 18): the web extraction (country names with
# bracketed notes, two spellings of labels, "Aug. 2024" periods, EU-27 and
# euro-area rows beside the member states) and the bulk monthly files (CN8
# products summed into HS6, FLOW 1/2, YYYYMM).  Values are EUR, converted to
# USD at the month's average rate of data/ref/fx/monthly.csv (EUR per USD):
# the figures below are computed again here from the fixture and that file.

# --- web extraction: sniffed from its header; each bad row by reason
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/cw --rejects - comext_web.csv | cut -d, -f2-3
> line,reason
> 8,breakdown-row
> 9,no-fx-rate
> 10,unknown-reporter
> 11,bad-period
> 12,bad-flow
> 13,bad-value

$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/cw2 comext_web.csv 2>&1
~ 12 rows read, 6 kept, 6 rejected
~ converted 6 rows from EUR to USD at the month's average rate \(data/ref/fx/monthly.csv
~ kept 2 rows whose reporter is a group of countries \(EU-27, EU, euro area\) as that group

# a month past the rates file is a reject, never a guess
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/cw3 --rejects - comext_web.csv | grep no-fx-rate | cut -d, -f4
> no EUR rate for 2027-02 in data/ref/fx/monthly.csv: a value in EUR is never converted at a guessed rate

# names with notes resolve: "Germany (incl. German Democratic Republic 'DD'
# from 1991)" is DEU, "Russian Federation (Russia)" RUS, "Ireland (Eire)" IRL;
# the EU-27 and euro-area rows are their own reporters (E27, E20)
$ chokepoint surge --store $TMP/cw --reporter RUS --partner IRL --flow M --hs 854231 --format csv | cut -d, -f1-5
> reporter,partner,hs,period,value
> RUS,IRL,854231,2023-02,3211

# Kyrgyzstan's suppliers (from the exporters' reports): Germany and Lithuania
# only — the EU-27 and euro-area rows are never added to their members.
# Expected: each member's EUR / rate of its month, summed, +6 % CIF/FOB.
$ chokepoint dependency --store $TMP/cw --importer KGZ --hs 854231 --format csv | cut -d, -f4,5,11 > got.csv && python3 $CASES/comext_sum.py dep $DATA/ref/fx/monthly.csv 2023 $CASES/../data/ingest/comext_web.csv | diff - got.csv && echo same
> same

# the aggregate asked for by name answers for itself; the output says the
# values were converted
$ chokepoint surge --store $TMP/cw --reporter E27 --partner KGZ --hs 854231 --format csv | cut -d, -f1-5,20
> reporter,partner,hs,period,value,sources
> E27,KGZ,854231,2023-01,1616554,comext (EUR converted to USD at monthly average rates)

$ chokepoint surge --store $TMP/cw --reporter E27 --partner KGZ --hs 854231 --format json | grep -o '"sources":.*'
> "sources":["comext (EUR converted to USD at monthly average rates)"],"coverage":1.0000,"coverage_note":"rests on the reports of E27 for 2023-01","caveat":"8542 holds every integrated circuit, from commodity parts to advanced processors: a share of its value says nothing about advanced chips"}

$ chokepoint country EU27 E20 'Euro area'
~ ^E27,
~ ^E20,
~ ^EZX,

# forced: a Comtrade file is not Comext
$ chokepoint ingest --store $TMP/cw4 --format comext $DATA/flows/comtrade-annual/graphite_trade_data.csv
? 1
! graphite_trade_data.csv:1: the header has no 'REPORTER' column \(format comext\)

# a source holds one currency: Comext rows cannot join a USD source
$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/cw5 --source mixed $DATA/flows/comtrade-annual/graphite_trade_data.csv comext_web.csv
? 1
! source 'mixed' holds USD values of a comtrade file: a Comext file \(EUR\) needs a source of its own

# --- bulk monthly file: CN8 codes folded to HS6 and summed with the
# statistical procedures of one flow; a key with a rejected line is rejected
# whole (no partial sum)
$ cd $CASES/../data/ingest && chokepoint ingest -q --store $TMP/cb --rejects - comext_bulk.csv | cut -d, -f2-3
> line,reason
> 7,bad-value
> 9,bad-hs
> 10,bad-period
> 12,unknown-partner
> 6,bad-value

$ cd $CASES/../data/ingest && chokepoint ingest --store $TMP/cb2 comext_bulk.csv 2>&1
~ 11 rows read, 4 kept, 5 rejected
~ summed 6 lines into the 4 rows kept
~ e\.g\. CN8 85423111 -> 854231
~ kept 1 aggregate rows at their level: 1 TOTAL

$ chokepoint surge --store $TMP/cb --reporter DEU --partner KGZ --hs 854231 --format csv | cut -d, -f1-6 > got.csv && awk -F, 'NR==FNR { if ($2 == "Euro" && $1 ~ /^2023-01/) r = $3; next } FNR > 1 && $2 == "DE" && $4 == "KG" && $6 ~ /^854231/ && $13 == 2 && $16 == 202301 { v += $17; q += $18 } END { print "reporter,partner,hs,period,value,qty"; printf "DEU,KGZ,854231,2023-01,%.0f,%d\n", v / r, q }' $DATA/ref/fx/monthly.csv $CASES/../data/ingest/comext_bulk.csv | diff - got.csv && echo same
> same

$ chokepoint surge --store $TMP/cb --reporter LTU --hs 847130 --format csv
>>> 1

# --- real data: the shipped hub files (data/flows/eu-comext-hubs, Eurostat
# Comext web extractions): EU exports to Kyrgyzstan, Armenia, Kazakhstan and
# Russia, all products, 2019-01 to 2024-08.  Every row is read; the EU-27,
# EU, euro-area rows are kept as groups; the "Total" products at TOTAL.
$ chokepoint ingest --store $TMP/hubs --source comext-hubs $DATA/flows/eu-comext-hubs/*.csv 2>&1
~ 8226 rows read, 8226 kept, 0 rejected
~ converted 8226 rows from EUR to USD
~ kept 1088 rows whose reporter is a group of countries
~ 8226 TOTAL, 0 HS2, 0 HS4

# each hub's suppliers in 2021 and 2023 at TOTAL level: the 27 member states
# only, each equal to the raw file's EUR rows / the month's rate (+6 % CIF)
$ for p in KGZ:kyrgyz ARM:armenia KAZ:kazakhstan RUS:russia; do for y in 2021 2023; do chokepoint dependency --store $TMP/hubs --importer ${p%%:*} --hs TOTAL --period $y --format csv | cut -d, -f4,5,11 | diff - <(python3 $CASES/comext_sum.py dep $DATA/ref/fx/monthly.csv $y $DATA/flows/eu-comext-hubs/${p#*:}_export_eurostat.csv) >/dev/null && echo "${p%%:*} $y same"; done; done
> KGZ 2021 same
> KGZ 2023 same
> ARM 2021 same
> ARM 2023 same
> KAZ 2021 same
> KAZ 2023 same
> RUS 2021 same
> RUS 2023 same

# the roundabout trade: EU suppliers' total (USD, CIF-adjusted mirror) 2021
# against 2023, and how many suppliers (members only: 27, never 31)
$ for p in KGZ ARM KAZ RUS; do for y in 2021 2023; do chokepoint dependency --store $TMP/hubs --importer $p --hs TOTAL --period $y --format csv | sed -n 2p | cut -d, -f1-3,11,12,16,17; done; done
> KGZ,TOTAL,2021,329953034,27,TOTAL,false
> KGZ,TOTAL,2023,3134140689,27,TOTAL,false
> ARM,TOTAL,2021,947614703,26,TOTAL,false
> ARM,TOTAL,2023,2478228832,27,TOTAL,false
> KAZ,TOTAL,2021,6872359487,27,TOTAL,false
> KAZ,TOTAL,2023,13880203482,27,TOTAL,false
> RUS,TOTAL,2021,111704918130,27,TOTAL,false
> RUS,TOTAL,2023,43751069273,27,TOTAL,false

# the EU-27 row asked for by name: its monthly series is the raw row / rate
$ chokepoint surge --store $TMP/hubs --reporter E27 --partner KGZ --hs TOTAL --from 2021-01 --to 2023-12 --format csv | cut -d, -f4,5 | diff - <(python3 $CASES/comext_sum.py series $DATA/ref/fx/monthly.csv 2021-2023 'European Union - 27 countries' $DATA/flows/eu-comext-hubs/kyrgyz_export_eurostat.csv) && echo same
> same

# and the members' sum equals the EU-27 row (the file's own check): the
# dependency total is the EU-27 row +6 %, to the dollar's rounding
$ for y in 2021 2023; do t=$(chokepoint dependency --store $TMP/hubs --importer KGZ --hs TOTAL --period $y --format csv | sed -n 2p | cut -d, -f11); e=$(python3 $CASES/comext_sum.py total $DATA/ref/fx/monthly.csv $y 'European Union - 27 countries' $DATA/flows/eu-comext-hubs/kyrgyz_export_eurostat.csv); python3 -c "print($y, abs($t - $e * 1.06) < 2)"; done
> 2021 True
> 2023 True

# surge flags the level shift after the sanctions of 2022-02-24
$ chokepoint surge --store $TMP/hubs --reporter E27 --partner KGZ --hs TOTAL --event 2022-02-24 --format csv | grep shift_up | cut -d, -f4,10,15
> 2022-04,shift_up,after
> 2022-07,shift_up,after
> 2022-11,shift_up,after

# a bulk file none of whose lines reaches the summing table: an error saying
# why (once a crash: the empty table was cleared through a null pointer)
$ chokepoint ingest --store $TMP/cb3 -
< DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS
< XX,KG,85423111,2,202301,5
? 1
! none of the 1 rows read was kept \(1 unknown-reporter\); nothing is loaded

# the report's chapter on the roundabout trade: the EU-27's exports by
# destination (2023-01, the four hubs summed = the raw EU-27 rows / the
# month's rate), then each largest destination's EU suppliers in the last
# complete year (2023)
$ chokepoint report --store $TMP/hubs --out $TMP/hubs.html 2>/dev/null && python3 $CASES/report_data.py $TMP/hubs.html roundabout exports 2023-01 && python3 -c "import csv, glob; r = [float(x['Exchange rate']) for x in csv.DictReader(open('$DATA/ref/fx/monthly.csv')) if x['Country'] == 'Euro' and x['Date'].startswith('2023-01')][0]; print('%.0f' % sum(float(x['VALUE_IN_EUR']) / r for f in glob.glob('$DATA/flows/eu-comext-hubs/*.csv') for x in csv.DictReader(open(f, encoding='utf-8')) if x['REPORTER'].startswith('European Union - 27') and x['PERIOD'] == 'Jan. 2023'))"
> roundabout exports 2023-01 5148167564 synthetic=false sources=comext-hubs
> 5148167564

$ python3 -c "import json, re, sys; d = json.loads(re.search(r'id=\"ckp-data\">(.*?)</script>', open('$TMP/hubs.html', encoding='utf-8').read(), re.S).group(1)); ch = [c for c in d['chapters'] if c['id'] == 'roundabout'][0]; print(ch['title']); [print(s['title'], '|', s['rows'][0]['period'] if s['id'] == 'dependency' else '', s['rows'][0].get('total', '')) for s in ch['sections']]"
> EU exports, all products: the roundabout trade
> EU-27 (EU27_2020)'s exports of TOTAL by partner |  
> Who supplies RUS: TOTAL | 2023 43751069273
> Who supplies KAZ: TOTAL | 2023 13880203482
> Who supplies ARM: TOTAL | 2023 2478228832
> Who supplies KGZ: TOTAL | 2023 3134140689

# info says which source was converted
$ chokepoint info --store $TMP/hubs --format csv | cut -d, -f1-6,8,9,11
> rows,periods,reporters,partners,products,sources,first_period,last_period,source_names
> 8226,68,32,4,1,1,2019-01,2024-08,comext-hubs (from EUR)

# shards: a partial's header names the converted source as the rows do, so
# the merged rows say it too (byte-identical to the single-store answer up
# to the coverage columns, which a merge has no store to compute)
$ chokepoint dependency --store $TMP/cb --importer KGZ --hs 854231 --partial > p.jsonl && chokepoint merge --format csv p.jsonl | cut -d, -f1-20 | diff - <(chokepoint dependency --store $TMP/cb --importer KGZ --hs 854231 --format csv | cut -d, -f1-20) && chokepoint merge --format csv p.jsonl | sed -n 2p | cut -d, -f4,20
> DEU,comext-bulk (EUR converted to USD at monthly average rates)

# a TOTAL answer rests on the reports of the members that give it (it said
# "the export reports of no one, 0 of 222": the coverage scan read HS6 rows
# only), and carries no basket-code caveat (it listed all fourteen)
$ chokepoint dependency --store $TMP/hubs --importer RUS --hs TOTAL --period 2023 --format json | head -1 | grep -o '"coverage".*'
> "coverage":0.1216,"coverage_note":"thin: mirror: rests on the export reports of AUT, BEL, BGR and 24 others to RUS, 27 of 222 other economies listed as UN Comtrade reporters for 2023 (RUS's own import report is not used)","caveat":null}
