#!/usr/bin/env bash
# evasion_eval.sh [SEEDS] [ROWS] — precision and recall of diversion, mirror
# and unitvalue against the ground truth of the synthetic scenarios, over
# SEEDS seeds (default 10) of a world of about ROWS rows (default 1,000,000).
#
# For each seed: chokepoint synth --scenario all --truth, ingest into a
# scratch store, run the three verbs as an analyst would, score them against
# the truth JSONL (docs/synth.md), and print one table (Markdown) at the end.
# Scoring rules (docs/evasion.md, "Evaluation"):
#   diversion  the true hubs of each scenario's diversion event must rank in
#              the top |hubs| (antimony, gallium) or top 5 (russia); a decoy
#              hub (decoys scenario) must never rank above a true hub.
#              precision = true hubs among the top k / k, recall = true hubs
#              found in the top k / true hubs, k = |hubs| (russia: 5).
#   mirror     a cell = exporter, importer, HS code, month.  Truth cells: the
#              injected one-sided series (phantom: importer records only a
#              share; misinvoicing: one side's value scaled or recoded).
#              Flagged = rows flagged phantom_export, phantom_import or gap
#              with gap_kind new (a break).  A persistent gap (gap_kind
#              persistent: beyond CIF/FOB in most of the pair's periods) is
#              no injected event: those cells are counted apart, not scored.
#   unitvalue  a cell = reporter, partner, flow, HS code, month (both sides of
#              a recoded shipment count).  Flagged = any flag but ok.
# Run from the project root after `make` (binary build/chokepoint, or $CKP).
set -euo pipefail
SEEDS=${1:-10}
ROWS=${2:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CKP:-$ROOT/build/chokepoint}
export CHOKEPOINT_DATA=${CHOKEPOINT_DATA:-$ROOT/data}
OUT=$ROOT/bench/out/evasion
mkdir -p "$OUT"
command -v python3 >/dev/null || { echo "evasion_eval: python3 is needed to score" >&2; exit 1; }

RU_HS=854231,854232,854239,851762,847150,854129,848210,847180,845710,845811,903020
MIS_HS=640299,940360,870323,300490,847130,854231,392690,610910,631090

for s in $(seq 1 "$SEEDS"); do
  d=$OUT/seed$s
  mkdir -p "$d"
  rm -rf "$d/store"
  "$BIN" synth --out "$d/world.csv" --truth "$d/truth.jsonl" --seed "$s" --rows "$ROWS" \
    --scenario all -q
  # streamed through stdin; the row count is checked against the file's
  "$BIN" ingest --store "$d/store" --source "synth-$s" --format flows -q - <"$d/world.csv"
  want=$(($(wc -l <"$d/world.csv") - 1))
  have=$("$BIN" info --store "$d/store" --format csv | awk -F, 'NR == 2 { print $1 }')
  [ "$want" = "$have" ] || { echo "evasion_eval: ingest kept $have of $want rows" >&2; exit 1; }
  "$BIN" diversion --store "$d/store" --issuer CHN --target USA --hs 282580 --date 2024-12-03 \
    --limit 0 --format json >"$d/div_antimony.jsonl"
  "$BIN" diversion --store "$d/store" --issuer CHN --target USA,JPN --hs 811292,811299,282560 \
    --date 2023-08-01 --limit 0 --format json >"$d/div_gallium.jsonl"
  "$BIN" diversion --store "$d/store" --measure EU-RUS-2022-02-25 --limit 0 --format json \
    >"$d/div_russia.jsonl"
  "$BIN" mirror --store "$d/store" --hs "$RU_HS" --from 2021-01 --format json \
    >"$d/mirror_russia.jsonl"
  "$BIN" mirror --store "$d/store" --hs "$MIS_HS" --from 2021-01 --format json \
    >"$d/mirror_mis.jsonl"
  "$BIN" unitvalue --store "$d/store" --hs "$MIS_HS" --format json >"$d/uv_mis.jsonl"
  rm -rf "$d/store" "$d/world.csv"
done

python3 - "$OUT" "$SEEDS" <<'PY'
import json, sys, os
out, seeds = sys.argv[1], int(sys.argv[2])

def load(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]

def months(a, b):
    y, m = int(a[:4]), int(a[5:7])
    res = []
    while f"{y:04d}-{m:02d}" <= b:
        res.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return res

acc = {}
def add(key, tp, fp, fn, extra=None):
    a = acc.setdefault(key, {"tp": 0, "fp": 0, "fn": 0, "ok": 0, "n": 0, "decoy": 0,
                             "persistent": 0, "persistent_inj": 0})
    a["tp"] += tp; a["fp"] += fp; a["fn"] += fn; a["n"] += 1
    if extra:
        for k, v in extra.items():
            a[k] += v

for s in range(1, seeds + 1):
    d = os.path.join(out, f"seed{s}")
    truth = load(os.path.join(d, "truth.jsonl"))
    ev = {e["id"]: e for e in truth}
    decoys = {e["target"]: e["hubs"] for e in truth if e["kind"] == "decoy" and e["hubs"]}
    # ---- diversion
    for scen, f, k in (("antimony-2024", "div_antimony.jsonl", None),
                       ("gallium-2023", "div_gallium.jsonl", None),
                       ("russia-roundabout", "div_russia.jsonl", 5)):
        true = set(ev[f"{scen}/diversion"]["hubs"])
        target = ev[f"{scen}/diversion"]["target"].split(",")[0]
        dec = set(decoys.get(target, []))
        rows = load(os.path.join(d, f))
        kk = k or len(true)
        top = [r["hub"] for r in rows[:kk]]
        tp = len(true & set(top)); fp = kk - tp
        # russia: the required hubs are ARM, KAZ, KGZ (all five are true)
        need = {"ARM", "KAZ", "KGZ"} if scen == "russia-roundabout" else true
        ok = int(need <= set(top))
        ranks = {r["hub"]: r["rank"] for r in rows}
        worst_true = max(ranks.get(h, 10**6) for h in true)
        best_decoy = min([ranks.get(h, 10**6) for h in dec] or [10**6])
        add(("diversion", scen), tp, fp, len(true) - tp,
            {"ok": ok, "decoy": int(best_decoy < worst_true)})
    # ---- mirror and unit values: truth cells
    phantom, mis_m, mis_uv = set(), set(), set()
    for e in truth:
        for se in e.get("series", []):
            eff = se.get("effect")
            if eff not in ("unrecorded", "value", "recode"):
                continue
            exp_side = se["flow"] == "X"
            ex, im = (se["reporter"], se["partner"]) if exp_side else (se["partner"], se["reporter"])
            codes = [se["hs"]] + ([se["true_hs"]] if eff == "recode" else [])
            for p in months(se["from"], se["to"]):
                for h in codes:
                    cell = (ex, im, h, p)
                    (phantom if eff == "unrecorded" else mis_m).add(cell)
                if eff == "recode":  # the declared record and the partner's true one
                    mis_uv.add((se["reporter"], se["partner"], se["flow"], se["hs"], p))
                    other = "M" if exp_side else "X"
                    mis_uv.add((se["partner"], se["reporter"], other, se["true_hs"], p))
                elif eff == "value":
                    mis_uv.add((se["reporter"], se["partner"], se["flow"], se["hs"], p))
    for scen, f, cells in (("russia-roundabout", "mirror_russia.jsonl", phantom),
                           ("misinvoicing", "mirror_mis.jsonl", mis_m)):
        rows = load(os.path.join(d, f))
        seen, flagged, persistent = set(), set(), set()
        for r in rows:
            ex, im = (r["reporter"], r["partner"]) if r["flow"] == "X" else (r["partner"], r["reporter"])
            cell = (ex, im, r["hs"], r["period"])
            seen.add(cell)
            if r["flag"] == "gap" and r.get("gap_kind", "new") == "persistent":
                persistent.add(cell)
            elif r["flag"] in ("phantom_export", "phantom_import", "gap"):
                flagged.add(cell)
        allinj = phantom | mis_m
        want = cells & seen
        tp = len(flagged & want)
        fp = len(flagged - allinj)
        add(("mirror", scen), tp, fp, len(want) - tp,
            {"persistent": len(persistent), "persistent_inj": len(persistent & allinj)})
    rows = load(os.path.join(d, "uv_mis.jsonl"))
    flagged = {(r["reporter"], r["partner"], r["flow"], r["hs"], r["period"]) for r in rows
               if r["flag"] not in ("ok", "few_flows", "no_qty")}
    codes = {c[3] for c in mis_uv}
    tp = len(flagged & mis_uv)
    add(("unitvalue", "misinvoicing"), tp, len(flagged - mis_uv), len(mis_uv) - tp)

print(f"| analysis | scenario | seeds | precision | recall | notes |")
print(f"|---|---|---|---|---|---|")
for (an, scen), a in acc.items():
    p = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else float("nan")
    r = a["tp"] / (a["tp"] + a["fn"]) if a["tp"] + a["fn"] else float("nan")
    note = ""
    if an == "diversion":
        need = "ARM, KAZ, KGZ in top 5" if scen == "russia-roundabout" else "all true hubs on top"
        note = f"{need}: {a['ok']}/{a['n']} seeds; decoy above a true hub: {a['decoy']}/{a['n']}"
    else:
        note = f"cells: {a['tp']} found, {a['fn']} missed, {a['fp']} false"
        if an == "mirror":
            note += (f"; persistent gaps (not scored): {a['persistent']} cells, "
                     f"{a['persistent_inj']} of them injected")
    print(f"| {an} | {scen} | {a['n']} | {p:.3f} | {r:.3f} | {note} |")
PY
