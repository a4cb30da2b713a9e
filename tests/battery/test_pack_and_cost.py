"""Pack design and cost: physics and accounting properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.battery import model as bm
from evchain.battery.cost import PACK_CATEGORIES, capital_recovery_factor
from evchain.battery.pack import design_pack, gravimetric_efficiency, materials_kg
from evchain.data.registry import load_data

DATA = load_data()
CTX = bm.context(DATA)
LIB = CTX.lib
N_CELLS, N_ARCH = len(LIB.cells), len(LIB.architectures)
SITES = sorted(DATA.table("countries"))


def _rows(cell: int, arch: int, cell_site: str = "CN", pack_site: str = "CN") -> bm.Rows:
    return bm.rows(CTX, DATA, np.array([LIB.cells[cell]], dtype=object),
                   np.array([LIB.architectures[arch]], dtype=object), np.array([cell_site], dtype=object),
                   np.array([pack_site], dtype=object))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, N_CELLS - 1), st.integers(0, N_ARCH - 1), st.floats(5.0, 150.0))
def test_pack_mass_and_materials_balance(cell, arch, usable):
    """Materials add up to the pack mass; pack Wh/kg = cell Wh/kg x gravimetric efficiency, which is
    cell mass over pack mass."""
    r = _rows(cell, arch)
    pack = bm.design(CTX, r, np.array([usable]))
    kg = materials_kg(pack.energy_kwh, pack.non_cell_mass_kg, LIB.cell_kg_per_kwh, LIB.part_kg_per_kg, r.cell,
                      r.architecture)
    assert kg.sum() == pytest.approx(pack.mass_kg[0], rel=1e-9)
    efficiency = gravimetric_efficiency(LIB.specific_energy[cell], LIB.non_cell_mass_per_kwh[arch])
    assert pack.specific_energy_wh_per_kg[0] == pytest.approx(LIB.specific_energy[cell] * efficiency, rel=1e-12)
    assert pack.cell_mass_kg[0] / pack.mass_kg[0] == pytest.approx(efficiency, rel=1e-12)
    assert pack.energy_kwh[0] >= usable
    assert pack.cells[0] * LIB.cell_energy[cell] >= 1000.0 * pack.energy_kwh[0] - 1e-6


@settings(max_examples=40, deadline=None)
@given(st.floats(5.0, 100.0), st.floats(1.01, 3.0))
def test_pack_mass_volume_and_metals_scale_linearly_with_energy(usable, factor):
    args = (np.array([0.95]), np.array([160.0]), np.array([350.0]), np.array([400.0]), np.array([0.8]),
            np.array([0.6]))
    small = design_pack(np.array([usable]), *args)
    big = design_pack(np.array([usable * factor]), *args)
    assert big.mass_kg[0] == pytest.approx(small.mass_kg[0] * factor, rel=1e-12)
    assert big.volume_l[0] == pytest.approx(small.volume_l[0] * factor, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, N_CELLS - 1), st.integers(0, N_ARCH - 1), st.sampled_from(SITES), st.sampled_from(SITES))
def test_cost_categories_add_up_to_the_cell_and_pack_cost(cell, arch, cell_site, pack_site):
    costs = bm.cost(CTX, _rows(cell, arch, cell_site, pack_site))
    cell_part = sum(costs[c] for c in ("materials", "labour", "energy", "capital", "overhead", "margin"))
    assert cell_part[0] == pytest.approx(costs["cell"][0], rel=1e-12)
    assert sum(costs[c] for c in PACK_CATEGORIES)[0] == pytest.approx(costs["pack"][0], rel=1e-12)
    assert all(costs[c][0] >= 0 for c in PACK_CATEGORIES if c != "margin")


def test_dearer_labour_and_power_make_dearer_cells_within_a_region():
    """Same region (same plant parameters): the country with dearer labour and power costs more."""
    europe = [c for c in SITES if DATA.table("countries")[c].meta["region"] == "europe"]
    costs = {c: bm.cost(CTX, _rows(0, 0, c, c))["cell"][0] for c in europe}
    labour = {c: DATA.table("countries")[c].value("labour_cost") for c in europe}
    power = {c: DATA.table("countries")[c].value("electricity_price") for c in europe}
    for a in europe:
        for b in europe:
            if labour[a] >= labour[b] and power[a] >= power[b] and (labour[a], power[a]) != (labour[b], power[b]):
                assert costs[a] > costs[b]


def test_capital_recovery_factor_matches_textbook_values():
    assert float(capital_recovery_factor(0.0, 10.0)) == pytest.approx(0.1)
    # i = 8 %, n = 10 years: 0.14903 (annuity tables)
    assert float(capital_recovery_factor(0.08, 10.0)) == pytest.approx(0.149029, rel=1e-5)
    rates = np.linspace(0.0, 0.2, 21)
    assert np.all(np.diff(capital_recovery_factor(rates, 10.0)) > 0)


def test_lfp_pack_costs_less_than_nmc_pack_made_at_the_same_site():
    lfp = LIB.cells.index("lfp-prismatic")
    nmc = LIB.cells.index("nmc811-pouch")
    ctp = LIB.architectures.index("cell-to-pack")
    for site in ("CN", "FR", "HU"):
        lfp_cost = bm.cost(CTX, _rows(lfp, ctp, site, site))["pack"][0]
        assert lfp_cost < bm.cost(CTX, _rows(nmc, ctp, site, site))["pack"][0]
