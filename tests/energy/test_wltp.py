"""The WLTC as the regulation adapts it: downscaling and capped speed (UN GTR 15 Annex 1 paras 8, 9).

Reference points of the downscaling (speed and acceleration of the most demanding second of
each class) as GTR 15 Annex 1 para 8 gives them, also in the JRC 'wltp' package (cycles/class*.py):
class 1 at 764 s, 61.4 km/h, 0.22 m/s2; class 2 at 1574 s, 109.9 km/h, 0.36 m/s2; class 3 at
1566 s, 111.9 km/h, 0.50 m/s2.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.energy.cycles import load_cycle, trace_kmh, wltc_variant
from evchain.energy.model import energy_use
from evchain.energy.wltp import cap_speed, downscale, downscaling_factor, required_power_kw
from evchain.study.cases import CaseTable, vehicle_row

DATA = load_data()
GTR_REFERENCE = {"wltc-class1": (764, 61.4, 0.22), "wltc-class2": (1574, 109.9, 0.36),
                 "wltc-class3b": (1566, 111.9, 0.50)}


@pytest.mark.parametrize("cycle_id", sorted(GTR_REFERENCE))
def test_reference_second_of_each_class_is_the_regulations(cycle_id):
    second, speed_kmh, accel = GTR_REFERENCE[cycle_id]
    d = DATA.cycles[cycle_id].downscale
    kmh = trace_kmh(str(DATA.cycles[cycle_id].path))
    assert int(d["reference_s"]) == second
    assert kmh[second] == pytest.approx(speed_kmh, abs=0.05)
    assert (kmh[second + 1] - kmh[second]) / 3.6 == pytest.approx(accel, abs=0.01)


def test_downscaling_factor_is_zero_with_power_to_spare_and_grows_with_the_shortfall():
    rated = np.full(5, 50.0)
    required = np.array([20.0, 43.0, 50.0, 60.0, 80.0])  # ratios 0.4, 0.86, 1.0, 1.2, 1.6
    f = downscaling_factor(required, rated, 0.867, 0.588, -0.510, 0.01)
    assert f[0] == 0.0 and f[1] == 0.0  # below r0
    assert f[2] == pytest.approx(0.078)  # 0.588 x 1.0 - 0.510
    assert np.all(np.diff(f) >= 0.0)


def test_a_factor_at_or_below_the_threshold_is_not_applied():
    # r = 0.885: 0.588 r - 0.510 = 0.0104 -> rounds to 0.010, not above 0.01
    assert downscaling_factor(np.array([88.5]), np.array([100.0]), 0.867, 0.588, -0.510, 0.01)[0] == 0.0


def test_required_power_grows_with_mass_and_drag():
    base = required_power_kw(111.9, 0.5, np.array([100.0]), np.zeros(1), np.array([0.03]), np.array([1100.0]), 1.03)
    heavier = required_power_kw(111.9, 0.5, np.array([100.0]), np.zeros(1), np.array([0.03]), np.array([1300.0]), 1.03)
    draggier = required_power_kw(111.9, 0.5, np.array([100.0]), np.zeros(1), np.array([0.04]), np.array([1100.0]),
                                 1.03)
    assert heavier[0] > base[0] and draggier[0] > base[0]
    # 100 N x 111.9 + 0.03 x 111.9^3 + 1.03 x 0.5 x 111.9 x 1100, over 3600
    assert base[0] == pytest.approx((100 * 111.9 + 0.03 * 111.9**3 + 1.03 * 0.5 * 111.9 * 1100) / 3600)


@settings(max_examples=40, deadline=None)
@given(f_dsc=st.floats(0.011, 0.6), cycle_id=st.sampled_from(sorted(GTR_REFERENCE)))
def test_downscaled_trace_keeps_its_ends_and_cuts_accelerations(f_dsc, cycle_id):
    d = DATA.cycles[cycle_id].downscale
    start, tip, end = int(d["start_s"]), int(d["tip_s"]), int(d["end_s"])
    v = trace_kmh(str(DATA.cycles[cycle_id].path))
    out = downscale(v, start, tip, end, f_dsc)
    outside = np.r_[0:start + 1, end:v.size]
    np.testing.assert_allclose(out[outside], v[outside], atol=0.051)  # untouched, rounding 0.1 km/h
    # each step of the acceleration period changes by (1 - f_dsc) of the original step (rounding)
    np.testing.assert_allclose(np.diff(out[start:tip + 1]), (1 - f_dsc) * np.diff(v[start:tip + 1]), atol=0.11)
    assert out[start:end + 1].max() <= v[start:end + 1].max() + 0.05
    assert np.all(out >= 0.0)


@settings(max_examples=40, deadline=None)
@given(v_cap=st.floats(60.0, 131.0))
def test_capped_trace_stays_under_the_cap_and_keeps_each_phase_distance(v_cap):
    cycle = DATA.cycles["wltc-class3b"]
    v = trace_kmh(str(cycle.path))
    starts = sorted(int(a) for a, _ in cycle.phases.values())
    out, new_starts = cap_speed(v, starts, v_cap)
    assert out.max() <= v_cap + 1e-9
    def phase_km(trace, bounds):
        edges = [*bounds, trace.size - 1]
        return np.array([np.sum(trace[a:b] + trace[a + 1:b + 1]) / 2 / 3600 for a, b in itertools.pairwise(edges)])
    # each phase keeps its distance to within half a second at the cap (the added time is whole seconds)
    np.testing.assert_allclose(phase_km(out, new_starts), phase_km(v, starts), atol=0.5 * v_cap / 3600 + 1e-9)
    assert out.size >= v.size and all(b >= a for a, b in zip(starts, new_starts, strict=True))


def test_no_cap_at_or_above_the_cycles_top_speed():
    cycle = DATA.cycles["wltc-class3b"]
    v = trace_kmh(str(cycle.path))
    starts = sorted(int(a) for a, _ in cycle.phases.values())
    out, new_starts = cap_speed(v, starts, float(v.max()))
    np.testing.assert_array_equal(out, v)
    assert new_starts == starts


def _cases(vehicle, cycle):
    row = vehicle_row(DATA, vehicle, {})
    ids = np.array([vehicle], dtype=object)
    return CaseTable(ids, ids.copy(), np.array([cycle], dtype=object), {k: np.array([x]) for k, x in row.items()})


def test_the_dacia_spring_45_is_downscaled_capped_and_then_follows_the_cycle():
    """33 kW for about 1,080 kg of test mass: the class 3 cycle needs more than it has."""
    out = energy_use(_cases("dacia-spring-45", "wltc"), DATA, phases=False)
    assert out["cycle_downscaling_factor"][0] > 0.01
    assert out["cycle_capped_speed_kmh"][0] == pytest.approx(125.0)
    assert out["follows_cycle"][0]
    plain = energy_use(_cases("dacia-spring-45", "wltc-class3b"), DATA, phases=False)  # named: as it is
    assert plain["cycle_downscaling_factor"][0] == 0.0 and np.isnan(plain["cycle_capped_speed_kmh"][0])
    assert not plain["follows_cycle"][0]
    # the downscaled cycle is shorter and gentler: less energy per km
    assert out["energy_battery_kwh_per_100km"][0] < plain["energy_battery_kwh_per_100km"][0]


def test_a_powerful_fast_car_drives_the_cycle_as_it_is():
    out = energy_use(_cases("tesla-model3-rwd-2024", "wltc"), DATA, phases=False)
    assert out["cycle_downscaling_factor"][0] == 0.0 and np.isnan(out["cycle_capped_speed_kmh"][0])
    assert out["cycle_distance_km"][0] == pytest.approx(load_cycle(DATA, "wltc-class3b").distance_km)


def test_variant_phases_cover_the_trace_and_keep_their_names():
    cycle = wltc_variant(DATA, "wltc-class3b", 0.081, 125.0)
    assert cycle.phase_names == ("low", "medium", "high", "extra_high")
    assert "downscaled" in cycle.name and "capped" in cycle.name
    assert cycle.phase_distance_km().sum() == pytest.approx(cycle.distance_km)
    assert cycle.phase_distance_km()[:3] == pytest.approx(load_cycle(DATA, "wltc-class3b").phase_distance_km()[:3])


def test_a_pack_sized_for_a_range_meets_it_on_the_cycle_its_own_mass_sets(tmp_path):
    """The downscaling factor changes with the pack's mass; the range closure still lands on the target."""
    import json

    from evchain import evaluate, load_study

    path = tmp_path / "spring.toml"
    path.write_text('[study]\nname = "Spring for a range"\n' + "".join(
        f'[[variants]]\nid = "r{km}"\nvehicle = "dacia-spring-45"\nbattery = {{ chemistry = "LFP", '
        f'architecture = "cell-to-pack", target_range = "{km} km", cell_site = "CN", pack_site = "CN" }}\n'
        for km in (200, 300)), encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    for km in (200, 300):
        assert cases[f"r{km}"]["range_km"] == pytest.approx(km, rel=1e-3)
        assert cases[f"r{km}"]["cycle_downscaling_factor"] > 0.01
    # a heavier pack needs more power: the cycle is downscaled further
    assert cases["r300"]["cycle_downscaling_factor"] > cases["r200"]["cycle_downscaling_factor"]


def test_merged_and_unmerged_steps_give_the_same_energy():
    """A cycle many cars drive has its identical steps merged; one few cars drive is simulated
    step by step (cheaper to prepare): the same energies either way."""
    from evchain.energy.model import MERGE_FROM

    rng = np.random.default_rng(3)
    n = MERGE_FROM + 10
    row = vehicle_row(DATA, "renault-5-etech-52", {})
    columns = {k: np.full(n, x) for k, x in row.items()}
    columns["curb_mass"] = rng.uniform(1100, 1900, n)
    columns["motor_power"] = rng.uniform(60, 200, n)
    ids = np.array([f"c{i}" for i in range(n)], dtype=object)
    cases = CaseTable(ids, np.full(n, "renault-5-etech-52", dtype=object), np.full(n, "wltc-class3b", dtype=object),
                      columns)
    merged = energy_use(cases, DATA, phases=False)
    few = energy_use(cases.take(slice(0, 100)), DATA, phases=False)  # under MERGE_FROM: step by step
    for name in ("energy_battery_kwh_per_100km", "energy_wall_kwh_per_100km", "range_km"):
        np.testing.assert_allclose(few[name], merged[name][:100], rtol=1e-12, err_msg=name)
