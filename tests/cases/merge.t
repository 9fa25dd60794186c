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

# a shard's partial: a header naming the verb and its parameters (and the
# partial's random id), one record per HS code x reporter x partner x flow
# (periods, values, quantities), tables, and a trailer counting the lines
# between header and trailer
$ chokepoint dependency --importer USA --hs antimony --input y2024.csv --partial > dep24.jsonl && head -2 dep24.jsonl | sed 's/"id":"[0-9a-f]\{16\}"/"id":"ID"/' && tail -1 dep24.jsonl | sed 's/"id":"[0-9a-f]\{16\}"/"id":"ID"/' && expr $(wc -l < dep24.jsonl) - 2
> {"partial":"chokepoint","version":2,"id":"ID","verb":"dependency","args":{"importer":["USA"],"hs":["antimony"]},"sources":{"real":["flows"],"synthetic":[]}}
> {"hs":"261710","reporter":"USA","partner":"BOL","flow":"M","period":[202401,202402,202403,202404,202405,202406,202407,202408,202409,202410,202411,202412],"value":[153718,129735,124334,123613,163615,158431,190014,220355,162090,164221,157665,189778],"qty":[34587,37108,29908,27644,38491,45671,48242,53570,43926,40404,38314,38198]}
> {"end":"chokepoint","id":"ID","records":86}
> 86

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
$ chokepoint chokepoints --store st --format csv > whole.csv && for f in r*.csv; do chokepoint chokepoints --input - --partial < $f; done | LC_ALL=C sort | chokepoint merge --format csv - > m.csv && python3 $CASES/strip_coverage.py csv m.csv whole.csv && cmp m.csv whole.csv && echo same
> same

# the real shipped flows, one shard per source file (monthly and annual rows
# of the same flows: the annual row is preferred for its year, as in the store;
# the shards' sources are named by --input, so only their names differ)
$ chokepoint ingest -q --store real.st --source comtrade-cn-monthly $DATA/flows/china-critmin-monthly/china_exports_monthly.csv && chokepoint ingest -q --store real.st $DATA/flows/comtrade-annual/graphite_trade_data.csv && cp $DATA/flows/china-critmin-monthly/china_exports_monthly.csv real1.csv && cp $DATA/flows/comtrade-annual/graphite_trade_data.csv real2.csv && echo ok
> ok

$ NOSOURCES=1 bash $CASES/merge_shards.sh real.st 'real*.csv' json dependency --importer USA --hs 250410
~ ^same: [0-9]+ lines$

$ NOSOURCES=1 bash $CASES/merge_shards.sh real.st 'real*.csv' json concentration --hs 250410 --side exporter
~ ^same: [0-9]+ lines$

$ NOSOURCES=1 bash $CASES/merge_shards.sh real.st 'real*.csv' csv surge --reporter CHN --hs 811292 --event 2023-08-01
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

$ printf '{"partial":"chokepoint","version":2,"id":"ab","verb":"dependency","args":{"importer":["USA"],"hs":["811292"]}}\nnot json\n' | chokepoint merge -
! ^chokepoint: merge: -:2:1: not a partial result line: expected a JSON object
? 1

$ chokepoint merge nosuch.jsonl
! nosuch\.jsonl: cannot open
? 1

$ echo '{"periods":[]}' | chokepoint merge -
! ^chokepoint: merge: -: 1 partial lines without a header or trailer
? 1

# a partial of the old format (no id, no trailer) is refused by version
$ printf '{"partial":"chokepoint","version":1,"verb":"dependency","args":{"importer":["USA"],"hs":["811292"]}}\n' | chokepoint merge -
! -:1: partial format version 1, this chokepoint reads version 2
? 1

# nothing lost silently (issue 12): four shards by year, merged, are the
# whole; a partial whose header line was lost (a failed mapper), one cut
# short (no trailer), one missing a line in the middle, one given twice, an
# empty partial file: each refused, exit 1, the file named
$ for y in 2022 2023 2024 2025; do chokepoint chokepoints --limit 0 --input y$y.csv --partial > ck$y.jsonl || exit 1; done; chokepoint chokepoints --limit 0 --store st --format csv > ck-whole.csv && chokepoint merge --format csv --expect 4 ck2022.jsonl ck2023.jsonl ck2024.jsonl ck2025.jsonl > ck-m.csv && cp ck-whole.csv ck-w.csv && python3 $CASES/strip_coverage.py csv ck-m.csv ck-w.csv && cmp ck-m.csv ck-w.csv && echo same
> same

$ tail -n +2 ck2023.jsonl > nohead.jsonl && chokepoint merge --format csv ck2022.jsonl nohead.jsonl ck2024.jsonl ck2025.jsonl
! ^chokepoint: merge: nohead\.jsonl:[0-9]+: the trailer of partial [0-9a-f]{16} has no header: the partial's header line was lost
? 1

$ head -n 50 ck2023.jsonl > cut.jsonl && chokepoint merge --format csv ck2022.jsonl cut.jsonl
! ^chokepoint: merge: cut\.jsonl:1: partial [0-9a-f]{16} \(its header is here\) has no trailer: it was cut short
? 1

$ sed 7d ck2023.jsonl > hole.jsonl && chokepoint merge --format csv ck2022.jsonl hole.jsonl
! ^chokepoint: merge: hole\.jsonl: the trailers count [0-9]+ record lines but [0-9]+ were read: lines of a partial were lost
? 1

$ chokepoint merge --format csv ck2022.jsonl ck2023.jsonl ck2022.jsonl
! ^chokepoint: merge: ck2022\.jsonl:1: partial [0-9a-f]{16} was already read \(ck2022\.jsonl:1\): the same partial given twice
? 1

$ : > failed.jsonl && chokepoint merge --format csv ck2022.jsonl failed.jsonl
! ^chokepoint: merge: failed\.jsonl: no partial in this input \(empty: did its mapper fail\?\)
? 1

# --expect N: a shard whose mapper wrote nothing at all is seen
$ chokepoint merge --format csv --expect 4 ck2022.jsonl ck2023.jsonl ck2024.jsonl
! ^chokepoint: merge: 3 partials read, --expect 4: a shard is missing
? 1

# the Hadoop way (lines of all mappers sorted together): a lost header is
# still seen, named by the partial's id
$ cat ck202?.jsonl | grep -vF "$(head -1 ck2024.jsonl)" | LC_ALL=C sort | chokepoint merge --format csv -
! ^chokepoint: merge: -:[0-9]+: the trailer of partial [0-9a-f]{16} has no header
? 1

$ cat ck202?.jsonl | LC_ALL=C sort | chokepoint merge --format csv --expect 4 - > ck-m2.csv && python3 $CASES/strip_coverage.py csv ck-m2.csv && cmp ck-m2.csv ck-w.csv && echo same
> same

# parameters are compared normalised: HS lists in any order, countries in
# any case or code (the rows are computed with the first header's spelling)
$ chokepoint dependency --importer usa --hs 282580,261710 --input y2023.csv --partial > n1.jsonl && chokepoint dependency --importer USA --hs 261710,282580 --input y2024.csv --partial > n2.jsonl && chokepoint dependency --importer 842 --hs 261710 --hs 282580 --input y2022.csv --partial > n3.jsonl && chokepoint merge --format csv n2.jsonl n1.jsonl n3.jsonl > n.csv && for y in 2022 2023; do chokepoint dependency --importer USA --hs 261710,282580 --input y$y.csv --partial > s$y.jsonl; done && chokepoint merge --format csv n2.jsonl s2022.jsonl s2023.jsonl | cmp - n.csv && wc -l < n.csv
~ ^[0-9]{2,}$

$ chokepoint dependency --importer USA --hs 261710 --input y2024.csv --partial > n4.jsonl && chokepoint merge n1.jsonl n4.jsonl
! n4\.jsonl:1: partial of 'dependency' with parameters .*same parameters
? 1

# values whose sum overflows (partials carry what any store held): the merge
# fails and says so, never a share of 0.0000 and a null HHI
$ for i in 1 2; do printf '{"partial":"chokepoint","version":2,"id":"big%s","verb":"dependency","args":{"importer":["USA"],"hs":["854231"]}}\n{"hs":"854231","reporter":"USA","partner":"CHN","flow":"M","period":[202100],"value":[1e308],"qty":[null]}\n{"end":"chokepoint","id":"big%s","records":1}\n' $i $i > big$i.jsonl; done; chokepoint merge --format csv big1.jsonl big2.jsonl
! ^chokepoint: merge: the values summed here exceed the range of a double
? 1

# the rows say which sources the partials came from; real and synthetic
# partials are never merged into one figure
$ chokepoint merge --format json dep24.jsonl | head -1 | grep -o '"synthetic":.*'
> "synthetic":false,"sources":["flows"],"coverage":null,"coverage_note":"not computed when merging partial results (docs/scale.md): run the verb on a store","caveat":"811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders"}
$ chokepoint ingest -q --store syn.st --synthetic y2024.csv && chokepoint dependency --importer USA --hs antimony --store syn.st --partial > dep24s.jsonl && chokepoint merge --format json dep24s.jsonl | head -1 | grep -o '"synthetic":.*' && chokepoint merge dep24.jsonl dep24s.jsonl
> "synthetic":true,"sources":["flows"],"coverage":null,"coverage_note":"not computed when merging partial results (docs/scale.md): run the verb on a store","caveat":"811010 holds unwrought antimony and antimony powders of every grade together: its figures do not tell ingots from powders"}
? 1
! a partial of synthetic source 'flows', but others are of real source 'flows': real and synthetic figures are never merged
