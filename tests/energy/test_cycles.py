"""Shipped cycles against their official distances, and WLTC class selection."""

from __future__ import annotations

import numpy as np
import pytest

from evchain.data.registry import load_data
from evchain.energy.cycles import load_cycle, power_to_mass_ratio, wltc_class

DATA = load_data()

# Official distances: UN GTR 15 Annex 1 (WLTC, class 3b phases 3.095/4.756/7.162/8.254 km);
# EPA dynamometer schedules (UDDS 7.45 mi, HWFET 10.26 mi). Tolerance 0.2 % (rounding of the
# published figures and of the 0.1 km/h trace resolution).
OFFICIAL_KM = {"wltc-class3b": 23.266, "wltc-class2": 22.649, "wltc-class1": 11.428,
               "udds": 7.45 * 1.609344, "hwfet": 10.26 * 1.609344}


@pytest.mark.parametrize("cycle_id", sorted(OFFICIAL_KM))
def test_cycle_distance_matches_official(cycle_id):
    assert load_cycle(DATA, cycle_id).distance_km == pytest.approx(OFFICIAL_KM[cycle_id], rel=2e-3)


def test_wltc_class3b_phase_distances():
    cycle = load_cycle(DATA, "wltc-class3b")
    assert cycle.phase_names == ("low", "medium", "high", "extra_high")
    np.testing.assert_allclose(cycle.phase_distance_km(), [3.095, 4.756, 7.162, 8.254], rtol=2e-3)


def test_wltc_class_follows_power_to_mass_ratio():
    pmr = power_to_mass_ratio(np.array([15.0, 30.0, 33.0, 110.0]), np.array([900.0, 1075.0, 1075.0, 1449.0]),
                              75.0)
    classes = wltc_class(pmr, np.array([100.0, 120.0, 125.0, 150.0]), 22.0, 34.0, 120.0)
    assert list(classes) == ["wltc-class1", "wltc-class2", "wltc-class2", "wltc-class3b"]
