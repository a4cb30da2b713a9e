"""Compiled drive-cycle kernel: energy of many vehicles over one cycle.

Equations (per step of mean speed v, acceleration a, duration dt, gradient angle θ):

* tractive force at the wheels (longitudinal dynamics, e.g. Guzzella & Sciarretta,
  *Vehicle Propulsion Systems*, 3rd ed., 2013, eq. 2.1-2.8)::

      F = m_i a + m g c_rr cos θ [v > 0] + ½ ρ c_d A v² + m g sin θ

  with the inertial mass ``m_i = m (1 + f_rot)`` (rotating parts) and the test mass ``m``.
* wheel power ``P_w = F v``. In traction the motor delivers ``P_w / η_t``, capped at its
  peak power; the shortfall is reported as a speed deficit. In braking, the motor
  recovers ``-P_w η_t s(v)``, capped by the regeneration limit; ``s(v)`` rises linearly
  from 0 at the cut-off speed to 1 at the fade speed; friction brakes take the rest.
* motor + inverter: ``P_el = P_mech / η_m(x)`` in traction and ``P_mech η_m(x)`` in
  regeneration, ``x = |P_mech| / P_peak``, with ``η_m`` a curve of ``x`` (data).
* battery terminal power ``P_t = P_el + P_aux``; internal (chemical) power from an
  equivalent circuit of open-circuit voltage ``U`` and resistance ``R``::

      I = 2 P_t / (U + sqrt(U² - 4 R P_t)),   P_chem = U I,   loss = R I²

  (the root of ``P_t = U I - R I²`` that tends to ``P_t / U``; written without
  cancellation). Charging (``P_t < 0``) uses the same formula.

All energies are accumulated in joules, per phase of the cycle.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Number of points of the uniform power-fraction grid the efficiency curves are sampled on.
CURVE_POINTS = 101

#: Columns of the per-step flows returned by :func:`step_trace` (all in J, except where said).
TOTALS = (
    "wheel_positive",  # traction energy at the wheels
    "wheel_negative",  # braking energy at the wheels (positive number)
    "aero", "rolling", "grade", "inertia",  # road-load terms (signed, sum = wheel net)
    "friction_brake", "transmission_loss", "motor_loss", "regen_to_battery",
    "aux", "battery_loss", "terminal", "chemical",
    "shortfall_steps",  # 1 where the motor could not follow the trace
    "shortfall_max_m_s",  # speed deficit of the step [m/s]
    "overload_steps",  # 1 beyond the battery's maximum power transfer
)
N_TOTALS = len(TOTALS)


@njit(cache=True, inline="always", fastmath=True)
def _curve(curves: np.ndarray, k: int, x: float) -> float:
    """Linear interpolation of curve ``k`` sampled on a uniform grid over [0, 1]."""
    if x <= 0.0:
        return curves[k, 0]
    if x >= 1.0:
        return curves[k, -1]
    pos = x * (curves.shape[1] - 1)
    i = int(pos)
    f = pos - i
    return curves[k, i] + (curves[k, i + 1] - curves[k, i]) * f


@njit(cache=True, inline="always", fastmath=True)
def _step(v, a, sin_g, cos_g, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int,
          p_regen, v_cut, inv_span, curves, k, g, rho):
    """Power flows of one step for one car [W], written without branches so that the
    loop over cars vectorises.

    ``inv_span`` is ``1 / (v_fade - v_cut)`` (a very large number for a sharp cut-off).
    Returns ``(p_term, p_chem, p_wheel, aero, roll, grade, inertia, friction, trans_loss,
    motor_loss, p_el, batt_loss, shortfall, overload)``; the shortfall is the speed deficit
    rate [m/s per s] where the motor cannot follow the trace. Loops keep what they use.
    """
    f_inertia = m_inertial * a
    f_roll = mass * g * crr * cos_g * (1.0 if v > 0.0 else 0.0)
    f_aero = 0.5 * rho * cda * v * v
    f_grade = mass * g * sin_g
    p_wheel = (f_inertia + f_roll + f_aero + f_grade) * v
    traction = p_wheel > 0.0
    # traction: shaft power capped at the motor's peak
    p_need = p_wheel / eta_t
    p_drive = min(p_need, p_motor)
    # braking: regenerated shaft power, faded in above the cut-off speed, capped
    share = min(max((v - v_cut) * inv_span, 0.0), 1.0)
    p_brake = min(max(-p_wheel, 0.0) * eta_t * share, p_regen)
    p_mech = p_drive if traction else p_brake
    eta_m = _curve(curves, k, p_mech / p_motor)
    p_el = p_mech / eta_m if traction else -p_mech * eta_m
    trans_loss = p_mech * (1.0 - eta_t) if traction else p_mech / eta_t * (1.0 - eta_t)
    friction = 0.0 if traction else max(-p_wheel, 0.0) - p_mech / eta_t
    motor_loss = p_el - p_mech if traction else p_mech + p_el
    deficit = max(p_need - p_motor, 0.0) if traction else 0.0
    shortfall = deficit * eta_t / (max(v, 1e-9) * m_inertial)
    p_term = p_el + p_aux
    disc = u_oc * u_oc - 4.0 * r_int * p_term
    overload = 1.0 if disc < 0.0 else 0.0
    current = 2.0 * p_term / (u_oc + math.sqrt(max(disc, 0.0)))
    p_chem = u_oc * current
    return (p_term, p_chem, p_wheel, f_aero * v, f_roll * v, f_grade * v, f_inertia * v, friction,
            trans_loss, motor_loss, p_el, r_int * current * current, shortfall, overload)


#: Fade spans shorter than this [m/s] are a sharp cut-off (their inverse would overflow).
SHARP_SPAN_M_S = 1e-12


def inverse_span(v_cut: np.ndarray, v_fade: np.ndarray) -> np.ndarray:
    """``1 / (v_fade - v_cut)``, at most ``1 / SHARP_SPAN_M_S`` (a sharp cut-off), so it stays finite."""
    span = np.asarray(v_fade, dtype=np.float64) - np.asarray(v_cut, dtype=np.float64)
    return 1.0 / np.maximum(span, SHARP_SPAN_M_S)


#: Cars simulated together, step by step (their state stays in the CPU cache).
BLOCK = 512


@njit(cache=True, fastmath=True)
def simulate(v_mean, accel, dt, sin_grade, phase, n_phases,
             mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen,
             v_cut, inv_span, curve_idx, curves, g, rho):
    """Simulate ``n`` cars over one cycle.

    Cycle arrays have one entry per step (speeds in m/s, accelerations in m/s², durations
    in s, sine of grade, phase index). Car arrays have one entry per car, in SI units
    (kg, m², W, V, Ω, m/s; ``inv_span`` from :func:`inverse_span`). Returns
    ``(terminal_J, chemical_J, flags)``: battery-terminal and chemical energy per phase,
    shape ``(n, n_phases)``, and ``flags`` of shape ``(n, 3)``: steps the motor could not
    follow, the largest one-step speed deficit [m/s], and steps beyond the battery's
    maximum power transfer. Cars are processed in blocks, steps in the outer loop and cars
    in the inner one, so that the inner loop vectorises.
    """
    n = mass.shape[0]
    steps = v_mean.shape[0]
    terminal = np.zeros((n, n_phases))
    chemical = np.zeros((n, n_phases))
    flags = np.zeros((n, 3))
    e_term = np.zeros(BLOCK)
    e_chem = np.zeros(BLOCK)
    short_steps = np.zeros(BLOCK)
    short_max = np.zeros(BLOCK)
    overloads = np.zeros(BLOCK)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        m = stop - start
        e_term[:] = 0.0
        e_chem[:] = 0.0
        short_steps[:] = 0.0
        short_max[:] = 0.0
        overloads[:] = 0.0
        current_phase = phase[0]
        for s in range(steps):
            if phase[s] != current_phase:
                for i in range(m):
                    terminal[start + i, current_phase] += e_term[i]
                    chemical[start + i, current_phase] += e_chem[i]
                    e_term[i] = 0.0
                    e_chem[i] = 0.0
                current_phase = phase[s]
            v = v_mean[s]
            a = accel[s]
            sg = sin_grade[s]
            cg = math.sqrt(1.0 - sg * sg)
            h = dt[s]
            for i in range(m):
                c = start + i
                r = _step(v, a, sg, cg, mass[c], m_inertial[c], cda[c], crr[c], p_motor[c], eta_t[c],
                          p_aux[c], u_oc[c], r_int[c], p_regen[c], v_cut[c], inv_span[c], curves,
                          curve_idx[c], g, rho)
                e_term[i] += r[0] * h
                e_chem[i] += r[1] * h
                short_steps[i] += 1.0 if r[12] > 0.0 else 0.0
                short_max[i] = max(short_max[i], r[12] * h)
                overloads[i] += r[13]
        for i in range(m):
            terminal[start + i, current_phase] += e_term[i]
            chemical[start + i, current_phase] += e_chem[i]
            flags[start + i, 0] = short_steps[i]
            flags[start + i, 1] = short_max[i]
            flags[start + i, 2] = overloads[i]
    return terminal, chemical, flags


@njit(cache=True, fastmath=True)
def step_trace(v_mean, accel, dt, sin_grade, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux,
               u_oc, r_int, p_regen, v_cut, inv_span, curve_k, curves, g, rho):
    """Per-step energy flows of one car, shape ``(steps, len(TOTALS))`` [J] (for checks)."""
    steps = v_mean.shape[0]
    rows = np.zeros((steps, N_TOTALS))
    for s in range(steps):
        h = dt[s]
        r = _step(v_mean[s], accel[s], sin_grade[s], math.sqrt(1.0 - sin_grade[s] ** 2), mass, m_inertial,
                  cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen, v_cut, inv_span, curves, curve_k,
                  g, rho)
        row = rows[s]
        row[0] = max(r[2], 0.0) * h
        row[1] = max(-r[2], 0.0) * h
        row[2] = r[3] * h
        row[3] = r[4] * h
        row[4] = r[5] * h
        row[5] = r[6] * h
        row[6] = r[7] * h
        row[7] = r[8] * h
        row[8] = r[9] * h
        row[9] = max(-r[10], 0.0) * h
        row[10] = p_aux * h
        row[11] = r[11] * h
        row[12] = r[0] * h
        row[13] = r[1] * h
        row[14] = 1.0 if r[12] > 0.0 else 0.0
        row[15] = r[12] * h
        row[16] = r[13]
    return rows


def sample_curve(power_fraction: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Resample an efficiency curve on the kernel's uniform grid of :data:`CURVE_POINTS`."""
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return np.interp(grid, power_fraction, efficiency)
