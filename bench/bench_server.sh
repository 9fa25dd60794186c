#!/usr/bin/env bash
# bench_server.sh — the HTTP API under load: wrk on loopback (10 s, 2
# threads, 32 connections each run) against a cached dependency query and
# against match, reporting requests/s, p99 latency and the error count
# (non-2xx answers + socket errors; must be 0).  The reference ("peer") is
# the same server answering a static embedded asset: the HTTP stack's own
# ceiling on this machine.  match repeats one name (after the first request
# it is answered from the response cache, plus the decision lookups);
# match_names cycles through 2,000 different names (four times the
# response cache's 512 slots: the matcher runs on nearly every request);
# match_1conn is one connection, where nothing queues.  Store: a synthetic
# world (chokepoint synth) in bench/out/server/.
set -u
cd "$(dirname "$0")/.."
BIN=${BUILD:-build}/chokepoint
OUT=bench/out/server
DUR=${BENCH_SERVER_SECONDS:-10}
mkdir -p "$OUT"
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench server: wrk missing (scripts/deps.sh bench installs it)"
  exit 1
fi
if [ ! -d "$OUT/store" ]; then
  "$BIN" synth --out "$OUT/synth.csv" --rows 200000 --quiet &&
    "$BIN" ingest --quiet --store "$OUT/store" --source synth-bench "$OUT/synth.csv" || exit 1
fi
rm -f "$OUT"/cases.db*
"$BIN" serve --addr 127.0.0.1:0 --db "$OUT/cases.db" --store "$OUT/store" --rate 0 --quiet \
  --threads 2 >"$OUT/serve.out" 2>"$OUT/serve.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
PORT=
for _ in $(seq 1 300); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT/serve.out")
  [ -n "$PORT" ] && break
  sleep 0.1
done
if [ -z "$PORT" ]; then
  echo "bench server: the server did not start"
  cat "$OUT/serve.err"
  exit 1
fi
U=http://127.0.0.1:$PORT
status=0

to_ms() { # "1.23ms" / "850.00us" / "1.02s" → milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
                         else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# wrk script: GET /api/match?name=… over many different names
{
  echo 'local names = {'
  for a in Global Eastern Northern Pacific Atlantic United Royal Golden Silver Trans Ural Volga \
    Baltic Siberian Caspian Danube Alpine Coastal Central Western; do
    for b in Trading Metals Logistics Shipping Holding Energy Mining Resources Industries \
      Technologies Export Import Supply Partners Group Capital Marine Steel Chemicals Systems; do
      for c in LLC Ltd SA GmbH JSC; do echo "\"$a $b $c\","; done
    done
  done
  echo '}'
  echo 'local i = 0'
  echo 'request = function()'
  echo '  i = i + 1'
  echo '  local n = names[(i % #names) + 1]:gsub(" ", "%%20")'
  echo '  return wrk.format("GET", "/api/match?name=" .. n)'
  echo 'end'
} >"$OUT/names.lua"

load() { # name path [connections threads [wrk args…]]
  local name=$1 path=$2 log="$OUT/wrk_$1.txt" conns=${3:-32} threads=${4:-2}
  shift 4 2>/dev/null || shift $#
  local c
  c=$(curl -s -o /dev/null -w '%{http_code}' "$U$path")
  if [ "$c" != 200 ]; then
    echo "bench server: $name: $path answers $c"
    status=1
    return
  fi
  wrk -t"$threads" -c"$conns" -d"${DUR}s" --latency "$@" "$U$path" >"$log" 2>&1
  local rps p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$log")
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$log")
  local errors=$(( ${non2xx:-0} + ${sock:-0} ))
  echo "bench server: ${name}_rps ${rps:-0} req/s"
  echo "bench server: ${name}_p99 $(to_ms "${p99:-0}") ms"
  echo "bench server: ${name}_errors $errors"
  [ "$errors" -eq 0 ] || status=1
}

load dependency '/api/dependency?importer=USA&hs=antimony&period=2024'
load match '/api/match?name=Rosneft%20Trading&country=RUS'
load match_names '/api/match?name=Global%20Trading%20LLC' 32 2 -s "$OUT/names.lua"
# one connection: the latency of one request when nothing queues
load match_1conn '/api/match?name=Rosneft%20Trading&country=RUS' 1 1
load asset_peer '/assets/style.css'
exit $status
