#!/usr/bin/env bash
# bench_screen.sh — screening and matching speed against the full shipped
# lists (OFAC SDN 14,965 entries + 20,260 alt.csv aliases + remark aliases,
# OpenSanctions samples, MOFCOM: ~15,200 parties, ~36,600 names).
#
# Input: bench/screen_bench.c `gen` writes SCREEN_ROWS (default 200,000)
# synthetic shipments with 2–3 parties each (exporter, importer, a third named
# party in one shipment of three), real-looking company and person names, ~2 %
# of the parties taken from the lists with a typo, letter-by-letter Cyrillic
# transliteration or as listed; seed 6; cached in bench/out/shipments_200k.csv.
# Measured:
#   - in-process (screen_bench screen): index build time, then every shipment
#     read and screened (goods, party, route, unit value) by one thread, as
#     shipments per CPU-second of that thread (= one core) and per wall-second;
#   - the CLI end to end (`chokepoint screen FILE > /dev/null`): wall time
#     including reference data, lists, index and measures loading;
#   - `match` single-query latency over 10,000 queries (half list names with
#     or without a typo, half random names), p50/p99 in thread CPU time and
#     wall time.
# Peers: no open matcher can be installed here (no PyPI/Go/Docker), so the
# published figures are printed for comparison, not measured: OpenSanctions
# yente (logic-v2) ≈ 4 match requests/s per vCPU; moov-io/watchman ≈ 0.85 ms
# per search on 4 cores.
# Prints "bench screen: METRIC VALUE UNIT" lines.  Run from the project root.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${SCREEN_ROWS:-200000}
OUT=bench/out
CSV=$OUT/shipments_$((ROWS / 1000))k.csv
BENCH=$BUILD/bench/screen_bench
BIN=$BUILD/chokepoint
export CHOKEPOINT_DATA=$PWD/data
mkdir -p "$OUT"
if [ ! -x "$BENCH" ]; then
  make -s BUILD="$BUILD" "$BENCH" || { echo "bench screen: cannot build $BENCH"; exit 1; }
fi
if [ ! -s "$CSV" ]; then
  "$BENCH" gen "$ROWS" 6 "$CSV" || exit 1
fi
"$BENCH" screen "$CSV" | tee "$OUT/screen_inproc.txt"
rate=$(sed -n 's/.*: \([0-9]*\) shipments\/s per core.*/\1/p' "$OUT/screen_inproc.txt")
echo "bench screen: in-process rate $rate shipments/s/core (target >= 10000)"
if [ -x "$BIN" ]; then
  t0=$(date +%s.%N)
  "$BIN" screen "$CSV" --quiet > /dev/null
  rc=$?
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$ROWS" -v rc="$rc" 'BEGIN {
    w = b - a
    printf "bench screen: CLI end to end %.2f s wall for %d shipments (%.0f shipments/s incl. loading; exit %d = alerts found)\n", w, n, n / w, rc }'
fi
"$BENCH" match 10000 6
echo "bench screen: peer (published, not measured) yente logic-v2 ~4 match requests/s per vCPU; watchman ~0.85 ms per search on 4 cores"
