#!/usr/bin/env bash
# run_cases.sh CHOKEPOINT_BIN [FILE.t…] — golden CLI cases, written as data.
#
# A case file (tests/cases/*.t) holds commands and what they must print:
#   # a comment
#   $ chokepoint country 842          a command (bash; `chokepoint` is the binary
#                                     under test; $DATA, $SHARED, $CASES, $TMP set)
#   > USA,US,840,842,842,United States of America    expected stdout, line by line
#   >>> 3                             instead of '>' lines: expected stdout line count
#   ~ regex                           some stdout line must match this regex
#   ! regex                           stderr must match this extended regex
#   ? 2                               expected exit status (default 0)
#   < input line                      a line of standard input for the command
# Each '$' line is one case.  Prints "ok"/"FAIL" per case, then
# "cases: N passed, N failed".
set -u
BIN=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
files=("$@")
[ ${#files[@]} -eq 0 ] && files=("$ROOT"/tests/cases/*.t)
export DATA=$ROOT/data CASES=$ROOT/tests/cases SHARED=${CKP_SHARED:-$ROOT/../shared/data}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$DATA}
# Each case file runs in a directory of its own ($TMP), so that a store or
# file one file leaves behind (e.g. a store named st) is never read by another.
BASE=$(mktemp -d)
bindir=$BASE/bin
mkdir -p "$bindir"
ln -s "$BIN" "$bindir/chokepoint"
export PATH=$bindir:$PATH
pass=0
fail=0

run_case() { # file line cmd
  local file=$1 line=$2 cmd=$3
  local out err rc
  out=$BASE/out err=$BASE/err
  (cd "$TMP" && printf '%s' "$stdin" | bash -c "$cmd" >"$out" 2>"$err")
  rc=$?
  local why=""
  [ "$rc" = "$want_rc" ] || why="exit $rc, expected $want_rc"
  if [ -z "$why" ] && [ "$have_expect" = 1 ]; then
    if ! diff -u <(printf '%s' "$expect") "$out" >"$BASE/diff"; then
      why="stdout differs:"$'\n'"$(head -n 30 "$BASE/diff")"
    fi
  fi
  if [ -z "$why" ] && [ -n "$want_count" ]; then
    local n
    n=$(wc -l <"$out")
    [ "$n" = "$want_count" ] || why="stdout has $n lines, expected $want_count"
  fi
  if [ -z "$why" ] && [ ${#greps[@]} -gt 0 ]; then
    for g in "${greps[@]}"; do
      grep -Eq -- "$g" "$out" || why="no stdout line matches: $g"
    done
  fi
  if [ -z "$why" ] && [ -n "$want_err" ]; then
    grep -Eq -- "$want_err" "$err" || why="stderr does not match: $want_err"$'\n'"$(head -n 5 "$err")"
  fi
  if [ -z "$why" ] && grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$err"; then
    why="sanitizer report:"$'\n'"$(head -n 20 "$err")"
  fi
  local rel=${file#"$ROOT"/}
  if [ -z "$why" ]; then
    pass=$((pass + 1))
    echo "ok   $rel:$line $cmd"
  else
    fail=$((fail + 1))
    echo "FAIL $rel:$line $cmd"
    printf '%s\n' "$why" | sed 's/^/     /'
  fi
}

for f in "${files[@]}"; do
  [ -e "$f" ] || continue
  TMP=$(mktemp -d "$BASE/case.XXXXXX")
  export TMP
  cmd="" cmdline=0
  flush() {
    [ -n "$cmd" ] && run_case "$f" "$cmdline" "$cmd"
    cmd="" expect="" have_expect=0 want_rc=0 want_err="" stdin="" want_count="" greps=()
  }
  expect="" have_expect=0 want_rc=0 want_err="" stdin="" want_count="" greps=()
  n=0
  while IFS= read -r l || [ -n "$l" ]; do
    n=$((n + 1))
    case "$l" in
      '$ '*) flush; cmd=${l#'$ '}; cmdline=$n ;;
      '>>> '*) want_count=${l#'>>> '} ;;
      '> '*) have_expect=1; expect+="${l#'> '}"$'\n' ;;
      '>') have_expect=1; expect+=$'\n' ;;
      '~ '*) greps+=("${l#'~ '}") ;;
      '! '*) want_err=${l#'! '} ;;
      '? '*) want_rc=${l#'? '} ;;
      '< '*) stdin+="${l#'< '}"$'\n' ;;
      *) ;;
    esac
  done <"$f"
  flush
done
rm -rf "$BASE"
echo "cases: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
