#!/usr/bin/env bash
# suite_lists.sh — lists change every day (server/watch.c): counterparties
# kept by `screen --db` and POST /api/screen; `lists update` records list
# versions and deltas, re-screens the kept counterparties against the delta
# and opens alerts; decisions stay cleared across versions unless the
# entity's names or identifiers change, and follow an id merge; GET
# /api/lists and /api/alerts.  Synthetic FtM lists with known changes
# (tests/data/lists_update/: v1 → v2 adds t-zhong, gives t-gwe an alias,
# merges t-acme-old into NK-acme unchanged, drops t-gone).
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${CKP_BIN:-$PWD/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
D=$PWD/tests/data/lists_update
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-lists.XXXXXX")
pass=0
fail=0
PID=
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check WHAT CONDITION...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
stop() {
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
  fi
}
cleanup() {
  stop
  rm -rf "$T"
}
trap cleanup EXIT
if ! command -v curl >/dev/null 2>&1; then
  echo "curl is missing (Debian package curl)"
  echo "0 passed, 1 failed"
  exit 1
fi
DB=$T/cases.db
start() {
  "$BIN" serve --addr 127.0.0.1:0 --db "$DB" --store "$T/nostore" --quiet \
    >"$T/serve.out" 2>"$T/serve.err" &
  PID=$!
  PORT=
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out")
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  U=http://127.0.0.1:$PORT
  [ -n "$PORT" ]
}
code() { # code METHOD PATH [curl args…] → status; body in $T/body
  local m=$1 p=$2
  shift 2
  curl -s -g -m 60 -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$U$p"
}
py() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/body" "$1"; }
# sql [DB] QUERY: the first column of each row, one a line (python3's sqlite3)
sql() { python3 -c 'import sqlite3,sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' "$@"; }
q() { sql "$DB" "$1"; }
# update → the JSON line of the one list updated, in $T/u.json
update() {
  "$BIN" lists update --db "$DB" --lists "$T/list.ftm.json" --format json >"$T/u.json" 2>"$T/u.err"
}
u() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/u.json" "$1"; }

# ---- counterparties kept by screen --db ----
"$BIN" screen --db "$DB" --no-parties --quiet "$D/shipments.csv" >/dev/null
rc=$?
check "screen --db: exit 1 (goods alerts), the run completes" [ $rc -eq 1 ]
check "screen --db keeps the five counterparties (name, country), each once" \
  [ "$(q 'SELECT count(*) FROM counterparties')" = 5 ]
check "screen --db: the importer seen twice is kept once with 2 screenings" \
  [ "$(q "SELECT screenings FROM counterparties WHERE name='Harmless Traders GmbH'")" = 2 ]
check "screen --db: countries as ISO3 (exporter ARE)" \
  [ "$(q "SELECT country FROM counterparties WHERE name='Global Widget Export Ltd'")" = ARE ]

# ---- first version: every entity counts as added ----
cp "$D/v1.ftm.json" "$T/list.ftm.json"
update
rc=$?
check "lists update v1: exit 0" [ $rc -eq 0 ]
check "v1: version 1, first, 4 entities added, 5 counterparties re-screened, 2 new alerts" \
  u 'd["version"]==1 and d["first"] and d["entities"]==4 and d["added"]==4 and d["removed"]==0 and d["rescreened"]==5 and d["new_alerts"]==2'
check "v1: the alerts are GWE and Acme, open" \
  [ "$(q "SELECT group_concat(entity_id) FROM (SELECT entity_id FROM list_alerts WHERE status='open' ORDER BY entity_id)")" = "t-acme-old,t-gwe" ]
update
check "the same list again: nothing added, removed or changed, no new alert, 2 still open" \
  u 'd["version"]==2 and not d["first"] and d["added"]+d["removed"]+d["changed"]+d["merged"]==0 and d["new_alerts"]==0'
check "the same list again: one alert row per (counterparty, entity)" [ "$(q 'SELECT count(*) FROM list_alerts')" = 2 ]

# ---- clear both through the API ----
start || bad "the server starts"
TOKEN=$(awk 'NR==1{print $NF}' "$DB.token")
c=$(code GET '/api/alerts?status=open')
check "GET /api/alerts?status=open: the two alerts, open, with entry_hash and no decision" \
  eval '[ "$c" = 200 ] && py "len(d[\"rows\"])==2 and all(r[\"open\"] and r[\"decision\"] is None and len(r[\"entry_hash\"])==64 for r in d[\"rows\"])"'
python3 -c 'import json,sys; [print(r["id"], r["entry_hash"]) for r in json.load(open(sys.argv[1]))["rows"]]' "$T/body" >"$T/ids"
while read -r id hash; do
  c=$(code POST /api/decisions -H "Authorization: Bearer $TOKEN" \
    -d "{\"id\":\"$id\",\"decision\":\"cleared\",\"reason\":\"checked: another firm\",\"entry_hash\":\"$hash\"}")
  check "clear $id" [ "$c" = 200 ]
done <"$T/ids"
c=$(code GET '/api/alerts?status=open')
check "after clearing: no open alert" eval '[ "$c" = 200 ] && py "d[\"rows\"]==[]"'
c=$(code GET '/api/alerts?status=decided')
check "after clearing: both decided (cleared)" eval '[ "$c" = 200 ] && py "len(d[\"rows\"])==2 and all(r[\"decision\"]==\"cleared\" for r in d[\"rows\"])"'

# ---- v2: adds Zhongshan (a kept counterparty matches), changes GWE, merges Acme ----
cp "$D/v2.ftm.json" "$T/list.ftm.json"
update
rc=$?
check "lists update v2: exit 0" [ $rc -eq 0 ]
check "v2 delta: 1 added, 1 removed, 1 changed, 1 merged" \
  u 'd["added"]==1 and d["removed"]==1 and d["changed"]==1 and d["merged"]==1'
check "v2: the added listed party a counterparty matches raises exactly one new alert" \
  u 'd["new_alerts"]==1'
check "v2: the changed name reopens the cleared GWE alert" u 'd["reopened"]==1'
check "v2: the unchanged entity merged into a new id keeps its cleared decision" u 'd["kept_decided"]==1'
c=$(code GET '/api/alerts?status=open')
check "GET /api/alerts?status=open: Zhongshan (new) and GWE (reopened, decision stale)" \
  eval '[ "$c" = 200 ] && py "sorted((r[\"entity_id\"], r[\"why\"].split(\":\")[0], r[\"decision\"]) for r in d[\"rows\"])==[(\"t-gwe\",\"reopened\",\"stale\"),(\"t-zhong\",\"new\",None)]"'
c=$(code GET '/api/alerts?status=decided')
check "the merged Acme alert (NK-acme) stands cleared, its decision followed from t-acme-old" \
  eval '[ "$c" = 200 ] && py "any(r[\"entity_id\"]==\"NK-acme\" and r[\"decision\"]==\"cleared\" and r[\"decided_item\"]!=r[\"id\"] for r in d[\"rows\"])"'
c=$(code GET /api/lists)
check "GET /api/lists: three versions, newest first, with hash, date and counts" \
  eval '[ "$c" = 200 ] && py "[v[\"version\"] for v in d[\"versions\"]]==[3,2,1] and d[\"versions\"][0][\"added\"]==1 and len(d[\"versions\"][0][\"hash\"])==64 and d[\"versions\"][0][\"at\"].endswith(\"Z\")"'
c=$(code GET '/api/lists?version=3')
check "GET /api/lists?version=3: the changes (added, changed, merged from, removed)" \
  eval '[ "$c" = 200 ] && py "sorted((x[\"entity_id\"],x[\"change\"],x[\"from_id\"]) for x in d[\"changes\"])==[(\"NK-acme\",\"merged\",\"t-acme-old\"),(\"t-gone\",\"removed\",\"\"),(\"t-gwe\",\"changed\",\"\"),(\"t-zhong\",\"added\",\"\")]"'
for bad_q in '/api/lists?version=x' '/api/lists?version=0' '/api/alerts?status=maybe' '/api/lists?foo=1'; do
  c=$(code GET "$bad_q")
  check "GET $bad_q: 400" [ "$c" = 400 ]
done
c=$(code POST /api/lists)
check "POST /api/lists: 405" [ "$c" = 405 ]

# ---- POST /api/screen keeps its counterparties too ----
printf 'id,exporter,exporter_country,importer,importer_country,hs\nA1,Baltic Amber Works,LTU,Nordic Bearings AB,SWE,850440\n' >"$T/post.csv"
c=$(code POST /api/screen --data-binary "@$T/post.csv" -H 'Content-Type: text/csv')
check "POST /api/screen: 200 and counterparties_kept = 2" eval '[ "$c" = 200 ] && py "d[\"counterparties_kept\"]==2"'
check "POST /api/screen: the new exporter is kept (via api), the known importer screened again" \
  eval '[ "$(q "SELECT via FROM counterparties WHERE name='"'"'Baltic Amber Works'"'"'")" = api ] && [ "$(q "SELECT screenings FROM counterparties WHERE name='"'"'Nordic Bearings AB'"'"'")" = 2 ]'
stop

# ---- without decisions: an open alert follows a merged id, no second alert ----
DB2=$T/cases2.db
"$BIN" screen --db "$DB2" --no-parties --quiet "$D/shipments.csv" >/dev/null
cp "$D/v1.ftm.json" "$T/list.ftm.json"
"$BIN" lists update --db "$DB2" --lists "$T/list.ftm.json" --format json >/dev/null 2>&1
cp "$D/v2.ftm.json" "$T/list.ftm.json"
"$BIN" lists update --db "$DB2" --lists "$T/list.ftm.json" --format json >"$T/u.json" 2>&1
check "undecided: v2 opens one new alert (Zhongshan); GWE and the merged Acme stay open" \
  u 'd["new_alerts"]==1 and d["still_open"]==2 and d["reopened"]==0'
check "undecided: the old id's alert is marked merged, the new id's is the one open" \
  [ "$(sql "$DB2" "SELECT group_concat(entity_id || ':' || status) FROM (SELECT * FROM list_alerts WHERE counterparty='Acme Rare Metals Corp' ORDER BY entity_id)")" = "NK-acme:open,t-acme-old:merged" ]

# ---- bad input fails loud, records nothing ----
n=$(q 'SELECT count(*) FROM list_versions')
"$BIN" lists update --db "$DB" --lists "$T/missing.ftm.json" >/dev/null 2>"$T/err"
rc=$?
check "a list that cannot be read: exit 1, said, no version recorded" \
  eval '[ $rc -eq 1 ] && grep -q "not recorded" "$T/err" && [ "$(q "SELECT count(*) FROM list_versions")" = "$n" ]'
"$BIN" lists frobnicate --db "$DB" >/dev/null 2>&1
rc=$?
check "lists frobnicate: usage error (2)" [ $rc -eq 2 ]
"$BIN" lists update --db "$DB" --threshold 2 >/dev/null 2>&1
rc=$?
check "lists update --threshold 2: usage error (2)" [ $rc -eq 2 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
