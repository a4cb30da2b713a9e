"""The compiled kernel against the plain reference, and its physics (energy balance, monotonicity)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.energy import kernel
from evchain.energy.cycles import load_cycle
from tests.energy.reference import reference_energy

DATA = load_data()
CYCLE = load_cycle(DATA, "wltc-class3b")
CURVE_X, CURVE_Y = DATA.motor_curves["fastsim-large"]
CURVES = kernel.hinge_curves([(CURVE_X, CURVE_Y)])
G = DATA.parameter("gravity")
RHO = DATA.parameter("air_density")


def _car(draw_or_values: dict[str, float]) -> dict[str, float]:
    return draw_or_values


cars = st.fixed_dictionaries({
    "mass": st.floats(700, 3000),
    "rot": st.floats(0.0, 0.1),
    "cd": st.floats(0.18, 0.5),
    "area": st.floats(1.6, 3.2),
    "crr": st.floats(0.005, 0.015),
    "p_motor": st.floats(15e3, 400e3),
    "eta_t": st.floats(0.85, 0.99),
    "p_aux": st.floats(0.0, 3000.0),
    "u_oc": st.floats(150.0, 800.0),
    "r_int": st.floats(0.01, 0.3),
    "p_regen": st.floats(5e3, 300e3),
    "v_cut": st.floats(0.0, 4.0),
    "v_fade": st.floats(0.0, 8.0),
})


def _simulate(car: dict[str, float], cycle=CYCLE):
    arr = lambda x: np.array([x], dtype=np.float64)  # noqa: E731
    return kernel.simulate(
        *cycle.steps, arr(car["mass"]), arr(car["mass"] * (1 + car["rot"])),
        arr(car["cd"] * car["area"]), arr(car["crr"]), arr(car["p_motor"]), arr(car["eta_t"]),
        arr(car["p_aux"]), arr(car["u_oc"]), arr(car["r_int"]), arr(car["p_regen"]), arr(car["v_cut"]),
        kernel.inverse_span(arr(car["v_cut"]), arr(car["v_fade"])), np.zeros(1, dtype=np.int64), *CURVES, G, RHO)


@settings(max_examples=25, deadline=None)
@given(cars)
def test_kernel_matches_plain_reference(car):
    """The fast path agrees with the scalar reference to 1e-9 relative (issue 2)."""
    terminal, chemical, _ = _simulate(car)
    ref_t, ref_c = reference_energy(
        CYCLE.speed_mean_m_s, CYCLE.accel_m_s2, CYCLE.dt_s, CYCLE.sin_grade, mass=car["mass"],
        m_inertial=car["mass"] * (1 + car["rot"]), cda=car["cd"] * car["area"], crr=car["crr"],
        p_motor=car["p_motor"], eta_t=car["eta_t"], p_aux=car["p_aux"], u_oc=car["u_oc"],
        r_int=car["r_int"], p_regen=car["p_regen"], v_cut=car["v_cut"], v_fade=car["v_fade"],
        curve_x=CURVE_X, curve_y=CURVE_Y, g=G, rho=RHO)
    assert terminal.sum() == pytest.approx(ref_t, rel=1e-9)
    assert chemical.sum() == pytest.approx(ref_c, rel=1e-9)


def _trace(car: dict[str, float], cycle=CYCLE) -> np.ndarray:
    return kernel.step_trace(
        cycle.speed_mean_m_s, cycle.accel_m_s2, cycle.dt_s, cycle.sin_grade, car["mass"],
        car["mass"] * (1 + car["rot"]), car["cd"] * car["area"], car["crr"], car["p_motor"], car["eta_t"],
        car["p_aux"], car["u_oc"], car["r_int"], car["p_regen"], car["v_cut"],
        float(kernel.inverse_span(car["v_cut"], car["v_fade"])), 0, *CURVES, G, RHO)


T = {name: i for i, name in enumerate(kernel.TOTALS)}


@settings(max_examples=25, deadline=None)
@given(cars)
def test_energy_balance_per_step(car):
    """Each step: traction = losses + change of kinetic and potential energy; electric side closes."""
    rows = _trace(car)
    wheel = rows[:, T["wheel_positive"]] - rows[:, T["wheel_negative"]]
    road = rows[:, T["aero"]] + rows[:, T["rolling"]] + rows[:, T["grade"]] + rows[:, T["inertia"]]
    np.testing.assert_allclose(wheel, road, rtol=1e-9, atol=1e-6)
    # kinetic energy change per step from the trace itself: 1/2 m_i (v1^2 - v0^2)
    v = np.concatenate([[0.0], np.cumsum(CYCLE.accel_m_s2 * CYCLE.dt_s)])
    d_kinetic = 0.5 * car["mass"] * (1 + car["rot"]) * np.diff(v**2)
    np.testing.assert_allclose(rows[:, T["inertia"]], d_kinetic, rtol=1e-9, atol=1e-6)
    followed = rows[:, T["shortfall_steps"]] == 0
    sinks = (wheel + rows[:, T["friction_brake"]] + rows[:, T["transmission_loss"]]
             + rows[:, T["motor_loss"]] + rows[:, T["aux"]])
    np.testing.assert_allclose(rows[followed, T["terminal"]], sinks[followed], rtol=1e-9, atol=1e-6)
    ok = rows[:, T["overload_steps"]] == 0  # beyond the maximum power transfer the circuit has no solution
    np.testing.assert_allclose(rows[ok, T["chemical"]], rows[ok, T["terminal"]] + rows[ok, T["battery_loss"]],
                               rtol=1e-7, atol=1e-6)
    assert np.all(rows[:, T["friction_brake"]] >= -1e-9)
    assert np.all(rows[:, T["battery_loss"]] >= 0)


def test_whole_cycle_kinetic_energy_returns_to_zero():
    """The cycle starts and ends at rest: the inertia term sums to zero over the cycle."""
    car = {"mass": 1500, "rot": 0.03, "cd": 0.3, "area": 2.2, "crr": 0.009, "p_motor": 1e5, "eta_t": 0.97,
           "p_aux": 250, "u_oc": 350, "r_int": 0.1, "p_regen": 1e5, "v_cut": 1.4, "v_fade": 4.2}
    rows = _trace(car)
    assert abs(rows[:, T["inertia"]].sum()) < 1e-6 * rows[:, T["wheel_positive"]].sum()


BASE = {"mass": 1500.0, "rot": 0.03, "cd": 0.3, "area": 2.2, "crr": 0.009, "p_motor": 1e5, "eta_t": 0.97,
        "p_aux": 250.0, "u_oc": 350.0, "r_int": 0.1, "p_regen": 1e5, "v_cut": 1.4, "v_fade": 4.2}


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["mass", "cd", "area", "crr", "p_aux", "r_int"]), st.floats(1.01, 1.5))
def test_more_load_or_loss_uses_more_energy(field, factor):
    """Monotonicity: more mass, drag, rolling resistance, aux load or resistance never saves energy."""
    low = _simulate(BASE)[1].sum()
    high = _simulate({**BASE, field: BASE[field] * factor})[1].sum()
    assert high > low


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["eta_t", "p_regen"]), st.floats(1.01, 1.3))
def test_better_efficiency_or_more_regen_never_costs_energy(field, factor):
    base = {**BASE, "p_regen": 2e4}
    value = min(base[field] * factor, 0.999) if field == "eta_t" else base[field] * factor
    assert _simulate({**base, field: value})[1].sum() <= _simulate(base)[1].sum() + 1e-6


def test_weak_car_reports_shortfall():
    """A car too weak for the trace is reported with its speed deficit, not silently."""
    _, _, flags = _simulate({**BASE, "p_motor": 15e3})
    assert flags[0, 0] > 0
    assert flags[0, 1] > 0.1
    _, _, strong = _simulate(BASE)
    assert strong[0, 0] == 0


@pytest.mark.parametrize("cycle_id", ["wltc-class3b", "wltc-class1", "udds", "hwfet"])
def test_merged_steps_keep_time_distance_and_phases(cycle_id):
    """Merging identical steps keeps each phase's duration, distance and step count."""
    cycle = load_cycle(DATA, cycle_id)
    steps = cycle.steps
    assert len(steps.speed_m_s) < len(cycle.speed_mean_m_s)  # something was merged (idling at least)
    for p in range(len(cycle.phase_names)):
        raw = cycle.phase == p
        merged = slice(steps.bounds[p], steps.bounds[p + 1])
        assert steps.duration_s[merged].sum() == pytest.approx(cycle.dt_s[raw].sum(), rel=1e-12)
        assert steps.n_merged[merged].sum() == raw.sum()
        assert (steps.speed_m_s[merged] * steps.duration_s[merged]).sum() == pytest.approx(
            (cycle.speed_mean_m_s[raw] * cycle.dt_s[raw]).sum(), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(cars)
def test_flags_match_the_per_step_trace(car):
    """Shortfall steps, the worst deficit and overload steps agree with the unmerged per-step trace."""
    _, _, flags = _simulate(car)
    rows = _trace(car)
    assert flags[0, 0] == rows[:, T["shortfall_steps"]].sum()
    assert flags[0, 1] == pytest.approx(rows[:, T["shortfall_max_m_s"]].max(), rel=1e-9, abs=1e-12)
    assert flags[0, 2] == rows[:, T["overload_steps"]].sum()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=2, max_size=kernel.HINGES + 2),
       st.lists(st.floats(0.0, 1.0), min_size=50, max_size=50))
def test_hinge_sum_is_the_linear_interpolant(ys, xs):
    """A curve's hinge sum equals np.interp of its points everywhere in [0, 1]."""
    x = np.linspace(0.0, 1.0, len(ys))
    y = np.array(ys)
    intercept, slope, change, knot = kernel.hinge_curves([(x, y)])
    at = np.array(xs)
    hinge = intercept[0] + slope[0] * at + (change[0] * np.maximum(at[:, None] - knot[0], 0.0)).sum(axis=1)
    np.testing.assert_allclose(hinge, np.interp(at, x, y), rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(cars, min_size=1, max_size=5))
def test_numpy_small_batch_path_agrees_with_the_compiled_kernel(batch):
    """The numpy path (small studies, no numba) computes the same as the kernel (1e-9 relative)."""
    from evchain.energy import small

    arr = lambda key: np.array([c[key] for c in batch], dtype=np.float64)  # noqa: E731
    args = (*CYCLE.steps, arr("mass"), arr("mass") * (1 + arr("rot")), arr("cd") * arr("area"), arr("crr"),
            arr("p_motor"), arr("eta_t"), arr("p_aux"), arr("u_oc"), arr("r_int"), arr("p_regen"), arr("v_cut"),
            kernel.inverse_span(arr("v_cut"), arr("v_fade")), np.zeros(len(batch), dtype=np.int64), *CURVES, G, RHO)
    compiled = kernel.simulate(*args)
    plain = small.simulate(*args)
    for a, b in zip(compiled, plain, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-6)
