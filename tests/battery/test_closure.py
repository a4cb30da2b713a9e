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


def test_a_consumption_that_drops_with_mass_is_bracketed_to_the_smallest_pack_that_reaches_the_target():
    """On the regulated WLTC a heavier car can change class and use less at once (a step down in
    e(m)): the range then jumps over some targets. The closure returns the smallest pack that
    reaches each target instead of giving up."""
    step_kg = 2600.0

    def consumption(mass, which):
        return np.where(mass < step_kg, 0.16 + 1e-5 * mass, 0.15 + 1e-5 * mass)

    base, k = np.full(3, 1200.0), np.full(3, 6.0)
    # reach at the step: U = (2600 - 1200) / 6 = 233.3 kWh; just below it 233.3 / 0.186 = 1254 km,
    # just above it 233.3 / 0.176 = 1326 km
    targets = np.array([1000.0, 1290.0, 1400.0])
    closure = solve_range(targets, base, k, np.full(3, 50.0), consumption, max_usable_kwh=300.0)
    assert closure.feasible.all()
    u = closure.usable_kwh
    reach = u / consumption(base + k * u, np.arange(3))
    np.testing.assert_allclose(reach[[0, 2]], targets[[0, 2]], atol=0.01)  # met exactly on either side
    assert u[1] == pytest.approx((step_kg - 1200.0) / 6.0, abs=1e-3)  # the target falls in the jump
    assert reach[1] > targets[1]
    smaller = u[1] - 1e-3
    assert smaller / consumption(base[:1] + 6.0 * smaller, np.arange(1))[0] < targets[1]  # the smallest that reaches it
