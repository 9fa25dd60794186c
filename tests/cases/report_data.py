#!/usr/bin/env python3
"""report_data.py PAGE [GROUP VIEW PERIOD | --same] — for tests/cases/report.t:
read the data inlined in a report page.  With GROUP VIEW PERIOD: for every
chapter whose id ends with GROUP, the sum of VIEW's rows of PERIOD, and
whether the section is synthetic and its sources.  With --same: every
chapter that says it is held as the same codes as others, with those
others, the codes its intro names, and the first words of the caveat its
exports caption carries.  Without: the chapters in order, by part: runs of
the main and the synthetic part ("main 13, synthetic 9")."""
import json
import re
import sys

page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="ckp-data">(.*?)</script>', page, re.S)
doc = json.loads(m.group(1))
if len(sys.argv) == 3 and sys.argv[2] == "--same":
    for ch in doc["chapters"]:
        same = ch.get("same_codes") or []
        if not same:
            continue
        codes = re.search(r"only as HS ([0-9]+(?:,[0-9]+)*)", ch["intro"])
        cav = [re.search(r"Caveat: ([0-9]+ [a-z]+ [a-z]+ [a-z]+)", s["caption"])
               for s in ch["sections"] if s["id"] == "exports"]
        print("%s = %s: HS %s; caveat: %s" % (
            ch["id"], ",".join(same), codes.group(1) if codes else "?",
            cav[0].group(1) if cav and cav[0] else "none"))
elif len(sys.argv) == 5:
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
