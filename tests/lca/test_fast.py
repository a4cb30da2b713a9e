"""Carbon, score and cost by combination of choices (evchain.lca.fast) against the case-by-case path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.errors import DataError
from evchain.lca import fast
from evchain.lca.step import apply_impact
from evchain.run.sweep import run_cases, sweep_cases

DATA = load_data()
CELLS = ["lfp-prismatic", "nmc811-pouch", "lfp-blade", "nmc811-prismatic"]
SITES = ["CN", "FR", "HU", "aesc-douai", "catl-debrecen", "PL"]


def _cases(seed: int, n: int, most: int = 99, cycle_share: float = 0.0):
    """``n`` random cases; each choice among at most ``most`` options (few options: many cases
    share their choices and differ only in their continuous inputs). A ``cycle_share`` of them
    run the drive cycle (consumption not given: the score's range is the cycle's)."""
    rng = np.random.default_rng(seed)

    def pick(choices):
        choices = choices[:most]
        codes = rng.integers(0, len(choices), n)
        if isinstance(choices[0], str):
            return (choices, codes)
        return np.asarray(choices, dtype=np.float64)[codes]  # numbers: an array

    context = {
        "use_country": pick(["FR", "DE", "PL", "ES", "EU"]), "year": pick([2025, 2030]),
        "lifetime_km": pick([150_000.0, 200_000.0]), "assembly_site": pick(["douai", "novo-mesto", "CN", "tangier"]),
        "land_mode": pick(["road", "rail"]), "recycling_route": pick(["hydrometallurgical", "pyrometallurgical"]),
        "materials_region": pick(["china", "europe"]), "second_life_share": pick([0.0, 0.3]),
        "energy_wall_kwh_per_100km": np.where(rng.random(n) < cycle_share, np.nan, rng.uniform(11.0, 19.0, n)),
    }
    battery = {"cell": pick(CELLS), "architecture": pick(["cell-to-pack", "module-to-pack"]),
               "cell_site": pick(SITES), "pack_site": pick(SITES)}
    fields = {"curb_mass": rng.uniform(1300, 1700, n), "battery_usable": rng.uniform(30, 60, n),
              "motor_power": rng.uniform(60, 160, n),  # the score's category: seats, boot (and range)
              "seats": rng.choice([4.0, 5.0], n), "boot_volume": rng.choice([180.0, 326.0], n)}
    return sweep_cases(DATA, n, "renault-5-etech-52", "wltc-class3b", fields, battery, context)


def _both(cases, eol_approach, parts=("carbon",)):
    share = fast.MIN_CASES_PER_COMBINATION
    fast.MIN_CASES_PER_COMBINATION = 0  # small tables too: every case may be its own combination
    try:
        by_combination = run_cases(cases, DATA, parts=parts, details=False, eol_approach=eol_approach).columns
    finally:
        fast.MIN_CASES_PER_COMBINATION = share
    applicable = fast.applicable
    fast.applicable = lambda *a, **k: False  # the case-by-case path
    try:
        by_case = run_cases(cases, DATA, parts=parts, details=False, eol_approach=eol_approach).columns
    finally:
        fast.applicable = applicable
    return by_combination, by_case


@settings(max_examples=24, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 400), most=st.sampled_from([1, 2, 99]), cff=st.booleans(),
       parts=st.sampled_from([("carbon",), ("carbon", "score", "cost"), ("score",), ("cost",), ("score", "cost")]),
       cycle_share=st.sampled_from([0.0, 0.0, 0.3]))
def test_by_combination_equals_case_by_case(seed, n, most, cff, parts, cycle_share):
    fast_cols, slow_cols = _both(_cases(seed, n, most, cycle_share), "cff" if cff else "cut-off", parts)
    assert list(fast_cols) == list(slow_cols)  # the same outputs, in the same order
    for name, slow in slow_cols.items():
        got = fast_cols[name]
        if np.asarray(slow).dtype.kind == "f":
            # the break-even distance is a difference over a difference: near zero it keeps only an
            # absolute precision (a millimetre)
            np.testing.assert_allclose(got, slow, rtol=1e-9, atol=1e-6 if name == "breakeven_km" else 1e-9,
                                       err_msg=name)
        else:
            np.testing.assert_array_equal(got, slow, err_msg=name)


def test_a_sweep_of_carbon_goes_by_combination():
    rng = np.random.default_rng(5)
    n = 2000
    cases = sweep_cases(DATA, n, "renault-5-etech-52", "wltc-class3b",
                        {"curb_mass": rng.uniform(1300, 1700, n), "battery_usable": rng.uniform(30, 60, n)},
                        {"cell": (CELLS, rng.integers(0, 4, n)), "cell_site": (SITES, rng.integers(0, 6, n))},
                        {"energy_wall_kwh_per_100km": rng.uniform(11.0, 19.0, n)})
    ctx = dict(cases.context)
    assert fast.applicable(ctx, False, ("carbon",))
    assert not fast.applicable(ctx, True, ("carbon",))
    assert fast.applicable(ctx, False, ("score", "cost"))
    assert not fast.applicable(ctx, False, ())
    energy = {"energy_wall_kwh_per_100km": ctx["energy_wall_kwh_per_100km"]}
    assert fast.carbon(cases, ctx, energy, DATA, "cut-off", False, 32_768) is not None  # 24 combinations
    both = fast.outputs(cases, ctx, energy, DATA, "cut-off", False, 32_768, ("score", "cost"))
    assert both is not None and "france_score" in both and "gwp_total_kgco2e" not in both
    # a table whose cases are nearly all distinct goes case by case (the coefficients would cost more)
    rich = _cases(1, 2000)
    rich_ctx = dict(rich.context)
    assert fast.carbon(rich, rich_ctx, {"energy_wall_kwh_per_100km": rich_ctx["energy_wall_kwh_per_100km"]}, DATA,
                       "cut-off", False, 32_768) is None


def test_a_negative_other_materials_mass_sends_the_table_case_by_case():
    """The score floors its "other materials" mass at zero, which is not affine: where the floor
    would bite for any case, the combination path declines the table."""
    x = {"curb_mass": np.array([1000.0, 1200.0, 1400.0])}
    terms = [(np.array([-1300.0, 0.0]), None), (np.array([1.0, 0.5]), "curb_mass")]
    assert fast._floor_bites(terms, np.array([0, 0, 1]), x, 2)  # -300 for the first case
    assert not fast._floor_bites(terms, np.array([1, 1]), {"curb_mass": x["curb_mass"][1:]}, 1)  # 600 and 700


def test_recycled_content_goes_case_by_case():
    """Its saving is not affine in the pack: the combination path declines it."""
    cases = _cases(2, 50)
    ctx = dict(cases.context)
    ctx["recycled_Li"] = np.full(50, 0.1)
    assert not fast.applicable(ctx, False, ("carbon",))


def test_a_glider_that_weighs_nothing_is_still_an_error():
    cases = _cases(3, 100)
    cases.columns["curb_mass"] = cases.columns["curb_mass"].copy()
    cases.columns["curb_mass"][37] = 400.0
    cases.columns["battery_usable"] = cases.columns["battery_usable"].copy()
    cases.columns["battery_usable"][37] = 60.0  # a pack of 300 kg or more
    with pytest.raises(DataError, match="case 37: the battery and powertrain"):
        apply_impact(cases, {"energy_wall_kwh_per_100km": cases.context["energy_wall_kwh_per_100km"]}, DATA,
                     parts=("carbon",), details=False)


def test_the_glider_error_names_the_row_of_the_table_in_a_later_block_case_by_case():
    """Case by case, the impact step runs in blocks: the error names the table's row, not the block's."""
    import evchain

    n = 40_000  # two blocks of 32,768; every case its own lifetime, so no combination path
    curb = np.full(n, 1450.0)
    curb[39_990] = 400.0
    with pytest.raises(DataError, match="case 39990: the battery and powertrain"):
        evchain.sweep(n, "renault-5-etech-52", curb_mass=curb,
                      context={"lifetime_km": 100_000.0 + np.arange(n), "energy_wall_kwh_per_100km": 15.0})


def test_combinations_number_the_distinct_rows_and_point_at_their_first_case():
    a = np.array(["x", "y", "x", "y", "x"], dtype=object)
    b = np.array([1.0, 1.0, 2.0, 1.0, 1.0])
    c = np.full(5, np.nan)
    found = fast.combinations([a, b, c])
    assert found is not None
    inverse, first = found
    assert len(set(inverse.tolist())) == 3 and inverse[0] == inverse[4] and inverse[1] == inverse[3]
    np.testing.assert_array_equal(inverse[first], np.arange(first.size))
    assert all(first[inverse[i]] <= i for i in range(5))
