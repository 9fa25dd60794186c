#!/usr/bin/env bash
# bench_ingest.sh — `chokepoint ingest` of a 10-million-row BACI file against
# DuckDB loading the same file into a table, then store query timings.
#
# Inputs: bench/out/baci10m-real.csv, the way real files come (rows in
# random order, skewed exporters, importers and products, 1 row in 200 a
# repeated key: bench/ingest_gen.c --realistic; metrics prefixed real_), and
# bench/out/baci10m.csv (INGEST_ROWS rows, default 10,000,000), rows in store order:
# `chokepoint synth --format baci` when the synth verb can write it, else
# bench/ingest_gen.c (deterministic, real BACI country codes, ≈ 375 MB).
# Ingest: `chokepoint ingest --replace` into a fresh store, timed with
# /usr/bin/time (wall, CPU, peak RSS), best and median of INGEST_REPEATS
# (default 3; DuckDB's best of as many);
# the file is read once first so every run reads from the page cache.
# Peer: DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(...)` with 1 and 2
# threads (bench/ingest_duckdb.mjs).  Wall and CPU seconds (user + system,
# all threads) are both reported: on a shared machine the CPU figure is the
# steadier comparison.  Then bench/ingest_scan.c: store open
# (checksums), one HS6 × reporter query, one HS6 over all partners, a full
# scan per row and the HHI of every importer × HS6 × year through the column
# API.  Prints "bench ingest: METRIC VALUE UNIT" lines.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${INGEST_ROWS:-10000000}
REPEATS=${INGEST_REPEATS:-3}
OUT=bench/out
DATA=$OUT/baci10m.csv
STORE=$OUT/store-ingest
BIN=$BUILD/chokepoint
mkdir -p "$OUT"
say() { echo "bench ingest: $*"; }

make -s BUILD="$BUILD" "$BUILD/bench/ingest_gen" "$BUILD/bench/ingest_scan" >"$OUT/ingest_make.log" 2>&1 ||
  echo "bench_ingest: make of the bench programs failed (see $OUT/ingest_make.log)" >&2
[ -x "$BIN" ] || { echo "bench_ingest: $BIN missing (make all)" >&2; exit 1; }

# --- input
stamp="$DATA.rows"
if [ ! -s "$DATA" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$ROWS" ]; then
  rm -f "$DATA.tmp"
  if "$BIN" synth --help 2>/dev/null | grep -q baci &&
    "$BIN" synth --format baci --rows "$ROWS" --out "$DATA.tmp" >/dev/null 2>&1 &&
    [ -s "$DATA.tmp" ]; then
    echo "bench_ingest: input from chokepoint synth --format baci" >&2
  else
    echo "bench_ingest: input from bench/ingest_gen.c" >&2
    "$BUILD/bench/ingest_gen" data/ref/countries/baci/country_codes_V202601.csv "$DATA.tmp" "$ROWS" || exit 1
  fi
  mv "$DATA.tmp" "$DATA"
  echo "$ROWS" >"$stamp"
fi
# --- chokepoint ingest and DuckDB on one file: ingest_vs_duckdb FILE PREFIX
# (PREFIX "" for the store-ordered input, "real_" for the realistic one)
ingest_vs_duckdb() {
  local data=$1 pre=$2 best="" walls="" wall user sys rss
  local bytes rows
  bytes=$(stat -c %s "$data")
  rows=$(($(wc -l <"$data") - 1))
  cat "$data" >/dev/null
  for r in $(seq "$REPEATS"); do
    rm -rf "$STORE"
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/ingest_time.txt" \
      "$BIN" ingest -q --replace --store "$STORE" "$data" || { echo "bench_ingest: ingest failed" >&2; exit 1; }
    read -r wall user sys rss <"$OUT/ingest_time.txt"
    walls="$walls $wall"
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then
      best=$wall best_user=$user best_sys=$sys best_rss=$rss
    fi
  done
  local store_bytes store_rows cpu median
  store_bytes=$(du -sb "$STORE/$(cat "$STORE/CURRENT")" | cut -f1)
  store_rows=$("$BIN" info --store "$STORE" --format csv | tail -n 1 | cut -d, -f1)
  cpu=$(echo "$best_user + $best_sys" | bc)
  median=$(echo $walls | tr ' ' '\n' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  say "${pre}input_rows $rows rows"
  say "${pre}input_bytes $bytes bytes"
  say "${pre}ingest_seconds $best s (cpu user $best_user s, sys $best_sys s; best of $REPEATS, median $median s)"
  say "${pre}ingest_mb_per_cpu_s $(echo "scale=1; $bytes / $cpu / 1000000" | bc) MB per CPU-second"
  say "${pre}ingest_rows_per_s $(echo "$rows / $best" | bc) rows/s"
  say "${pre}ingest_mb_per_s $(echo "scale=1; $bytes / $best / 1000000" | bc) MB/s"
  say "${pre}ingest_peak_rss $((best_rss / 1024)) MB"
  say "${pre}store_rows $store_rows rows"
  say "${pre}store_bytes $store_bytes bytes"
  say "${pre}store_bytes_per_row $(echo "scale=2; $store_bytes / $store_rows" | bc) bytes/row"
  local duck="" duck_cpu="" line secs dcpu
  if [ -d bench/node_modules/@duckdb/node-api ] && command -v node >/dev/null; then
    for t in 1 2; do
      line=$(cd bench && timeout 600 node ingest_duckdb.mjs "out/$(basename "$data")" "$t" "$REPEATS" 2>&1 | grep '^duckdb:')
      if [ -n "$line" ]; then
        secs=$(echo "$line" | awk '{for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1)}')
        dcpu=$(echo "$line" | awk '{for (i = 1; i < NF; i++) if ($i == "cpu_seconds") print $(i + 1)}')
        say "${pre}duckdb_ctas_threads_$t $secs s ($(echo "$rows / $secs" | bc) rows/s; cpu $dcpu s, $(echo "scale=1; $bytes / $dcpu / 1000000" | bc) MB per CPU-second)"
        [ "$t" = 2 ] && duck=$secs duck_cpu=$dcpu
      else
        say "${pre}duckdb_ctas_threads_$t failed"
      fi
    done
  else
    echo "bench_ingest: DuckDB not installed (scripts/deps.sh bench); no peer figure" >&2
  fi
  [ -n "$duck" ] && say "${pre}speedup_vs_duckdb_2_threads $(echo "scale=2; $duck / $best" | bc) x wall (best against best; $(echo "scale=2; $duck / $median" | bc) x at our median), $(echo "scale=2; $duck_cpu / $cpu" | bc) x CPU"
  return 0
}

# The realistic input first (unsorted, skewed, repeated keys: the way real
# files come, bench/ingest_gen.c --realistic), then the store-ordered one,
# whose store the queries below read.
REAL=$OUT/baci10m-real.csv
if [ ! -s "$REAL" ] || [ "$(cat "$REAL.rows" 2>/dev/null)" != "$ROWS" ]; then
  awk -F, '$NF == 6 {print $2}' data/ref/hs/harmonized-system-hs2017.csv >"$OUT/hs6.txt"
  "$BUILD/bench/ingest_gen" --realistic data/ref/countries/baci/country_codes_V202601.csv \
    "$REAL.tmp" "$ROWS" "$OUT/hs6.txt" || exit 1
  mv "$REAL.tmp" "$REAL"
  echo "$ROWS" >"$REAL.rows"
fi
ingest_vs_duckdb "$REAL" real_
ingest_vs_duckdb "$DATA" ""

# --- queries on the store
if [ -x "$BUILD/bench/ingest_scan" ]; then
  CKP_STORE_VERIFY=1 "$BUILD/bench/ingest_scan" "$STORE" data   # the open checks every byte
fi
