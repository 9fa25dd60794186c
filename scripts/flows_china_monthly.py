#!/usr/bin/env python3
"""flows_china_monthly.py — convert China's monthly critical-mineral exports
(qennis/ChinaCriticalMineralComtrade, data_output/tables/deep_dive_hs6_monthly.csv:
period_dt,partner_name,hs6,val,qty,uv) into chokepoint's generic flows CSV
(period,reporter,partner,flow,hs,value,qty,unit,hs_edition).

    python3 scripts/flows_china_monthly.py IN.csv OUT.csv

Reporter is China (CHN), flow X (exports), qty in kg, values in USD as given.
partner_name is mapped to ISO3 with the table below (every name must map: an
unknown name stops the script).  The derived unit value `uv` is dropped
(chokepoint recomputes it).  hs_edition: HS2017 for 2017-2021, HS2022 from
2022 (China's customs nomenclature changed on 2022-01-01; the three codes
250410, 380110 and 811292 read the same in both editions).  Numbers are
copied as text, unchanged.  Output rows keep the input order.
"""
import csv
import sys

ISO3 = {
    "Australia": "AUS", "Austria": "AUT", "Belgium": "BEL", "Brazil": "BRA",
    "Canada": "CAN", "Czech Republic": "CZE", "Egypt": "EGY", "France": "FRA",
    "Germany": "DEU", "Hong Kong": "HKG", "Hungary": "HUN", "India": "IND",
    "Indonesia": "IDN", "Iran": "IRN", "Italy": "ITA", "Japan": "JPN",
    "Kazakhstan": "KAZ", "Malaysia": "MYS", "Mexico": "MEX", "Mozambique": "MOZ",
    "Netherlands": "NLD", "New Zealand": "NZL", "Philippines": "PHL", "Poland": "POL",
    "Russia": "RUS", "Singapore": "SGP", "Slovakia": "SVK", "South Africa": "ZAF",
    "South Korea": "KOR", "Spain": "ESP", "Sweden": "SWE", "Taiwan": "TWN",
    "Tanzania": "TZA", "Thailand": "THA", "Turkey": "TUR", "UAE": "ARE",
    "USA": "USA", "United Kingdom": "GBR", "Vietnam": "VNM",
}


def main(src, dst):
    seen = set()
    with open(src, newline="", encoding="utf-8-sig") as f, \
            open(dst, "w", newline="", encoding="utf-8") as g:
        out = csv.writer(g, lineterminator="\n")
        out.writerow(["period", "reporter", "partner", "flow", "hs", "value", "qty",
                      "unit", "hs_edition"])
        n = 0
        for row in csv.DictReader(f):
            period = row["period_dt"][:7]            # 2017-01-01 -> 2017-01
            partner = ISO3[row["partner_name"]]       # KeyError = unmapped name
            hs = row["hs6"].zfill(6)
            key = (period, partner, hs)
            if key in seen:
                sys.exit(f"duplicate key {key}")
            seen.add(key)
            edition = "2017" if int(period[:4]) < 2022 else "2022"
            out.writerow([period, "CHN", partner, "X", hs, row["val"], row["qty"], "kg",
                          edition])
            n += 1
    print(f"{dst}: {n} rows", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
