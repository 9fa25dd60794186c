# merge: partial results on shards (VERB --input SHARD --partial) combined by
# `chokepoint merge` must give exactly what the verb gives on the whole store
# (docs/scale.md).  A synthetic world is split by year, by reporter and by
# month with awk; the real shipped flows are split by file.  Then: errors
# name the file and line; an empty shard is fine.

$ chokepoint synth --out w.csv --rows 20000 --seed 11 --from 2022-01 --to 2025-06 -q && chokepoint ingest -q --store st w.csv && echo ok
> ok

# shards: by year, by reporter (four groups by first letter), by month (each
# file keeps the CSV header)
$ awk -F, 'NR==1{h=$0;next}{f="y" substr($1,1,4) ".csv"; if(!(f in s)){print h > f; s[f]=1} print > f}' w.csv && awk -F, 'NR==1{h=$0;next}{c=substr($2,1,1); f="r" (c<"F"?"A":c<"M"?"F":c<"S"?"M":"S") ".csv"; if(!(f in s)){print h > f; s[f]=1} print > f}' w.csv && awk -F, 'NR==1{h=$0;next}{f="mon" $1 ".csv"; if(!(f in s)){print h > f; s[f]=1} print > f}' w.csv && ls y*.csv | wc -l && cat y*.csv | grep -vc '^period'
> 4
> 54642

# a shard's partial: a header naming the verb and its parameters, one record
# per HS code x reporter x partner x flow (periods, values, quantities), tables
$ chokepoint dependency --importer USA --hs antimony --input y2024.csv --partial | head -2
> {"partial":"chokepoint","version":1,"verb":"dependency","args":{"importer":["USA"],"hs":["antimony"]}}
> {"hs":"261710","reporter":"USA","partner":"BOL","flow":"M","period":[202401,202402,202403,202404,202405,202406,202407,202408,202409,202410,202411,202412],"value":[153718,129735,124334,123613,163615,158431,190014,220355,162090,164221,157665,189778],"qty":[34587,37108,29908,27644,38491,45671,48242,53570,43926,40404,38314,38198]}

$ bash $CASES/merge_shards.sh st 'y*.csv' csv chokepoints --limit 0
~ ^same: [0-9]{3,} lines$

$ bash $CASES/merge_shards.sh st 'r*.csv' csv chokepoints --limit 0
~ ^same: [0-9]{3,} lines$

$ bash $CASES/merge_shards.sh st 'mon*.csv' json chokepoints --min-share 0.5
> same: 100 lines

$ bash $CASES/merge_shards.sh st 'r*.csv' json chokepoints --mirror on --period 2024
> same: 100 lines

$ bash $CASES/merge_shards.sh st 'y*.csv' json dependency --importer USA --hs antimony
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'r*.csv' json dependency --importer RUS --hs 8517
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'mon*.csv' csv dependency --importer USA --hs 811292 --from 2024-01 --to 2024-12
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'r*.csv' json concentration --hs 811292
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'y*.csv' csv concentration --hs 8112 --side importer --from 2020 --to 2023
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'r*.csv' json alternatives --importer USA --hs antimony --exclude CHN
~ ^same: [0-9]+ lines$

$ bash $CASES/merge_shards.sh st 'y*.csv' json surge --reporter CHN --hs 811292
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'r*.csv' json surge --reporter CHN --partner USA --hs antimony --event 2024-12-03
~ ^same: [0-9]{2,} lines$

$ bash $CASES/merge_shards.sh st 'mon*.csv' csv surge --reporter CHN --hs antimony --event 2024-12 --by-partner
~ ^same: [0-9]+ lines$

# Hadoop Streaming: mapper on stdin, the shuffle's sort mixes the lines of
# all mappers (headers anywhere), reducer on stdin
$ chokepoint chokepoints --store st --format csv > whole.csv && for f in r*.csv; do chokepoint chokepoints --input - --partial < $f; done | LC_ALL=C sort | chokepoint merge --format csv - | cmp - whole.csv && echo same
> same

# the real shipped flows, one shard per source file (monthly and annual rows
# of the same flows: the annual row is preferred for its year, as in the store)
$ chokepoint ingest -q --store real.st --source comtrade-cn-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint ingest -q --store real.st $DATA/flows/comtrade-annual/graphite_trade_data.csv && cp $DATA/flows/china-critmin-monthly/china_exports_monthly.csv real1.csv && cp $DATA/flows/comtrade-annual/graphite_trade_data.csv real2.csv && echo ok
> ok

$ bash $CASES/merge_shards.sh real.st 'real*.csv' json dependency --importer USA --hs 250410
~ ^same: [0-9]+ lines$

$ bash $CASES/merge_shards.sh real.st 'real*.csv' json concentration --hs 250410 --side exporter
~ ^same: [0-9]+ lines$

$ bash $CASES/merge_shards.sh real.st 'real*.csv' csv surge --reporter CHN --hs 811292 --event 2023-08-01
~ ^same: [0-9]{2,} lines$

# partials of different parameters: the file and line of the odd header
$ chokepoint dependency --importer USA --hs 811292 --input y2023.csv --partial > a.jsonl && chokepoint dependency --importer JPN --hs 811292 --input y2024.csv --partial > b.jsonl && chokepoint merge a.jsonl b.jsonl
! ^chokepoint: merge: b\.jsonl:1: partial of 'dependency' with parameters .*JPN.*, but a\.jsonl:1 has .*USA.*same parameters
? 1

$ chokepoint surge --reporter CHN --hs 811292 --input y2024.csv --partial > c.jsonl && chokepoint merge a.jsonl c.jsonl
! b?c\.jsonl:1: .*different verbs
? 1

# a corrupt line: file and line
$ head -3 a.jsonl > bad.jsonl && echo '{"hs":"811292","reporter":"USA","partner":"CHN","flow":"M","period":[2023' >> bad.jsonl && chokepoint merge a.jsonl bad.jsonl
! ^chokepoint: merge: bad\.jsonl:4:[0-9]+: not a partial result line
? 1

$ printf '{"partial":"chokepoint","version":1,"verb":"dependency","args":{"importer":["USA"],"hs":["811292"]}}\nnot json\n' | chokepoint merge -
! ^chokepoint: merge: -:2:1: not a partial result line: expected a JSON object
? 1

$ chokepoint merge nosuch.jsonl
! nosuch\.jsonl: cannot open
? 1

$ echo '{"periods":[]}' | chokepoint merge -
! no partial result header
? 1

# an empty shard (no bytes, or only a header) is fine: it adds nothing
$ : > empty.csv && head -1 w.csv > header.csv && chokepoint chokepoints --limit 0 --input empty.csv --partial > e1.jsonl && chokepoint chokepoints --limit 0 --input header.csv --partial > e2.jsonl && chokepoint merge --format csv e1.jsonl e2.jsonl
> importer,hs,period,top_supplier,top_share,hhi,value,suppliers,source,score

$ for f in y2023.csv empty.csv; do chokepoint concentration --hs 811292 --input $f --partial; done | chokepoint merge --format csv - | wc -l
> 6

# rejected rows of a shard are counted and reported, never dropped silently
$ printf 'period,reporter,partner,flow,hs,value,qty,unit\n2020,USA,CHN,M,811292,5,1,kg\n2020,USA,XXX,M,811292,5,1,kg\n' | chokepoint chokepoints --input - --format csv
> importer,hs,period,top_supplier,top_share,hhi,value,suppliers,source,score
> USA,811292,2020,CHN,1.0000,10000,5,1,reported,5
! --input -: 1 of 2 rows rejected

# verbs without partials say so (usage error)
$ chokepoint mirror --hs 811292 --input y2023.csv --partial
! --partial is not supported by mirror \(see docs/scale\.md\)
? 2

$ chokepoint concentration --hs gallium --side producer --input y2023.csv --partial
! --side producer has no partial results
? 2

$ chokepoint merge
! merge: missing argument
? 2
