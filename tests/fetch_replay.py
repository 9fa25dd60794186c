#!/usr/bin/env python3
"""fetch_replay.py — a loopback stand-in for the UN Comtrade API v1 `get`
endpoint, for tests/suite_fetch.sh.

    fetch_replay.py --data DIR --dir STATE_DIR [--key KEY]

Serves GET /data/v1/get/C/{A|M}/HS?reporterCode=&partnerCode=&cmdCode=&
flowCode=&period=&maxRecords= from the real Comtrade v1 records in DIR/*.csv
(data/flows/comtrade-annual: API responses saved as CSV), filtered the way
the API filters (a parameter left out = every value; comma lists; exact
codes), in the API's JSON shape {"elapsedTime", "count", "data", "error"}
with the API's types (codes and values as numbers, cmdCode and flowCode as
strings), at most maxRecords records.  The key must be in the header
Ocp-Apim-Subscription-Key (else 401, as the API's gateway answers).

Binds 127.0.0.1 on a free port and writes it to STATE_DIR/port.  Each request
is logged to STATE_DIR/calls (one line: the path and query).  What it answers
is read from STATE_DIR/mode at each request, so a test can switch it:
  ok            the records
  429:N         the first N requests answer 429 with Retry-After: 1, then ok
  429long       429 with Retry-After: 100000
  403 | 500 | 502 | 503   that status with a JSON error body
  empty         200 with an empty body
  truncated     200, the JSON cut in the middle (Content-Length of the cut body)
  shortread     200, Content-Length of the whole body, half of it sent, closed
  count         200, valid JSON whose "count" is one more than its records
  malformed     200, a record that is not JSON
  badjson       200, the envelope is not JSON (a comma missing after the data)
  html          200, an HTML error page
  ok-then-500   the first request ok, the others 500
  ok-then-count the first request ok, the others as `count`
(the first requests = counted from the last time the test emptied
STATE_DIR/calls)
"""
import argparse
import csv
import glob
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

INT_FIELDS = {
    "refPeriodId", "refYear", "refMonth", "reporterCode", "partnerCode", "partner2Code",
    "aggrLevel", "motCode", "qtyUnitCode", "altQtyUnitCode", "legacyEstimationFlag",
}
NUM_FIELDS = {"qty", "altQty", "netWgt", "grossWgt", "cifvalue", "fobvalue", "primaryValue"}
BOOL_FIELDS = {
    "isOriginalClassification", "isLeaf", "isQtyEstimated", "isAltQtyEstimated",
    "isNetWgtEstimated", "isGrossWgtEstimated", "isReported", "isAggregate",
}
# the columns the collector added to the API's own (not in an API answer)
EXTRA = {"commodity_name", "hs_code", "query_year"}


def typed(k, v):
    if v == "":
        return None
    if k in INT_FIELDS:
        return int(float(v))
    if k in NUM_FIELDS:
        f = float(v)
        return int(f) if f.is_integer() else f
    if k in BOOL_FIELDS:
        return v.strip().lower() in ("true", "1")
    return v


def load(data_dir):
    rows = []
    seen = set()
    for path in sorted(glob.glob(os.path.join(data_dir, "*.csv"))):
        with open(path, newline="", encoding="utf-8-sig") as f:
            for r in csv.DictReader(f):
                rec = {k: typed(k, v) for k, v in r.items() if k not in EXTRA}
                key = json.dumps(rec, sort_keys=True)
                if key in seen:  # the same record in two files: the API has it once
                    continue
                seen.add(key)
                rows.append(rec)
    return rows


def matches(rec, freq, q):
    if rec.get("freqCode") != freq:
        return False
    for param, field in (("reporterCode", "reporterCode"), ("partnerCode", "partnerCode")):
        if param in q:
            if rec.get(field) not in {int(x) for x in q[param].split(",")}:
                return False
    for param, field in (("cmdCode", "cmdCode"), ("flowCode", "flowCode"), ("period", "period")):
        if param in q and str(rec.get(field)) not in set(q[param].split(",")):
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--key", default="test-key")
    a = ap.parse_args()
    rows = load(a.data)
    state = a.dir

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, ctype="application/json", headers=(), length=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def do_GET(self):
            u = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
            # n: this request's number since the test last emptied the log
            with open(os.path.join(state, "calls"), "a") as f:
                f.write(self.path + "\n")
            with open(os.path.join(state, "calls")) as f:
                n = sum(1 for _ in f)
            try:
                with open(os.path.join(state, "mode")) as f:
                    mode = f.read().strip() or "ok"
            except OSError:
                mode = "ok"
            if self.headers.get("Ocp-Apim-Subscription-Key") != a.key:
                self.send(401, json.dumps({
                    "statusCode": 401,
                    "message": "Access denied due to invalid subscription key. Make sure to "
                               "provide a valid key for an active subscription."}).encode())
                return
            parts = u.path.strip("/").split("/")
            if len(parts) != 6 or parts[:4] != ["data", "v1", "get", "C"] or \
                    parts[4] not in ("A", "M") or parts[5] != "HS":
                self.send(404, b'{"statusCode": 404, "message": "Resource not found"}')
                return
            if mode.startswith("ok-then-"):
                mode = "ok" if n == 1 else mode[len("ok-then-"):]
            if mode.startswith("429:"):
                mode = "429" if n <= int(mode[4:]) else "ok"
            if mode == "429":
                self.send(429, b'{"statusCode": 429, "message": "Rate limit is exceeded. '
                               b'Try again in 1 seconds."}', headers=[("Retry-After", "1")])
                return
            if mode == "429long":
                self.send(429, b'{"statusCode": 429, "message": "Out of call volume quota."}',
                          headers=[("Retry-After", "100000")])
                return
            if mode in ("403", "500", "502", "503"):
                self.send(int(mode), json.dumps({"statusCode": int(mode),
                                                 "message": "replay: " + mode}).encode())
                return
            if mode == "empty":
                self.send(200, b"")
                return
            if mode == "html":
                self.send(200, b"<html><body>Service temporarily unavailable</body></html>",
                          ctype="text/html")
                return
            cap = int(q.get("maxRecords", "500"))
            data = [r for r in rows if matches(r, parts[4], q)][:cap]
            count = len(data) + (1 if mode == "count" else 0)
            doc = {"elapsedTime": "0.01 secs", "count": count, "data": data, "error": ""}
            body = json.dumps(doc).encode()
            if mode == "malformed":  # one record is not JSON
                body = body.replace(b'"data": [{', b'"data": [{"period": 2020 2021, ', 1)
            if mode == "badjson":  # the envelope is not JSON
                body = body.replace(b'], "error"', b'] "error"', 1)
            if mode == "truncated":
                self.send(200, body[: len(body) // 2])
                return
            if mode == "shortread":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            with open(os.path.join(state, "records"), "a") as f:
                f.write("%d\n" % len(data))
            self.send(200, body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    tmp = os.path.join(state, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(state, "port"))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
