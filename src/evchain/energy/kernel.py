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

#: Columns of the per-case totals returned by :func:`simulate` (all in J, except where said).
TOTALS = (
    "wheel_positive",  # traction energy at the wheels
    "wheel_negative",  # braking energy at the wheels (positive number)
    "aero", "rolling", "grade", "inertia",  # road-load terms (signed, sum = wheel net)
    "friction_brake", "transmission_loss", "motor_loss", "regen_to_battery",
    "aux", "battery_loss", "terminal", "chemical",
    "shortfall_steps",  # count of steps the motor could not follow
    "shortfall_max_m_s",  # largest one-step speed deficit [m/s]
    "overload_steps",  # steps beyond the battery's maximum power transfer
)
N_TOTALS = len(TOTALS)


@njit(cache=True, inline="always")
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


@njit(cache=True, inline="always")
def _step(v, a, dt, sin_g, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int,
          p_regen, v_cut, v_fade, curves, k, g, rho, out):
    """Energy flows of one step for one car, written into ``out`` (J)."""
    cos_g = math.sqrt(1.0 - sin_g * sin_g)
    f_inertia = m_inertial * a
    f_roll = mass * g * crr * cos_g if v > 0.0 else 0.0
    f_aero = 0.5 * rho * cda * v * v
    f_grade = mass * g * sin_g
    p_wheel = (f_inertia + f_roll + f_aero + f_grade) * v
    p_el = 0.0
    friction = 0.0
    trans_loss = 0.0
    motor_loss = 0.0
    shortfall = 0.0
    if p_wheel > 0.0:
        p_mech = p_wheel / eta_t
        if p_mech > p_motor:
            # the motor cannot follow the trace: deficit of force over one step
            shortfall = (p_mech - p_motor) * eta_t / v / m_inertial * dt
            p_mech = p_motor
        eta_m = _curve(curves, k, p_mech / p_motor)
        p_el = p_mech / eta_m
        trans_loss = p_mech * (1.0 - eta_t)
        motor_loss = p_el - p_mech
    elif p_wheel < 0.0:
        if v_fade > v_cut:
            share = (v - v_cut) / (v_fade - v_cut)
            share = min(max(share, 0.0), 1.0)
        else:
            share = 1.0 if v >= v_cut else 0.0
        p_mech = -p_wheel * eta_t * share
        if p_mech > p_regen:
            p_mech = p_regen
        eta_m = _curve(curves, k, p_mech / p_motor)
        p_el = -p_mech * eta_m
        trans_loss = p_mech / eta_t * (1.0 - eta_t)
        friction = -p_wheel - p_mech / eta_t
        motor_loss = p_mech + p_el
    p_term = p_el + p_aux
    disc = u_oc * u_oc - 4.0 * r_int * p_term
    overload = 0.0
    if disc < 0.0:
        overload = 1.0
        disc = 0.0
    current = 2.0 * p_term / (u_oc + math.sqrt(disc))
    p_chem = u_oc * current
    out[0] += max(p_wheel, 0.0) * dt
    out[1] += max(-p_wheel, 0.0) * dt
    out[2] += f_aero * v * dt
    out[3] += f_roll * v * dt
    out[4] += f_grade * v * dt
    out[5] += f_inertia * v * dt
    out[6] += friction * dt
    out[7] += trans_loss * dt
    out[8] += motor_loss * dt
    out[9] += max(-p_el, 0.0) * dt
    out[10] += p_aux * dt
    out[11] += r_int * current * current * dt
    out[12] += p_term * dt
    out[13] += p_chem * dt
    if shortfall > 0.0:
        out[14] += 1.0
        out[15] = max(out[15], shortfall)
    out[16] += overload
    return p_term, p_chem


@njit(cache=True)
def simulate(v_mean, accel, dt, sin_grade, phase, n_phases,
             mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen,
             v_cut, v_fade, curve_idx, curves, g, rho):
    """Simulate ``n`` cars over one cycle.

    Cycle arrays have one entry per step (speeds in m/s, accelerations in m/s², durations
    in s, sine of grade, phase index). Car arrays have one entry per car, in SI units
    (kg, m², W, V, Ω, m/s). Returns ``(terminal_J, chemical_J, totals)``: battery-terminal
    and chemical energy per phase, shape ``(n, n_phases)``, and ``totals`` of shape
    ``(n, len(TOTALS))`` (see :data:`TOTALS`).
    """
    n = mass.shape[0]
    steps = v_mean.shape[0]
    terminal = np.zeros((n, n_phases))
    chemical = np.zeros((n, n_phases))
    totals = np.zeros((n, N_TOTALS))
    for c in range(n):
        out = totals[c]
        for s in range(steps):
            p_term, p_chem = _step(v_mean[s], accel[s], dt[s], sin_grade[s], mass[c], m_inertial[c],
                                   cda[c], crr[c], p_motor[c], eta_t[c], p_aux[c], u_oc[c], r_int[c],
                                   p_regen[c], v_cut[c], v_fade[c], curves, curve_idx[c], g, rho, out)
            terminal[c, phase[s]] += p_term * dt[s]
            chemical[c, phase[s]] += p_chem * dt[s]
    return terminal, chemical, totals


@njit(cache=True)
def step_trace(v_mean, accel, dt, sin_grade, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux,
               u_oc, r_int, p_regen, v_cut, v_fade, curve_k, curves, g, rho):
    """Per-step energy flows of one car: array ``(steps, len(TOTALS))`` in J (for checks)."""
    steps = v_mean.shape[0]
    rows = np.zeros((steps, N_TOTALS))
    for s in range(steps):
        _step(v_mean[s], accel[s], dt[s], sin_grade[s], mass, m_inertial, cda, crr, p_motor, eta_t,
              p_aux, u_oc, r_int, p_regen, v_cut, v_fade, curves, curve_k, g, rho, rows[s])
    return rows


def sample_curve(power_fraction: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Resample an efficiency curve on the kernel's uniform grid of :data:`CURVE_POINTS`."""
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return np.interp(grid, power_fraction, efficiency)
