"""Life-cycle results against published figures.

* Cell making per kWh of cells on a coal-heavy grid (China) and low-carbon grids (France,
  Sweden), LFP and NMC811, inside the range that published plant energy gives on that
  grid: 20.3-37.5 kWh of electricity per kWh (Degen et al., Nature Energy 2023) to
  50-65 kWh (Kurland, Environ. Res. Commun. 2020), or 20.1 kWh of electricity plus 77 MJ
  of gas (Degen & Schütte, J. Cleaner Prod. 2022), times the grid of the data.
* Battery cradle-to-gate (materials, cell making, pack assembly) per kWh inside the
  published spread: NMC811 59-115 and LFP 54-69 kg CO2e/kWh (5th-95th percentiles,
  Peiseler et al., Nature Communications 2024), widened to 41-89 for any chemistry made
  in China, the US or the EU in 2020 (Xu et al., Resour. Conserv. Recycl. 2022).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evchain import evaluate, load_study
from evchain.data.registry import load_data
from evchain.lca.grids import build_grids, mean_intensity

DATA = load_data()
GRIDS = build_grids(DATA)
GAS = DATA.table("fuels")["natural_gas"].value("total")  # kg CO2e/MJ


def _grid(code: str, year: int = 2025) -> float:
    return float(mean_intensity(GRIDS, GRIDS.row(np.array([code], dtype=object)), np.array([year]),
                                np.array([1.0]))[0])


def _cases(tmp_path: Path, cell: str, architecture: str) -> dict[str, dict]:
    text = '[study]\nname = "validation"\n'
    for site in ("CN", "FR", "SE"):
        text += (f'[[variants]]\nid = "{site}"\nvehicle = "renault-5-etech-52"\n'
                 f'battery = {{ cell = "{cell}", architecture = "{architecture}", cell_site = "{site}", '
                 f'pack_site = "{site}" }}\n')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}


@pytest.mark.parametrize(("cell", "architecture"), [("lfp-prismatic", "cell-to-pack"),
                                                    ("nmc811-pouch", "module-to-pack")])
@pytest.mark.parametrize("site", ["CN", "FR", "SE"])
def test_cell_making_per_kwh_inside_published_plant_energy_on_that_grid(tmp_path, cell, architecture, site):
    case = _cases(tmp_path, cell, architecture)[site]
    per_kwh = case["gwp_by_stage_kgco2e"]["cell_making"] / case["pack_energy_kwh"]
    g = _grid(site) / 1000.0
    low = min(20.3 * g, 20.1 * g + 77 * GAS)
    high = max(65.0 * g, 20.1 * g + 77 * GAS)
    assert low <= per_kwh <= high, f"{site}: {per_kwh:.1f} kg/kWh outside {low:.1f}-{high:.1f}"


@pytest.mark.parametrize(("cell", "architecture", "published"), [
    ("nmc811-pouch", "module-to-pack", (41.0, 115.0)), ("lfp-prismatic", "cell-to-pack", (41.0, 89.0))])
def test_battery_cradle_to_gate_per_kwh_inside_the_published_spread(tmp_path, cell, architecture, published):
    for site, case in _cases(tmp_path, cell, architecture).items():
        stages = case["gwp_by_stage_kgco2e"]
        per_kwh = (stages["materials"] + stages["cell_making"] + stages["pack_assembly"]) / case["pack_energy_kwh"]
        assert published[0] <= per_kwh <= published[1], f"{cell} made in {site}: {per_kwh:.0f} kg/kWh"
