"""Materials by element, and the cell/architecture library: mass and element balance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.battery.library import build_library, cell_materials
from evchain.battery.materials import element_fractions, formula_fractions, material_split, parse_formula
from evchain.data.registry import load_data
from evchain.errors import DataError

DATA = load_data()
WEIGHTS = {e: r.value("atomic_weight") for e, r in DATA.table("elements").items()}
LIB = build_library(DATA)


def test_formula_parsing_reads_decimal_counts():
    assert parse_formula("LiNi0.8Mn0.1Co0.1O2") == {"Li": 1.0, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2.0}
    assert parse_formula("C2H4") == {"C": 2.0, "H": 4.0}
    for bad in ("", "lifepo4", "Li(FePO4)", "Xx2"):
        if bad == "Xx2":
            with pytest.raises(ValueError, match="no atomic weight"):
                formula_fractions(bad, WEIGHTS)
        else:
            with pytest.raises(ValueError):
                parse_formula(bad)


def test_lfp_lithium_share_is_its_atomic_weight_over_the_formula_weight():
    w = WEIGHTS
    expected = w["Li"] / (w["Li"] + w["Fe"] + w["P"] + 4 * w["O"])
    assert formula_fractions("LiFePO4", w)["Li"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0440, abs=2e-4)  # textbook value for LiFePO4


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(WEIGHTS)), st.floats(0.01, 8.0)), min_size=1, max_size=5))
def test_element_fractions_of_any_formula_sum_to_one(parts):
    formula = "".join(f"{e}{n:.3f}" for e, n in parts)
    fractions = formula_fractions(formula, WEIGHTS)
    assert sum(fractions.values()) == pytest.approx(1.0, rel=1e-12)
    assert all(v > 0 for v in fractions.values())


@pytest.mark.parametrize("material", sorted(DATA.table("materials")))
def test_every_material_splits_into_shares_summing_to_one(material):
    assert sum(material_split(material, DATA).values()) == pytest.approx(1.0, rel=1e-9)
    assert sum(element_fractions(material, DATA).values()) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("i", range(len(LIB.cells)))
def test_cell_bill_of_materials_balances_the_cell_mass(i):
    """Categories (elements and reported materials) add up to the cell's mass per kWh."""
    assert LIB.cell_kg_per_kwh[i].sum() == pytest.approx(1000.0 / LIB.specific_energy[i], rel=1e-9)
    assert np.all(LIB.cell_kg_per_kwh[i] >= -1e-12)


@pytest.mark.parametrize("i", range(len(LIB.cells)))
def test_elements_in_the_bill_of_materials_come_from_the_materials_compositions(i):
    """Element balance: each element of the cell equals Σ (material mass × its element share)."""
    cell = DATA.table("cells")[LIB.cells[i]]
    materials = cell_materials(cell)
    from evchain.schema_tables import CELL_BOM_FIELDS

    for element in ("Li", "Ni", "Co", "Mn", "Fe", "P", "Cu"):
        expected = 0.0
        for field, kg in zip(CELL_BOM_FIELDS, LIB.bom_kg_per_kwh[i], strict=True):
            expected += kg * material_split(materials[field], DATA).get(element, 0.0)
        column = LIB.categories.index(element) if element in LIB.categories else None
        got = LIB.cell_kg_per_kwh[i, column] if column is not None else 0.0
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_sodium_ion_cells_hold_no_lithium_and_lfp_no_nickel_or_cobalt():
    li, ni, co = (LIB.categories.index(e) for e in ("Li", "Ni", "Co"))
    for i, cid in enumerate(LIB.cells):
        chemistry = DATA.table("cells")[cid].meta["chemistry"]
        if chemistry == "Na-ion":
            assert LIB.cell_kg_per_kwh[i, li] == 0.0
        if chemistry in ("LFP", "LMFP"):
            assert LIB.cell_kg_per_kwh[i, ni] == 0.0 and LIB.cell_kg_per_kwh[i, co] == 0.0


@pytest.mark.parametrize("j", range(len(LIB.architectures)))
def test_pack_parts_split_the_non_cell_mass_exactly(j):
    assert LIB.part_kg_per_kg[j].sum() == pytest.approx(1.0, rel=1e-9)


def test_unknown_material_is_a_clear_error():
    with pytest.raises(DataError, match="unknown material 'unobtainium'"):
        material_split("unobtainium", DATA)
