#!/usr/bin/env bash
# bench_synth.sh — how fast `chokepoint synth` writes the synthetic world that
# feeds the other benchmarks: SYNTH_ROWS rows (default 10,000,000) in BACI
# format and in the monthly flows format, to a file under bench/out/ (and to
# /dev/null, generation alone), with peak memory.  No peer: nothing else
# generates this world.  Prints "bench synth: METRIC VALUE UNIT" lines.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${SYNTH_ROWS:-10000000}
OUT=bench/out
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
export CHOKEPOINT_DATA=$PWD/data
[ -x "$BIN" ] || { echo "bench_synth: $BIN missing (make all)" >&2; exit 1; }

run() { # label format dest
  local log=$OUT/synth_$1.log
  /usr/bin/time -f 'maxrss_kb %M' "$BIN" synth --format "$2" --rows "$ROWS" --seed 1 \
    --out "$3" 2>"$log" || { cat "$log" >&2; return 1; }
  # "synth: R rows (…), M MB in S s: X rows/s, Y MB/s; …"
  awk -v l="$1" '/^synth:/ { printf "bench synth: %s_rows %s rows\nbench synth: %s_seconds %s s\nbench synth: %s_rows_per_s %s rows/s\nbench synth: %s_mb_per_s %s MB/s\n", l, $2, l, $(NF-9), l, $(NF-7), l, $(NF-5) }
                 /^maxrss_kb/ { printf "bench synth: %s_peak_rss %.1f MB\n", l, $2 / 1024 }' "$log"
}
run baci_file baci "$OUT/synth_baci.csv" || exit 1
run baci_null baci /dev/null || exit 1
run flows_null flows /dev/null || exit 1
rm -f "$OUT/synth_baci.csv"
