#!/usr/bin/env bash
# suite_browser.sh — the dashboard and the report in Debian's headless
# chromium, driven by playwright-core (npm): pick a product, see a chart with
# data, screen a shipment, clear an alert, find it in the audit trail; open
# the report from a file with the network refused.  Without chromium or
# playwright-core the suite is skipped, except under CI=true where that
# fails.  SCREENSHOTS=DIR saves dashboard.png and report.png there (docs/).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${CKP_BIN:-$PWD/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
missing=
[ -x "$CHROMIUM" ] || missing="chromium ($CHROMIUM; Debian package chromium, scripts/deps.sh installs it)"
[ -d node_modules/playwright-core ] || missing="${missing:+$missing, }node_modules/playwright-core (scripts/deps.sh runs npm install)"
command -v node >/dev/null 2>&1 || missing="${missing:+$missing, }node"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL missing: $missing"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "SKIP missing: $missing"
  echo "0 passed, 0 failed"
  exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-browser.XXXXXX")
PID=
fails=0
passes=0
cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
tally() { # add the "N passed, N failed" of a log
  local line
  line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1)
  if [ -z "$line" ]; then fails=$((fails + 1)); return; fi
  passes=$((passes + $(echo "$line" | awk '{print $1}')))
  fails=$((fails + $(echo "$line" | awk '{print $3}')))
}

STORE=$T/store
if ! { "$BIN" synth --out "$T/synth.csv" --rows 20000 --scenario antimony-2024 --quiet &&
  "$BIN" ingest --quiet --store "$STORE" --source synth-antimony-2024 "$T/synth.csv" &&
  "$BIN" ingest --quiet --store "$STORE" --source china-customs \
    data/flows/china-critmin-monthly/china_exports_monthly.csv; }; then
  echo "FAIL cannot build the test store (synth + ingest)"
  echo "0 passed, 1 failed"
  exit 1
fi
cat >"$T/ship.csv" <<'CSV'
id,date,exporter,exporter_country,importer,importer_country,origin,destination,transit,hs,description,qty,unit,value,currency
S1,2025-01-15,Hunan Antimony Co,CHN,Acme Metals Inc,USA,CHN,USA,,282580,antimony trioxide,20000,kg,300000,USD
S2,2025-02-01,Shenzhen Parts Ltd,CHN,Rosneft Trading SA,RUS,CHN,RUS,,854231,integrated circuits,100,u,50000,USD
CSV

# two open alerts of a list update for the dashboard (dashboard_watch.mjs)
cp tests/data/lists_update/v1.ftm.json "$T/watch.ftm.json"
if ! { "$BIN" screen --db "$T/cases.db" --no-parties --quiet tests/data/lists_update/shipments.csv >/dev/null;
  [ $? -eq 1 ] && "$BIN" lists update --db "$T/cases.db" --lists "$T/watch.ftm.json" >/dev/null; }; then
  echo "FAIL cannot record the list update for the dashboard"
  fails=$((fails + 1))
fi

shots=${SCREENSHOTS:-$T}
"$BIN" serve --addr 127.0.0.1:0 --db "$T/cases.db" --store "$STORE" --quiet >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
PORT=
for _ in $(seq 1 200); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out")
  [ -n "$PORT" ] && break
  sleep 0.1
done
TOKEN=$(sed -n '2s/^ *//p' "$T/serve.out")
if [ -z "$PORT" ] || [ -z "$TOKEN" ]; then
  echo "FAIL the server did not start"; cat "$T/serve.err"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "== dashboard (http://127.0.0.1:$PORT/)"
timeout 180 node tests/browser/dashboard.mjs "http://127.0.0.1:$PORT/" "$TOKEN" "$T/ship.csv" \
  "$shots/dashboard.png" >"$T/dash.log" 2>&1
cat "$T/dash.log"
tally "$T/dash.log"

echo "== dashboard as a daily tool (alerts, matched, errors, Measure menu, token)"
timeout 240 node tests/browser/dashboard_daily.mjs "http://127.0.0.1:$PORT/" "$TOKEN" "$T/ship.csv" \
  >"$T/daily.log" 2>&1
cat "$T/daily.log"
tally "$T/daily.log"

echo "== dashboard: alerts of list updates"
timeout 180 node tests/browser/dashboard_watch.mjs "http://127.0.0.1:$PORT/" "$TOKEN" >"$T/watch.log" 2>&1
cat "$T/watch.log"
tally "$T/watch.log"

echo "== report (file, offline)"
if "$BIN" report --store "$STORE" --shipments "$T/ship.csv" --out "$T/report.html" 2>"$T/report.err"; then
  EXPECT_SYNTHETIC=1 timeout 180 node tests/browser/report.mjs "$T/report.html" "$shots/report.png" \
    >"$T/report.log" 2>&1
  cat "$T/report.log"
  tally "$T/report.log"
else
  echo "FAIL chokepoint report: $(cat "$T/report.err")"
  fails=$((fails + 1))
fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
