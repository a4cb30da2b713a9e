"""The battery's share of a BEV's life-cycle GWP100 against published LCAs (issue 4).

Each study of ``data/published_battery_shares.csv`` is re-run under its own set-up: its
pack (size, chemistry, where the cells are made), where the car is assembled and used,
the year and the distance. The body is the C-segment reference car of the data (Renault
Megane E-Tech EV60), its mass corrected for the study's pack. Tolerance: the model's
battery share of the life cycle within ±5 percentage points of the published one.
Sources: VW's certified e-Golf LCA (2019), the VDI/KIT LCA of the ID.3 (2023); both
shares are derived from the published tonnages.

The share of production (cradle to gate) is reported, not asserted: the model gives 35 %
for the e-Golf set-up where VW gives "more than 43 %" (VW's 2017-era pack, about 137 kg
CO2e/kWh, against the model's 81 for cells made in Korea with today's plant energy; the
model has no learning curve for cell making), and 49 % for the ID.3 where VDI gives 42 %
(VDI's car without its battery weighs more in CO2e than the model's C-segment glider).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evchain import evaluate, load_study
from evchain.data.registry import SHIPPED

TOLERANCE = 0.05  # share points
CELLS = {"NMC622": "nmc622-pouch", "NMC811": "nmc811-pouch"}
BATTERY = ("materials", "cell_making", "pack_assembly")
AFTER_GATE = ("use", "maintenance", "end_of_life")


def _studies() -> list[dict[str, str]]:
    with (Path(SHIPPED) / "published_battery_shares.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@pytest.mark.parametrize("study", _studies(), ids=lambda s: s["study"])
def test_battery_share_of_the_life_cycle_matches_the_published_study(tmp_path, study):
    path = tmp_path / "s.toml"
    battery = (f'cell = "{CELLS[study["chemistry"]]}", architecture = "module-to-pack", '
               f'capacity = "{study["pack_kwh"]} kWh", cell_site = "{study["cell_country"]}", '
               f'pack_site = "{study["assembly_country"]}"')
    path.write_text(f"""[study]
name = "{study['study']}"
[[variants]]
id = "car"
vehicle = "renault-megane-etech-ev60"
year = {study['year']}
use_country = "{study['use_country']}"
lifetime_km = "{study['lifetime_km']} km"
assembly_site = "{study['assembly_country']}"
battery = {{ {battery} }}
""", encoding="utf-8")
    case = json.loads(evaluate(load_study(path)).to_json())["cases"][0]
    stages = case["gwp_by_stage_kgco2e"]
    battery = sum(stages[s] for s in BATTERY)
    total = case["gwp_total_kgco2e"]
    production = total - sum(stages[s] for s in AFTER_GATE)
    life_cycle, published = battery / total, float(study["share_life_cycle"])
    assert abs(life_cycle - published) <= TOLERANCE, f"life cycle: model {life_cycle:.1%}, published {published:.1%}"
    print(f"{study['study']}: battery share of the life cycle, model {life_cycle:.1%}, published {published:.1%}; "
          f"of production, model {battery / production:.1%}, "
          f"published {float(study['share_production']):.1%}")
