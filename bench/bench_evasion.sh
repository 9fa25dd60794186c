#!/usr/bin/env bash
# bench_evasion.sh — diversion, mirror and unitvalue on a 10-million-row
# store, and DuckDB running the equivalent SQL on the same rows.
#
# Input: `chokepoint synth` in the flows format, monthly, both sides of every
# flow (EVASION_ROWS rows, default 10,000,000; seed 1; SYNTHETIC), cached in
# bench/out/evasion_flows.csv and ingested into bench/out/evasion.store.
# Timed (wall clock, best of 3, whole CLI process: reference data load, store
# open, scan, output):
#   diversion --measure CN-2024-46          one issuer, one target, 24 months
#   diversion --measure EU-RUS-2022-02-25   27 issuers, Russia (mirror-only)
#   mirror --hs 854231                      the whole history is scanned (it
#                                           calibrates CIF/FOB and reliability)
#   unitvalue --hs 854231                   code + its chapter
#   diversion --all-measures                every measure of the register
# Peer: bench/evasion_duckdb.mjs loads the same CSV into an in-memory DuckDB
# table (load not timed) and runs the SQL equivalents of the diversion legs
# and of the mirror join (2 threads and 1).
# Prints "bench evasion: METRIC VALUE UNIT" lines.  Run from the project root.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${EVASION_ROWS:-10000000}
OUT=bench/out
CSV=$OUT/evasion_flows.csv
STORE=$OUT/evasion.store
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
export CHOKEPOINT_DATA=$PWD/data

say() { echo "bench evasion: $*"; }
[ -x "$BIN" ] || { echo "bench_evasion: $BIN missing (make all)" >&2; exit 1; }

stamp=$OUT/evasion_flows.rows
if [ ! -s "$CSV" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$ROWS" ]; then
  echo "bench_evasion: generating $CSV ($ROWS rows, synthetic)" >&2
  "$BIN" synth -q --rows "$ROWS" --seed 1 --out "$CSV.tmp" && mv "$CSV.tmp" "$CSV" || exit 1
  echo "$ROWS" >"$stamp"
  rm -rf "$STORE"
fi
if [ ! -d "$STORE" ] || [ "$CSV" -nt "$STORE" ]; then
  rm -rf "$STORE"
  # streamed through stdin, and the count checked against the file's
  "$BIN" ingest -q --store "$STORE" --source synth-bench --format flows - <"$CSV" || exit 1
  want=$(($(wc -l <"$CSV") - 1))
  have=$("$BIN" info --store "$STORE" --format csv | awk -F, 'NR == 2 { print $1 }')
  [ "$want" = "$have" ] || { echo "bench_evasion: ingest kept $have of $want rows" >&2; exit 1; }
fi
rows=$("$BIN" info --store "$STORE" --format csv | awk -F, 'NR == 2 { print $1 }')
say "store_rows $rows rows"

# best of 3 wall-clock seconds of one command
best() {
  local b="" t0 t1 dt
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    "$@" >/dev/null || return 1
    t1=$(date +%s.%N)
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    if [ -z "$b" ] || awk -v d="$dt" -v m="$b" 'BEGIN { exit !(d < m) }'; then b=$dt; fi
  done
  printf '%.3f' "$b"
}

S="--store $STORE --format csv"
say "diversion_antimony $(best "$BIN" diversion $S --measure CN-2024-46) s"
say "diversion_russia $(best "$BIN" diversion $S --measure EU-RUS-2022-02-25) s"
# mirror calibrates on the whole store; the calibration is then cached
# beside the generation, so time the first call (no cache) and later ones
say "mirror_854231_uncached $(best env CKP_MIRROR_CACHE=0 "$BIN" mirror $S --hs 854231) s"
rm -f "$STORE"/gen-*/mirror-cal-*.bin
"$BIN" mirror $S --hs 854231 >/dev/null
say "mirror_854231 $(best "$BIN" mirror $S --hs 854231) s (calibration cached)"
say "unitvalue_854231 $(best "$BIN" unitvalue $S --hs 854231) s"
t0=$(date +%s.%N)
n=$("$BIN" diversion $S --all-measures | wc -l)
t1=$(date +%s.%N)
say "diversion_all_measures $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s ($((n - 1)) hub rows)"
# the fixed cost every CLI call pays: reference data and store open
say "info_baseline $(best "$BIN" info --store "$STORE") s"

if [ -d bench/node_modules/@duckdb/node-api ]; then
  for th in 2 1; do
    d=$( (cd bench && node evasion_duckdb.mjs "../$CSV" "$th") ) || {
      say "duckdb_failed 1 (threads $th)"
      continue
    }
    echo "$d" | sed "s/^/bench evasion: duckdb threads $th: /"
  done
else
  say "duckdb_missing 1 (run scripts/deps.sh bench)"
fi
