"""Mass closure: a pack sized for a range, its mass feeding back into consumption."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.battery.closure import solve_range


def _linear(a: np.ndarray, b: np.ndarray):
    def consumption(mass: np.ndarray, which: np.ndarray) -> np.ndarray:
        return a[which] + b[which] * mass
    return consumption


@settings(max_examples=60, deadline=None)
@given(st.floats(100, 800), st.floats(800, 1600), st.floats(4.0, 9.0), st.floats(0.06, 0.12),
       st.floats(2e-5, 8e-5))
def test_matches_the_closed_form_root_of_a_linear_consumption(target, base, k, a, b):
    """U = R (a + b (m0 + k U))  =>  U = R (a + b m0) / (1 - R b k)."""
    gain = target * b * k
    closure = solve_range(np.array([target]), np.array([base]), np.array([k]), np.array([50.0]),
                          _linear(np.array([a]), np.array([b])), max_usable_kwh=300.0, tol_km=1e-6)
    exact = target * (a + b * base) / (1.0 - gain)
    if gain < 1.0 and exact <= 300.0:
        assert closure.feasible[0]
        assert closure.usable_kwh[0] == pytest.approx(exact, rel=1e-6)
        assert closure.iterations <= 6  # secant steps on a straight line: a few evaluations
    else:
        assert not closure.feasible[0]
        assert np.isnan(closure.usable_kwh[0])


def test_a_gain_above_one_is_infeasible_not_a_huge_pack():
    """The pack's mass eats the range it adds: no pack meets the target."""
    closure = solve_range(np.array([500.0, 300.0]), np.array([1000.0, 1000.0]), np.array([20.0, 6.0]),
                          np.array([50.0, 50.0]), _linear(np.array([0.05, 0.05]), np.array([1.2e-4, 6e-5])),
                          max_usable_kwh=300.0)
    assert closure.feasible.tolist() == [False, True]


def test_only_unconverged_cases_are_simulated_again():
    calls: list[int] = []
    a, b = np.full(3, 0.08), np.array([5e-5, 0.0, 5e-5])

    def consumption(mass, which):
        calls.append(which.size)
        return a[which] + b[which] * mass

    solve_range(np.array([300.0, 300.0, 400.0]), np.full(3, 1200.0), np.full(3, 6.0), np.array([24.0, 24.0, 40.0]),
                consumption, max_usable_kwh=300.0)
    assert calls[0] == 3 and calls[-1] < 3  # the mass-independent case converges at once
