"""Mass closure: size each pack for a target range, the car's consumption depending on the pack.

A pack of usable energy ``U`` weighs ``k U`` (``k`` [kg/kWh] from the cells and the
architecture); the car then weighs ``m = m_0 + k U`` and uses ``e(m)`` [kWh/km] at the
battery terminals on its cycle. The pack meets a range ``R`` when::

    U = R e(m_0 + k U)

``e`` is nearly linear in mass, so the root is found by secant steps on
``g(U) = R e(m_0 + k U) - U`` for all cases at once; each step runs the drive cycle
only for the cases not yet converged. The gain ``R k e'(m)`` must stay below one: at or
above it the pack's own mass eats the range it adds, and no pack meets the target (the
case is reported infeasible, as is one whose pack would exceed ``max_usable_kwh``).
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
                tol_km: float = 0.01, max_iter: int = 12) -> Closure:
    """Solve ``U = R e(m_0 + k U)`` for every case (module docstring).

    ``consumption(mass_kg, index)`` returns the terminal energy per km [kWh/km] of the
    cases ``index`` at those masses. ``start_kwh`` is a first guess (e.g. the reference
    pack). Converged when the range reached is within ``tol_km`` of the target.
    """
    n = target_km.shape[0]
    u_prev = np.asarray(start_kwh, dtype=np.float64).copy()
    e_prev = consumption(base_mass_kg + kg_per_kwh * u_prev, np.arange(n))
    g_prev = target_km * e_prev - u_prev
    u = target_km * e_prev  # one fixed-point step to start the secant
    usable = np.full(n, np.nan)
    feasible = np.ones(n, dtype=bool)
    residual = np.full(n, np.inf)
    active = np.arange(n)
    iterations = 1
    while active.size and iterations < max_iter:
        e = consumption(base_mass_kg[active] + kg_per_kwh[active] * u[active], active)
        iterations += 1
        g = target_km[active] * e - u[active]
        reached = u[active] / e
        residual[active] = np.abs(reached - target_km[active])
        over = u[active] > max_usable_kwh  # converged or not, a pack beyond the limit is no answer
        done = (residual[active] <= tol_km) & ~over
        usable[active[done]] = u[active[done]]
        # secant slope dg/dU = R k e' - 1; a gain R k e' >= 1 (slope >= 0) has no root
        du = u[active] - u_prev[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(np.abs(du) > 1e-12, (g - g_prev[active]) / du, -1.0)
        hopeless = (~done) & ((slope >= 0.0) | over)
        feasible[active[hopeless]] = False
        keep = ~(done | hopeless)
        nxt = u[active] - g / np.where(slope < 0.0, slope, -1.0)
        u_prev[active] = u[active]
        g_prev[active] = g
        u[active[keep]] = np.clip(nxt[keep], 1e-3, 2.0 * max_usable_kwh)
        active = active[keep]
    feasible[active] = False  # did not converge in max_iter
    usable[~feasible] = np.nan
    return Closure(usable, feasible, iterations, residual)
