#!/usr/bin/env python3
"""Score tests/data/match_eval.csv with `chokepoint match --pairs` and report
precision, recall and F1.

usage: eval_match.py CHOKEPOINT_BIN [EVAL_CSV] [--threshold T] [--sweep] [--min-f1 F]
                     [--algorithm default|ofac]

EVAL_CSV may carry a "split" column (tests/data/match_eval2.csv: tune /
holdout); each split is then reported apart.

The headline set leaves out alias_disjoint and han_en (no string matcher can
match those; they are reported apart).  With --min-f1 the exit status is 1 when
the headline F1 at the threshold is below F (used by tests/cases/match.t)."""
import csv
import io
import subprocess
import sys

args = [a for a in sys.argv[1:]]
binp = args.pop(0)
path = 'tests/data/match_eval.csv'
thr, sweep, min_f1, algo = 0.80, False, None, 'default'
while args:
    a = args.pop(0)
    if a == '--threshold':
        thr = float(args.pop(0))
    elif a == '--sweep':
        sweep = True
    elif a == '--algorithm':
        algo = args.pop(0)
    elif a == '--min-f1':
        min_f1 = float(args.pop(0))
    else:
        path = a

out = subprocess.run([binp, 'match', '--pairs', path, '--format', 'csv', '--algorithm', algo], check=True,
                     capture_output=True).stdout.decode()
rows = list(csv.DictReader(io.StringIO(out)))
APART = {'alias_disjoint', 'han_en'}


def prf(rs, t):
    tp = sum(1 for r in rs if r['label'] == '1' and float(r['score']) >= t)
    fp = sum(1 for r in rs if r['label'] == '0' and float(r['score']) >= t)
    fn = sum(1 for r in rs if r['label'] == '1' and float(r['score']) < t)
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * rc / (p + rc) if p + rc else 0.0
    return p, rc, f, tp, fp, fn


head = [r for r in rows if r['category'] not in APART]
if sweep:
    print('threshold precision recall f1')
    for t in [x / 100 for x in range(50, 100, 2)]:
        p, rc, f, *_ = prf(head, t)
        print(f'{t:.2f} {p:.3f} {rc:.3f} {f:.3f}')
p, rc, f, tp, fp, fn = prf(head, thr)
print(f'headline (pairs={len(head)}) at threshold {thr:.2f}: precision {p:.3f} recall {rc:.3f} '
      f'F1 {f:.3f} (tp {tp}, fp {fp}, fn {fn})')
# a set with a "split" column (tests/data/match_eval2.csv): each part apart;
# "holdout" rows were never looked at while tuning the matcher
for part in sorted(set(r.get('split') or '' for r in head) - {''}):
    ps = [r for r in head if r['split'] == part]
    pp, prc, pf, ptp, pfp, pfn = prf(ps, thr)
    print(f'  split {part:8s} (pairs={len(ps)}): precision {pp:.3f} recall {prc:.3f} F1 {pf:.3f} '
          f'(tp {ptp}, fp {pfp}, fn {pfn})')
cats = sorted(set(r['category'] for r in rows))
for c in cats:
    rs = [r for r in rows if r['category'] == c]
    pos = rs[0]['label'] == '1'
    hit = sum(1 for r in rs if float(r['score']) >= thr)
    what = 'recall' if pos else 'false-positive rate'
    print(f'  {c:15s} {len(rs):4d} pairs  {what} {hit / len(rs):.3f}'
          f'{"  (reported apart)" if c in APART else ""}')
if min_f1 is not None and f < min_f1:
    print(f'F1 {f:.3f} below {min_f1}', file=sys.stderr)
    sys.exit(1)
