# evasion.t — diversion, mirror and unitvalue on a small synthetic world with
# known injected events (seed 1) and on the real USA⇄China Comtrade pairs.
# The first case builds the stores the others read ($TMP persists).

$ chokepoint synth --out w.csv --truth truth.jsonl --seed 1 --rows 100000 -q && chokepoint ingest -q --store st --source synth-1 w.csv && chokepoint info --store st --format csv | tail -n 1
~ synth-1 \(synthetic\)

# the help lists the fixed JSON fields
$ chokepoint diversion --help
~ ^columns \(JSON fields\): issuer, target, hs, date, hub, rank, score, growth_issuer_to_hub, growth_hub_to_target, growth_control, explanation

# antimony-2024: Thailand and Mexico on top, with their evidence
$ chokepoint diversion --store st --measure CN-2024-46 --limit 2 --format csv
~ ^CHN,USA,[0-9;]+,2024-12-03,THA,1,
~ ^CHN,USA,[0-9;]+,2024-12-03,MEX,2,
>>> 3

$ chokepoint diversion --store st --issuer CHN --target USA --hs 282580 --date 2024-12-03 --limit 1 --format json
~ "hub":"THA","rank":1
~ "explanation":"Thailand: imports of 282580 from China ×[0-9.]+ \(\$[0-9.]+[kM] → \$[0-9.]+[kM] a month\) after 2024-12-03, exports of 282580 to United States of America
~ uncontrolled products ×[01]\.[0-9]
~ "synthetic":true,"sources":\["synth-1"\]

# the Eurasian roundabout: Armenia, Kazakhstan, Kyrgyzstan among the top 5;
# Russia reports nothing from 2022 (the onward leg comes from the hubs' own exports)
$ chokepoint diversion --store st --measure EU-RUS-2022-02-25 --limit 5 --format csv | cut -d, -f5 | sort | tr '\n' ' '
~ ARM .*KAZ .*KGZ

# the decoy Uzbekistan grows in everything: never above a true hub
$ chokepoint diversion --store st --measure EU-RUS-2022-02-25 --limit 0 --format csv | awk -F, '$5 == "UZB" { print ($6 > 5) ? "below" : "above" }'
> below

# hubs for every measure: the CSV `screen --hubs` reads
$ chokepoint diversion --store st --all-measures --format csv | head -n 1
~ ^issuer,target,hs,date,hub,rank,score,.*,measure,destination,

$ chokepoint diversion --store st --all-measures --format json | grep '"measure":"CN-2024-46","destination":"USA"' | head -n 2 | cut -d, -f5,6
> "hub":"THA","rank":1
> "hub":"MEX","rank":2

# usage errors
$ chokepoint diversion --store st --hs 282580
! give --measure ID, or --issuer A --hs H --date D
? 2

$ chokepoint diversion --store st --measure NO-SUCH-MEASURE
! no measure 'NO-SUCH-MEASURE'
? 2

$ chokepoint diversion --store st --issuer CHN --hs 282580 --date 2024-13-40
! --date
? 2

$ chokepoint diversion --store st --issuer CHN --hs 282580 --date 2024-12-03 --freq weekly
! --freq takes auto, monthly or annual
? 2

# no data around the date: said, not guessed
$ chokepoint diversion --store st --issuer CHN --target USA --hs 282580 --date 2030-01-01
! no (monthly|annual) data (before|after) the date \(windows
? 1

# mirror: the misclassified chips (IDN declares 854231 from China as 392690)
# leave China's exports of 854231 unmatched: phantom exports
$ chokepoint mirror --store st --hs 854231 --reporter IDN --partner CHN --flag phantom --format csv | cut -d, -f1-4,10 | head -n 3
~ ^IDN,CHN,854231,2023-[0-9]{2},phantom_export$
>>> 3

# the roundabout's phantom flows: what Germany exports to Kyrgyzstan is only
# partly recorded there (a gap far from the pair's usual gap)
$ chokepoint mirror --store st --hs 854231 --reporter KGZ --partner DEU --from 2023-01 --to 2023-12 --format csv | cut -d, -f10 | sort | uniq -c | sort -rn | head -n 1
~ [0-9]+ gap

# the calibration (the whole store) is cached beside the generation: the
# second call reads only 854231 and gives the same rows, byte for byte; so do
# a call without the cache and calls after the cache file is damaged (the
# rewritten file is the one cache: --source synthetic selects the same, the
# store's only source)
$ rm -f st/gen-*/mirror-cal-*; chokepoint mirror --store st --hs 854231 --format csv > m1.csv && ls st/gen-*/mirror-cal-*.bin | wc -l && chokepoint mirror --store st --hs 854231 --format csv > m2.csv && CKP_MIRROR_CACHE=0 chokepoint mirror --store st --hs 854231 --format csv > m3.csv && cmp m1.csv m2.csv && cmp m1.csv m3.csv && wc -l < m1.csv | awk '{ print ($1 > 100) ? "rows" : "few" }'
> 1
> rows
$ f=$(ls st/gen-*/mirror-cal-*.bin) && printf 'XX' | dd of=$f bs=1 seek=5000 conv=notrunc 2>/dev/null && chokepoint mirror --store st --hs 854231 --format csv > m4.csv && cmp m1.csv m4.csv && truncate -s 1000 $f && chokepoint mirror --store st --hs 854231 --format csv > m5.csv && cmp m1.csv m5.csv && chokepoint mirror --store st --hs 854231 --source synthetic --format csv > m6.csv && cmp m1.csv m6.csv && ls st/gen-*/mirror-cal-*.bin | wc -l
> 1

$ chokepoint mirror --store st --hs 854231 --flag nonsense
! --flag takes phantom
? 2

# unit values: the injected under-invoicing (NGA's imports of shoes from China)
$ chokepoint unitvalue --store st --hs 640299 --format csv | cut -d, -f1-3,10 | sort -u
> NGA,CHN,640299,under_invoicing
> reporter,partner,hs,flag

# misclassification needs the partner's word: the same shipment under 392690 and 854231
$ chokepoint unitvalue --store st --hs 392690,854231 --reporter IDN --format csv | cut -d, -f1-3,10,13 | sort -u | head -n 1
> IDN,CHN,392690,misclassification,854231

# a quantity of 0 never gives an infinite unit value
$ chokepoint unitvalue --store st --hs 640299 --all --format json | grep -c inf
> 0
? 1

$ chokepoint unitvalue --store st --hs 640299 --threshold -1
! --threshold takes a positive number
? 2

# real data: USA ⇄ China, both sides of the annual Comtrade records; a row
# without the USA's own CIF and FOB takes its one margin (the default 6 %:
# its imports run far above China's exports, beyond freight)
$ chokepoint ingest -q --store real $DATA/flows/comtrade-annual/graphite_trade_data.csv $DATA/flows/comtrade-annual/heavy_ree_trade_data.csv; chokepoint mirror --store real --reporter USA --partner CHN --hs 280530 --period 2024 --format csv | cut -d, -f1-10
> reporter,partner,hs,period,reported_value,mirror_value,ratio,cif_fob,gap,flag
> USA,CHN,280530,2024,1485649,59614,24.921,1.060,1429409,gap
> USA,CHN,280530,2024,3672400,1867927,1.966,1.033,1685888,ok

$ chokepoint mirror --store real --reporter USA --partner CHN --hs 380110 --period 2024 --format json | head -n 1
~ "reporter":"USA","partner":"CHN","hs":"380110","period":"2024","reported_value":282931180,"mirror_value":170625873
~ "cif_fob_source":"reported"

# the gap the README highlights: the USA records 1.5-2.3 times the graphite
# China records as exported to it, every year, while the USA's own CIF/FOB is
# 1.02-1.04.  That is a persistent gap (beyond freight and insurance year
# after year), not a break from the pair's usual gap; China's monthly export
# reports (no monthly US report to meet) do not drown the annual answer
$ chokepoint ingest -q --store realm $DATA/flows/comtrade-annual/graphite_trade_data.csv $DATA/flows/china-critmin-monthly/china_exports_monthly.csv; chokepoint mirror --store realm --reporter USA --partner CHN --hs graphite --format csv | awk -F, 'NR == 1 || $11 == "M"' | cut -d, -f3,4,10,12
> hs,period,flag,gap_kind
> 380110,2024,gap,persistent
> 380110,2022,gap,persistent
> 380110,2023,gap,persistent
> 380110,2021,gap,persistent
> 250410,2023,gap,persistent
> 250410,2022,gap,persistent
> 250410,2024,gap,persistent
> 250410,2020,gap,persistent
> 380110,2020,ok,
> 250410,2021,ok,

$ chokepoint mirror --store realm --reporter USA --partner CHN --hs 380110 --period 2024 --format json | head -n 1
~ "flag":"gap","flow":"M","gap_kind":"persistent","explanation":"USA records \$282.9M of imports from CHN, CHN \$170.6M of exports to USA: x1.66; CIF/FOB 1.022 \(reported\) explains x1.02, leaving x1.62; a persistent gap: beyond freight and insurance \(x1.35\) in 4 of 5 years with both reports

# one frequency per answer: annual by default when there are annual rows, the
# months only when asked (--freq M, or a monthly --period/--from)
$ chokepoint mirror --store realm --reporter USA --partner CHN --hs graphite --format csv | cut -d, -f4 | grep -c -- '-' || true
> 0

$ chokepoint mirror --store realm --reporter USA --partner CHN --hs graphite --freq M --format csv | cut -d, -f10 | sort | uniq -c | sed 's/^ *//'
> 1 flag
> 72 no_report

$ chokepoint mirror --store realm --reporter USA --partner CHN --hs graphite --from 2018-01 --to 2018-03 --format csv | cut -d, -f4,10 | sort | uniq -c | sed 's/^ *//'
> 2 2018-01,no_report
> 2 2018-02,no_report
> 2 2018-03,no_report
> 1 period,flag

$ chokepoint mirror --store realm --reporter USA --partner CHN --hs graphite --flag persistent --period 2022 --format csv | cut -d, -f1-4,10,12
> reporter,partner,hs,period,flag,gap_kind
> USA,CHN,380110,2022,gap,persistent
> USA,CHN,250410,2022,gap,persistent

# a year asked of a store that holds months only: the year's months
$ chokepoint mirror --store st --hs 854231 --period 2023 --format csv | cut -d, -f4 | sed 1d | cut -c1-7 | sort -u | wc -l
> 12

$ chokepoint mirror --store realm --hs graphite --freq Q
! --freq takes A, M or all
? 2

# new gaps on the synthetic ground truth: every injected month of value
# misinvoicing (seed 1) that both sides report is a break from the pair's
# usual gap, flagged gap_kind new; the same pairs' other months are not
$ chokepoint mirror --store st --hs 640299,940360,870323,300490,847130 --format json | python3 $CASES/mirror_new_gaps.py truth.jsonl
~ ^5 pairs, [1-9][0-9]* injected months with both reports: [1-9][0-9]* new, 0 missed; [0-2] new outside$

# unitvalue on China's real monthly graphite exports: shipments under
# --min-value (default 10,000 USD: $95 for 1 kg, $2 for 1 kg) are not listed;
# with --min-value 0 they are
$ chokepoint unitvalue --store realm --hs graphite --format csv | awk -F, 'NR > 1 && $5 < 10000' | wc -l
> 0

$ chokepoint unitvalue --store realm --hs graphite --min-value 0 --format csv | grep -c '^CHN,CAN,250410,2022-05,95,1,'
> 1

$ chokepoint unitvalue --store realm --hs graphite --min-value -5
! --min-value takes 0 or more
? 2

# a flow at (or near) the product's median is never flagged, however far it
# is from its own route's history (Hong Kong 2020-12: $1.05/kg, median $1.09)
$ chokepoint unitvalue --store realm --hs graphite --format csv | awk -F, 'NR > 1 && $9 > -1 && $9 < 1' | wc -l
> 0

$ chokepoint unitvalue --store realm --hs graphite --min-value 0 --format csv | awk -F, 'NR > 1 && $9 > -1 && $9 < 1' | wc -l
> 0

# every row says why: the value, the median, the robust z, the peers
$ chokepoint unitvalue --store realm --hs graphite --format json | head -n 1
~ "explanation":"\$12,024 for 175 kg = \$68.71/kg; peers: the 370 flows of 250410 in kg in 2022 \(every reporter, both directions\), median \$1.282/kg \(x53.60 of it\), robust z 5.39; against this route's own history pair_z 19.8: over_invoicing, \|z\| >= 3.5 and not this route's usual price"

# no store
$ chokepoint mirror --store nowhere --hs 280530
! chokepoint: mirror: .*nowhere
? 1

# annual data: the same questions on calendar years (the date's year counts
# as "after" when the date is on or before 1 July)
$ chokepoint synth --out wa.csv --seed 3 --rows 100000 --annual -q && chokepoint ingest -q --store sta --format flows - < wa.csv && chokepoint diversion --store sta --measure EU-RUS-2022-02-25 --limit 5 --format csv | cut -d, -f5 | sort | tr '\n' ' '
~ ARM .*KAZ .*KGZ

$ chokepoint diversion --store sta --measure EU-RUS-2022-02-25 --limit 1 --format json
~ "freq":"annual"

$ chokepoint mirror --store sta --hs 854231 --reporter KGZ --partner DEU --from 2022 --format csv | cut -d, -f1-4,10
> reporter,partner,hs,period,flag
> KGZ,DEU,854231,2024,gap
> KGZ,DEU,854231,2023,gap
> KGZ,DEU,854231,2022,gap

# one CIF/FOB margin: Russia reports no imports of 854231 in 2023, so
# dependency --mirror raises China's export reports by Russia's margin
# (estimated from the years both sides report), and mirror puts the same
# factor on the same flow: China's monthly reports summed and raised give
# dependency's figure
$ chokepoint dependency --store st --importer RUS --hs 854231 --period 2023 --format csv 2>/dev/null | awk -F, '$4 == "CHN" { print $5, $9, $14 }' > dep.txt && cat dep.txt | cut -d' ' -f2-
> mirror 0.0924
$ chokepoint mirror --store st --reporter RUS --partner CHN --hs 854231 --period 2023 --format csv 2>/dev/null | awk -F, -v dep="$(cat dep.txt)" 'NR > 1 { x += $6; f[$8 " " $16]++ } END { split(dep, d, " "); for (k in f) print k, f[k]; r = x * (1 + d[3]) / d[1]; print (r > 0.9999 && r < 1.0001) ? "same value" : "differs: " x * (1 + d[3]) " vs " d[1] }' | sort
> 1.092 estimated 12
> same value
