"""Grid intensity by country and year: interpolation, means over the years of use, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.data.registry import load_data
from evchain.errors import DataError
from evchain.lca.grids import build_grids, mean_intensity

DATA = load_data()
GRIDS = build_grids(DATA)
FR = GRIDS.row(np.array(["FR"], dtype=object))


def _series(code: str) -> dict[int, float]:
    return {y: v.value for y, v in DATA.table("grid_intensity")[code].series["intensity"].items()}


def test_a_single_data_year_is_returned_exactly():
    series = _series("FR")
    year = 2024
    got = mean_intensity(GRIDS, FR, np.array([year]), np.array([1.0]))[0]
    assert got == pytest.approx(series[year], rel=1e-12)


def test_years_between_data_points_are_interpolated_linearly():
    series = _series("DE")
    known = sorted(series)
    later = [y for y in known if y > 2030]
    a, b = 2030, later[0]
    if b - a < 2:
        pytest.skip("no gap after 2030 in the DE series")
    mid = (a + b) // 2
    expected = series[a] + (series[b] - series[a]) * (mid - a) / (b - a)
    row = GRIDS.row(np.array(["DE"], dtype=object))
    assert mean_intensity(GRIDS, row, np.array([mid]), np.array([1.0]))[0] == pytest.approx(expected, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(GRIDS.countries)), st.integers(2015, 2040), st.floats(0.5, 10.0))
def test_the_mean_over_years_of_use_lies_between_the_extreme_years(code, start, years):
    row = GRIDS.row(np.array([code], dtype=object))
    last = int(np.ceil(start + years)) - 1
    if last > GRIDS.last_year:
        return
    values = GRIDS.intensity[row[0], start - GRIDS.first_year:last - GRIDS.first_year + 1]
    if np.isnan(values).any():
        return
    mean = mean_intensity(GRIDS, row, np.array([start]), np.array([years]))[0]
    assert values.min() - 1e-9 <= mean <= values.max() + 1e-9


def test_a_year_outside_the_data_is_an_error_unless_extrapolation_is_asked():
    with pytest.raises(DataError, match=r"not known for 2090-2104.*allow extrapolation"):
        mean_intensity(GRIDS, FR, np.array([2090]), np.array([15.0]))
    held = mean_intensity(GRIDS, FR, np.array([2090]), np.array([15.0]), extrapolate=True)[0]
    series = _series("FR")
    assert held == pytest.approx(series[max(series)], rel=1e-9)  # the last year's value, held


def test_unknown_country_gets_suggestions():
    with pytest.raises(DataError, match=r"no electricity carbon intensity for country 'FRA'.*known:"):
        GRIDS.row(np.array(["FRA"], dtype=object))


@settings(max_examples=25, deadline=None)
@given(st.integers(2015, 2035), st.floats(1.0, 10.0), st.booleans())
def test_a_batch_with_one_year_gives_what_each_case_gets_alone(year, span, extrapolate):
    """Batches of one start year and span take a per-country shortcut; it changes nothing."""
    from evchain.lca.grids import intensity_in

    codes = np.array(["FR", "DE", "PL", "CN", "SE"] * 30, dtype=object)
    rows = GRIDS.row(codes)
    n = rows.size
    batch = (intensity_in(GRIDS, rows, np.full(n, year), extrapolate),
             mean_intensity(GRIDS, rows, np.full(n, year), np.full(n, span), extrapolate))
    alone = (np.array([intensity_in(GRIDS, rows[i:i + 1], np.array([year]), extrapolate)[0] for i in range(5)]),
             np.array([mean_intensity(GRIDS, rows[i:i + 1], np.array([year]), np.array([span]), extrapolate)[0]
                       for i in range(5)]))
    for got, want in zip(batch, alone, strict=True):
        np.testing.assert_allclose(got[:5], want, rtol=1e-12)
        np.testing.assert_allclose(got, np.tile(want, 30), rtol=1e-12)
