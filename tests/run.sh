#!/usr/bin/env bash
# run.sh BUILD_DIR — the whole test suite: unit tests, golden CLI cases, and
# every tests/suite_*.sh (each ends with "N passed, N failed").  Ends with
# "tests: N passed, N failed"; exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-san}
export CKP_ROOT=$PWD
export CKP_BIN=$PWD/$BUILD/chokepoint
export CKP_BUILD=$PWD/$BUILD
export CHOKEPOINT_DATA=$PWD/data
export CKP_SHARED=${CKP_SHARED:-$(cd .. && pwd)/shared/data}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
total_pass=0
total_fail=0

tally() { # read "... N passed, N failed" from the last such line of a log
  local line
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1)
  if [ -z "$line" ]; then
    echo "  (no summary line: counted as 1 failure)"
    total_fail=$((total_fail + 1))
    return
  fi
  local p f
  p=$(echo "$line" | awk '{print $1}')
  f=$(echo "$line" | awk '{print $3}')
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

run_suite() { # name command...
  local name=$1
  shift
  local log
  log=$(mktemp)
  echo "== $name"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  grep -E '^(FAIL|not ok)|passed, [0-9]+ failed' "$log" | tail -n 40
  if [ $rc -ne 0 ] && ! grep -qE '[0-9]+ passed, [1-9][0-9]* failed' "$log"; then
    echo "  $name exited $rc; last lines:"
    tail -n 20 "$log" | sed 's/^/  | /'
    if ! grep -qE '[0-9]+ passed, [0-9]+ failed' "$log"; then
      total_fail=$((total_fail + 1))
      rm -f "$log"
      return
    fi
    # a suite that printed a clean summary but exited non-zero still fails once
    grep -qE '[0-9]+ passed, 0 failed' "$log" && total_fail=$((total_fail + 1))
  fi
  [ -n "${CKP_VERBOSE:-}" ] && cat "$log"
  tally "$log"
  echo "   ($((SECONDS - start)) s)"
  rm -f "$log"
}

run_suite unit "$CKP_BUILD/unit_tests"
run_suite cases bash tests/run_cases.sh "$CKP_BIN"
for s in tests/suite_*.sh; do
  [ -e "$s" ] || continue
  run_suite "$(basename "$s" .sh)" bash "$s"
done
echo "tests: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
