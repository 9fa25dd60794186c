#!/usr/bin/env bash
# suite_yente.sh — yente's API beside /api/* (server/yente.c) over a real
# socket: POST /match/{dataset} with bodies as yente's clients send them
# (tests/data/yente/), its query parameters, bad bodies; GET /search,
# /entities, /catalog, /algorithms, /healthz, /readyz; the Host check.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${CKP_BIN:-$PWD/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-yente.XXXXXX")
D=tests/data/yente
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
cleanup() {
  if [ -n "$PID" ]; then
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
  fi
  rm -rf "$T"
}
trap cleanup EXIT
if ! command -v curl >/dev/null 2>&1; then
  echo "curl is missing (Debian package curl)"
  echo "0 passed, 1 failed"
  exit 1
fi

"$BIN" serve --addr 127.0.0.1:0 --db "$T/cases.db" --store "$T/nostore" --quiet \
  >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
PORT=
for _ in $(seq 1 300); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out")
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$PORT" ]; then
  bad "the server starts"
  cat "$T/serve.err"
  echo "$pass passed, $fail failed"
  exit 1
fi
U=http://127.0.0.1:$PORT

# code METHOD PATH [curl args…] → prints the status; body in $T/body
code() {
  local m=$1 p=$2
  shift 2
  curl -s -g -m 60 -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$U$p"
}
# py EXPR: a Python expression over d (the body as JSON) must be true
py() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/body" "$1"; }
# an error as both chokepoint and yente clients read it
is_error() { py 'isinstance(d.get("error"),str) and d["error"] and d.get("detail")==d["error"]'; }
post() { # post PATH BODY-FILE
  code POST "$1" -H 'Content-Type: application/json' --data-binary "@$2"
}

# ---- POST /match: OpenSanctions' own example body ----
c=$(post /match/default $D/opensanctions_example.json)
check "match: the OpenSanctions example answers 200" [ "$c" = 200 ]
check "match: a response per query, in yente's shape" py 'sorted(d["responses"])==["query-A","query-B"] and all(r["status"]==200 and isinstance(r["results"],list) and r["total"]["relation"] in ("eq","gte") for r in d["responses"].values()) and d["limit"]==5 and "name_match" in d["matcher"]'
check "match: Rotenberg (Latin + Cyrillic) finds OFAC's ROTENBERG, Arkady Romanovich as a Person" \
  py 'd["responses"]["query-A"]["results"][0]["id"]=="ofac-16669" and d["responses"]["query-A"]["results"][0]["schema"]=="Person" and d["responses"]["query-A"]["results"][0]["match"] is True'
check "match: each result carries id, caption, schema, properties, datasets, score, match, features, explanation" \
  py 'all(set(["id","caption","schema","properties","datasets","score","match","features","explanation"])<=set(x) for r in d["responses"].values() for x in r["results"])'
check "match: the explanation names the query name and the listed name" \
  py '"Rotenberg" in d["responses"]["query-A"]["results"][0]["explanation"] and "ROTENBERG" in d["responses"]["query-A"]["results"][0]["explanation"].upper()'
check "match: a birthDate the lists cannot compare is said (unused), not dropped quietly" \
  py 'd["responses"]["query-A"]["unused"]==["birthDate"] and d["responses"]["query-B"]["unused"]==[]'
check "match: the query is echoed" py 'd["responses"]["query-A"]["query"]["properties"]["birthDate"]==["1951"]'
check "match: a Company query finds STROYGAZMONTAZH (an OFAC entity: Organization), dataset ofac-sdn" \
  py 'd["responses"]["query-B"]["results"][0]["caption"]=="STROYGAZMONTAZH" and d["responses"]["query-B"]["results"][0]["schema"]=="Organization" and d["responses"]["query-B"]["results"][0]["datasets"]==["ofac-sdn"]'
c=$(post /match/default $D/yente_docstring.json)
check "match: yente's documented example (names on no list) answers 200 with no results" \
  eval '[ "$c" = 200 ] && py "all(r[\"results\"]==[] and r[\"total\"][\"value\"]==0 for r in d[\"responses\"].values())"'
check "match: its registrationNumber is said unused" py '"registrationNumber" in d["responses"]["entity2"]["unused"]'

# ---- datasets and parameters ----
c=$(post /match/ofac-sdn $D/opensanctions_example.json)
check "match/ofac-sdn: only OFAC results" eval '[ "$c" = 200 ] && py "all(x[\"datasets\"]==[\"ofac-sdn\"] for r in d[\"responses\"].values() for x in r[\"results\"]) and d[\"responses\"][\"query-A\"][\"results\"]"'
c=$(post '/match/default?exclude_dataset=ofac-sdn' $D/opensanctions_example.json)
check "match: exclude_dataset=ofac-sdn drops the OFAC hits" eval '[ "$c" = 200 ] && py "all(r[\"results\"]==[] for r in d[\"responses\"].values())"'
c=$(post '/match/default?include_dataset=mofcom&include_dataset=ofac-sdn' $D/opensanctions_example.json)
check "match: include_dataset (repeated) keeps the datasets named" eval '[ "$c" = 200 ] && py "d[\"responses\"][\"query-A\"][\"results\"][0][\"id\"]==\"ofac-16669\""'
c=$(post '/match/default?exclude_entity_ids=ofac-16669' $D/opensanctions_example.json)
check "match: exclude_entity_ids drops that entity" eval '[ "$c" = 200 ] && py "all(x[\"id\"]!=\"ofac-16669\" for x in d[\"responses\"][\"query-A\"][\"results\"])"'
printf '{"queries":{"q":{"schema":"Person","properties":{"name":["Rosneft"]}},"c":{"schema":"Company","properties":{"name":["Rosneft"]}},"v":{"schema":"Vessel","properties":{"name":["Arkady Rotenberg"]}}}}' >"$T/schemas.json"
c=$(post '/match/default?threshold=0.6' "$T/schemas.json")
check "match: a Person query is not answered with companies, a Vessel query not with persons" \
  eval '[ "$c" = 200 ] && py "d[\"responses\"][\"q\"][\"results\"]==[] and d[\"responses\"][\"c\"][\"results\"] and d[\"responses\"][\"v\"][\"results\"]==[]"'
c=$(post '/match/default?limit=1&threshold=0.99&cutoff=0.5' $D/opensanctions_example.json)
check "match: limit, threshold and cutoff: results down to the cutoff, match only above the threshold" \
  eval '[ "$c" = 200 ] && py "d[\"limit\"]==1 and all(len(r[\"results\"])<=1 for r in d[\"responses\"].values()) and all(x[\"match\"]==(x[\"score\"]>=0.99) and x[\"score\"]>=0.5 for r in d[\"responses\"].values() for x in r[\"results\"])"'
for q in 'algorithm=logic-v2' 'limit=0' 'limit=501' 'limit=2.5' 'threshold=1.5' 'include_dataset=nope' 'fuzzy=true' 'limit=3&limit=4'; do
  c=$(post "/match/default?$q" $D/opensanctions_example.json)
  check "match?$q: 400 with a JSON error" eval '[ "$c" = 400 ] && is_error'
done
c=$(post '/match/default?algorithm=best' $D/opensanctions_example.json)
check "match: algorithm=best (yente's alias) is the default" [ "$c" = 200 ]
c=$(post /match/sanctions $D/opensanctions_example.json)
check "match: an unknown dataset is a 404" eval '[ "$c" = 404 ] && is_error'

# ---- bad bodies ----
n=0
while IFS= read -r body; do
  n=$((n + 1))
  printf '%s' "$body" >"$T/bad.json"
  c=$(post /match/default "$T/bad.json")
  check "match: bad body $n ($body) is a 400 JSON error" eval '[ "$c" = 400 ] && is_error'
done <<'EOF2'
not json
[]
{}
{"queries":{}}
{"queries":[]}
{"queries":{"a":{"schema":"Person","properties":{"birthDate":["1970"]}}}}
{"queries":{"a":{"schema":"Banana","properties":{"name":["x"]}}}}
{"queries":{"a":{"properties":{"name":["x"]}}}}
{"queries":{"a":{"schema":"Person","properties":{"name":[1]}}}}
{"queries":{"a":{"schema":"Person","properties":{"name":{"x":1}}}}}
{"queries":{"a":{"schema":"Person","properties":{"name":["x"],"country":["Atlantis"]}}}}
{"queries":{"a":{"schema":"Person","properties":{"name":["x"]}}},"weights":{"name_literal":0.8}}
{"queries":{"a":{"schema":"Person","properties":{"name":["x"]}}},"extra":1}
{"queries":{"a":{"schema":"Person","properties":{"name":["x"]}},"a":{"schema":"Person","properties":{"name":["y"]}}}}
{"queries":{"a":{"schema":"Person","properties":{"name":["x"]},"target":true}}}
EOF2
c=$(code POST /match/default)
check "match: no body is a 400" eval '[ "$c" = 400 ] && is_error'
python3 -c 'import json; print(json.dumps({"queries":{"q%d"%i:{"schema":"Person","properties":{"name":["x"]}} for i in range(101)}}))' >"$T/batch.json"
c=$(post /match/default "$T/batch.json")
check "match: 101 queries in a batch is a 400 (yente's limit is 100)" eval '[ "$c" = 400 ] && is_error'
python3 -c 'import json; print(json.dumps({"queries":{"q":{"schema":"Person","properties":{"name":["x"*1001]}}}}))' >"$T/long.json"
c=$(post /match/default "$T/long.json")
check "match: a name over 1000 bytes is a 400" eval '[ "$c" = 400 ] && is_error'
python3 -c 'import json; print(json.dumps({"queries":{"q":{"schema":"Person","properties":{"name":["n%d"%i for i in range(21)]}}}}))' >"$T/many.json"
c=$(post /match/default "$T/many.json")
check "match: 21 values of one property is a 400" eval '[ "$c" = 400 ] && is_error'
c=$(code GET /match/default)
check "match: GET is a 405" eval '[ "$c" = 405 ] && is_error'

# ---- search, entities, catalog, algorithms, health ----
c=$(code GET '/search/default?q=Rosneft&limit=3')
check "search: q=Rosneft finds ROSNEFT entities" eval '[ "$c" = 200 ] && py "d[\"results\"] and any(\"ROSNEFT\" in x[\"caption\"].upper() for x in d[\"results\"]) and d[\"limit\"]==3 and d[\"total\"][\"value\"]>=len(d[\"results\"])"'
c=$(code GET '/search/default?q=Kuzmenko&countries=ru&schema=Person')
check "search: countries and schema filter (Kuzmenko, ru, Person → the EU FSF entity)" \
  eval '[ "$c" = 200 ] && py "[x[\"id\"] for x in d[\"results\"]]==[\"NK-2Ka3UvopqbpZmVDFjWd4LA\"]"'
c=$(code GET '/search/default?q=Kuzmenko&countries=us')
check "search: a country it is not in finds nothing" eval '[ "$c" = 200 ] && py "d[\"results\"]==[]"'
c=$(code GET '/search/default')
check "search: no q is a 400" eval '[ "$c" = 400 ] && is_error'
c=$(code GET '/search/default?q=x&simple=1')
check "search: an unsupported parameter is a 400" eval '[ "$c" = 400 ] && is_error'
c=$(code GET /entities/NK-2Ka3UvopqbpZmVDFjWd4LA)
check "entities: the FtM entity with its names in three forms and its country" \
  eval '[ "$c" = 200 ] && py "d[\"caption\"]==\"Vitaly Yurievich KUZMENKO\" and \"Vitalij Kuzmenko\" in d[\"properties\"][\"alias\"] and d[\"properties\"][\"country\"]==[\"ru\"] and d[\"datasets\"]==[\"opensanctions\"]"'
check "entities: the referents (ids merged into it) are listed" \
  py '"eu-fsf-eu-11179-96" in d["referents"] and "fr-ga-7206" in d["referents"]'
c=$(code GET /entities/eu-fsf-eu-11179-96)
check "entities: a referent's id answers with the entity it was merged into" \
  eval '[ "$c" = 200 ] && py "d[\"id\"]==\"NK-2Ka3UvopqbpZmVDFjWd4LA\""'
printf '{"queries":{"k":{"schema":"Person","properties":{"name":["Vitaly Kuzmenko"]}}}}' >"$T/kuz.json"
c=$(post '/match/default?exclude_entity_ids=fr-ga-7206' "$T/kuz.json")
check "match: exclude_entity_ids by a referent's id excludes the merged entity (as yente)" \
  eval '[ "$c" = 200 ] && py "all(x[\"id\"]!=\"NK-2Ka3UvopqbpZmVDFjWd4LA\" for x in d[\"responses\"][\"k\"][\"results\"])"'
c=$(post /match/default "$T/kuz.json")
check "match: without it, the entity is found" \
  eval '[ "$c" = 200 ] && py "d[\"responses\"][\"k\"][\"results\"][0][\"id\"]==\"NK-2Ka3UvopqbpZmVDFjWd4LA\""'
c=$(code GET /entities/ofac-16669)
check "entities: an OFAC entry" eval '[ "$c" = 200 ] && py "d[\"schema\"]==\"Person\" and d[\"datasets\"]==[\"ofac-sdn\"]"'
c=$(code GET /entities/no-such-id)
check "entities: an unknown id is a 404" eval '[ "$c" = 404 ] && is_error'
c=$(code GET /catalog)
check "catalog: the three lists and default, with entity counts and the list version" \
  eval '[ "$c" = 200 ] && py "[x[\"name\"] for x in d[\"datasets\"]]==[\"ofac-sdn\",\"opensanctions\",\"mofcom\",\"default\"] and all(x[\"entity_count\"]>0 and x[\"version\"].startswith(\"lists-\") for x in d[\"datasets\"]) and d[\"datasets\"][3][\"entity_count\"]==sum(x[\"entity_count\"] for x in d[\"datasets\"][:3])"'
c=$(code GET /algorithms)
check "algorithms: default, best = default" eval '[ "$c" = 200 ] && py "d[\"default\"]==\"default\" and d[\"best\"]==\"default\" and d[\"algorithms\"][0][\"name\"]==\"default\""'
c=$(code GET /healthz)
check "healthz: ok" eval '[ "$c" = 200 ] && py "d==dict(status=\"ok\")"'
c=$(code GET /readyz)
check "readyz: ok (the lists loaded)" eval '[ "$c" = 200 ] && py "d==dict(status=\"ok\")"'
c=$(code GET '/healthz?x=1')
check "healthz: a parameter is a 400" eval '[ "$c" = 400 ] && is_error'
c=$(code POST /catalog)
check "catalog: POST is a 405" eval '[ "$c" = 405 ] && is_error'
c=$(code GET /healthz -H 'Host: evil.example')
check "yente's paths keep the Host check (421)" eval '[ "$c" = 421 ] && py "d[\"error\"]"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
