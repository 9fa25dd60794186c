#!/usr/bin/env python3
"""strip_coverage.py FORMAT FILE… — for merge_shards.sh: drop the coverage
and coverage_note columns (CSV) or fields (JSON Lines) of each file, in
place; the columns after them (caveat) are kept and compared.  A merged answer has no store to compute coverage from (its note says
so), so whole-store and merged outputs are compared without them."""
import csv
import io
import json
import sys

fmt, files = sys.argv[1], sys.argv[2:]
for path in files:
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    out = io.StringIO()
    if fmt == "json":
        for line in text.splitlines():
            # keep the numbers' text exactly: drop the two fields by position
            row = json.loads(line)
            if "coverage" not in row:
                out.write(line + "\n")
                continue
            cut = line.rfind(',"coverage":')
            if cut < 0 or not line.rstrip().endswith("}"):
                sys.exit(f"{path}: no coverage field pair")
            # the fields after the pair (caveat) are kept and compared
            tail = line.find(',"caveat":', cut)
            out.write(line[:cut] + (line[tail:] if tail >= 0 else "}") + "\n")
    else:
        rows = list(csv.reader(io.StringIO(text)))
        if rows and "coverage" in rows[0] and "coverage_note" in rows[0]:
            drop = {rows[0].index("coverage"), rows[0].index("coverage_note")}
            rows = [[c for i, c in enumerate(r) if i not in drop] for r in rows]
        w = csv.writer(out, lineterminator="\n")
        w.writerows(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(out.getvalue())
