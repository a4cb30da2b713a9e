"""Contracted inventory sums equal the sums over the per-material masses."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.lca.inventory import (
    MATERIALS,
    build_inventory,
    glider_kg,
    glider_sum,
    powertrain_kg,
    powertrain_sum,
    segment_row,
)

INV = build_inventory(load_data())
SEGMENTS = np.array(["A", "B", "C", "B-SUV", "D"], dtype=object)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(20, 400), st.booleans(), st.floats(300, 2000), st.integers(0, 4),
                          st.integers(0, 2)), min_size=1, max_size=20))
def test_sums_equal_the_dot_product_of_masses_and_weights(rows):
    kw = np.array([r[0] for r in rows])
    wound = np.array([r[1] for r in rows])
    glider = np.array([r[2] for r in rows])
    segment = SEGMENTS[[r[3] for r in rows]]
    row = np.array([r[4] for r in rows])
    weights = np.random.default_rng(0).uniform(0, 30, (3, len(MATERIALS)))
    expected = (powertrain_kg(INV, kw, wound) * weights[row]).sum(axis=1)
    np.testing.assert_allclose(powertrain_sum(INV, weights, kw, wound, row), expected, rtol=1e-12)
    expected = (glider_kg(INV, glider, segment) * weights[row]).sum(axis=1)
    np.testing.assert_allclose(glider_sum(INV, weights, glider, segment_row(INV, segment), row), expected, rtol=1e-12)
    # mass is conserved: the glider's materials add up to its mass
    np.testing.assert_allclose(glider_kg(INV, glider, segment).sum(axis=1), glider, rtol=1e-12)
