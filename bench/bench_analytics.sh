#!/usr/bin/env bash
# bench_analytics.sh — the analyses on a 10-million-row store against DuckDB
# running the equivalent SQL on the same data.
#
# Input: `chokepoint synth --format baci` (ANALYTICS_ROWS rows, default
# 10,000,000; seed 1; SYNTHETIC), cached in bench/out/analytics_baci.csv and
# ingested into bench/out/analytics.store.  Then:
#   - bench/analytics_bench.c (in process, store and reference data opened
#     once): `dependency --importer USA --hs 854231 --period 2023` repeated
#     (median), and `chokepoints` (HHI of every importer × HS6 × year, the 100
#     groups with the most value from their top supplier; best of 3);
#   - bench/analytics_duckdb.mjs: the same file loaded into an in-memory
#     DuckDB table (load not timed), then the equivalent SQL, on 2 threads
#     (DuckDB's default here) and on 1.
# Prints "bench analytics: METRIC VALUE UNIT" lines.  Run from the project
# root (bench/run.sh does); BUILD names the build dir.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${ANALYTICS_ROWS:-10000000}
OUT=bench/out
CSV=$OUT/analytics_baci.csv
STORE=$OUT/analytics.store
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
export CHOKEPOINT_DATA=$PWD/data

say() { echo "bench analytics: $*"; }
field() { echo "$2" | tr ' ' '\n' | awk -v k="$1" 'p { print; exit } $0 == k { p = 1 }'; }

[ -x "$BIN" ] || { echo "bench_analytics: $BIN missing (make all)" >&2; exit 1; }
if ! make -s BUILD="$BUILD" "$BUILD/bench/analytics_bench" >"$OUT/analytics_make.log" 2>&1; then
  [ -x "$BUILD/bench/analytics_bench" ] ||
    { echo "bench_analytics: cannot build analytics_bench (see $OUT/analytics_make.log)" >&2; exit 1; }
  echo "bench_analytics: make failed (see $OUT/analytics_make.log); using the existing analytics_bench" >&2
fi

stamp=$OUT/analytics_baci.rows
if [ ! -s "$CSV" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$ROWS" ]; then
  echo "bench_analytics: generating $CSV ($ROWS rows, synthetic)" >&2
  "$BIN" synth -q --format baci --rows "$ROWS" --seed 1 --out "$CSV.tmp" && mv "$CSV.tmp" "$CSV" || exit 1
  echo "$ROWS" >"$stamp"
  rm -rf "$STORE"
fi
if [ ! -d "$STORE" ] || [ "$CSV" -nt "$STORE" ]; then
  rm -rf "$STORE"
  "$BIN" ingest -q --store "$STORE" --format baci --hs-edition 2022 "$CSV" || exit 1
fi
cat "$CSV" >/dev/null

line=$("$BUILD/bench/analytics_bench" "$PWD/data" "$STORE" USA 854231 2023 1000 3) || exit 1
rows=$(field rows "$line")
say "store_rows $rows rows"
say "dependency_median $(field dependency_us_median "$line") us"
say "chokepoints_scan $(field chokepoints_s "$line") s"
say "chokepoints_groups $(field groups "$line") groups"
say "chokepoints_rows_per_s $(field rows_per_s "$line") rows/s"
ours_scan=$(field chokepoints_s "$line")
ours_dep=$(field dependency_us_median "$line")

if [ -d bench/node_modules/@duckdb/node-api ]; then
  for th in 2 1; do
    d=$( (cd bench && node analytics_duckdb.mjs "../$CSV" 842 854231 2023 "$th" 20 2) ) || {
      say "duckdb_threads$th FAILED"; continue; }
    say "duckdb_t${th}_dependency_median $(field dependency_ms_median "$d") ms"
    say "duckdb_t${th}_chokepoints_scan $(field chokepoints_s "$d") s"
    say "duckdb_t${th}_chokepoints_groups $(field groups "$d") groups"
    ds=$(field chokepoints_s "$d")
    dd=$(field dependency_ms_median "$d")
    say "speedup_t${th}_chokepoints $(awk -v a="$ds" -v b="$ours_scan" 'BEGIN { printf "%.1f", a / b }') x"
    say "speedup_t${th}_dependency $(awk -v a="$dd" -v b="$ours_dep" 'BEGIN { printf "%.0f", a * 1000 / b }') x"
  done
else
  say "duckdb SKIPPED (bench/node_modules/@duckdb/node-api missing: scripts/deps.sh bench)"
fi

# surge's level-shift detection on synthetic truth (3 seeds)
bash bench/surge_eval.sh | grep -E '^(bench|surge_eval: seeds)'
