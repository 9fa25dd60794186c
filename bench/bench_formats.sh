#!/usr/bin/env bash
# bench_formats.sh — the input formats of issue 18 read by `chokepoint
# ingest`, in MB/s beside the existing Comtrade+ CSV reader on the same
# rows: the legacy Comtrade CSV, comtradr output, Comtrade+ API JSON, a
# ';' file with decimal commas, the Eurostat Comext web extraction (names,
# EUR converted) and bulk file (CN8 lines summed into HS6), and the
# Comtrade+ CSV gzipped (streamed).
# Input: bench/formats_gen.c, FORMATS_ROWS rows (default 1,000,000) per
# format, skewed, unsorted, 2 % duplicate keys.  Best wall time of
# FORMATS_REPEATS (default 2) runs, files in the page cache.
# Prints "bench formats: METRIC VALUE UNIT" lines (MB/s of input bytes as
# read: the .gz line counts the compressed bytes and, after it, the
# uncompressed ones).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${FORMATS_ROWS:-1000000}
REPEATS=${FORMATS_REPEATS:-2}
OUT=bench/out/formats
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
say() { echo "bench formats: $*"; }
make -s BUILD="$BUILD" "$BUILD/bench/formats_gen" >"$OUT/make.log" 2>&1 ||
  { echo "bench_formats: make of bench/formats_gen failed (see $OUT/make.log)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench_formats: $BIN missing (make all)" >&2; exit 1; }

best_wall() { # file… → best wall seconds of REPEATS ingests
  local best="" wall
  for _ in $(seq "$REPEATS"); do
    rm -rf "$OUT/store"
    /usr/bin/time -f "%e" -o "$OUT/time.txt" "$BIN" ingest -q --replace --store "$OUT/store" "$@" ||
      { echo "bench_formats: ingest of $* failed" >&2; return 1; }
    wall=$(cat "$OUT/time.txt")
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then best=$wall; fi
  done
  echo "$best"
}

for f in comtrade legacy comtradr json semicolon comext comext_bulk; do
  file=$OUT/$f.$([ $f = json ] && echo json || echo csv)
  if [ ! -s "$file" ] || [ "$(cat "$file.rows" 2>/dev/null)" != "$ROWS" ]; then
    "$BUILD/bench/formats_gen" data/ref/hs/harmonized-system-hs2017.csv "$f" "$file" "$ROWS" || exit 1
    echo "$ROWS" >"$file.rows"
  fi
  cat "$file" >/dev/null
  bytes=$(stat -c %s "$file")
  wall=$(best_wall "$file") || exit 1
  say "${f}_mb_per_s $(echo "scale=1; $bytes / $wall / 1000000" | bc) MB/s ($ROWS rows, $bytes bytes, $wall s)"
done
gz=$OUT/comtrade.csv.gz
[ "$gz" -nt "$OUT/comtrade.csv" ] || gzip -c "$OUT/comtrade.csv" >"$gz"
bytes=$(stat -c %s "$gz")
raw=$(stat -c %s "$OUT/comtrade.csv")
wall=$(best_wall "$gz") || exit 1
say "comtrade_gz_mb_per_s $(echo "scale=1; $bytes / $wall / 1000000" | bc) MB/s compressed, $(echo "scale=1; $raw / $wall / 1000000" | bc) MB/s uncompressed ($wall s)"
