#!/usr/bin/env python3
"""comext_sum.py — the Comext figures, computed again from the raw files
without chokepoint (tests/cases/comext.t checks the tool against them).

  comext_sum.py dep FX YEAR FILE…    the importer's suppliers in YEAR as
      `dependency --format csv | cut -d, -f4,5,11` prints them: the member
      states' exports (EUR / the month's EUR-per-USD rate, +6 % CIF/FOB as the
      mirror adds), largest first; aggregates (EU-27, EU, euro area) left out
  comext_sum.py total FX YEAR NAME FILE…   one reporter's exports in YEAR in
      USD (no CIF/FOB), rounded: NAME is the reporter's name without its
      bracketed note ("European Union - 27 countries", "Germany")
  comext_sum.py series FX YEAR NAME FILE…  the same month by month, as
      `surge --format csv | cut -d, -f4,5` prints it (period,value)

YEAR may be a range FIRST-LAST.  FX is data/ref/fx/monthly.csv (Date,Country,Exchange rate; EUR per USD)."""
import csv
import sys

MON = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
ISO3 = {"Austria": "AUT", "Belgium": "BEL", "Bulgaria": "BGR", "Croatia": "HRV", "Cyprus": "CYP",
        "Czechia": "CZE", "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN", "France": "FRA",
        "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "Ireland": "IRL", "Italy": "ITA",
        "Latvia": "LVA", "Lithuania": "LTU", "Luxembourg": "LUX", "Malta": "MLT",
        "Netherlands": "NLD", "Poland": "POL", "Portugal": "PRT", "Romania": "ROU",
        "Slovakia": "SVK", "Slovenia": "SVN", "Spain": "ESP", "Sweden": "SWE",
        "United Kingdom": "GBR"}


def rates(path):
    return {r["Date"][:4] + r["Date"][5:7]: float(r["Exchange rate"])
            for r in csv.DictReader(open(path)) if r["Country"] == "Euro"}


def rows(files, fx, year, months=None):
    """(reporter name, USD) of each export row of YEAR whose procedure is the
    total, its month a month with a rate, its value not negative."""
    for f in files:
        for r in csv.DictReader(open(f, encoding="utf-8")):
            m, y = r["PERIOD"].split()
            if y not in year or not r["STAT_PROCEDURE"].endswith("Total") or "EXPORT" not in r["FLOW"]:
                continue
            mon = MON.get(m.rstrip(".")[:3])
            key = "%s%02d" % (y, mon or 0)
            if key not in fx or float(r["VALUE_IN_EUR"]) < 0:
                continue  # the tool's rejects: no rate, a negative value
            if months is not None:
                months.append(key)
            yield r["REPORTER"].split(" (")[0], float(r["VALUE_IN_EUR"]) / fx[key]


def main(argv):
    mode, fx = argv[1], rates(argv[2])
    lo, _, hi = argv[3].partition("-")  # YEAR or FIRST-LAST
    year = {str(y) for y in range(int(lo), int(hi or lo) + 1)}
    if mode == "dep":
        usd = {}
        for name, v in rows(argv[4:], fx, year):
            if name in ISO3:
                usd[ISO3[name]] = usd.get(ISO3[name], 0) + v
        total = round(sum(usd.values()) * 1.06)
        print("supplier,value,total")
        for iso, v in sorted(usd.items(), key=lambda kv: (-kv[1], kv[0])):
            print("%s,%d,%d" % (iso, round(v * 1.06), total))
    elif mode == "total":
        name = argv[4]
        print(round(sum(v for n, v in rows(argv[5:], fx, year) if n == name)))
    elif mode == "series":
        name, by = argv[4], {}
        keys = []
        for n, v in rows(argv[5:], fx, year, keys):
            if n == name:
                by[keys[-1]] = by.get(keys[-1], 0) + v
        print("period,value")
        for k in sorted(by):
            print("%s-%s,%d" % (k[:4], k[4:], round(by[k])))
    else:
        sys.exit("usage: comext_sum.py dep|total|series FX YEAR …")


if __name__ == "__main__":
    main(sys.argv)
