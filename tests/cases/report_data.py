#!/usr/bin/env python3
"""report_data.py PAGE [GROUP VIEW PERIOD] — for tests/cases/report.t: read
the data inlined in a report page.  With GROUP VIEW PERIOD: for every
chapter whose id ends with GROUP, the sum of VIEW's rows of PERIOD, and
whether the section is synthetic and its sources.  Without: the chapters in
order, by part: runs of the main and the synthetic part ("main 13,
synthetic 9")."""
import json
import re
import sys

page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="ckp-data">(.*?)</script>', page, re.S)
doc = json.loads(m.group(1))
if len(sys.argv) == 5:
    group, view, period = sys.argv[2:5]
    for ch in doc["chapters"]:
        if not ch["id"].endswith(group):
            continue
        for sec in ch["sections"]:
            if sec["id"] != view:
                continue
            total = sum(r["value"] for r in sec["rows"] if r.get("period") == period)
            print("%s %s %s %.0f synthetic=%s sources=%s" % (
                ch["id"], view, period, total, str(sec["synthetic"]).lower(),
                ",".join(sec["sources"])))
else:
    runs = []
    for ch in doc["chapters"]:
        kind = ch["part"]
        if runs and runs[-1][0] == kind:
            runs[-1][1] += 1
        else:
            runs.append([kind, 1])
    print(", ".join("%s %d" % (k, n) for k, n in runs))
