#!/usr/bin/env bash
# bench_merge.sh — shards, partial results and merge (docs/scale.md): a
# synthetic world (MERGE_ROWS rows, default 1,000,000; seed 3; SYNTHETIC) split
# by year with awk into bench/out/merge/y*.csv; every shard mapped with
# `chokepoints --input SHARD --partial` (one after another), the partials
# merged, and the result compared byte for byte with `chokepoints` on the
# whole store.  No peer: DuckDB has no exchange format for partial
# aggregates; bench_analytics.sh compares the whole-store scan with DuckDB.
# Prints "bench merge: METRIC VALUE UNIT" lines.  Run from the project root
# (bench/run.sh does); BUILD names the build dir.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${MERGE_ROWS:-1000000}
OUT=bench/out/merge
BIN=$PWD/$BUILD/chokepoint
export CHOKEPOINT_DATA=$PWD/data
say() { echo "bench merge: $*"; }
now() { date +%s.%N; }
[ -x "$BIN" ] || { echo "bench_merge: $BIN missing (make all)" >&2; exit 1; }
mkdir -p "$OUT"
cd "$OUT" || exit 1
if [ ! -s world.csv ] || [ "$(cat world.rows 2>/dev/null)" != "$ROWS" ]; then
  "$BIN" synth -q --rows "$ROWS" --seed 3 --out world.csv || exit 1
  echo "$ROWS" >world.rows
  rm -rf whole.store y*.csv
fi
[ -d whole.store ] || "$BIN" ingest -q --store whole.store world.csv || exit 1
rm -f y*.csv y*.part
awk -F, 'NR==1{h=$0;next}{f="y" substr($1,1,4) ".csv"; if(!(f in s)){print h > f; s[f]=1} print > f}' world.csv
nshards=$(ls y*.csv | wc -l)
t0=$(now)
for f in y*.csv; do "$BIN" chokepoints --limit 0 --input "$f" --partial >"$f.part" || exit 1; done
t1=$(now)
"$BIN" merge --format csv y*.csv.part >merged.csv || exit 1
t2=$(now)
"$BIN" chokepoints --limit 0 --store whole.store --format csv >whole.csv || exit 1
t3=$(now)
in_bytes=$(cat y*.csv | wc -c)
part_bytes=$(cat y*.csv.part | wc -c)
say "rows $(($(wc -l <world.csv) - 1)) rows"
say "shards $nshards files"
say "map_total $(awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.3f\", b - a}") s"
say "partial_bytes $part_bytes bytes (input $in_bytes bytes)"
say "merge $(awk -v a="$t1" -v b="$t2" "BEGIN{printf \"%.3f\", b - a}") s"
say "whole_store_scan $(awk -v a="$t2" -v b="$t3" "BEGIN{printf \"%.3f\", b - a}") s"
say "merged_rows $(($(wc -l <merged.csv) - 1)) rows"
# Merged partials carry no coverage (the World totals and reporter lists it
# needs stay on the store: docs/scale.md), so the merged rows say "not
# computed" there: every other cell must be byte-identical.
if cmp -s merged.csv whole.csv; then say "identical 1 bool"
elif python3 - merged.csv whole.csv <<'PY'
import csv, sys
a, b = (list(csv.reader(open(f, newline=''))) for f in sys.argv[1:3])
skip = {i for i, n in enumerate(b[0]) if n in ('coverage', 'coverage_note')}
cut = lambda rows: [[c for i, c in enumerate(r) if i not in skip] for r in rows]
sys.exit(0 if a[0] == b[0] and cut(a) == cut(b) else 1)
PY
then say "identical_but_coverage 1 bool"
else say "identical 0 bool"; exit 1; fi
