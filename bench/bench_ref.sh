#!/usr/bin/env bash
# bench_ref.sh — reference-data load time (every CLI call pays it; the aim is
# well under 50 ms) and lookup speeds, in process (bench/ref_load.c), plus
# the whole `chokepoint country 842` command (process start, load, answer).
# No peer: nothing else loads this data.  Prints "bench ref: …" lines.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export CHOKEPOINT_DATA=$PWD/data
[ -x "$BUILD/bench/ref_load" ] || make -s BUILD="$BUILD" "$BUILD/bench/ref_load" || exit 1
"$BUILD/bench/ref_load" "$PWD/data" 50 || exit 1
[ -x "$BUILD/chokepoint" ] || { echo "bench_ref: $BUILD/chokepoint missing (make all)" >&2; exit 1; }
N=20
start=$(date +%s%N)
for _ in $(seq $N); do "$BUILD/chokepoint" country 842 --format csv >/dev/null || exit 1; done
end=$(date +%s%N)
awk -v t=$((end - start)) -v n=$N 'BEGIN { printf "bench ref: cli_country_842_wall %.1f ms\n", t / n / 1e6 }'
