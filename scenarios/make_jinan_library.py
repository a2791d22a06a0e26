"""Make the synthetic Jinan community library (项目库) and district budgets for the multi-year plan example.

    python scenarios/make_jinan_library.py [--seed 2021] [--extra 975]

Writes scenarios/data/jinan-library-synthetic.csv and scenarios/data/jinan-plan-budgets.csv. The communities are
SYNTHETIC: Jinan's community-level data are not published. Those flagged plan_2023 = 1 add up, district by district,
exactly to the published 2023 plan (communities, buildings, households, floor area: Jinan's 2023 plan by district,
issued 2022-09, https://m.360kss.com/jingyan/5610749266.html, official notice http://hhyfv.cn/news/id/23693.html;
as in scenarios/data/jinan-2023-districts.csv); the others are more of the stock, in proportion to each district's
households, with build years, sizes, consent and facility gaps drawn from plausible ranges (≈ 76 m² per household,
1975–2010, a tenth without strong consent, a tenth renovated under the provincial plan by 2019, a few on collective
land or built after 2005, so that every exclusion rule has cases). The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ITEMS = ("roads", "public_space", "security", "fire", "illegal_structures", "signage", "greening", "lighting",
         "sanitation", "bike_sheds", "notice_boards", "parking", "microcirculation", "facades", "walls", "entrances")
UTILITIES = ("water", "power", "gas", "heating", "telecom", "rain_sewage")
"""专业设施 (二(一)1) a community may need; drawn from a stream of their own, so that the other columns stay as
they were before the library had them."""
HEADER = ("# SYNTHETIC community library made by scenarios/make_jinan_library.py (seed {seed}); not real communities. "
          "Rows with plan_2023 = 1 add up by district to the published 2023 plan (issued 2022-09; "
          "https://m.360kss.com/jingyan/5610749266.html; official notice http://hhyfv.cn/news/id/23693.html).")


def split_exactly(total: int, weights: np.ndarray, least: int = 1) -> np.ndarray:
    """Integers ≥ ``least`` in proportion to ``weights`` that add up to ``total`` (largest remainder)."""
    n = weights.size
    spare = total - least * n
    raw = spare * weights / weights.sum()
    whole = np.floor(raw).astype(int)
    order = np.argsort(-(raw - whole), kind="stable")
    whole[order[: spare - whole.sum()]] += 1
    return whole + least


def communities(rng: np.random.Generator, district: str, n: int, buildings: int, households: int, area: int,
                start: int, planned: bool, works_rng: np.random.Generator) -> list[dict]:
    sizes = rng.lognormal(0, 0.8, n)
    hh = split_exactly(households, sizes, least=20)
    bl = split_exactly(buildings, hh.astype(float), least=1)
    per_household = rng.uniform(62, 90, n)
    ar = split_exactly(area, hh * per_household, least=500)
    rows = []
    for k in range(n):
        number = start + k
        if planned:
            year = int(rng.choice([rng.integers(1980, 2000), rng.integers(2000, 2006)], p=[0.4, 0.6]))
        else:
            year = int(rng.choice([rng.integers(1975, 2000), rng.integers(2000, 2006), rng.integers(2006, 2011)],
                                  p=[0.55, 0.37, 0.08]))
        land = "state_owned" if planned or rng.random() > 0.03 else "collective"
        consent = float(np.round(rng.uniform(0.7, 0.98) if planned or rng.random() > 0.1 else rng.uniform(0.3, 0.66),
                                 2))
        prior_year, prior_plan = "", ""
        if not planned and rng.random() < 0.1:
            prior_year, prior_plan = int(rng.integers(2015, 2020)), "provincial"
        missing = rng.random(len(ITEMS)) < (0.35 if year < 2000 else 0.22)
        if not planned and rng.random() < 0.03:
            missing[:] = False
        if planned and not missing.any():
            missing[rng.integers(len(ITEMS))] = True
        utilities = works_rng.random(len(UTILITIES)) < (0.5 if year < 2000 else 0.25)
        rows.append({
            "id": f"JN{number:05d}", "name": f"{district[:-1]}{'老旧' if year < 2000 else ''}小区{number:05d}",
            "district": district, "year_built": year, "land_type": land, "households": int(hh[k]),
            "buildings": int(bl[k]), "floor_area_m2": int(ar[k]), "prior_year": prior_year, "prior_plan": prior_plan,
            "consent_share": consent, "gaps": ";".join(i for i, m in zip(ITEMS, missing) if m),
            "works": ";".join(u for u, m in zip(UTILITIES, utilities) if m), "plan_2023": int(planned),
        })
    return rows


def main(seed: int = 2021, extra: int = 975, out_dir: Path = DATA) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    works_rng = np.random.default_rng([seed, 1])
    out_dir = Path(out_dir)
    with open(DATA / "jinan-2023-districts.csv", encoding="utf-8-sig") as handle:
        districts = list(csv.DictReader(handle))
    rows: list[dict] = []
    for d in districts:
        rows += communities(rng, d["district"], int(d["communities"]), int(d["buildings"]), int(d["households"]),
                            int(d["floor_area_m2"]), len(rows) + 1, planned=True, works_rng=works_rng)
    shares = np.array([int(d["households"]) for d in districts], dtype=float)
    counts = split_exactly(extra, shares, least=3)
    for d, n in zip(districts, counts):
        households = int(n * rng.uniform(150, 260))
        rows += communities(rng, d["district"], int(n), int(n * rng.uniform(3, 6)), households,
                            int(households * 76), len(rows) + 1, planned=False, works_rng=works_rng)
    library = out_dir / "jinan-library-synthetic.csv"
    with open(library, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER.format(seed=seed) + "\n")
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # Budgets: 元 290 per m² of the district's planned-in-2023 floor area spread over five years, so that the
    # deadlines cannot all be met and the report has something to say; an illustration, not Jinan's figures.
    budgets = out_dir / "jinan-plan-budgets.csv"
    with open(budgets, "w", encoding="utf-8", newline="") as handle:
        handle.write("district,year,budget_wan\n")
        for d in districts:
            yearly = int(d["floor_area_m2"]) * 290 / 1e4 / 5 * 0.65
            for year in range(2021, 2026):
                handle.write(f"{d['district']},{year},{yearly:.2f}\n")
    return library, budgets


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--extra", type=int, default=975, help="communities beyond the 2023 plan's 525")
    args = parser.parse_args()
    for path in main(args.seed, args.extra):
        print(f"wrote {path}")
