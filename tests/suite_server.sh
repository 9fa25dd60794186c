#!/usr/bin/env bash
# suite_server.sh — `chokepoint serve` over a real socket: the API, errors,
# decisions with and without the token, the audit trail, a restart, a
# SIGKILL right after an acknowledged decision, malformed requests, limits.
# Starts the server on a free loopback port (--addr 127.0.0.1:0) with a temp
# db and store.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${CKP_BIN:-$PWD/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-server.XXXXXX")
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

# ---- a small store: synthetic antimony case + the shipped China flows ----
STORE=$T/store
have_store=0
if "$BIN" synth --help >/dev/null 2>&1 && "$BIN" ingest --help >/dev/null 2>&1; then
  if "$BIN" synth --out "$T/synth.csv" --rows 20000 --scenario antimony-2024 --quiet &&
    "$BIN" ingest --quiet --store "$STORE" --source synth-antimony-2024 "$T/synth.csv" &&
    "$BIN" ingest --quiet --store "$STORE" --source china-customs \
      data/flows/china-critmin-monthly/china_exports_monthly.csv; then
    have_store=1
  else
    bad "build a small store with synth + ingest"
  fi
else
  echo "SKIP store checks: this build has no synth/ingest yet"
fi

start() { # start [extra serve options]: sets PID, PORT, U
  : >"$T/serve.out"
  "$BIN" serve --addr 127.0.0.1:0 --db "$T/cases.db" --store "$STORE" --quiet "$@" \
    >"$T/serve.out" 2>"$T/serve.err" &
  PID=$!
  PORT=
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/serve.out")
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  U=http://127.0.0.1:$PORT
  [ -n "$PORT" ]
}

# code METHOD PATH [curl args…] → prints the status; body in $T/body
code() {
  local m=$1 p=$2
  shift 2
  curl -s -g -m 60 -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$U$p"
}
body_has() { grep -q -- "$1" "$T/body"; }
is_json_error() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d.get("error"),str) and d["error"] else 1)' "$T/body"; }
is_rows() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d.get("rows"),list) and len(d["rows"])>=int(sys.argv[2]) else 1)' "$T/body" "${1:-0}"; }

if ! start; then
  bad "server starts (see below)"
  cat "$T/serve.err"
  echo "$pass passed, $fail failed"
  exit 1
fi
ok "server listens on a free loopback port ($PORT)"
TOKEN=$(sed -n '2s/^ *//p' "$T/serve.out")
check "the new token is printed once" test ${#TOKEN} -eq 64
check "the token file is mode 600" test "$(stat -c %a "$T/cases.db.token")" = 600
check "the token file holds the printed token" grep -qx "$TOKEN" "$T/cases.db.token"

# ---- the API ----
check "GET /api/verbs 200" test "$(code GET /api/verbs)" = 200
check "GET /api/verbs lists the registered verbs" body_has '"name":"measures"'
for v in $(python3 -c 'import json,sys; print(" ".join(x["name"] for x in json.load(open(sys.argv[1]))["verbs"]))' "$T/body"); do
  c=$(code GET "/api/$v?bogus-param=1")
  if [ "$c" = 400 ] && is_json_error; then ok "/api/$v: unknown parameter → 400 JSON"; else bad "/api/$v: unknown parameter → $c"; fi
done
check "GET /api/measures 200 rows" test "$(code GET /api/measures)" = 200
check "  … with rows" is_rows 3
check "GET /api/measures?issuer=CHN 200" test "$(code GET '/api/measures?issuer=CHN')" = 200
check "GET /api/measures?measures=/etc/passwd → 400 (no local files over HTTP)" \
  test "$(code GET '/api/measures?measures=/etc/passwd')" = 400
check "unknown verb → 404" test "$(code GET /api/no-such-verb)" = 404
check "  … as a JSON error" is_json_error
check "GET /api/view?name=measures 200" test "$(code GET '/api/view?name=measures')" = 200
check "GET / serves the dashboard" test "$(code GET /)" = 200
check "  … which is HTML" body_has '<!doctype html>'
check "GET /assets/chart.js 200" test "$(code GET /assets/chart.js)" = 200
check "path traversal → 404" test "$(code GET '/assets/..%2f..%2fetc%2fpasswd')" = 404
check "no files outside the assets → 404" test "$(code GET /etc/passwd)" = 404
check "DELETE → 405" test "$(code DELETE /api/measures)" = 405
check "bad percent-encoding → 400" test "$(code GET '/api/measures?issuer=%zz')" = 400
if [ $have_store = 1 ]; then
  check "GET /api/dependency 200" \
    test "$(code GET '/api/dependency?importer=USA&hs=antimony&period=2023')" = 200
  check "  … China supplies the USA's antimony" body_has '"supplier":"CHN"'
  check "  … cached: same answer again" test "$(code GET '/api/dependency?hs=antimony&period=2023&importer=USA')" = 200
  check "dependency with a bad country → 400" \
    test "$(code GET '/api/dependency?importer=XXQ&hs=antimony')" = 400
  check "dependency without --importer → 400" test "$(code GET '/api/dependency?hs=antimony')" = 400
  check "GET /api/view?name=exports 200" \
    test "$(code GET '/api/view?name=exports&reporter=CHN&hs=antimony')" = 200
  check "  … synthetic data is marked" body_has '"synthetic":true'
  # mirror: the first requests calibrate on the whole store and, at once on
  # four connections, write the calibration cache; every answer is the same
  pids=""
  for i in 1 2 3 4; do
    curl -s -g -m 60 -o "$T/mirror$i" "$U/api/mirror?hs=282580&limit=50" &
    pids="$pids $!"
  done
  wait $pids # (not a bare wait: the server is a child too)
  check "GET /api/mirror on 4 connections at once: 4 answers" \
    test -s "$T/mirror1" -a -s "$T/mirror2" -a -s "$T/mirror3" -a -s "$T/mirror4"
  check "  … with rows" grep -q '"flag":' "$T/mirror1"
  check "  … all the same" sh -c "cmp -s '$T/mirror1' '$T/mirror2' && cmp -s '$T/mirror1' '$T/mirror3' && cmp -s '$T/mirror1' '$T/mirror4'"
  check "  … one calibration cache, no temporary left" \
    sh -c "test \$(ls '$STORE'/gen-*/mirror-cal-*.bin | wc -l) = 1 && ! ls '$STORE'/gen-*/*.tmp 2>/dev/null | grep -q ."
  check "  … a later answer (other parameters: not the response cache, the calibration cache) is the same" \
    sh -c "curl -s -g -m 60 '$U/api/mirror?hs=282580&limit=50&min-value=0' | cmp -s - '$T/mirror1'"
  check "GET /api/info 200" test "$(code GET /api/info)" = 200
  rows_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"][0]["rows"])' "$T/body" 2>/dev/null)
  code GET '/api/dependency?hs=graphite&period=2023&importer=USA' >/dev/null
  cp "$T/body" "$T/dep_before"
  # an ingest while the server runs: the next requests see the new store
  printf 'period,reporter,partner,flow,hs,value,qty,unit\n2023,KOR,USA,X,250410,99000000,1000,kg\n' >"$T/more.csv"
  "$BIN" ingest --quiet --store "$STORE" --source synth-more "$T/more.csv"
  sleep 1.2
  code GET /api/info >/dev/null
  rows_after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"][0]["rows"])' "$T/body" 2>/dev/null)
  check "an ingest while serving: info shows the new rows ($rows_before -> $rows_after)" \
    test -n "$rows_before" -a "$rows_after" = "$((rows_before + 1))"
  code GET '/api/dependency?hs=graphite&period=2023&importer=USA' >/dev/null
  check "  … and a cached answer is not served for the new store" body_has '"supplier":"KOR"'
  check "  … (it was not there before)" sh -c "! grep -q '\"supplier\":\"KOR\"' '$T/dep_before'"
fi

# ---- screening ----
cat >"$T/ship.csv" <<'EOF'
id,date,exporter,exporter_country,importer,importer_country,origin,destination,transit,hs,description,qty,unit,value,currency
S1,2025-01-15,Hunan Antimony Co,CHN,Acme Metals Inc,USA,CHN,USA,,282580,antimony trioxide,20000,kg,300000,USD
S2,2025-02-01,Shenzhen Parts Ltd,CHN,Rosneft Trading SA,RUS,CHN,RUS,,854231,integrated circuits,100,u,50000,USD
EOF
c=$(code POST /api/screen --data-binary @"$T/ship.csv" -H 'Content-Type: text/csv')
check "POST /api/screen 200" test "$c" = 200
check "  … the antimony shipment to the USA is flagged under CN-2024-46" body_has '"rule":"CN-2024-46"'
# numbers as people write them (docs/server.md): 0.9, not jansson's 0.90000000000000002
no_long_reals() { ! grep -Eq '[:,[]-?[0-9]+\.[0-9]{15,}' "$T/body"; }
check "  … scores written as people write them (0.9)" body_has '"score":0.9,'
check "  … no number with 17 digits" no_long_reals
ALERT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r for r in d["rows"] if r["shipment"]=="S1"][0]["id"])' "$T/body" 2>/dev/null)
HASH=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r for r in d["rows"] if r["shipment"]=="S1"][0]["entry_hash"])' "$T/body" 2>/dev/null)
check "  … alerts carry ids" test -n "$ALERT"
check "POST /api/screen with an empty body → 400" test "$(code POST /api/screen --data-binary '')" = 400
check "GET /api/screen → 405" test "$(code GET /api/screen)" = 405
check "POST /api/screen?bogus=1 → 400" test "$(code POST '/api/screen?bogus=1' --data-binary @"$T/ship.csv")" = 400
check "GET /api/match?name=Rosneft 200" test "$(code GET '/api/match?name=Rosneft')" = 200
check "  … finds the OFAC entry" body_has 'ROSNEFT'
check "  … its scores without 17 digits" no_long_reals
if [ $have_store = 1 ]; then
  check "GET /api/view?name=dependency: shares without 17 digits" \
    eval 'test "$(code GET "/api/view?name=dependency&importer=USA&hs=antimony&period=2023")" = 200 && no_long_reals && body_has "0\.8843"'
fi

# ---- decisions ----
DEC="{\"id\":\"$ALERT\",\"decision\":\"cleared\",\"reason\":\"licence on file\",\"subject\":\"S1\",\"entry_hash\":\"$HASH\"}"
check "decision without token → 401" \
  test "$(code POST /api/decisions --data-binary "$DEC" -H 'Content-Type: application/json')" = 401
check "  … as a JSON error" is_json_error
check "decision with a wrong token → 401" \
  test "$(code POST /api/decisions --data-binary "$DEC" -H 'Authorization: Bearer 0000000000000000000000')" = 401
check "decision with token → 200" \
  test "$(code POST /api/decisions --data-binary "$DEC" -H "Authorization: Bearer $TOKEN")" = 200
check "decision with an unknown field → 400" \
  test "$(code POST /api/decisions --data-binary '{"id":"x","decision":"cleared","reason":"r","oops":1}' -H "Authorization: Bearer $TOKEN")" = 400
check "decision that is not JSON → 400" \
  test "$(code POST /api/decisions --data-binary '{"id":' -H "Authorization: Bearer $TOKEN")" = 400
check "GET /api/audit lists it" test "$(code GET /api/audit)" = 200
check "  … with the alert id" body_has "$ALERT"
check "  … and who decided" body_has '"by":"admin"'
check "GET /api/audit?format=csv" test "$(code GET '/api/audit?format=csv')" = 200
check "  … is CSV with a header" grep -q '^seq,at,by,action,item' "$T/body"
code POST /api/screen --data-binary @"$T/ship.csv" >/dev/null
check "screening again: the cleared alert stays cleared" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [r for r in d["rows"] if r["id"]==sys.argv[2]][0]["decision"]=="cleared" else 1)' "$T/body" "$ALERT"

# ---- restart keeps decisions ----
stop
if start; then
  ok "server restarts on the same db"
  check "restart: the token is not printed again" test "$(grep -c '^  ' "$T/serve.out")" = 0
  code GET /api/audit >/dev/null
  check "restart: the decision is still in the audit trail" body_has "$ALERT"
else
  bad "server restarts on the same db"
fi

# ---- SIGKILL right after an acknowledged decision ----
for i in 1 2 3; do
  c=$(code POST /api/decisions --data-binary "{\"id\":\"kill-$i\",\"decision\":\"escalated\",\"reason\":\"kill test $i\"}" -H "Authorization: Bearer $TOKEN")
  [ "$c" = 200 ] || bad "decision kill-$i acknowledged ($c)"
done
kill -KILL "$PID"
wait "$PID" 2>/dev/null
PID=
if start; then
  code GET /api/audit >/dev/null
  check "SIGKILL: every acknowledged decision survived" \
    python3 -c 'import sys; t=open(sys.argv[1]).read(); sys.exit(0 if all("kill-%d"%i in t for i in (1,2,3)) else 1)' "$T/body"
else
  bad "server restarts after SIGKILL"
fi

# ---- malformed requests, then it still serves ----
if command -v python3 >/dev/null 2>&1; then
  python3 - "$PORT" <<'EOF'
import socket, sys
port = int(sys.argv[1])
junk = [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/measures?%%%%%% HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /api/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\nabc",
        b"POST /api/screen HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x00\x01\x02\xff" * 100, b"GET /api/verbs HTTP/9.9\r\n\r\n",
        b"GET /api/verbs HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 100000 + b"\r\n\r\n"]
for j in junk:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(j)
        s.settimeout(2)
        try:
            s.recv(4096)
        except Exception:
            pass
        s.close()
    except Exception:
        pass
EOF
fi
check "after malformed requests: still serves" test "$(code GET /api/verbs)" = 200
check "body over --max-body → 413" \
  test "$(head -c 9000000 /dev/zero | tr '\0' 'a' | curl -s -m 30 -o "$T/body" -w '%{http_code}' -X POST --data-binary @- "$U/api/screen")" = 413
stop

# ---- rate limit ----
if start --rate 1 --burst 3; then
  codes=$(for i in 1 2 3 4 5 6; do code GET /api/verbs; echo; done | tr '\n' ' ')
  check "rate limit: a burst past the limit gets 429 ($codes)" grep -q 429 <<<"$codes"
  check "  … as a JSON error" is_json_error
  stop
fi
check "binds to loopback by default" grep -q '127.0.0.1:8080' <("$BIN" serve --help)

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
