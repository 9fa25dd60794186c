#!/usr/bin/env bash
# suite_fuzz.sh — the fuzz harnesses as tests.
#   (a) every kept crasher (fuzz/regress/NAME/) and seed (fuzz/corpus/NAME/)
#       through its harness once: a regression must stay fixed;
#   (b) a short time-boxed fuzz run of each harness: FUZZ_SECONDS each
#       (default 10); with CI=true the runs share about 40 seconds in all, so
#       the suite, build included, stays well under 3 minutes.
# Harnesses are built by fuzz/run.sh --build into $FUZZ_BUILD (build-fuzz).
# A crash found in (b) is copied into fuzz/regress/NAME/ by fuzz/run.sh.
# Ends with "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
export FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
finish() {
  echo "fuzz: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}
mkdir -p "$FUZZ_BUILD"
log=$FUZZ_BUILD/suite.log

names=()
for f in fuzz/fuzz_*.c; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .c)
  names+=("${n#fuzz_}")
done
[ ${#names[@]} -gt 0 ] || {
  bad "harnesses (no fuzz/fuzz_*.c)"
  finish
}

start=$SECONDS
bash fuzz/run.sh --build >"$log" 2>&1
echo "   (build: $((SECONDS - start)) s)"
built=()
for n in "${names[@]}"; do
  if [ -x "$FUZZ_BUILD/fuzz_$n" ]; then
    built+=("$n")
  else
    bad "build_$n"
    grep -E "error|fuzz_$n" "$log" | grep -v warning | head -n 8 | sed 's/^/  | /'
  fi
done
names=("${built[@]}")
[ ${#names[@]} -gt 0 ] || finish

# (a) regressions and seeds, each input once
for n in "${names[@]}"; do
  files=()
  for f in fuzz/regress/"$n"/* fuzz/corpus/"$n"/*; do
    [ -f "$f" ] && files+=("$f")
  done
  if [ ${#files[@]} -eq 0 ]; then
    bad "regress_$n (no seeds in fuzz/corpus/$n/)"
    continue
  fi
  if "$FUZZ_BUILD/fuzz_$n" "${files[@]}" >"$log" 2>&1; then
    ok "regress_$n (${#files[@]} inputs)"
  else
    bad "regress_$n"
    grep -E -m8 'Running:|ERROR|SUMMARY|fuzz_[a-z]+: ' "$log" | sed 's/^/  | /'
  fi
done

# (b) a short fuzz run per harness
secs=${FUZZ_SECONDS:-10}
if [ "${CI:-}" = true ]; then
  share=$((40 / ${#names[@]}))
  [ "$share" -lt 3 ] && share=3
  [ "$secs" -gt "$share" ] && secs=$share
fi
for n in "${names[@]}"; do
  if bash fuzz/run.sh --no-build "$secs" "$n" >"$log" 2>&1; then
    ok "fuzz_$n (${secs} s, $(grep -m1 -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
  else
    bad "fuzz_$n (${secs} s)"
    grep -E -m8 'kept|ERROR|SUMMARY|fuzz_[a-z]+: ' "$log" | sed 's/^/  | /'
  fi
done
finish
