"""The battery model against the world: published pack energy densities, price surveys, metal contents.

Sources and tolerances (issue 3):
* pack Wh/kg within ±10 % of published figures (``data/published_packs.csv``);
* China LFP pack price within ±15 % of the latest BloombergNEF survey (``data/price_surveys.csv``);
* Europe-over-China premium inside the span BloombergNEF published 2023-2025;
* lithium, nickel and cobalt per kWh inside literature ranges (below, with sources).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from evchain.battery import model as bm
from evchain.data.registry import SHIPPED, load_data
from evchain.data.tables import currency_factor

DATA = load_data()
CTX = bm.context(DATA)


def _rows_of(name: str) -> list[dict[str, str]]:
    with (Path(SHIPPED) / name).open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(line for line in handle if not line.startswith("#"))]


PACKS = {row["pack"]: row for row in _rows_of("published_packs.csv")}
SURVEYS = _rows_of("price_surveys.csv")


def _pack(cell: str, architecture: str, cell_site: str = "CN", pack_site: str = "CN", usable: float = 50.0):
    r = bm.rows(CTX, DATA, np.array([cell], dtype=object), np.array([architecture], dtype=object),
                np.array([cell_site], dtype=object), np.array([pack_site], dtype=object))
    return bm.battery_outputs(CTX, r, np.array([usable]), details=False)


#: published pack -> the library cell and architecture that represent it
PACK_MODELS = {
    "byd-dolphin-44.9": ("lfp-blade", "cell-to-pack"),  # BYD Blade (MIIT filing, 140 Wh/kg)
    "catl-qilin-lfp": ("lfp-prismatic", "cell-to-pack"),  # CATL CTP 3.0, LFP (maker: 160 Wh/kg)
    "renault-zoe-ze50": ("nmc811-pouch", "module-to-pack"),  # LG high-nickel pouch cells in 12 modules
    "vw-meb-82": ("nmc811-pouch", "module-to-pack"),  # LG pouch cells in 12 modules
    "renault-megane-etech-60": ("nmc811-pouch", "module-to-pack"),  # LG high-nickel pouch cells
    "tesla-model3-sr-lfp-2021": ("lfp-prismatic", "module-to-pack"),  # CATL 161 Ah LFP cells in 4 modules
}


@pytest.mark.parametrize("pack", sorted(PACK_MODELS))
def test_pack_specific_energy_within_10_percent_of_published(pack):
    published = float(PACKS[pack]["specific_energy_wh_per_kg"])
    modelled = _pack(*PACK_MODELS[pack])["pack_specific_energy_wh_per_kg"][0]
    assert modelled == pytest.approx(published, rel=0.10), f"{pack}: model {modelled:.0f} vs {published:.0f} Wh/kg"


@pytest.mark.xfail(strict=True, reason="known miss: CATL's 'up to 255 Wh/kg' Qilin NMC claim; with the one measured "
                   "CATL NMC811 prismatic cell (247 Wh/kg) and the cell-to-pack non-cell mass of BYD's Blade packs "
                   "(0.9 kg/kWh) the model gives 202 Wh/kg (-21 %), while the Qilin NMC packs of real cars (Xiaomi "
                   "SU7 Max, Li Mega, MIIT masses) have 156-163 Wh/kg (docs/decisions_needed.md)")
def test_qilin_nmc_pack_specific_energy_within_10_percent():
    published = float(PACKS["catl-qilin-nmc"]["specific_energy_wh_per_kg"])
    modelled = _pack("nmc811-prismatic", "cell-to-pack")["pack_specific_energy_wh_per_kg"][0]  # Qilin: prismatic
    assert modelled == pytest.approx(published, rel=0.10)


def _survey(year: str, segment: str, chemistry: str, region: str) -> float:
    row = next(r for r in SURVEYS if r["survey"] == "BNEF" and r["year"] == year and r["segment"] == segment
               and r["chemistry"] == chemistry and r["region"] == region)
    factor, _ = currency_factor(row["unit"], int(row["year"]), DATA.currencies)
    return float(row["value"]) * factor  # EUR/kWh


def test_china_lfp_pack_cost_within_15_percent_of_the_latest_bnef_survey():
    """BNEF 2025: LFP pack average 81 USD/kWh (LFP packs are almost all made in China)."""
    published = _survey("2025", "pack_all", "LFP", "global")
    modelled = _pack("lfp-prismatic", "cell-to-pack")["pack_cost_eur_per_kwh"][0]
    assert modelled == pytest.approx(published, rel=0.15)


@pytest.mark.xfail(strict=True, reason="known miss: BNEF 2025's NMC average (128 USD/kWh) is global and mostly "
                   "Korean/Japanese-made; the model's China NMC module pack is about 25 % below it, its Korean one "
                   "about 16 % below")
def test_nmc_pack_cost_within_15_percent_of_the_latest_bnef_survey():
    published = _survey("2025", "pack_all", "NMC", "global")
    modelled = _pack("nmc811-pouch", "module-to-pack", "KR", "KR")["pack_cost_eur_per_kwh"][0]
    assert modelled == pytest.approx(published, rel=0.15)


@pytest.mark.parametrize(("cell", "architecture", "europe"), [
    ("lfp-prismatic", "cell-to-pack", "FR"), ("lfp-prismatic", "cell-to-pack", "HU"),
    ("nmc811-pouch", "module-to-pack", "FR"), ("nmc811-pouch", "module-to-pack", "PL"),
])
def test_europe_premium_over_china_inside_the_published_span(cell, architecture, europe):
    """BNEF: Europe packs 20 % (2023), 48 % (2024), 56 % (2025) above China."""
    premiums = [float(r["value"]) for r in SURVEYS
                if r["segment"] == "premium_vs_china" and r["region"] == "europe" and r["survey"] == "BNEF"]
    china = _pack(cell, architecture, "CN", "CN")["pack_cost_eur_per_kwh"][0]
    made_in_europe = _pack(cell, architecture, europe, europe)["pack_cost_eur_per_kwh"][0]
    assert min(premiums) <= made_in_europe / china - 1.0 <= max(premiums)


#: Literature bounds [kg per kWh of cell energy]. Lithium: 0.080 (LiFePO4 at no excess, Tahil
#: 2010 via dundee-2009-lithium-hype) to 0.246 (Gaines & Nelson, Argonne 2009, over cathode
#: types); nickel and cobalt of NMC811: cathode 1.25-1.55 kg/kWh (BatPaC 5.2 and teardown-based
#: ranges in the project's desk research, facts-materials-energy-logistics.md section 3.2)
#: times the NMC811 stoichiometry (Ni 0.483, Co 0.061 by mass).
METAL_BOUNDS = {
    ("LFP", "Li"): (0.080, 0.246), ("LMFP", "Li"): (0.080, 0.246), ("NMC811", "Li"): (0.080, 0.246),
    ("NMC622", "Li"): (0.080, 0.246), ("NCA", "Li"): (0.080, 0.246),
    ("NMC811", "Ni"): (1.25 * 0.483, 1.55 * 0.483), ("NMC811", "Co"): (1.25 * 0.0606, 1.55 * 0.0606),
}


@pytest.mark.parametrize(("chemistry", "element"), sorted(METAL_BOUNDS))
def test_metal_content_per_kwh_inside_literature_ranges(chemistry, element):
    low, high = METAL_BOUNDS[(chemistry, element)]
    column = CTX.lib.categories.index(element)
    for i, cid in enumerate(CTX.lib.cells):
        if DATA.table("cells")[cid].meta["chemistry"] == chemistry:
            value = CTX.lib.cell_kg_per_kwh[i, column]
            assert low <= value <= high, f"{cid}: {element} {value:.3f} kg/kWh outside {low:.3f}-{high:.3f}"


def test_pack_premium_in_the_car_cost_is_the_battery_steps_and_inside_the_published_span(tmp_path):
    """Issue 5: the Europe-over-China pack premium carried into a car's landed cost is the battery
    model's own, and inside BNEF's 2023-2025 span."""
    import json

    from evchain import evaluate, load_study

    text = '[study]\nname = "premium"\n' + "".join(
        f'[[variants]]\nid = "{sid}"\nvehicle = "renault-5-etech-52"\n'
        f'battery = {{ cell_site = "{site}", pack_site = "{site}" }}\n' for sid, site in (("eu", "FR"), ("cn", "CN")))
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    for case in cases.values():
        assert case["cost_by_category_eur"]["battery"] == pytest.approx(case["pack_cost_eur"], rel=1e-12)
    premium = cases["eu"]["pack_cost_eur"] / cases["cn"]["pack_cost_eur"] - 1.0
    spans = [float(r["value"]) for r in SURVEYS
             if r["segment"] == "premium_vs_china" and r["region"] == "europe" and r["survey"] == "BNEF"]
    assert min(spans) <= premium <= max(spans)
