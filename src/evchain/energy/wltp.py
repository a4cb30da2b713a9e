"""The WLTC as the regulation adapts it to a car short of power or of top speed.

Downscaling (UN GTR No. 15, Annex 1 para 8). The power the cycle needs at its most demanding
second (the reference second of the class: speed ``v`` [km/h], acceleration ``a`` [m/s2]) is

    P_req = (f0 v + f1 v^2 + f2 v^3 + k_r a v TM) / 3600   [kW]

with the road-load coefficients f0 [N], f1 [N/(km/h)], f2 [N/(km/h)^2], the test mass TM [kg]
and k_r = 1.03. With ``r_max = P_req / P_rated``, the downscaling factor is
``f_dsc = a1 r_max + b1`` when ``r_max >= r0`` (else 0), rounded to three decimals and applied
only above a threshold (0.01). The accelerations of the class's downscaling period are then
cut by ``1 - f_dsc`` from its start to its tip; the decelerations after the tip are scaled
so that the trace rejoins the original at the period's end. Speeds are rounded to 0.1 km/h.

Capped speed (Annex 1 para 9). A car whose maximum speed ``v_cap`` is below the (downscaled)
cycle's drives at ``v_cap`` wherever the cycle is faster; each phase so capped is lengthened,
at ``v_cap``, by the whole seconds that make up the distance the cap took away.

The European Commission JRC's ``wltp`` package implements the same procedure; its class data
(downscaling periods, reference points, coefficients) agree with ``data/cycles.toml``.
"""

from __future__ import annotations

import numpy as np


def required_power_kw(speed_kmh: float, accel_m_s2: float, f0_n: np.ndarray, f1_n_per_kmh: np.ndarray,
                      f2_n_per_kmh2: np.ndarray, test_mass_kg: np.ndarray, inertia_factor: float) -> np.ndarray:
    """Power the cycle needs at its reference second [kW] (GTR 15 Annex 1 para 8.3)."""
    v = speed_kmh
    return (f0_n * v + f1_n_per_kmh * v**2 + f2_n_per_kmh2 * v**3
            + inertia_factor * accel_m_s2 * v * test_mass_kg) / 3600.0


def downscaling_factor(required_kw: np.ndarray, rated_kw: np.ndarray, r0: float, a1: float, b1: float,
                       threshold: float) -> np.ndarray:
    """``f_dsc`` of each car [-]: 0 for a car with power to spare (GTR 15 Annex 1 para 8.3)."""
    ratio = required_kw / rated_kw
    raw = np.where(ratio >= r0, a1 * ratio + b1, 0.0)
    rounded = np.round(raw, 3)
    return np.where(rounded > threshold, rounded, 0.0)


def downscale(speed_kmh: np.ndarray, start: int, tip: int, end: int, f_dsc: float) -> np.ndarray:
    """The trace [km/h] (1 Hz, index = second) with its period ``start``..``end`` downscaled by ``f_dsc``.

    From ``start`` to ``tip`` each step's speed change is multiplied by ``1 - f_dsc``; after
    the tip each step's change is multiplied by ``f_corr = (v_dsc[tip] - v[end]) / (v[tip] - v[end])``,
    so that the trace is back on the original at ``end``. The recursion of the regulation,
    ``v_dsc[i+1] = v_dsc[i] + (v[i+1] - v[i]) (1 - f_dsc)``, sums to the closed forms used here.
    """
    v = np.asarray(speed_kmh, dtype=np.float64)
    out = v.copy()
    if f_dsc <= 0.0:
        return out
    up = slice(start, tip + 1)
    out[up] = v[start] + (1.0 - f_dsc) * (v[up] - v[start])
    f_corr = (out[tip] - v[end]) / (v[tip] - v[end])
    down = slice(tip + 1, end + 1)
    out[down] = out[tip] + f_corr * (v[down] - v[tip])
    return np.round(out, 1)


def cap_speed(speed_kmh: np.ndarray, starts: list[int], v_cap_kmh: float) -> tuple[np.ndarray, list[int]]:
    """The trace [km/h] (1 Hz, index = second) capped at ``v_cap_kmh``, each capped phase
    lengthened to keep its distance; and the first second of each phase in the new trace.

    ``starts``: the first second of each phase; a phase holds the steps starting from there up
    to the next phase (the last one to the end). The distance the cap takes from a phase,
    ``Δd``, becomes ``round(Δd / v_cap)`` seconds at ``v_cap``, inserted where the phase first
    exceeds the cap, so each added step runs at ``v_cap`` and adds ``v_cap x 1 s``.
    """
    v = np.asarray(speed_kmh, dtype=np.float64)
    capped = np.minimum(v, v_cap_kmh)
    bounds = [*starts, v.size - 1]
    pieces: list[np.ndarray] = []
    new_starts: list[int] = []
    shift = 0
    position = 0  # first point of the trace not yet copied
    for k, first in enumerate(starts):
        last = bounds[k + 1]  # steps first..last-1, i.e. points first..last
        lost_m = float(np.sum(v[first:last] + v[first + 1:last + 1]
                              - capped[first:last] - capped[first + 1:last + 1])) / 2.0 / 3.6
        new_starts.append(first + shift)
        extra = int(np.round(lost_m / (v_cap_kmh / 3.6))) if lost_m > 0.0 else 0
        if extra:
            at = first + int(np.argmax(v[first:last + 1] > v_cap_kmh))  # the first point above the cap
            pieces += [capped[position:at], np.full(extra, v_cap_kmh)]
            position = at
            shift += extra
    pieces.append(capped[position:])
    return np.concatenate(pieces), new_starts
