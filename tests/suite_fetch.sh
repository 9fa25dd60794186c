#!/usr/bin/env bash
# suite_fetch.sh — `chokepoint fetch comtrade` against a loopback replay of
# the UN Comtrade API (tests/fetch_replay.py, started here on a free
# 127.0.0.1 port) serving the shipped real Comtrade v1 records
# (data/flows/comtrade-annual) in the API's JSON shape, and every error:
# dry-run, a fetch equal to ingesting the same records from the files,
# provenance, resume from the cache (the server counts calls), an
# interrupted run resumed, 429 + Retry-After, 401, 403, 5xx, an empty,
# cut-off, short-read, malformed or miscounted answer, the record cap, a
# query with no record — each failure exits non-zero with a clear message
# and leaves the store unchanged.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BIN=${CKP_BIN:-$PWD/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$PWD/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/ckp-fetch.XXXXXX")
pass=0
fail=0
PID=
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "fetch: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
  fi
  rm -rf "$T"
}
trap cleanup EXIT
unset COMTRADE_KEY

if ! command -v python3 >/dev/null 2>&1; then
  bad "python3 is needed for the replay server (Debian package python3)"
  finish
fi

# ---- the replay server -------------------------------------------------
S=$T/server
mkdir -p "$S"
echo ok >"$S/mode"
python3 tests/fetch_replay.py --data data/flows/comtrade-annual --dir "$S" --key test-key \
  2>"$T/server.err" &
PID=$!
for _ in $(seq 1 100); do
  [ -s "$S/port" ] && break
  sleep 0.1
done
if [ ! -s "$S/port" ]; then
  bad "the replay server did not start: $(head -n 3 "$T/server.err")"
  finish
fi
BASE=http://127.0.0.1:$(cat "$S/port")
calls() { [ -f "$S/calls" ] && wc -l <"$S/calls" || echo 0; }
mode() { echo "$1" >"$S/mode"; }

CODES=250410,253090,280530,282200,282520,283691,2846,380110,7402,7403,7501,7502,8105
YEARS=2020,2021,2022,2023,2024
run() { # run NAME STORE CACHE [fetch options…]: fetch comtrade, output in $T/NAME.{out,err,rc}
  local name=$1 store=$2 cache=$3
  shift 3
  "$BIN" fetch comtrade --base-url "$BASE" --store "$store" --cache "$cache" "$@" \
    >"$T/$name.out" 2>"$T/$name.err"
  echo $? >"$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }
has() { grep -Eq -- "$2" "$T/$1.err"; }
gen() { "$BIN" info --store "$1" --format csv 2>/dev/null | tail -n 1 | cut -d, -f10; }
sanitizer_clean() { ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$T/$1.err"; }

# ---- 1. dry run: the planned calls, no call made, the key never printed --
n0=$(calls)
COMTRADE_KEY=s3cret-key run dry "$T/st-dry" "$T/cache-dry" --reporter CHN --partner USA \
  --hs 250410,380110 --period 2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024 \
  --flow X --dry-run
if [ "$(rc dry)" = 0 ] && [ "$(wc -l <"$T/dry.out")" = 2 ] &&
  grep -qx "GET $BASE/data/v1/get/C/A/HS?reporterCode=156&partnerCode=842&cmdCode=250410,380110&flowCode=X&period=2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023&maxRecords=100000" "$T/dry.out" &&
  grep -qx "GET $BASE/data/v1/get/C/A/HS?reporterCode=156&partnerCode=842&cmdCode=250410,380110&flowCode=X&period=2024&maxRecords=100000" "$T/dry.out" &&
  has dry "2 calls planned" && [ "$(calls)" = "$n0" ] && [ ! -e "$T/st-dry" ]; then
  ok "dry run: 13 years planned as 2 calls of at most 12 periods, exit 0, nothing called or stored"
else
  bad "dry run: exit $(rc dry); stdout:"
  sed 's/^/  | /' "$T/dry.out" "$T/dry.err"
fi
if [ "$(rc dry)" != 0 ] || grep -q s3cret "$T/dry.out" "$T/dry.err"; then
  bad "dry run prints the key (or failed: exit $(rc dry))"
else
  ok "dry run: the key is in neither the URLs nor the messages (key from \$COMTRADE_KEY said)"
fi
run drym "$T/st-dry" "$T/cache-dry" --reporter CHN --partner all --hs antimony --period 2024 \
  --freq M --flow X --dry-run
if [ "$(rc drym)" = 0 ] && grep -q "/C/M/HS?reporterCode=156&cmdCode=261710,811010,811020,811090,282580&flowCode=X&period=202401,202402,202403,202404,202405,202406,202407,202408,202409,202410,202411,202412&" "$T/drym.out"; then
  ok "dry run, monthly: a year is its 12 months, a named group its HS codes, partner all left out"
else
  bad "dry run, monthly: exit $(rc drym): $(cat "$T/drym.out" "$T/drym.err")"
fi

# ---- 2. a fetch equals ingesting the same real records from the files ----
"$BIN" ingest --store "$T/st-file" --source comtrade-annual data/flows/comtrade-annual/*.csv \
  2>"$T/file.err"
n0=$(calls)
run full "$T/st" "$T/cache" --key test-key --reporter all --partner all --hs "$CODES" \
  --period "$YEARS"
if [ "$(rc full)" = 0 ] && [ "$(($(calls) - n0))" = 1 ] &&
  has full "600 records; source comtrade-api: 547 rows kept, 53 rejected" &&
  has full "kept 241 aggregate rows at their level" && has full "rejected 53 breakdown-row" &&
  grep -q "600 rows read, 547 kept, 53 rejected" "$T/file.err"; then
  ok "fetch of every shipped record: 1 call, 600 records, 547 kept (241 of them heading rows), 53 rejected by reason — as ingest of the files"
else
  bad "full fetch: exit $(rc full), $(($(calls) - n0)) calls: $(cat "$T/full.err")"
fi
# the same figures, row for row, through an analysis verb (sources column aside)
a=$("$BIN" surge --store "$T/st" --source comtrade-api --reporter CHN --partner USA --hs 250410 \
  --format csv 2>&1 | cut -d, -f1-17)
b=$("$BIN" surge --store "$T/st-file" --source comtrade-annual --reporter CHN --partner USA \
  --hs 250410 --format csv 2>&1 | cut -d, -f1-17)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$a" | wc -l)" = 6 ] &&
  echo "$a" | grep -q '^CHN,USA,250410,2022,85853299,'; then
  ok "surge CHN->USA 250410 on the fetched store = on the file store (5 years, 2022: 85853299 USD)"
else
  bad "surge differs between fetched and file stores:"
  diff <(echo "$a") <(echo "$b") | head -n 10 | sed 's/^/  | /'
fi
prov=$("$BIN" info --store "$T/st" --format json)
if echo "$prov" | grep -q '"source_names":"comtrade-api"' &&
  echo "$prov" | grep -Eq '"source_provenance":"comtrade-api: UN Comtrade API v1 get C/A/HS reporterCode=all partnerCode=all cmdCode=250410,[0-9,]+ flowCode=X,M period=2020,2021,2022,2023,2024 \(http://127.0.0.1:[0-9]+/data/v1/get; 1 call, 600 records\); fetched 20[0-9-]+T[0-9:]+Z by chokepoint fetch comtrade"'; then
  ok "info: the source records its provenance (API, query, calls, records, time of fetch)"
else
  bad "info provenance: $prov"
fi

# ---- 3. a re-run is answered from the cache: no call -------------------
n0=$(calls)
g0=$(gen "$T/st")
run again "$T/st" "$T/cache" --reporter all --partner all --hs "$CODES" --period "$YEARS"
if [ "$(rc again)" = 0 ] && [ "$(calls)" = "$n0" ] && has again "1 from the cache, 0 over the network" &&
  has again "547 rows kept"; then
  ok "re-run: every answer from the cache, no call made, no key needed"
else
  bad "re-run: exit $(rc again), $(($(calls) - n0)) calls: $(cat "$T/again.err")"
fi
n0=$(calls)
run refresh "$T/st" "$T/cache" --key test-key --reporter all --partner all --hs "$CODES" --period "$YEARS" --refresh
if [ "$(rc refresh)" = 0 ] && [ "$(($(calls) - n0))" = 1 ] && has refresh "0 from the cache, 1 over the network"; then
  ok "--refresh: the cached answer is asked for again (the API revises its data)"
else
  bad "--refresh: exit $(rc refresh), $(($(calls) - n0)) calls: $(cat "$T/refresh.err")"
fi
run drycached "$T/st" "$T/cache" --reporter all --partner all --hs "$CODES" --period "$YEARS" -n
if grep -q "(cached, fetched 20" "$T/drycached.out"; then
  ok "dry run marks the calls answered from the cache"
else
  bad "dry run, cached: $(cat "$T/drycached.out")"
fi

# ---- 4. an interrupted run goes on from where it stopped ----------------
# graphite, 13 years → 2 calls; the second fails with a 500
mode ok-then-500
: >"$S/calls"
run int1 "$T/st2" "$T/cache2" --key test-key --reporter CHN --partner USA --hs 250410,380110 \
  --period 2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024
if [ "$(rc int1)" = 1 ] && has int1 "call 2 of 2: HTTP 500" && has int1 "the store is unchanged" &&
  [ ! -e "$T/st2/CURRENT" ] && [ "$(calls)" = 2 ] && sanitizer_clean int1; then
  ok "interrupted run (call 2 of 2 answered 500): exit 1, the message names the call, nothing stored"
else
  bad "interrupted run: exit $(rc int1), $(calls) calls: $(cat "$T/int1.err")"
fi
mode ok
: >"$S/calls"
# a partial download left by a killed run (its process gone) is cleaned up
# when its call is made again: the cache is named by the URL's SHA-256
dead=$(sh -c 'echo $$')
url=$("$BIN" fetch comtrade --base-url "$BASE" --cache "$T/cache2" --reporter CHN --partner USA \
  --hs 250410,380110 --period 2024 -n --quiet | sed 's/^GET //')
part=$T/cache2/$(printf '%s' "$url" | sha256sum | cut -c1-64).json.part.$dead
echo '{"count": 1, "data": [' >"$part"
run int2 "$T/st2" "$T/cache2" --key test-key --reporter CHN --partner USA --hs 250410,380110 \
  --period 2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024
if [ "$(rc int2)" = 0 ] && [ "$(calls)" = 1 ] && grep -q "period=2024&" "$S/calls" &&
  has int2 "1 from the cache, 1 over the network" && [ ! -e "$part" ]; then
  ok "resumed run: only the call that failed is made again (1 call), the other from the cache; a killed run's partial download removed"
else
  bad "resumed run: exit $(rc int2), calls: $(cat "$S/calls"): $(cat "$T/int2.err")"
fi

# provenance: a second query into the source adds its entry; the same
# query fetched again replaces its own (no duplicate)
run other "$T/st2" "$T/cache2" --key test-key --reporter USA --partner CHN --hs 250410 --period 2023
run other2 "$T/st2" "$T/cache2" --key test-key --reporter USA --partner CHN --hs 250410 --period 2023
p2=$("$BIN" info --store "$T/st2" --format csv | tail -n 1)
if [ "$(rc other)" = 0 ] && [ "$(rc other2)" = 0 ] &&
  echo "$p2" | grep -q 'comtrade-api: UN Comtrade API v1 get C/A/HS reporterCode=156 partnerCode=842 cmdCode=250410,380110 .*; 2 calls, 20 records); fetched [^|]* | UN Comtrade API v1 get C/A/HS reporterCode=842 partnerCode=156 cmdCode=250410 flowCode=X,M period=2023 (' &&
  [ "$(echo "$p2" | grep -o 'UN Comtrade API' | wc -l)" = 2 ]; then
  ok "provenance: a second query's fetch is added to the source's, a repeated one replaces its own"
else
  bad "provenance of two fetches: $p2"
fi

# ---- 5. 429 with Retry-After: waited out -------------------------------
mode 429:2
: >"$S/calls"
start=$(date +%s)
run r429 "$T/st3" "$T/cache3" --key test-key --reporter CHN --partner USA --hs 250410 --period 2023
took=$(($(date +%s) - start))
if [ "$(rc r429)" = 0 ] && [ "$(calls)" = 3 ] && has r429 "2 retried after 429/503" &&
  [ "$took" -ge 2 ]; then
  ok "429 twice with Retry-After: 1: waited ${took}s, third try answered, rows stored"
else
  bad "429: exit $(rc r429), $(calls) calls, ${took}s: $(cat "$T/r429.err")"
fi
mode 429long
run r429l "$T/st4" "$T/cache4" --key test-key --reporter CHN --partner USA --hs 250410 --period 2023
if [ "$(rc r429l)" = 1 ] && has r429l "asks to wait 100000 s \(Retry-After\)" && [ ! -e "$T/st4/CURRENT" ]; then
  ok "429 with a Retry-After past 300 s: exit 1 at once, saying so"
else
  bad "429 long: exit $(rc r429l): $(cat "$T/r429l.err")"
fi

# ---- 6. errors: clear message, exit 1, the store unchanged -------------
g0=$(gen "$T/st")
expect_fail() { # expect_fail NAME MODE REGEX [options]: fetch 2023 CHN->USA into $T/st
  local name=$1 m=$2 re=$3
  shift 3
  mode "$m"
  run "$name" "$T/st" "$T/cache-$name" --reporter CHN --partner USA --hs 250410 --period 2023 "$@"
  if [ "$(rc "$name")" = 1 ] && has "$name" "$re" && [ "$(gen "$T/st")" = "$g0" ] &&
    sanitizer_clean "$name"; then
    ok "$name: exit 1, '$re', store unchanged (generation $g0)"
  else
    bad "$name: exit $(rc "$name"), generation $(gen "$T/st") (was $g0): $(cat "$T/$name.err")"
  fi
}
expect_fail bad-key ok "HTTP 401: the API refused the subscription key" --key wrong-key
if [ "$(rc bad-key)" != 1 ] || grep -q wrong-key "$T/bad-key.err"; then
  bad "401 message prints the key (or no 401: exit $(rc bad-key))"
else
  ok "401 message does not print the key"
fi
expect_fail forbidden 403 "HTTP 403: access denied" --key test-key
expect_fail server-500 500 "HTTP 500: the API failed \(server error\)" --key test-key
expect_fail server-502 502 "HTTP 502" --key test-key
expect_fail empty empty "HTTP 200 with an empty body" --key test-key
expect_fail html html "not a JSON object" --key test-key
expect_fail truncated truncated "breaks off after [0-9]+ bytes" --key test-key
expect_fail shortread shortread "call 1 of 1: .*(Transferred a partial file|partial)" --key test-key
expect_fail count count "\"count\" says 3 records, the data array holds 2" --key test-key
expect_fail malformed malformed "1 of its 2 records is not valid JSON" --key test-key
expect_fail badjson badjson "expected" --key test-key
mode ok
left=
for c in truncated shortread empty count malformed badjson; do
  # the cache directory exists (the fetch ran) and holds no answer
  if [ ! -d "$T/cache-$c" ] || ls "$T/cache-$c"/*.json* >/dev/null 2>&1; then
    left="$left $c"
  fi
done
if [ -z "$left" ]; then
  ok "no bad answer is left in the cache (truncated, short read, empty, count, malformed, bad JSON)"
else
  bad "a bad answer was left in the cache (or no fetch ran):$left"
fi
: >"$S/calls"
run count-again "$T/st" "$T/cache-count" --key test-key --reporter CHN --partner USA --hs 250410 --period 2023
if [ "$(rc count-again)" = 0 ] && [ "$(calls)" = 1 ]; then
  ok "after a miscounted answer, a re-run asks for it again and stores it"
else
  bad "re-run after count: exit $(rc count-again), $(calls) calls: $(cat "$T/count-again.err")"
fi
g0=$(gen "$T/st")

# all or nothing: call 1 fine, call 2 miscounted → nothing of call 1 stored
mode ok-then-count
: >"$S/calls"
run half "$T/st" "$T/cache-half" --key test-key --reporter CHN --partner USA --hs 380110 --source half \
  --period 2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2024
mode ok
if [ "$(rc half)" = 1 ] && has half "count" && [ "$(gen "$T/st")" = "$g0" ] &&
  ! "$BIN" info --store "$T/st" --format csv | grep -q half; then
  ok "all or nothing: call 1 answered, call 2 miscounted: exit 1, no row of call 1 stored"
else
  bad "all or nothing: exit $(rc half): $(cat "$T/half.err")"
fi

# the record cap: an answer with maxRecords records may be cut, so it is
# split in two and asked again until every answer is below the cap; the
# rows are those of the same query without the cap
run nocap "$T/st-nocap" "$T/cache-nocap" --key test-key --reporter CHN --partner USA --hs 250410,380110 \
  --period "$YEARS"
: >"$S/calls"
run cap "$T/st-cap" "$T/cache-cap" --key test-key --reporter CHN --partner USA --hs 250410,380110 \
  --period "$YEARS" --max-records 5
ca=$("$BIN" surge --store "$T/st-cap" --reporter CHN --partner USA --hs 380110 --format csv 2>&1)
cb=$("$BIN" surge --store "$T/st-nocap" --reporter CHN --partner USA --hs 380110 --format csv 2>&1)
if [ "$(rc cap)" = 0 ] && has cap "20 records; source comtrade-api: 20 rows kept" &&
  has nocap "20 rows kept" && has cap "[1-9][0-9]* split at the record cap" &&
  [ "$(calls)" -gt 1 ] && ! grep -v "maxRecords=5" "$S/calls" | grep -q . &&
  [ -n "$ca" ] && [ "$ca" = "$cb" ]; then
  ok "answers at the record cap (--max-records 5) split and asked again: $(calls) calls, the same 20 rows as without the cap"
else
  bad "record cap: exit $(rc cap), $(calls) calls: $(cat "$T/cap.err")"
fi
# one period, one code, every reporter and partner: cannot be split
run capx "$T/st" "$T/cache-capx" --key test-key --reporter all --partner all --hs 250410 \
  --period 2023 --max-records 2
if [ "$(rc capx)" = 1 ] && has capx "came back with 2 records, the API's cap per call .* cannot be split" &&
  [ "$(gen "$T/st")" = "$g0" ]; then
  ok "an answer at the cap that cannot be split (one period, one code, every reporter): exit 1, store unchanged"
else
  bad "record cap, unsplittable: exit $(rc capx): $(cat "$T/capx.err")"
fi

# a query the API holds nothing for
run none "$T/st" "$T/cache-none" --key test-key --reporter CHN --partner USA --hs 010121 --period 2023
if [ "$(rc none)" = 1 ] && has none "holds no record for this query" && [ "$(gen "$T/st")" = "$g0" ]; then
  ok "no record for the query: exit 1, nothing stored"
else
  bad "no record: exit $(rc none): $(cat "$T/none.err")"
fi

# no key and not cached: a usage error before any call
: >"$S/calls"
run nokey "$T/st" "$T/cache-nokey" --reporter CHN --partner USA --hs 250410 --period 2021
if [ "$(rc nokey)" = 2 ] && has nokey "no subscription key" && [ "$(calls)" = 0 ]; then
  ok "no key and no cached answer: exit 2, no call made"
else
  bad "no key: exit $(rc nokey), $(calls) calls: $(cat "$T/nokey.err")"
fi

# usage errors
for args in "--reporter XXX --partner all --hs 2504 --period 2023" \
  "--reporter CHN --partner all --hs 25041 --period 2023" \
  "--reporter CHN --partner all --hs 2504 --period 2023-05" \
  "--reporter CHN --partner all --hs 2504 --period 2023 --flow Q" \
  "--reporter CHN --partner all --hs 2504 --period 2023 --source synth-x"; do
  # shellcheck disable=SC2086
  "$BIN" fetch comtrade --base-url "$BASE" --cache "$T/c-usage" --store "$T/st" $args -n \
    >/dev/null 2>"$T/usage.err"
  r=$?
  if [ $r = 2 ] && grep -q "^chokepoint: fetch: " "$T/usage.err"; then
    ok "usage error (exit 2): $args — $(head -c 90 "$T/usage.err")"
  else
    bad "usage: $args: exit $r: $(cat "$T/usage.err")"
  fi
done

finish
