"""Mass closure: size each pack for a target range, the car's consumption depending on the pack.

A pack of usable energy ``U`` weighs ``k U`` (``k`` [kg/kWh] from the cells and the
architecture); the car then weighs ``m = m_0 + k U`` and uses ``e(m)`` [kWh/km] at the
battery terminals on its cycle. The pack meets a range ``R`` when::

    U = R e(m_0 + k U)

``e`` is nearly linear in mass, so the root is found by secant steps on
``g(U) = R e(m_0 + k U) - U`` for all cases at once; each step runs the drive cycle
only for the cases not yet converged. The gain ``R k e'(m)`` must stay below one: at or
above it the pack's own mass eats the range it adds, and no pack meets the target (the
case is reported infeasible, as is one whose target the largest pack, ``max_usable_kwh``,
cannot reach).

``e`` need not be continuous: on the WLTC as the regulation sets it (``cycle = "wltc"``), a
heavier car may change class or be downscaled more, and its consumption drops at once. So
each case keeps a bracket, the largest pack known to fall short and the smallest known to
reach the target, and a secant step that leaves it is replaced by bisection. Where the
range jumps over the target, no pack meets it exactly: the bracket closes on the smallest
pack that reaches it (its range is then above the target by the jump).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Closure:
    """Result of :func:`solve_range`, arrays over cases."""

    usable_kwh: np.ndarray  #: usable energy meeting the range (NaN where infeasible) [kWh]
    feasible: np.ndarray  #: bool
    iterations: int  #: drive-cycle evaluations used
    residual_km: np.ndarray  #: |range reached - target| at the end [km]


def solve_range(target_km: np.ndarray, base_mass_kg: np.ndarray, kg_per_kwh: np.ndarray, start_kwh: np.ndarray,
                consumption: Callable[[np.ndarray, np.ndarray], np.ndarray], max_usable_kwh: float,
                tol_km: float = 0.01, max_iter: int = 40, tol_kwh: float = 1e-4) -> Closure:
    """Solve ``U = R e(m_0 + k U)`` for every case (module docstring).

    ``consumption(mass_kg, index)`` returns the terminal energy per km [kWh/km] of the
    cases ``index`` at those masses. ``start_kwh`` is a first guess (e.g. the reference
    pack). Converged when the range reached is within ``tol_km`` of the target, or, where the
    range jumps over the target, when the bracket is narrower than ``tol_kwh`` [kWh].
    """
    n = target_km.shape[0]
    u_prev = np.clip(np.asarray(start_kwh, dtype=np.float64), 1e-3, max_usable_kwh)
    e_prev = consumption(base_mass_kg + kg_per_kwh * u_prev, np.arange(n))
    g_prev = target_km * e_prev - u_prev
    short = g_prev > 0.0  # this pack falls short of the target
    low = np.where(short, u_prev, 0.0)  # the largest pack known to fall short [kWh]
    high = np.where(short, np.inf, u_prev)  # the smallest pack known to reach the target [kWh]
    reach_high = np.where(short, np.nan, u_prev / e_prev)  # its range [km]
    u = np.clip(target_km * e_prev, 1e-3, max_usable_kwh)  # one fixed-point step to start the secant
    usable = np.full(n, np.nan)
    feasible = np.ones(n, dtype=bool)
    residual = np.full(n, np.inf)
    active = np.arange(n)
    iterations = 1
    while active.size and iterations < max_iter:
        ua = u[active]
        e = consumption(base_mass_kg[active] + kg_per_kwh[active] * ua, active)
        iterations += 1
        g = target_km[active] * e - ua
        reached = ua / e
        residual[active] = np.abs(reached - target_km[active])
        short = g > 0.0
        low[active] = np.where(short, np.maximum(low[active], ua), low[active])
        better = ~short & (ua < high[active])
        high[active[better]] = ua[better]
        reach_high[active[better]] = reached[better]
        done = residual[active] <= tol_km
        usable[active[done]] = ua[done]
        jumped = ~done & np.isfinite(high[active]) & (high[active] - low[active] <= tol_kwh)
        usable[active[jumped]] = high[active[jumped]]  # the smallest pack that reaches the target
        residual[active[jumped]] = np.abs(reach_high[active[jumped]] - target_km[active[jumped]])
        # secant slope dg/dU = R k e' - 1; a gain R k e' >= 1 (slope >= 0) has no root
        du = ua - u_prev[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(np.abs(du) > 1e-12, (g - g_prev[active]) / du, -1.0)
        unbracketed = ~np.isfinite(high[active])
        at_limit = short & (ua >= max_usable_kwh)  # the largest pack allowed falls short
        eats = short & unbracketed & (slope >= 0.0)  # more pack, no more range
        hopeless = ~(done | jumped) & (at_limit | eats)
        feasible[active[hopeless]] = False
        keep = ~(done | jumped | hopeless)
        nxt = ua - g / np.where(slope < 0.0, slope, -1.0)
        upper = np.where(unbracketed, max_usable_kwh, high[active])
        inside = (nxt > low[active]) & (nxt < upper)
        bisect = 0.5 * (low[active] + upper)  # unbracketed: halfway to the largest pack
        nxt = np.where(inside | (unbracketed & (nxt >= upper)), np.minimum(nxt, upper), bisect)
        u_prev[active] = ua
        g_prev[active] = g
        u[active[keep]] = np.clip(nxt[keep], 1e-3, max_usable_kwh)
        active = active[keep]
    feasible[active] = False  # did not converge in max_iter
    usable[~feasible] = np.nan
    return Closure(usable, feasible, iterations, residual)
