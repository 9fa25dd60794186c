#!/usr/bin/env bash
# run.sh — every benchmark: `make all` once, then each bench/bench_*.sh in
# turn (each bounded by BENCH_TIMEOUT seconds, default 900), everything
# tee'd to bench/out/results.txt, and at the end a summary of the
# "bench NAME: METRIC VALUE UNIT" lines.  Exits non-zero when a benchmark
# failed or timed out.  Run from anywhere; `make bench` installs the peers
# (scripts/deps.sh bench) and calls this.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
TIMEOUT=${BENCH_TIMEOUT:-900}
mkdir -p bench/out
RESULTS=bench/out/results.txt
status=0

{
  echo "# chokepoint benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "# $(uname -sm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
  echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  if ! make -s -j2 BUILD="$BUILD" all; then
    echo "bench: make all failed; benchmarks that need $BUILD/chokepoint will fail"
  fi
} 2>&1 | tee "$RESULTS"

for b in bench/bench_*.sh; do
  [ -e "$b" ] || continue
  name=$(basename "$b" .sh)
  name=${name#bench_}
  start=$SECONDS
  echo "== $b" | tee -a "$RESULTS"
  timeout --kill-after=10 "$TIMEOUT" bash "$b" 2>&1 | tee -a "$RESULTS"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "bench $name: TIMEOUT after ${TIMEOUT}s" | tee -a "$RESULTS"
    status=1
  elif [ "$rc" -ne 0 ]; then
    echo "bench $name: FAILED (exit $rc)" | tee -a "$RESULTS"
    status=1
  fi
  echo "   ($((SECONDS - start)) s)" | tee -a "$RESULTS"
done

echo
echo "== summary (also in $RESULTS)"
grep -E '^bench [A-Za-z0-9_.-]+: ' "$RESULTS"
exit $status
