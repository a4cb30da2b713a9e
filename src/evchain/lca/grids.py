"""Electricity carbon intensity by country and year, history and projections.

``grid_intensity.csv`` gives life-cycle GWP100 of electricity [g CO2e/kWh] for some years
per country; between them the intensity is interpolated linearly. A year outside a
country's data is an error unless extrapolation is asked for, in which case the nearest
year's value is held (no trend is invented).

A car used for ``n`` years from year ``y0`` at a constant distance a year sees the mean
of the yearly intensities over those years (a partial last year counts in proportion).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import rows_of, take2
from evchain.data.registry import DataSet
from evchain.errors import DataError, did_you_mean

#: How a user allows extrapolation, named in the errors.
EXTRAPOLATE_HINT = ("allow extrapolation, which holds the nearest year's value (extrapolate_grid = true in the "
                    "study's [study] table; evchain.sweep(..., extrapolate_grid=True))")


@dataclass(frozen=True)
class Grids:
    """Yearly intensities of every country, one row per country, one column per year."""

    countries: tuple[str, ...]
    first_year: int
    intensity: np.ndarray  #: (countries, years) [g CO2e/kWh]; NaN outside a country's data
    held: np.ndarray  #: the same, nearest value held outside the data (for extrapolation)

    def row(self, codes: np.ndarray) -> np.ndarray:
        """Row of each country code; a clear error names the known ones."""
        lookup = {c: i for i, c in enumerate(self.countries)}
        return rows_of(codes, lookup, lambda code: DataError(
            f"no electricity carbon intensity for country {code!r}" + did_you_mean(str(code), self.countries)
            + f"; known: {', '.join(self.countries)}"))

    @property
    def last_year(self) -> int:
        """Last year of the table."""
        return self.first_year + self.intensity.shape[1] - 1


def build_grids(data: DataSet) -> Grids:
    """The yearly intensity matrix of ``grid_intensity.csv``."""
    records = data.table("grid_intensity")
    series = {code: r.series.get("intensity", {}) for code, r in records.items() if r.series.get("intensity")}
    if not series:
        raise DataError("no electricity carbon intensities in the data (grid_intensity.csv)")
    first = min(min(s) for s in series.values())
    last = max(max(s) for s in series.values())
    years = np.arange(first, last + 1)
    codes = tuple(sorted(series))
    intensity = np.full((len(codes), years.size), np.nan)
    held = np.empty((len(codes), years.size))
    for i, code in enumerate(codes):
        known = sorted(series[code])
        values = np.array([series[code][y].value for y in known])
        inside = (years >= known[0]) & (years <= known[-1])
        interp = np.interp(years, known, values)  # holds the end values outside
        intensity[i, inside] = interp[inside]
        held[i] = interp
    return Grids(codes, int(first), intensity, held)


def intensity_in(grids: Grids, rows: np.ndarray, year: np.ndarray, extrapolate: bool = False) -> np.ndarray:
    """Intensity in one (whole) year [g CO2e/kWh], per case: a table look-up."""
    year = np.asarray(year, dtype=np.float64)
    table = grids.held if extrapolate else grids.intensity
    last = table.shape[1] - 1
    if year.size > 64 and year.min() == year.max():  # one year for every case: a column look-up
        column = int(year[0]) - grids.first_year
        values = table[:, min(max(column, 0), last)].take(rows)
        outside = np.isnan(values) | (not 0 <= column <= last)
    else:
        columns = year.astype(np.int64) - grids.first_year
        clipped = np.clip(columns, 0, last)
        values = take2(table, rows, clipped)
        outside = (columns != clipped) | np.isnan(values)
    if outside.any():
        k = int(np.argmax(outside))
        if extrapolate:
            return values
        raise DataError(f"electricity carbon intensity of {grids.countries[rows[k]]} is not known for "
                        f"{int(year[k])} (data: {_known_years(grids, rows[k])}); choose a year "
                        "inside the data, or " + EXTRAPOLATE_HINT)
    return values


def mean_intensity(grids: Grids, rows: np.ndarray, start_year: np.ndarray, years: np.ndarray,
                   extrapolate: bool = False) -> np.ndarray:
    """Mean intensity over ``years`` of use from ``start_year`` [g CO2e/kWh], per case.

    ``years`` may be fractional. Raises DataError for years outside a country's data
    unless ``extrapolate`` (then the nearest year's intensity is held).
    """
    start = np.asarray(start_year, dtype=np.float64)
    span = np.asarray(years, dtype=np.float64)
    if start.size > 64 and start.min() == start.max() and span.min() == span.max():
        # one year and one span for every case (the common sweep): once per grid row, then a look-up
        used = np.flatnonzero(np.bincount(rows, minlength=len(grids.countries)))
        means = np.zeros(len(grids.countries))
        means[used] = _mean_intensity(grids, used, start[:1].repeat(used.size), span[:1].repeat(used.size),
                                      extrapolate)
        return means.take(rows)
    return _mean_intensity(grids, rows, start, span, extrapolate)


def _mean_intensity(grids: Grids, rows: np.ndarray, start: np.ndarray, span: np.ndarray,
                    extrapolate: bool) -> np.ndarray:
    table = grids.held if extrapolate else grids.intensity
    n_years = table.shape[1]
    first = start - grids.first_year
    end = first + span
    low, high = np.floor(first).astype(np.int64), np.ceil(end).astype(np.int64) - 1
    if not extrapolate:
        outside = (low < 0) | (high >= n_years)
        inner = ~outside
        if inner.any():
            lo, hi = np.clip(low, 0, n_years - 1), np.clip(high, 0, n_years - 1)
            outside |= np.isnan(take2(table, rows, lo)) | np.isnan(take2(table, rows, hi))
        if outside.any():
            k = int(np.argmax(outside))
            raise DataError(
                f"electricity carbon intensity of {grids.countries[rows[k]]} is not known for "
                f"{int(start[k])}-{int(np.ceil(start[k] + span[k])) - 1} (data: {_known_years(grids, rows[k])}); "
                "choose years inside the data, or " + EXTRAPOLATE_HINT)
    # integrate the piecewise-constant yearly intensity over [first, end) with a cumulative sum
    padded = np.concatenate([table[:, :1], table, table[:, -1:]], axis=1)  # held beyond both ends
    cumulative = np.concatenate([np.zeros((table.shape[0], 1)), np.cumsum(padded, axis=1)], axis=1)

    def integral(t: np.ndarray) -> np.ndarray:
        """∫ from the padding column's start to ``t`` (years from the first year), values held past both ends."""
        t = t + 1.0  # the padding column before year 0
        width = padded.shape[1]
        inside = np.clip(t, 0.0, width - 1e-9)
        whole = np.floor(inside).astype(np.int64)
        value = take2(cumulative, rows, whole) + (inside - whole) * take2(padded, rows, whole)
        value = value + np.maximum(t - width, 0.0) * padded[:, -1].take(rows)  # beyond the end: the last year, held
        return value + np.minimum(t, 0.0) * padded[:, 0].take(rows)  # before the start: the first year, held

    return (integral(end) - integral(first)) / span


def _known_years(grids: Grids, row: int) -> str:
    known = np.flatnonzero(~np.isnan(grids.intensity[row]))
    return f"{grids.first_year + known[0]}-{grids.first_year + known[-1]}" if known.size else "none"
