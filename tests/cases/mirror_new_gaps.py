# mirror_new_gaps.py TRUTH.jsonl < mirror.jsonl — the synthetic world's injected
# value misinvoicing (docs/synth.md, effect "value") against mirror's rows
# (evasion.t): how many injected months with both reports are flagged
# gap_kind "new", how many are missed, and how many of the same pairs' other
# months are flagged "new".
import json, sys
# injected value misinvoicing (docs/synth.md): each month of each series is a
# cell; the mirror rows of those pairs: injected cells must be gap/new, the
# pairs' other months not
cells, pairs = set(), set()
for l in open(sys.argv[1]):
    e = json.loads(l)
    for se in e.get("series", []):
        if se.get("effect") != "value":
            continue
        ex, im = (se["reporter"], se["partner"]) if se["flow"] == "X" else (se["partner"], se["reporter"])
        y, m = int(se["from"][:4]), int(se["from"][5:7])
        while f"{y:04d}-{m:02d}" <= se["to"]:
            cells.add((ex, im, se["hs"], f"{y:04d}-{m:02d}"))
            m += 1
            if m > 12:
                y, m = y + 1, 1
        pairs.add((ex, im, se["hs"]))
tp = fn = fp = both = 0
for l in sys.stdin:
    r = json.loads(l)
    ex, im = (r["reporter"], r["partner"]) if r["flow"] == "X" else (r["partner"], r["reporter"])
    if (ex, im, r["hs"]) not in pairs or r["flag"] not in ("ok", "gap"):
        continue
    new = r["flag"] == "gap" and r["gap_kind"] == "new"
    if (ex, im, r["hs"], r["period"]) in cells:
        both += 1
        tp += new
        fn += not new
    else:
        fp += new
print(f"{len(pairs)} pairs, {both} injected months with both reports: {tp} new, {fn} missed; {fp} new outside")
