#!/usr/bin/env python3
"""ref_reporters.py REPORTER_AREAS_CSV AREAS_CSV COUNTRY_CODES_CSV OUT_CSV

Derive data/ref/reporters/reporters.csv (see its PROVENANCE.txt) from UN
Comtrade's reporter code list (data/ref/countries/comtrade-areas/
reporterAreas.csv): one row per reporter area with the years it exists as a
reporter, `from` and `to` (empty = open), the name last.  The years of the historical areas
and their successors are the table below (dates of the political changes the
Comtrade code list reflects); aggregates (EU-28) are left out.  Every code of
the input must be mapped to ISO3 and given years, or the script fails."""
import csv
import sys

# comtrade code -> (from, to); None = open.  Sources: the code list's own
# names ("Fmr", "before 1981", "excl. Sikkim") and the dates of the changes.
YEARS = {
    58: (None, 1998),    # Belgium-Luxembourg: reported as one until 1998
    56: (1999, None), 442: (1999, None),
    200: (None, 1992),   # Czechoslovakia
    203: (1993, None), 703: (1993, None),
    588: (None, 1971),   # East and West Pakistan
    586: (1972, None), 50: (1972, None),
    736: (None, 2011),   # Fmr Sudan
    729: (2012, None), 728: (2012, None),
    356: (None, 1974),   # India, excl. Sikkim
    699: (1975, None),
    532: (None, 1987),   # Neth. Antilles and Aruba
    530: (1988, 2010),   # Neth. Antilles (dissolved 2010-10-10)
    533: (1988, None),
    531: (2011, None), 534: (2011, None), 535: (2011, None),
    459: (None, 1963), 461: (None, 1963), 457: (None, 1963),  # before Malaysia
    458: (1964, None),
    647: (None, 1972),   # Ryukyu Isd (returned to Japan 1972)
    658: (None, 1980),   # Saint Kitts, Nevis and Anguilla
    659: (1981, None), 660: (1981, None),
    891: (1992, 2005),   # Serbia and Montenegro
    688: (2006, None), 499: (2006, None),
    841: (None, 1980),   # USA (before 1981)
    842: (1981, None),
    711: (None, 1999),   # So. African Customs Union
    710: (2000, None), 72: (2000, None), 426: (2000, None), 516: (2000, None),
    748: (2000, None),
    # successors of the USSR, Yugoslavia; Germany, Yemen, Eritrea, Timor-Leste
    51: (1992, None), 31: (1992, None), 112: (1992, None), 233: (1992, None),
    268: (1992, None), 398: (1992, None), 417: (1992, None), 428: (1992, None),
    440: (1992, None), 498: (1992, None), 643: (1992, None), 762: (1992, None),
    795: (1992, None), 804: (1992, None), 860: (1992, None),
    191: (1992, None), 705: (1992, None), 70: (1992, None), 807: (1992, None),
    276: (1991, None), 887: (1990, None), 232: (1993, None), 626: (2002, None),
}
LEFT_OUT = {97: "EU-28 is an aggregate of its members' reports"}


def main():
    src, areas, codes, out = sys.argv[1:5]
    m49 = {}
    with open(codes, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["M49"] and r["ISO3166-1-Alpha-3"]:
                m49[int(r["M49"])] = r["ISO3166-1-Alpha-3"]
    over = {}
    with open(areas, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            over[int(r["comtrade"])] = r["code"]
    # the areas that have no ISO 3166 code of their own
    hist = {58: "BLX", 200: "CSK", 588: "PAK", 736: "SDN", 356: "IND", 532: "ANT",
            530: "ANT", 459: "MYS", 461: "MYS", 457: "MYS", 647: "JPN", 658: "KNA",
            891: "SCG", 841: "USA", 711: "ZA1", 535: "BES"}
    rows = []
    with open(src, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = int(r["id"])
            if code in LEFT_OUT:
                continue
            iso = over.get(code) or hist.get(code) or m49.get(code)
            if not iso:
                sys.exit(f"{src}: reporter {code} {r['text']}: no ISO3")
            lo, hi = YEARS.get(code, (None, None))
            rows.append((code, iso, lo or "", hi or "", r["text"]))
    rows.sort()
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["comtrade", "iso3", "from", "to", "name"])
        w.writerows(rows)
    for y in (2017, 2020, 2023, 2024):
        n = sum(1 for r in rows if (r[2] == "" or r[2] <= y) and (r[3] == "" or r[3] >= y))
        print(f"{y}: {n} reporter areas", file=sys.stderr)


main()
