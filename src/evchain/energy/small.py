"""The energy kernel's equations in plain numpy, for small batches.

Importing numba and loading its compiled kernel takes about a second; a study of a dozen
cars runs faster through numpy, vectorised over cars and steps at once. Same equations,
same inputs and outputs as :func:`evchain.energy.kernel.simulate` (see its module
docstring); the tests hold the two to 1e-9 of each other.
"""

from __future__ import annotations

import numpy as np

#: Largest batch (cars) evaluated with numpy rather than the compiled kernel.
SMALL_BATCH = 64


def simulate(speed, accel, sin_grade, roll, speed_sq, inv_speed, duration, n_merged, step_s, bounds,
             mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen,
             v_cut, inv_span, curve_idx, intercept, slope, slope_change, knot, g, rho
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(terminal_J, chemical_J, flags)`` of ``n`` cars, as :func:`evchain.energy.kernel.simulate`."""
    col = lambda x: np.asarray(x, dtype=np.float64)[:, None]  # noqa: E731 (a car constant as a column)
    mg = col(mass) * g
    mi = col(m_inertial)
    pm = col(p_motor)
    et = col(eta_t)
    p_wheel = (mi * accel + mg * col(crr) * roll + 0.5 * rho * col(cda) * speed_sq + mg * sin_grade) * speed
    traction = (p_wheel > 0.0).astype(np.float64)
    p_need = p_wheel * (1.0 / et)
    share = np.clip((speed - col(v_cut)) * col(inv_span), 0.0, 1.0)
    p_brake = np.minimum(np.maximum(-p_wheel, 0.0) * et * share, col(p_regen))
    p_mech = traction * np.minimum(p_need, pm) + (1.0 - traction) * p_brake
    deficit = np.maximum(p_need - pm, 0.0) * traction
    k = np.asarray(curve_idx)
    x = np.clip(p_mech * (1.0 / pm), 0.0, 1.0)
    eta = intercept[k][:, None] + slope[k][:, None] * x
    for j in range(slope_change.shape[1]):
        eta = eta + slope_change[k, j][:, None] * np.maximum(x - knot[k, j][:, None], 0.0)
    p_el = traction * (p_mech / eta) - (1.0 - traction) * (p_mech * eta)
    p_term = p_el + col(p_aux)
    u, r = col(u_oc), col(r_int)
    disc = u * u - 4.0 * r * p_term
    overload = disc < 0.0
    p_chem = np.where(overload, 2.0 * p_term, (u - np.sqrt(np.maximum(disc, 0.0))) * (u / (2.0 * r)))
    starts, stops = bounds[:-1], bounds[1:]

    def by_phase(power: np.ndarray) -> np.ndarray:
        total = np.concatenate([np.zeros((power.shape[0], 1)), np.cumsum(power * duration, axis=1)], axis=1)
        return total[:, stops] - total[:, starts]

    short = ((deficit > 0.0) * n_merged).sum(axis=1)
    worst = np.where(short > 0.0, (deficit * (et / mi) * inv_speed * step_s).max(axis=1, initial=0.0), 0.0)
    flags = np.stack([short, worst, (overload * n_merged).sum(axis=1)], axis=1)
    return by_phase(p_term), by_phase(p_chem), flags
