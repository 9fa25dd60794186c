#!/usr/bin/env bash
# suite_store_kill.sh — the store survives SIGKILL during an ingest and
# refuses damaged files.
#
#   bash tests/suite_store_kill.sh [CHOKEPOINT_BIN]     (default $CKP_BIN,
#                                                         else build-san/chokepoint)
# 1. kill: a store holding OLD content gets a merge ingest of NEW rows; the
#    ingest is killed with SIGKILL after a random delay (0 … its full
#    duration), many times (KILL_ITERS, default 30, within KILL_SECONDS,
#    default 90).  Each time the store must open and hold exactly the OLD or
#    the merged content (fingerprint: info's counts + every file's checksum
#    from the manifest), and a later ingest must succeed and clean up.
# 2. readers: `info` run in a loop during an ingest always sees OLD or NEW.
# 3. two ingests at once are serialised by the lock; both succeed.
# 4. corruption: a flipped byte or a truncation in any store file, a broken
#    manifest, a missing CURRENT: refused, exit 1, the file named.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${1:-${CKP_BIN:-$PWD/build-san/chokepoint}}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
ITERS=${KILL_ITERS:-30}
BUDGET=${KILL_SECONDS:-90}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# --- inputs: flows CSV, deterministic.  OLD: 3 reporters; NEW: other values
# for half of OLD's keys (replaced on merge) plus many new keys.
gen() { # rows seed
  awk -v n="$1" -v seed="$2" 'BEGIN {
    split("USA CHN DEU JPN FRA GBR KOR IND BRA MEX ITA CAN", c, " ")
    print "period,reporter,partner,flow,hs,value,qty,unit"
    for (i = 0; i < n; i++) {
      r = c[1 + i % 12]; p = c[1 + int(i / 12) % 12]; if (p == r) p = "RUS"
      hs = 100000 + int(i / 144) * 7 % 899999
      printf "%d-%02d,%s,%s,%s,%06d,%d.%02d,%d,kg\n", 2015 + int(i / 900000) % 10, 1 + int(i / 72) % 12,
        r, p, (i % 2 ? "X" : "M"), hs, (i * 7919 + seed) % 1000000, (i + seed) % 100, i % 5000
    }
  }'
}
gen 20000 1 >"$T/old.csv"
gen ${KILL_ROWS:-200000} 2 >"$T/new.csv"

fp() { # fingerprint of the store in $1: counts and every file's checksum
  local cur
  cur=$(cat "$1/CURRENT" 2>/dev/null) || return 1
  "$BIN" info --store "$1" --format csv 2>/dev/null | tail -n 1 | cut -d, -f1-7 || return 1
  grep '^file ' "$1/$cur/MANIFEST" | awk '{print $2, $3, $4}'
}

"$BIN" ingest -q --store "$T/base" --source kill "$T/old.csv" || { bad "base ingest failed"; echo "$pass passed, $((fail)) failed"; exit 1; }
FP_OLD=$(fp "$T/base")
cp -a "$T/base" "$T/full"
start=$(date +%s.%N)
"$BIN" ingest -q --store "$T/full" --source kill "$T/new.csv" || bad "full ingest failed"
dur=$(echo "$(date +%s.%N) - $start" | bc)
FP_NEW=$(fp "$T/full")
[ -n "$FP_OLD" ] && [ -n "$FP_NEW" ] && [ "$FP_OLD" != "$FP_NEW" ] && ok "old and new fingerprints differ (full ingest ${dur}s)" || bad "fingerprints"

# --- 1. SIGKILL at random points
t0=$SECONDS
n_old=0 n_new=0 n_bad=0 i=0
while [ $i -lt "$ITERS" ] && [ $((SECONDS - t0)) -lt "$BUDGET" ]; do
  i=$((i + 1))
  rm -rf "$T/s"
  cp -a "$T/base" "$T/s"
  "$BIN" ingest -q --store "$T/s" --source kill "$T/new.csv" 2>/dev/null &
  pid=$!
  # a random delay in [0, 1.4 × the full duration]
  r=$((RANDOM % 1000))
  d=$(echo "scale=3; $dur * 1.4 * $r / 1000" | bc)
  sleep "$d"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  got=$(fp "$T/s")
  if [ "$got" = "$FP_OLD" ]; then
    n_old=$((n_old + 1))
  elif [ "$got" = "$FP_NEW" ]; then
    n_new=$((n_new + 1))
  else
    n_bad=$((n_bad + 1))
    echo "  iteration $i (killed after ${d}s): store is neither old nor new:"
    "$BIN" info --store "$T/s" 2>&1 | head -3 | sed 's/^/  | /'
  fi
done
[ "$n_bad" -eq 0 ] && ok "SIGKILL during ingest, $i runs: always old ($n_old) or new ($n_new)" \
  || bad "SIGKILL during ingest: $n_bad of $i runs left a store that is neither old nor new"
# a killed store takes the next ingest and keeps at most two generations
rm -rf "$T/s"
cp -a "$T/base" "$T/s"
"$BIN" ingest -q --store "$T/s" --source kill "$T/new.csv" 2>/dev/null &
pid=$!
sleep "$(echo "scale=3; $dur / 2" | bc)"
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if "$BIN" ingest -q --store "$T/s" --source kill "$T/new.csv" && [ "$(fp "$T/s")" = "$FP_NEW" ]; then
  ok "ingest after a killed ingest gives the new content"
else
  bad "ingest after a killed ingest"
fi
gens=$(ls -d "$T/s"/gen-* | wc -l)
[ "$gens" -le 2 ] && ok "leftover generations removed ($gens kept)" || bad "$gens generations left"

# --- 2. readers during an ingest
rm -rf "$T/r"
cp -a "$T/base" "$T/r"
"$BIN" ingest -q --store "$T/r" --source kill "$T/new.csv" &
pid=$!
reads=0 mixed=0
while kill -0 "$pid" 2>/dev/null; do
  got=$(fp "$T/r")
  reads=$((reads + 1))
  if [ "$got" != "$FP_OLD" ] && [ "$got" != "$FP_NEW" ]; then
    # fp reads CURRENT and info separately: re-check once (CURRENT may have
    # switched between the two reads), then count
    got=$(fp "$T/r")
    [ "$got" != "$FP_OLD" ] && [ "$got" != "$FP_NEW" ] && mixed=$((mixed + 1))
  fi
done
wait "$pid"
[ "$mixed" -eq 0 ] && ok "readers during an ingest: $reads reads, each old or new" \
  || bad "readers during an ingest: $mixed of $reads reads saw neither"

# --- 3. two writers at once
rm -rf "$T/w"
cp -a "$T/base" "$T/w"
"$BIN" ingest -q --store "$T/w" --source kill "$T/new.csv" &
p1=$!
"$BIN" ingest -q --store "$T/w" --source kill "$T/new.csv" &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$(fp "$T/w")" = "$FP_NEW" ] && ok "two concurrent ingests serialised" \
  || bad "two concurrent ingests ($r1, $r2)"

# --- 4. corruption and truncation, every file
cur=$(cat "$T/base/CURRENT")
for f in "$T/base/$cur"/*; do
  name=$(basename "$f")
  [ "$name" = MANIFEST ] && continue
  size=$(stat -c %s "$f")
  [ "$size" -gt 0 ] || continue
  rm -rf "$T/c"
  cp -a "$T/base" "$T/c"
  off=$(( (RANDOM * 32768 + RANDOM) % size ))
  printf '%s' "$(dd if="$T/c/$cur/$name" bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')" >"$T/byte"
  b=$(cat "$T/byte")
  printf "$(printf '\\%03o' $(( (b ^ 0x20) & 255 )))" | dd of="$T/c/$cur/$name" bs=1 seek=$off conv=notrunc 2>/dev/null
  "$BIN" info --store "$T/c" >/dev/null 2>"$T/err"
  rc=$?
  if [ $rc -eq 1 ] && grep -q "$name" "$T/err" && grep -q "checksum" "$T/err"; then
    ok "flipped byte at $off in $name refused"
  else
    bad "flipped byte at $off in $name: exit $rc, $(head -c 300 "$T/err")"
  fi
  rm -rf "$T/c"
  cp -a "$T/base" "$T/c"
  truncate -s $((size / 2)) "$T/c/$cur/$name"
  "$BIN" info --store "$T/c" >/dev/null 2>"$T/err"
  rc=$?
  if [ $rc -eq 1 ] && grep -q "$name" "$T/err" && grep -q "truncated" "$T/err"; then
    ok "truncated $name refused"
  else
    bad "truncated $name: exit $rc, $(head -c 300 "$T/err")"
  fi
done
rm -rf "$T/c"
cp -a "$T/base" "$T/c"
sed -i 's/^rows \([0-9]*\)/rows 1\1/' "$T/c/$cur/MANIFEST"
"$BIN" info --store "$T/c" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q MANIFEST "$T/err" && ok "edited manifest refused" || bad "edited manifest: $(cat "$T/err")"
rm -f "$T/c/CURRENT"
"$BIN" info --store "$T/c" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "CURRENT file is missing" "$T/err" && ok "missing CURRENT refused" || bad "missing CURRENT: $(cat "$T/err")"
# a merge ingest refuses a corrupt store and leaves it as it was
rm -rf "$T/c"
cp -a "$T/base" "$T/c"
printf 'XX' | dd of="$T/c/$cur/value.f64" bs=1 seek=8 conv=notrunc 2>/dev/null
"$BIN" ingest -q --store "$T/c" "$T/new.csv" 2>"$T/err"
[ $? -eq 1 ] && grep -q "value.f64" "$T/err" && [ "$(cat "$T/c/CURRENT")" = "$cur" ] \
  && ok "merge into a corrupt store refused" || bad "merge into a corrupt store: $(cat "$T/err")"
"$BIN" ingest -q --replace --store "$T/c" --source kill "$T/old.csv" && [ "$(fp "$T/c")" = "$FP_OLD" ] \
  && ok "--replace rebuilds a corrupt store" || bad "--replace on a corrupt store"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
