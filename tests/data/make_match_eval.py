#!/usr/bin/env python3
"""Build tests/data/match_eval.csv: labelled name pairs from the shipped lists.

usage: make_match_eval.py [DATA_DIR] > tests/data/match_eval.csv

Columns: name1,name2,label,category,source
  label 1 = the same party, 0 = different parties.
Positives
  alias          primary name vs an OFAC alt.csv alias of the same entity that
                 shares a word with it (after dropping legal forms)
  alias_disjoint the same, sharing no word ("BNC" for Banco Nacional de Cuba):
                 no string matcher can find these; reported apart
  typo           one edit (substitution, deletion, insertion, transposition)
                 in one word of 5+ letters of an OFAC name
  reorder        OFAC persons "LAST, First Middle" written "First Middle LAST"
  legal_form     a company name with its legal form changed or dropped
  variant        a common transliteration variant swapped (Mohammed/Muhammad,
                 Sergei/Sergey, -ov/-off, Aleksandr/Alexander…)
  script_ftm     two names of one OpenSanctions entity in different scripts
  translit_cyr   an OFAC RUSSIA-* person written in Cyrillic (a Latin→Cyrillic
                 table) vs the Latin name
  han_en         MOFCOM Chinese name vs its English name: transliteration of Han
                 gives pinyin, so these are NOT expected to match by string;
                 reported apart (the bilingual entry is what makes `match` work)
Negatives
  neg_shared     two different OFAC entities sharing a word
  neg_similar    two different entities whose names are close as strings
  neg_random     two random different entities
Pairs whose normalised names are identical across different entities are
dropped from the negatives (the lists hold true duplicates).
Deterministic (seed 6)."""
import csv
import difflib
import io
import json
import random
import re
import sys
import unicodedata

DATA = sys.argv[1] if len(sys.argv) > 1 else 'data'
rng = random.Random(6)

GENERIC = set('''co company corp corporation ltd limited llc jsc pjsc ojsc cjsc ooo oao zao pao ao
tov gmbh ag sa sas sarl srl spa bv nv plc inc incorporated group grp international intl trading
holding holdings the of and de la el al s a fze fzco est establishment enterprise pte pty bhd
sdn kk ltda cv llp lp'''.split())


def words(name):
    s = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode().lower()
    s = s.replace("'", '')
    return [w for w in re.split(r'[^a-z0-9]+', s) if w]


def core(name):
    return [w for w in words(name) if w not in GENERIC]


def read_ofac():
    raw = open(f'{DATA}/parties/ofac/sdn.csv', 'rb').read().decode('latin-1').rstrip('\x1a')
    ents = {}
    for row in csv.reader(io.StringIO(raw)):
        if len(row) < 4 or not row[0].strip().isdigit():
            continue
        t = row[2].strip()
        ents[row[0].strip()] = {'name': row[1].strip(), 'type': 'entity' if t == '-0-' else t,
                                'prog': row[3].strip(), 'aliases': []}
    raw = open(f'{DATA}/parties/ofac/alt.csv', 'rb').read().decode('latin-1').rstrip('\x1a')
    for row in csv.reader(io.StringIO(raw)):
        if len(row) < 4 or row[0].strip() not in ents:
            continue
        ents[row[0].strip()]['aliases'].append(row[3].strip())
    return ents


ofac = read_ofac()
ids = sorted(ofac, key=int)
rows = []


def add(a, b, label, cat, src):
    if a and b and a != b:
        rows.append((a, b, label, cat, src))


# ---- positives -------------------------------------------------------------
alias_rel, alias_dis = [], []
for i in ids:
    e = ofac[i]
    for al in e['aliases']:
        if set(core(al)) & set(core(e['name'])):
            alias_rel.append((e['name'], al, i))
        elif core(al) and core(e['name']):
            alias_dis.append((e['name'], al, i))
for a, b, i in rng.sample(alias_rel, 400):
    add(a, b, 1, 'alias', 'ofac-' + i)
for a, b, i in rng.sample(alias_dis, 150):
    add(a, b, 1, 'alias_disjoint', 'ofac-' + i)


def typo(name):
    ws = [m for m in re.finditer(r'[A-Za-z]{5,}', name)]
    if not ws:
        return None
    m = rng.choice(ws)
    w = m.group(0)
    k = rng.randrange(1, len(w) - 1)
    op = rng.choice('sdit')
    letters = 'ABCDEFGHIJKLMNOPRSTUVWY'
    if op == 's':
        w2 = w[:k] + rng.choice([c for c in letters if c != w[k].upper()]) + w[k + 1:]
    elif op == 'd':
        w2 = w[:k] + w[k + 1:]
    elif op == 'i':
        w2 = w[:k] + rng.choice(letters) + w[k:]
    else:
        w2 = w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]
        if w2 == w:
            return None
    return name[:m.start()] + w2 + name[m.end():]


n = 0
for i in rng.sample(ids, 600):
    t = typo(ofac[i]['name'])
    if t and n < 300:
        add(ofac[i]['name'], t, 1, 'typo', 'ofac-' + i)
        n += 1

persons = [i for i in ids if ofac[i]['type'] == 'individual' and ',' in ofac[i]['name']]
for i in rng.sample(persons, 300):
    last, first = ofac[i]['name'].split(',', 1)
    add(ofac[i]['name'], f'{first.strip()} {last.strip().title()}', 1, 'reorder', 'ofac-' + i)

FORMS = [(r',? LLC$', [' Limited Liability Company', ' OOO', '']),
         (r',? (LTD|LIMITED)\.?$', [' Co., Ltd.', ' Limited', '']),
         (r',? (JSC|OJSC|PJSC|AO|OAO)$', [' Joint Stock Company', ' AO', '']),
         (r',? (S\.A\.|SA)$', [' SA', ' Sociedad Anonima', '']),
         (r',? (GMBH)$', [' GmbH', ''])]
n = 0
for i in ids:
    if n >= 150:
        break
    nm = ofac[i]['name']
    for pat, reps in FORMS:
        if re.search(pat, nm, re.I) and len(core(nm)) >= 1:
            add(nm, re.sub(pat, rng.choice(reps), nm, flags=re.I), 1, 'legal_form', 'ofac-' + i)
            n += 1
            break

VARIANTS = [('MOHAMMED', 'MUHAMMAD'), ('MOHAMMAD', 'MOHAMED'), ('MUHAMMAD', 'MOHAMMED'),
            ('SERGEI', 'SERGEY'), ('SERGEY', 'SERGEI'), ('ALEKSANDR', 'ALEXANDER'),
            ('ALEKSANDR', 'ALEXANDR'), ('YURI', 'IURII'), ('YURIY', 'YURI'), ('ALEKSEI', 'ALEXEY'),
            ('ALEKSEY', 'ALEXEI'), ('DMITRY', 'DMITRII'), ('DMITRIY', 'DMITRI'),
            ('ANDREI', 'ANDREY'), ('NIKOLAI', 'NIKOLAY'), ('YEVGENIY', 'EVGENY'),
            ('HUSSEIN', 'HUSAYN'), ('HUSSAIN', 'HUSSEIN'), ('ABDEL', 'ABDUL'),
            ('OSAMA', 'USAMA'), ('YUSUF', 'YOUSSEF'), ('MIKHAIL', 'MIHAIL')]
n = 0
for i in ids:
    nm = ofac[i]['name']
    up = nm.upper()
    for a, b in VARIANTS:
        if re.search(r'\b' + a + r'\b', up):
            add(nm, re.sub(r'\b' + a + r'\b', b, up), 1, 'variant', 'ofac-' + i)
            n += 1
            break
    else:
        m = re.match(r'^([A-Z]+OV)(,.*)$', up)
        if m and n < 400 and rng.random() < 0.3:
            add(nm, m.group(1)[:-2] + 'OFF' + m.group(2), 1, 'variant', 'ofac-' + i)
            n += 1
    if n >= 250:
        break

CYR = {'shch': 'щ', 'zh': 'ж', 'kh': 'х', 'ts': 'ц', 'ch': 'ч', 'sh': 'ш', 'yu': 'ю', 'ya': 'я',
       'yo': 'ё', 'ye': 'е', 'a': 'а', 'b': 'б', 'v': 'в', 'g': 'г', 'd': 'д', 'e': 'е', 'z': 'з',
       'i': 'и', 'y': 'й', 'k': 'к', 'l': 'л', 'm': 'м', 'n': 'н', 'o': 'о', 'p': 'п', 'r': 'р',
       's': 'с', 't': 'т', 'u': 'у', 'f': 'ф', 'c': 'к', 'h': 'х', 'w': 'в', 'x': 'кс', 'j': 'й'}


def to_cyr(s):
    out, i, low = [], 0, s.lower()
    while i < len(low):
        for L in (4, 2, 1):
            chunk = low[i:i + L]
            if chunk in CYR:
                c = CYR[chunk]
                out.append(c.upper() if s[i].isupper() else c)
                i += L
                break
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


rus = [i for i in persons if 'RUSSIA' in ofac[i]['prog']]
for i in rng.sample(rus, min(200, len(rus))):
    last, first = ofac[i]['name'].split(',', 1)
    add(ofac[i]['name'], to_cyr(f'{first.strip()} {last.strip()}'), 1, 'translit_cyr',
        'ofac-' + i)

ftm = {}
for fn in ['t1_entities.ftm.json', 't2_20240527194702-wnk_entities.delta.json',
           't2_20240528134729-3iv_entities.delta.json']:
    for line in open(f'{DATA}/parties/opensanctions/{fn}', encoding='utf-8'):
        j = json.loads(line)
        e = j.get('entity', j)
        if e.get('schema') in ('Person', 'Organization', 'Company', 'LegalEntity'):
            p = e.get('properties', {})
            ftm[e['id']] = (p.get('name', []) + p.get('alias', []))[:40]
for eid, names in sorted(ftm.items()):
    pairs = [(a, b) for k, a in enumerate(names) for b in names[k + 1:]]
    for a, b in rng.sample(pairs, min(25, len(pairs))):
        add(a, b, 1, 'script_ftm', eid)

mof = list(csv.DictReader(open(f'{DATA}/parties/mofcom/mofcom_entities.csv', encoding='utf-8')))
for r in mof[:60]:
    add(r['name_cn'], r['name_en'], 1, 'han_en', 'mofcom-' + r['id'])

# ---- negatives -------------------------------------------------------------
by_word = {}
for i in ids:
    for w in set(core(ofac[i]['name'])):
        if len(w) >= 4:
            by_word.setdefault(w, []).append(i)
shared = [w for w, l in by_word.items() if 2 <= len(l) <= 40]
n = 0
seen = set()
while n < 600:
    w = rng.choice(shared)
    a, b = rng.sample(by_word[w], 2)
    na, nb = ofac[a]['name'], ofac[b]['name']
    if (a, b) in seen or core(na) == core(nb):
        continue
    seen.add((a, b))
    add(na, nb, 0, 'neg_shared', f'ofac-{a}/ofac-{b}')
    n += 1

n = 0
tries = 0
while n < 300 and tries < 20000:
    tries += 1
    w = rng.choice(shared)
    cand = by_word[w]
    a = rng.choice(cand)
    best, bs = None, 0.0
    for b in cand:
        if b == a or core(ofac[b]['name']) == core(ofac[a]['name']):
            continue
        r = difflib.SequenceMatcher(None, ofac[a]['name'], ofac[b]['name']).ratio()
        if r > bs:
            best, bs = b, r
    if best and bs >= 0.75 and (a, best) not in seen:
        seen.add((a, best))
        add(ofac[a]['name'], ofac[best]['name'], 0, 'neg_similar', f'ofac-{a}/ofac-{best}')
        n += 1

for _ in range(300):
    a, b = rng.sample(ids, 2)
    add(ofac[a]['name'], ofac[b]['name'], 0, 'neg_random', f'ofac-{a}/ofac-{b}')

out = csv.writer(sys.stdout, lineterminator='\n')
out.writerow(['name1', 'name2', 'label', 'category', 'source'])
for r in rows:
    out.writerow(r)
