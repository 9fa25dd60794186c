#!/usr/bin/env python3
"""make_baci_big.py DATA DIR ROWS — one BACI year file bigger than the 4 MiB
chunk the archive reader inflates into (so lines cross chunk boundaries),
written both plain (DIR/BACI_HS17_Y2021_V202401.csv) and zipped with the
shipped country table (DIR/big.zip), for comparing the two ingests.
Deterministic rows with real BACI country codes and HS2017 codes, a few
duplicate keys, NA quantities, World (0) partners, a quoted value and a
CRLF line in the second chunk (the reader's path for the rest)."""
import random
import sys
import zipfile

data, out, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
codes = [l.split(",")[0] for l in open(f"{data}/ref/countries/baci/country_codes_V202601.csv")][1:60]
hs = []
for l in open(f"{data}/ref/hs/harmonized-system-hs2017.csv"):
    f = l.split(",")
    if len(f) > 1 and len(f[1]) == 6 and f[1].isdigit():
        hs.append(f[1])
hs = hs[:3000]
lines = ["t,i,j,k,v,q"]
for n in range(rows):
    i, j = rnd.choice(codes), rnd.choice(codes + ["0"])
    q = "NA" if n % 37 == 0 else f"{rnd.randint(0, 9999999) / 1000:.3f}"
    lines.append(f"2021,{i},{j},{rnd.choice(hs)},{rnd.randint(1, 99999999) / 1000:.3f},{q}")
    if n == rows * 3 // 4:
        lines.append(f'2021,{i},{j},010121,"12.5",1')
        lines.append(f"2021,{i},{j},010129,3.25,1\r")
body = "\n".join(lines) + "\n"
name = "BACI_HS17_Y2021_V202401.csv"
with open(f"{out}/{name}", "w", newline="") as f:
    f.write(body)
with zipfile.ZipFile(f"{out}/big.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(name, body)
    with open(f"{data}/ref/countries/baci/country_codes_V202601.csv", "rb") as f:
        z.writestr("country_codes_V202601.csv", f.read())
