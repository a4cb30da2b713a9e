"""Labour cost per car assembled, by country, against Oliver Wyman's published figures (issue 5).

The model's plant labour per car is ``h_plant x w_car``: all-in plant hours (staff x hours
a year / cars built, from each plant's published headcount and output, ``sites.csv``) times
the car industry's hourly labour cost of the country (VDA 2023 where published, else the
whole economy's, ``countries.csv``). Oliver Wyman (2025, 2024 data; ``data/published_labour_costs.csv``)
divides the cost of all plant staff by the cars built, the same basis. Only plants whose
hours come from their own headcount, not from Oliver Wyman, are compared.

Tolerance: ±30 %. All-in hours of European plants at normal load spread over 22-33 h
(Maubeuge, Palencia, Valladolid, Novo Mesto, Onnaing, Kolín, Trnava, Vigo; see
docs/research/sites/plant_hours/REPORT.md), about ±20 % around their mean, and a
country's hourly cost carries about ±10 %.

Known miss, kept visible (strict xfail):
- Morocco (Tangier): 46 h x 2.8 EUR/h = about 129 EUR against about 98 (+32 %). Matching
  Oliver Wyman needs about 2.1 EUR/h, the minimum wage with its charges; Tangier's 7,000
  staff may count people outside the plant, or Morocco's other plants (Kénitra) pull the
  country average down. The sources read cannot tell (docs/research/sites/turkey_morocco).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from evchain.data.registry import SHIPPED, load_data
from evchain.data.tables import currency_factor
from evchain.sites.cost import CarCostInputs, car_cost

TOLERANCE = 0.30
DATA = load_data()
#: plants whose hours come from their own headcount and output
PLANTS = {"douai": "FR", "maubeuge": "FR", "flins": "FR", "valladolid": "ES", "palencia": "ES", "bursa": "TR",
          "tangier": "MA", "tesla-shanghai": "CN"}
KNOWN_MISSES = {"tangier"}


def _published() -> dict[str, float]:
    with (Path(SHIPPED) / "published_labour_costs.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    out = {}
    for row in rows:
        factor, _ = currency_factor(f"{row['unit']}/kWh", int(row["year"]), DATA.currencies)
        out[row["country"]] = float(row["value"]) * factor  # EUR per car
    return out


PUBLISHED = _published()


def _plant_labour(site: str, country: str) -> float:
    one = np.ones(1)
    x = CarCostInputs(np.array([site], dtype=object), np.array([country], dtype=object),
                      np.array(["FR"], dtype=object), 1000.0 * one, 1300.0 * one, 5000.0 * one, {}, {},
                      np.array([""], dtype=object), 800.0)
    return float(car_cost(DATA, x)["plant_labour"][0])


@pytest.mark.parametrize("site", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason="known miss, see module docstring"))
    if s in KNOWN_MISSES else s for s in PLANTS])
def test_labour_per_car_assembled_within_30_percent_of_the_published_country_figure(site):
    country = PLANTS[site]
    model, published = _plant_labour(site, country), PUBLISHED[country]
    assert model == pytest.approx(published, rel=TOLERANCE), f"{site}: model {model:.0f} vs {published:.0f} EUR"


def test_countries_rank_as_published_where_the_data_are_independent():
    """France above Spain above China per car, as Oliver Wyman has them."""
    fr = np.mean([_plant_labour(s, "FR") for s in ("douai", "maubeuge", "flins")])
    es = np.mean([_plant_labour(s, "ES") for s in ("valladolid", "palencia")])
    cn = _plant_labour("tesla-shanghai", "CN")
    assert fr > es > cn and PUBLISHED["FR"] > PUBLISHED["ES"] > PUBLISHED["CN"]
