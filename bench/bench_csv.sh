#!/usr/bin/env bash
# bench_csv.sh — the CSV reader against DuckDB's read_csv on the same file.
#
# Generates bench/out/trade.csv (bench/csv_gen.c: CSV_ROWS rows, default
# 3,000,000 ≈ 310 MB, deterministic), reads it with bench/csv_read.c (ckp_csv,
# one thread: every field; then every field plus number conversion), and with
# DuckDB through bench/duckdb_csv.mjs (count over every column, and CREATE
# TABLE AS, on 1 and 2 threads).  Best of CSV_REPEATS runs (default 3) each;
# the file is read once first so every run reads from the page cache.
# Prints "bench csv: METRIC VALUE UNIT" lines; see bench/README.md.
# Run from the project root (bench/run.sh does); BUILD names the build dir.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROWS=${CSV_ROWS:-3000000}
REPEATS=${CSV_REPEATS:-3}
STEP_TIMEOUT=${CSV_STEP_TIMEOUT:-300}
OUT=bench/out
DATA=$OUT/trade.csv
mkdir -p "$OUT"

say() { echo "bench csv: $*"; }

# --- the two C programs: through the Makefile, else straight from the
# sources they need (the CSV reader does not need the rest of the library)
bins=("$BUILD/bench/csv_gen" "$BUILD/bench/csv_read")
if ! make -s BUILD="$BUILD" "${bins[@]}" >"$OUT/csv_make.log" 2>&1; then
  echo "bench_csv: make failed (see $OUT/csv_make.log); compiling the reader alone" >&2
  mkdir -p "$OUT/bin"
  cc -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -o "$OUT/bin/csv_gen" bench/csv_gen.c || exit 1
  cc -std=c11 -O2 -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -o "$OUT/bin/csv_read" bench/csv_read.c src/io/csv.c src/core/error.c || exit 1
  bins=("$OUT/bin/csv_gen" "$OUT/bin/csv_read")
fi
GEN=${bins[0]}
READ=${bins[1]}

# --- the input, regenerated when the row count or the generator changed
stamp="$OUT/trade.csv.rows"
if [ ! -s "$DATA" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$ROWS" ] || [ bench/csv_gen.c -nt "$DATA" ]; then
  echo "bench_csv: generating $DATA ($ROWS rows)" >&2
  timeout "$STEP_TIMEOUT" "$GEN" "$DATA.tmp" "$ROWS" && mv "$DATA.tmp" "$DATA" || exit 1
  echo "$ROWS" >"$stamp"
fi
bytes=$(stat -c %s "$DATA")
say "input_bytes $bytes bytes"
say "input_rows $ROWS rows"
cat "$DATA" >/dev/null # into the page cache

field() { # field NAME LINE → the value after NAME in a "k v k v" line
  echo "$2" | tr ' ' '\n' | awk -v k="$1" 'p { print; exit } $0 == k { p = 1 }'
}

# --- ckp_csv
declare -A mbps rps cpu
for mode in fields numbers; do
  line=$(timeout "$STEP_TIMEOUT" "$READ" "$DATA" "$REPEATS" "$mode") || {
    say "ckp_csv_${mode} FAILED"
    continue
  }
  echo "$line"
  mbps[ckp_$mode]=$(field mb_per_s "$line")
  rps[ckp_$mode]=$(field rows_per_s "$line")
  cpu[ckp_$mode]=$(field cpu_mb_per_s "$line")
  say "ckp_csv_${mode}_t1 ${mbps[ckp_$mode]} MB/s"
  say "ckp_csv_${mode}_t1_rows ${rps[ckp_$mode]} rows/s"
  say "ckp_csv_${mode}_t1_per_cpu_second ${cpu[ckp_$mode]} MB/s"
done

# --- DuckDB, the peer
if ! command -v node >/dev/null 2>&1 || [ ! -d bench/node_modules/@duckdb/node-api ]; then
  say "duckdb skipped (run: scripts/deps.sh bench)"
  exit 0
fi
for mode in count ctas; do
  for threads in 1 2; do
    line=$(cd bench && timeout "$STEP_TIMEOUT" node duckdb_csv.mjs "out/trade.csv" "$threads" "$mode" "$REPEATS") || {
      say "duckdb_${mode}_t$threads FAILED"
      continue
    }
    echo "$line"
    k=duckdb_${mode}_t$threads
    mbps[$k]=$(field mb_per_s "$line")
    rps[$k]=$(field rows_per_s "$line")
    cpu[$k]=$(field cpu_mb_per_s "$line")
    say "$k ${mbps[$k]} MB/s"
    say "${k}_rows ${rps[$k]} rows/s"
    say "${k}_per_cpu_second ${cpu[$k]} MB/s"
  done
done

# --- ratios: ckp_csv on one thread over DuckDB (wall clock; and per CPU
# second, which other work on the machine disturbs less)
ratio() { # name a b
  [ -n "$2" ] && [ -n "$3" ] && say "$1 $(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }') x"
}
for peer in count_t1 ctas_t1 count_t2 ctas_t2; do
  ratio "speedup_ckp_fields_t1_vs_duckdb_$peer" "${mbps[ckp_fields]:-}" "${mbps[duckdb_$peer]:-}"
done
ratio speedup_ckp_numbers_t1_vs_duckdb_ctas_t1 "${mbps[ckp_numbers]:-}" "${mbps[duckdb_ctas_t1]:-}"
ratio speedup_per_cpu_second_ckp_fields_vs_duckdb_count_t1 "${cpu[ckp_fields]:-}" "${cpu[duckdb_count_t1]:-}"
ratio speedup_per_cpu_second_ckp_fields_vs_duckdb_ctas_t1 "${cpu[ckp_fields]:-}" "${cpu[duckdb_ctas_t1]:-}"
ratio speedup_per_cpu_second_ckp_numbers_vs_duckdb_ctas_t1 "${cpu[ckp_numbers]:-}" "${cpu[duckdb_ctas_t1]:-}"
exit 0
