#!/usr/bin/env python3
"""make_baci_zip.py DATA OUT.zip [--damage] [--no-country-table] [--no-year-file]
   [--edition HS17] [--stored]

A small archive in the layout of a CEPII BACI release (BACI_HS17_V202401.zip),
made from rows of the shipped real data, so that its ingest has a known
answer:
  BACI_HS17_Y<year>_V202401.csv   t,i,j,k,v,q — the export rows (flowCode X)
      of DATA/flows/comtrade-annual/graphite_trade_data.csv, one file per
      year: i = the reporter's code, j = the partner's, k = cmdCode, v =
      primaryValue / 1000 (thousand USD), q = netWgt / 1000 (tonnes).  Rows
      whose partner is World (0) are kept: BACI has no code 0, so the ingest
      must reject them as unknown-partner (the known rejects).
  country_codes_V202401.csv       BACI's country table as shipped
      (DATA/ref/countries/baci/country_codes_V202601.csv), after the year
      files as in CEPII's archives.
  product_codes_HS17_V202401.csv  code,description of the HS codes used.
  Readme.txt
--damage: the compressed bytes of the 2022 year file are corrupted (its CRC
then fails); --no-country-table / --no-year-file leave those members out;
--stored: no compression.
"""
import csv
import io
import sys
import zipfile

args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = {a for a in sys.argv[1:] if a.startswith("--")}
edition = "HS17"
for a in sys.argv[1:]:
    if a.startswith("--edition="):
        edition = a.split("=", 1)[1]
data, out = args[0], args[1]

years = {}
codes = set()
with open(f"{data}/flows/comtrade-annual/graphite_trade_data.csv", newline="") as f:
    for r in csv.DictReader(f):
        if r["flowCode"] != "X" or len(r["cmdCode"]) != 6:
            continue
        v = float(r["primaryValue"]) / 1000
        q = float(r["netWgt"]) / 1000 if r["netWgt"] else None
        line = f"{r['refYear']},{r['reporterCode']},{r['partnerCode']},{r['cmdCode']},{v:.3f},"
        line += f"{q:.3f}" if q is not None else "NA"
        years.setdefault(r["refYear"], []).append(line)
        codes.add(r["cmdCode"])

method = zipfile.ZIP_STORED if "--stored" in flags else zipfile.ZIP_DEFLATED
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", method) as z:
    if "--no-year-file" not in flags:
        for y in sorted(years):
            body = "t,i,j,k,v,q\n" + "\n".join(years[y]) + "\n"
            z.writestr(f"BACI_{edition}_Y{y}_V202401.csv", body)
    if "--no-country-table" not in flags:
        with open(f"{data}/ref/countries/baci/country_codes_V202601.csv", "rb") as f:
            z.writestr("country_codes_V202401.csv", f.read())
    z.writestr(f"product_codes_{edition}_V202401.csv",
               "code,description\n" + "".join(f"{c},graphite\n" for c in sorted(codes)))
    z.writestr("Readme.txt", "BACI-like test archive made by tests/data/ingest/make_baci_zip.py\n")
raw = bytearray(buf.getvalue())
if "--damage" in flags:
    name = f"BACI_{edition}_Y2022_V202401.csv".encode()
    at = raw.index(name) + len(name) + 10  # inside the member's compressed data
    for i in range(at, at + 8):
        raw[i] ^= 0x5A
with open(out, "wb") as f:
    f.write(raw)
