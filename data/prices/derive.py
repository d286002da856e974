#!/usr/bin/env python3
"""Re-derives the price levels and masses of sample.csv from plausible.csv.

The KCS source gives each line its HS6 subheading, origin, number of observations and median
net mass (kept as `kcs_median_net_mass_kg`). Its declared prices cannot serve as price levels
(see README.md), so each line's level is placed inside the plausible range of its heading:

* level = geometric middle of the range (per unit where the goods are counted, else per kg),
  times the origin's factor below, then moved inside the band where the simulator's spread
  (70 % to 140 % of the level, and 85 % to 115 % of the typical mass of a unit) stays in range;
* typical item mass = the KCS median mass, limited so that an item is worth between VALUE_MIN
  and VALUE_MAX EUR at the level (bulk goods excepted, see BULK_MASS), and rounded to whole
  units where the goods are counted. The demo's consignments are therefore small ones, as the
  thresholds of the demo risk profiles expect.

Run from the repository root: python3 data/prices/derive.py
"""
import csv
import math
import sys

SAMPLE = "data/prices/sample.csv"
PLAUSIBLE = "data/prices/plausible.csv"
DESCRIPTIONS = "data/prices/descriptions.csv"

# Origins of the European Union: their goods are not imported into the Union.
EU = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
      "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
# Where in its range an origin's goods usually sell, as a factor on the geometric middle.
ORIGIN_FACTOR = {"JP": 1.25, "US": 1.2, "KR": 1.15, "TW": 1.1, "UA": 0.9, "CN": 0.85, "VN": 0.8}
# Spread of the simulator around a line's level (must match crates/core/src/simulate.rs).
PRICE_LOW, PRICE_HIGH = 0.70, 1.40
UNIT_MASS_LOW, UNIT_MASS_HIGH = 0.85, 1.15
MARGIN = 1.02
VALUE_MIN, VALUE_MAX = 120.0, 1000.0
# Goods cheaper than BULK_PRICE EUR/kg travel in part or full lorry loads: at least BULK_MASS kg
# (or the KCS median when it is smaller).
BULK_PRICE, BULK_MASS = 1.0, 6000.0


def ranges():
    out = {}
    with open(PLAUSIBLE, newline="") as f:
        for r in csv.DictReader(f):
            num = lambda k: float(r[k]) if r[k] else None
            out[r["hs_prefix"]] = (r["unit"], num("min_eur_per_kg"), num("max_eur_per_kg"),
                                   num("kg_per_unit"), num("min_eur_per_unit"), num("max_eur_per_unit"))
    return out


def range_of(table, hs6):
    for n in (6, 4, 2):
        if hs6[:n] in table:
            return table[hs6[:n]]
    return None


def fmt(x, digits=4):
    return f"{x:.{digits}f}"


def main():
    table = ranges()
    with open(DESCRIPTIONS, newline="") as f:
        described = {r["hs6"] for r in csv.DictReader(f)}
    with open(SAMPLE, newline="") as f:
        lines = list(csv.DictReader(f))
    out = []
    for l in lines:
        hs6, origin = l["hs6"], l["origin"]
        source_mass = float(l.get("kcs_median_net_mass_kg") or l["median_net_mass_kg"])
        r = range_of(table, hs6)
        if origin in EU or r is None or hs6 not in described:
            print(f"dropped {hs6} {origin}", file=sys.stderr)
            continue
        unit, min_kg, max_kg, kg_unit, min_u, max_u = r
        factor = ORIGIN_FACTOR.get(origin, 1.0)
        kg_low = min_kg / (PRICE_LOW / (UNIT_MASS_HIGH if kg_unit else 1)) * MARGIN
        kg_high = max_kg / (PRICE_HIGH / (UNIT_MASS_LOW if kg_unit else 1)) / MARGIN
        if kg_unit:
            low = max(min_u / PRICE_LOW * MARGIN, kg_low * kg_unit)
            high = min(max_u / PRICE_HIGH / MARGIN, kg_high * kg_unit)
            middle = math.sqrt(min_u * max_u)
        else:
            low, high, middle = kg_low, kg_high, math.sqrt(min_kg * max_kg)
        if low > high:
            sys.exit(f"{hs6}: the ranges per kg and per unit leave no room for the simulator's spread")
        level = min(max(middle * factor, low), high)
        per_kg = level / kg_unit if kg_unit else level
        mass = min(max(source_mass, VALUE_MIN / per_kg), VALUE_MAX / per_kg)
        if per_kg < BULK_PRICE:
            mass = max(mass, min(source_mass, BULK_MASS))
        if kg_unit:
            mass = max(1, round(mass / kg_unit)) * kg_unit
        mass = round(mass, 3) if mass < 10 else round(mass, 1)
        out.append([hs6, origin, l["observations"], fmt(per_kg), fmt(per_kg * 0.875), fmt(per_kg * 1.225),
                    f"{mass:g}", f"{source_mass:g}"])
    with open(SAMPLE, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["hs6", "origin", "observations", "median_eur_per_kg", "p25_eur_per_kg", "p75_eur_per_kg",
                    "median_net_mass_kg", "kcs_median_net_mass_kg"])
        w.writerows(out)
    print(f"{len(out)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
