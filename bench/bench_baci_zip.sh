#!/usr/bin/env bash
# bench_baci_zip.sh — a BACI release archive (.zip) ingested as a stream
# against the same rows unpacked: the target (issue 18) is archive ingest
# at most 1.5 times the unpacked time.
# Input: bench/formats_gen.c baci, BACIZIP_ROWS rows (default 10,000,000;
# skewed, unsorted, about 2 % duplicate keys), split into one file per year
# (BACI_HS17_Y2017_V202401.csv … Y2022, ≈ 60 MB each), zipped with the
# shipped BACI country table after them as in CEPII's archives (deflate,
# level 6, Python's zipfile).  Both ingests are end to end (`ingest -q
# --replace`: parse, sort, dedupe, write, fsync), the unpacked one over the
# six year files; best wall time of BACIZIP_REPEATS (default 3) runs, files
# in the page cache.  Prints "bench baci_zip: METRIC VALUE UNIT" lines.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${BACIZIP_ROWS:-10000000}
REPEATS=${BACIZIP_REPEATS:-3}
OUT=bench/out/baci_zip
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
say() { echo "bench baci_zip: $*"; }
make -s BUILD="$BUILD" "$BUILD/bench/formats_gen" >"$OUT/make.log" 2>&1 ||
  { echo "bench_baci_zip: make of bench/formats_gen failed (see $OUT/make.log)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench_baci_zip: $BIN missing (make all)" >&2; exit 1; }

ZIP=$OUT/BACI_HS17_V202401.zip
gen=$(md5sum bench/formats_gen.c | cut -c1-12)
if [ ! -s "$ZIP" ] || [ "$(cat "$OUT/rows" 2>/dev/null)" != "$ROWS $gen" ]; then
  rm -rf "$OUT/years" "$ZIP"
  mkdir -p "$OUT/years"
  "$BUILD/bench/formats_gen" data/ref/hs/harmonized-system-hs2017.csv baci "$OUT/all.csv" "$ROWS" ||
    exit 1
  awk -F, -v dir="$OUT/years" 'NR > 1 {
      f = dir "/BACI_HS17_Y" $1 "_V202401.csv"
      if (!(f in seen)) { print "t,i,j,k,v,q" > f; seen[f] = 1 }
      print > f }' "$OUT/all.csv" || exit 1
  rm -f "$OUT/all.csv"
  python3 - "$ZIP" "$OUT/years" data/ref/countries/baci/country_codes_V202601.csv <<'EOF' || exit 1
import os, sys, zipfile
out, years, codes = sys.argv[1:4]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for f in sorted(os.listdir(years)):
        z.write(os.path.join(years, f), f)
    z.write(codes, "country_codes_V202401.csv")
os.rename(out + ".tmp", out)
EOF
  echo "$ROWS $gen" >"$OUT/rows"
fi

best_wall() { # file… → "WALL CPU": the best wall seconds of REPEATS ingests, and its CPU
  local best="" cpu="" wall u sy
  for _ in $(seq "$REPEATS"); do
    rm -rf "$OUT/store"
    /usr/bin/time -f "%e %U %S" -o "$OUT/time.txt" "$BIN" ingest -q --replace --store "$OUT/store" "$@" ||
      { echo "bench_baci_zip: ingest of $* failed" >&2; return 1; }
    read -r wall u sy <"$OUT/time.txt"
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then
      best=$wall
      cpu=$(echo "$u + $sy" | bc)
    fi
  done
  echo "$best $cpu"
}

cat "$ZIP" "$OUT"/years/*.csv >/dev/null
zbytes=$(stat -c %s "$ZIP")
raw=$(cat "$OUT"/years/*.csv | wc -c)
read -r unpacked ucpu < <(best_wall "$OUT"/years/*.csv) || exit 1
[ -n "$unpacked" ] || exit 1
rows_unpacked=$(rm -rf "$OUT/store" && "$BIN" ingest --replace --store "$OUT/store" "$OUT"/years/*.csv 2>&1 | head -n 1)
read -r archive acpu < <(best_wall "$ZIP") || exit 1
[ -n "$archive" ] || exit 1
rows_archive=$(rm -rf "$OUT/store" && "$BIN" ingest --replace --store "$OUT/store" "$ZIP" 2>&1 | head -n 1)
[ "${rows_unpacked%%; store*}" = "${rows_archive%%; store*}" ] ||
  { echo "bench_baci_zip: the archive and the unpacked files give different counts:" \
      "$rows_unpacked / $rows_archive" >&2; exit 1; }
rm -rf "$OUT/store"
say "unpacked_s $unpacked s wall, $ucpu s CPU ($ROWS rows, $raw bytes in 6 year files, $(echo "scale=1; $raw / $unpacked / 1000000" | bc) MB/s)"
say "archive_s $archive s wall, $acpu s CPU ($zbytes bytes zipped, $(echo "scale=1; $raw / $archive / 1000000" | bc) MB/s uncompressed)"
say "archive_over_unpacked $(echo "scale=2; $archive / $unpacked" | bc) x wall, $(echo "scale=2; $acpu / $ucpu" | bc) x CPU (target <= 1.5 wall)"
say "counts ${rows_archive%%; store*}"
