#!/usr/bin/env python3
"""Trim OFAC add.csv to what screening uses (see data/parties/ofac/PROVENANCE.txt).

usage: trim_ofac_add.py SDN_CSV ADD_CSV OUT_CSV
Keeps rows whose ent_num is in SDN_CSV and whose country is not "-0-"; blanks
address, city and remarks to the OFAC null "-0- "; keeps the legacy format."""
import csv, io, sys

sdn = open(sys.argv[1], 'rb').read().decode('latin-1')
ents = set(l.split(',', 1)[0] for l in sdn.split('\r\n') if l and l[0].isdigit())
raw = open(sys.argv[2], 'rb').read().decode('latin-1').rstrip('\x1a')
out = []
for row in csv.reader(io.StringIO(raw)):
    if not row or not row[0].strip() or row[0].strip() not in ents:
        continue
    c = row[4].strip()
    if c == '-0-':
        continue
    out.append('%s,%s,-0- ,-0- ,"%s",-0- ' % (row[0], row[1], c))
open(sys.argv[3], 'wb').write(('\r\n'.join(out) + '\r\n\x1a').encode('latin-1'))
