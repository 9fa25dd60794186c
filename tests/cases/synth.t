# synth: the synthetic world — help, formats, determinism, the injected
# events in small outputs, and usage errors (exit 2).

$ chokepoint synth --help
~ ^usage: chokepoint synth --out FILE
~ --scenario LIST
~ antimony-2024, gallium-2023, russia-roundabout,$
~ misinvoicing, decoys; all \(default\) or none
~ SYNTHETIC

$ chokepoint help synth
~ --truth FILE

# flows: header, then ISO3 rows with both sides
$ chokepoint synth --out - --scenario none --rows 3000 -q | head -3
~ ^period,reporter,partner,flow,hs,value,qty,unit$
~ ^20[0-9]{2}-[0-9]{2},[A-Z]{3},[A-Z]{3},X,[0-9]{6},[0-9]+,[0-9.]*,kg$
~ ^20[0-9]{2}-[0-9]{2},[A-Z]{3},[A-Z]{3},M,[0-9]{6},[0-9]+,[0-9.]*,kg$

# BACI: annual, BACI codes, thousand USD and tonnes with 3 decimals
$ chokepoint synth --out - --format baci --scenario none --rows 2000 -q | head -1
> t,i,j,k,v,q
$ chokepoint synth --out - --format baci --scenario none --rows 2000 -q | sed -n 2,3p
~ ^20(1[7-9]|2[0-4]),[0-9]+,[0-9]+,[0-9]{6},[0-9]+\.[0-9]{3},([0-9]+\.[0-9]{3})?$

# Comtrade: the API columns, Comtrade codes, H6
$ chokepoint synth --out - --format comtrade --scenario none --rows 2000 -q | head -2
~ ^typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,
~ ^C,M,20[0-9]{6},20[0-9]{2},[0-9]{1,2},20[0-9]{4},[0-9]+,[A-Z]{3},.*,H6,HS,True,[0-9]{6},

# --annual: years only, complete ones (2025 is half a year by default)
$ chokepoint synth --out - --annual --scenario none --rows 3000 -q | tail -n +2 | cut -d, -f1 | sort -u | tr '\n' ' '; echo
> 2017 2018 2019 2020 2021 2022 2023 2024 

# deterministic per seed: same seed, same bytes; another seed, other bytes
$ chokepoint synth --out a.csv --seed 5 --rows 20000 --scenario none -q && chokepoint synth --out b.csv --seed 5 --rows 20000 --scenario none -q && cmp a.csv b.csv && echo same
> same
$ chokepoint synth --out a.csv --seed 5 --rows 20000 --scenario none -q && chokepoint synth --out b.csv --seed 6 --rows 20000 --scenario none -q && ! cmp -s a.csv b.csv && echo differ
> differ

# a summary line on stderr, rows/s included
$ chokepoint synth --out w.csv --scenario none --rows 5000
! ^synth: [0-9]+ rows .* rows/s.*SYNTHETIC

# the truth: one JSON object per event, every scenario present
$ chokepoint synth --out /dev/null --truth - -q
>>> 26
~ ^\{"id":"antimony-2024/ban","kind":"ban","scenario":"antimony-2024","label":"synthetic","measure":"CN-2024-46","issuer":"CHN","target":"USA"
~ "id":"antimony-2024/diversion".*"hubs":\["THA","MEX"\].*"total_t":3834
~ "id":"gallium-2023/licence"
~ "id":"russia-roundabout/phantom".*"hubs":\["ARM","KAZ","KGZ"\]
~ "id":"misinvoicing/misclass-CHN-IDN-854231"
~ "id":"decoys/vnm-grows-in-everything","kind":"decoy"
~ "id":"antimony-2024/untouched","kind":"decoy"

# antimony-2024: China → USA in 282580 every month to 2024-09 (the rush),
# never after (stalled under licensing from October, then banned)
$ chokepoint synth --out - --scenario antimony-2024 --rows 1 -q | grep -c ',CHN,USA,X,282580,'
> 93
$ chokepoint synth --out - --scenario antimony-2024 --rows 1 -q | grep -c '^202[45]-1[0-2],CHN,USA,X,\|^2025-0[1-6],CHN,USA,X,' || true
> 0
$ chokepoint synth --out - --scenario antimony-2024 --rows 1 -q | grep -c '^2024-1[0-2],CHN,DEU,X,\|^2025-0[1-6],CHN,DEU,X,' || true
> 0
$ chokepoint synth --out - --scenario antimony-2024 --rows 1 -q | awk -F, '$2=="USA" && $3=="THA" && $5=="282580" && $1>="2024-12" && $1<="2025-04" {t+=$7} END {print (t > 1000000 ? "rerouted" : "missing")}'
> rerouted

# Russia does not report from 2022; its partners' reports (mirror) remain
$ chokepoint synth --out - --scenario russia-roundabout --rows 1 -q | awk -F, '$2=="RUS" && $1>="2022"' | wc -l
> 0
$ chokepoint synth --out - --scenario russia-roundabout --rows 1 -q | awk -F, '$3=="RUS" && $4=="X" && $1>="2023"' | wc -l | awk '{print ($1 > 1000 ? "mirror" : "none")}'
> mirror

# usage errors: exit 2
$ chokepoint synth --rows 10
? 2
! --out FILE is required
$ chokepoint synth --out - --scenario antimony
? 2
! unknown scenario 'antimony'
$ chokepoint synth --out - --format parquet
? 2
! --format must be flows, baci or comtrade
$ chokepoint synth --out - --rows lots
? 2
! --rows takes a count
$ chokepoint synth --out - --seed -4
? 2
! --seed takes a whole number
$ chokepoint synth --out - --monthly --annual
? 2
! exclude each other
$ chokepoint synth --out - --format baci --monthly
? 2
! BACI is annual
$ chokepoint synth --out - --from 2025-01 --to 2024-01
? 2
! is after --to
$ chokepoint synth --out - --from 2024-13
? 2
! --from takes a month
$ chokepoint synth --out - --annual --from 2024-02 --to 2024-11
? 2
! complete calendar year
$ chokepoint synth --out - --truth -
? 2
! cannot both be stdout
$ chokepoint synth --out - --bogus
? 2
! unknown option '--bogus'

# I/O errors: exit 1 with the path
$ chokepoint synth --out /nonexistent/dir/w.csv --scenario none --rows 10
? 1
! /nonexistent/dir/w.csv
