#!/usr/bin/env bash
# suite_input_cleanup.sh — `--input` never leaves its temporary store
# ($TMPDIR/chokepoint-input-*) behind (issue 12):
#   1. a run stopped by SIGTERM, SIGINT or SIGHUP while it reads its input
#      (from a FIFO that stays open: the run is certainly in the middle)
#      removes the directory and dies of the signal;
#   2. runs stopped by SIGTERM at random moments of loading a big input
#      (spooling, parsing, writing the store) leave nothing either;
#   3. a leftover older than a day (a SIGKILLed run's) is swept at the
#      start of the next --input run; a recent one, another user's name
#      pattern and other files are left alone.
#   bash tests/suite_input_cleanup.sh [CHOKEPOINT_BIN]   (default $CKP_BIN)
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${1:-${CKP_BIN:-$PWD/build-san/chokepoint}}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
left() { ls -d "$TMPDIR"/chokepoint-input-* 2>/dev/null | wc -l; }

# background jobs of a script ignore SIGINT unless job control is on
set -m

# --- 1. stopped while reading its input, each signal
for sig in TERM INT HUP; do
  rm -f "$T/fifo"
  mkfifo "$T/fifo"
  "$BIN" chokepoints --input "$T/fifo" --format csv >"$T/out" 2>"$T/err" &
  pid=$!
  exec 3>"$T/fifo"
  printf 'period,reporter,partner,flow,hs,value\n2020,USA,CHN,M,811292,5\n' >&3
  n=0
  while [ "$(left)" -eq 0 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
  before=$(left)
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  exec 3>&-
  after=$(left)
  want=$((128 + $(kill -l "$sig")))
  if [ "$before" -eq 1 ] && [ "$after" -eq 0 ] && [ "$rc" -eq "$want" ]; then
    ok "SIG$sig while reading --input: temporary store removed, exit $rc"
  else
    bad "SIG$sig while reading --input: $before before, $after left, exit $rc (want $want)"
    rm -rf "$TMPDIR"/chokepoint-input-*
  fi
done

# --- 2. SIGTERM at random moments of loading a big input
"$BIN" synth --out "$T/big.csv" --rows 300000 --seed 5 -q || bad "synth"
start=$(date +%s%N)
"$BIN" chokepoints --input "$T/big.csv" --limit 1 --format csv >/dev/null 2>&1
full=$((($(date +%s%N) - start) / 1000000))
[ "$full" -gt 10 ] || full=10
leaks=0
for i in 1 2 3 4 5 6; do
  "$BIN" chokepoints --input - --limit 1 --format csv <"$T/big.csv" >/dev/null 2>&1 &
  pid=$!
  ms=$(( (RANDOM % full) + 1 ))
  sleep "$(printf '0.%03d' "$ms")"
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  [ "$(left)" -eq 0 ] || { leaks=$((leaks + 1)); rm -rf "$TMPDIR"/chokepoint-input-*; }
done
[ $leaks -eq 0 ] && ok "SIGTERM at random moments of a ${full} ms load: nothing left (6 runs)" \
  || bad "SIGTERM during loading: $leaks of 6 runs left a temporary store"

# --- 3. stale leftovers swept, recent ones and others kept
mkdir -p "$TMPDIR/chokepoint-input-old111/store/gen-000001" "$TMPDIR/chokepoint-input-new222/store" \
  "$TMPDIR/other-old333"
echo x >"$TMPDIR/chokepoint-input-old111/store/gen-000001/value.f64"
echo x >"$TMPDIR/chokepoint-input-old111/input.csv"
echo x >"$TMPDIR/chokepoint-input-notadir"
find "$TMPDIR/chokepoint-input-old111" "$TMPDIR/other-old333" "$TMPDIR/chokepoint-input-notadir" \
  -exec touch -h -d '2 days ago' {} +
printf 'period,reporter,partner,flow,hs,value\n2020,USA,CHN,M,811292,5\n' >"$T/small.csv"
"$BIN" chokepoints --input "$T/small.csv" --format csv >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$TMPDIR/chokepoint-input-old111" ] && [ -d "$TMPDIR/chokepoint-input-new222" ] &&
   [ -d "$TMPDIR/other-old333" ] && [ -e "$TMPDIR/chokepoint-input-notadir" ] && grep -q '^USA,811292' "$T/out"; then
  ok "a leftover older than a day swept; a recent one, other names and files kept"
else
  bad "sweep: exit $rc; $(ls "$TMPDIR" | tr '\n' ' ')"
fi
# a leftover whose top directory is old but whose tree was written recently
# (a long run still loading) is kept
mkdir -p "$TMPDIR/chokepoint-input-busy444/store"
touch -d '2 days ago' "$TMPDIR/chokepoint-input-busy444"
"$BIN" chokepoints --input "$T/small.csv" --format csv >/dev/null 2>&1
[ -d "$TMPDIR/chokepoint-input-busy444" ] && ok "a tree modified within the day is kept" \
  || bad "a tree modified within the day was swept"
rm -rf "$TMPDIR"/chokepoint-input-new222 "$TMPDIR"/chokepoint-input-busy444 "$TMPDIR"/chokepoint-input-notadir
[ "$(left)" -eq 0 ] && ok "no run left its own temporary store" || bad "$(left) temporary stores left"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
