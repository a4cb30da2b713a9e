"""France's environmental score: the formula's properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.score.french import ScoreInputs, factor, french_score, great_circle_km

DATA = load_data()
SCORE = DATA.table("french_score")["score"]


def _inputs(battery_kwh: float, plant: str = "FR", category2: bool = True) -> ScoreInputs:
    one = lambda x: np.array([x])  # noqa: E731
    return ScoreInputs(one(600.0), one(120.0), one(1000.0), one(battery_kwh), np.array(["FR"], dtype=object),
                       np.array([plant], dtype=object), one(1300.0), np.array([category2]))


@settings(max_examples=40, deadline=None)
@given(st.floats(10.0, 100.0), st.floats(1.0, 50.0))
def test_more_battery_never_raises_the_score(kwh, extra):
    low = french_score(DATA, _inputs(kwh), np.array([100.0]))
    high = french_score(DATA, _inputs(kwh + extra), np.array([100.0]))
    assert high["total"][0] > low["total"][0]
    assert high["score"][0] <= low["score"][0]


def test_the_score_is_linear_between_the_thresholds_and_clamped():
    high, low = SCORE.value("ec_high_cat2"), SCORE.value("ec_low_cat2")
    for footprint, expected in ((low, 80.0), (high, 0.0), ((high + low) / 2, 40.0), (low - 1000, 80.0),
                                (high + 1000, 0.0)):
        base = french_score(DATA, _inputs(0.0), np.array([0.0]))["total"][0]
        result = french_score(DATA, _inputs(0.0), np.array([footprint - base]))
        assert result["score"][0] == pytest.approx(expected, abs=1e-9)
    assert SCORE.value("eligibility_threshold") == pytest.approx(60.0)


def test_category_one_has_the_stricter_thresholds():
    cat2 = french_score(DATA, _inputs(40.0, category2=True), np.array([500.0]))["score"][0]
    cat1 = french_score(DATA, _inputs(40.0, category2=False), np.array([500.0]))["score"][0]
    assert cat1 < cat2


def test_a_country_the_annex_does_not_list_falls_back_on_its_continent_or_the_default():
    assert factor(DATA, "RS", "ef_manufacturing") == pytest.approx(factor(DATA, "OTHER_EUROPE", "ef_manufacturing"))
    assert factor(DATA, "CN", "ef_battery_nmc811") > factor(DATA, "FR", "ef_battery_nmc811")


def test_great_circle_distance_paris_to_shanghai():
    # Paris (48.857 N, 2.352 E) to Shanghai (31.230 N, 121.474 E): about 9,260 km
    assert great_circle_km(48.857, 2.352, 31.230, 121.474) == pytest.approx(9260, rel=0.01)


def test_a_car_is_multi_usage_from_the_range_the_data_set():
    """Category 2 needs five seats, a boot over 200 l and the range of french_score.csv."""
    import numpy as np

    from evchain.run.sweep import sweep

    threshold = DATA.table("french_score")["score"].value("cat2_min_range")
    usable = 42.0
    # consumption given so that the range (usable / consumption) sits just under and over the threshold
    wall = np.array([usable / (threshold - 1.0), usable / (threshold + 1.0)]) * 100.0
    r = sweep(2, "renault-5-etech-52", parts=("score",), battery_usable=usable,
              context={"energy_wall_kwh_per_100km": wall})
    total = r.columns["france_score_footprint_kgco2e"]
    score = r.columns["france_score"]
    rules = DATA.table("french_score")["score"]
    for i, cat in enumerate(("1", "2")):
        high, low = rules.value(f"ec_high_cat{cat}"), rules.value(f"ec_low_cat{cat}")
        expected = np.clip(80.0 * (high - total[i]) / (high - low), 0.0, 80.0)
        assert score[i] == pytest.approx(expected, rel=1e-9), cat
