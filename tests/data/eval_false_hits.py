#!/usr/bin/env python3
"""False-alert rate of `chokepoint match` on names that are on no list.

usage: eval_false_hits.py CHOKEPOINT_BIN [NAMES_CSV] [--threshold T] [--max-rate R]
                          [--algorithm default|ofac]

NAMES_CSV (default tests/data/names_ordinary.csv, written by
bench/match_eval_gen.mjs) has columns name,kind,locale: ordinary company and
person names in 16 locales.  Every name with a hit at the threshold is a false
alert; the rate is reported per kind and per locale, with the first few
alerts.  With --max-rate the exit status is 1 when a kind's rate is above R."""
import csv
import json
import subprocess
import sys

args = sys.argv[1:]
binp = args.pop(0)
path, thr, max_rate, algo = 'tests/data/names_ordinary.csv', 0.80, None, 'default'
while args:
    a = args.pop(0)
    if a == '--threshold':
        thr = float(args.pop(0))
    elif a == '--algorithm':
        algo = args.pop(0)
    elif a == '--max-rate':
        max_rate = float(args.pop(0))
    else:
        path = a
rows = list(csv.DictReader(open(path, encoding='utf-8')))
out = subprocess.run([binp, 'match', '--batch', path, '--format', 'json', '--limit', '1',
                      '--threshold', str(thr), '--algorithm', algo], check=True, capture_output=True).stdout.decode()
res = [json.loads(l) for l in out.splitlines() if l.strip()]
if len(res) != len(rows):
    sys.exit(f'eval_false_hits: {len(rows)} names but {len(res)} answers')
by = {}
examples = []
for r, a in zip(rows, res):
    hit = bool(a['hits'])
    for key in (r['kind'], r['kind'] + ':' + r['locale']):
        n, h = by.get(key, (0, 0))
        by[key] = (n + 1, h + hit)
    if hit and len(examples) < 8:
        h = a['hits'][0]
        examples.append(f'    {r["name"]!r} -> {h["id"]} {h["matched_name"]!r} {h["score"]:.3f}')
bad = 0
for key in sorted(by):
    n, h = by[key]
    indent = '  ' if ':' not in key else '    '
    print(f'{indent}{key:14s} {n:6d} names  false alerts {h:5d}  rate {h / n:.4f}')
    if max_rate is not None and ':' not in key and h / n > max_rate:
        bad = 1
print('  first alerts:')
print('\n'.join(examples))
sys.exit(bad)
