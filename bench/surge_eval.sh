#!/usr/bin/env bash
# surge_eval.sh — precision and recall of `surge`'s level-shift flags on the
# synthetic world's ground truth over several seeds (bench/surge_eval.mjs
# says what counts as a hit, a miss and a false flag).
#   SURGE_SEEDS (default 1,2,3), SURGE_ROWS (default 200000),
#   SURGE_EVAL_REUSE=1 (reuse bench/out/surge_eval/*.store of an earlier run),
#   SURGE_EVAL_DETAILS=N (list N misses/false flags, default 30)
# Prints "surge_eval: …" lines and "bench surge_eval: precision|recall X".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/chokepoint
OUT=bench/out/surge_eval
export CHOKEPOINT_DATA=$PWD/data
[ -x "$BIN" ] || { echo "surge_eval: $BIN missing (make all)" >&2; exit 1; }
command -v node >/dev/null || { echo "surge_eval: node missing" >&2; exit 1; }
mkdir -p "$OUT"
res=$(node bench/surge_eval.mjs "$BIN" "$OUT" "${SURGE_SEEDS:-1,2,3}" "${SURGE_ROWS:-200000}") || exit 1
echo "$res"
total=$(echo "$res" | grep '^surge_eval: seeds')
get() { echo "$total" | tr ' ' '\n' | awk -v k="$1" 'p { print; exit } $0 == k { p = 1 }'; }
echo "bench surge_eval: precision $(get precision)"
echo "bench surge_eval: recall $(get recall)"
echo "bench surge_eval: false_flags_untouched $(echo "$total" | sed -n 's/.*(untouched \([0-9]*\)[;)].*/\1/p') flags"
