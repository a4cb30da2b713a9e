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
  regeneration, ``x = |P_mech| / P_peak``, with ``η_m`` a curve of ``x`` (data),
  interpolated linearly between its points. The kernel evaluates that interpolant
  as a sum of hinges, ``η_m(x) = y_0 + s_0 x + Σ_j Δs_j max(x - x_j, 0)`` over the
  interior points ``x_j`` with slope changes ``Δs_j``: exactly the same function, with
  no table look-up, so the loop over steps vectorises.
* battery terminal power ``P_t = P_el + P_aux``; internal (chemical) power from an
  equivalent circuit of open-circuit voltage ``U`` and resistance ``R``::

      I = (U - sqrt(U² - 4 R P_t)) / (2 R),   P_chem = U I,   loss = R I²

  (the root of ``P_t = U I - R I²`` that tends to ``P_t / U``; equal to
  ``2 P_t / (U + sqrt(...))``, the form the tests' reference uses). Charging
  (``P_t < 0``) uses the same formula. Beyond the maximum power transfer
  (``4 R P_t > U²``) the step is flagged and ``P_chem = 2 P_t``.

Identical steps of a phase are computed once and weighted by their duration
(:func:`prepare_steps`). All energies are accumulated in joules, per phase of the cycle.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from evchain.energy.steps import HINGES, SHARP_SPAN_M_S, Steps, hinge_curves, inverse_span, prepare_steps

__all__ = ["HINGES", "N_TOTALS", "SHARP_SPAN_M_S", "TOTALS", "Steps", "hinge_curves", "inverse_span",
           "prepare_steps", "simulate", "step_trace"]

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


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _mechanical(v, a, sin_g, roll, v_sq, mg, m_inertial, rolling, aero, p_motor, eta_t, inv_eta_t, p_regen,
                v_cut, inv_span):
    """Wheel and motor-shaft power of one step for one car [W], without branches.

    Car constants come pre-multiplied: ``mg = m g``, ``rolling = m g c_rr``,
    ``aero = ½ ρ c_d A``; step factors ``roll = cos θ [v > 0]`` and ``v_sq = v²``.
    ``inv_span`` is ``1 / (v_fade - v_cut)`` (a very large number for a sharp cut-off).
    Returns ``(p_wheel, p_mech, traction, deficit)``: ``traction`` is 1.0 when the wheels
    drive and 0.0 when they brake; ``deficit`` is the shaft power the motor lacks [W].
    """
    p_wheel = (m_inertial * a + rolling * roll + aero * v_sq + mg * sin_g) * v
    traction = 1.0 if p_wheel > 0.0 else 0.0
    p_need = p_wheel * inv_eta_t
    p_drive = min(p_need, p_motor)
    share = min(max((v - v_cut) * inv_span, 0.0), 1.0)
    p_brake = min(max(-p_wheel, 0.0) * eta_t * share, p_regen)
    p_mech = traction * p_drive + (1.0 - traction) * p_brake
    return p_wheel, p_mech, traction, max(p_need - p_motor, 0.0) * traction


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _electric(p_mech, eta_m, traction, p_aux, u_oc, r_int, chem_per_amp):
    """Battery side of one step [W]: ``(p_el, p_term, p_chem, overload)`` (see the module docstring).

    ``chem_per_amp = U / (2 R)``, so that ``p_chem = U I = (U - sqrt(U² - 4 R P_t)) U / (2 R)``:
    this form needs no division per step; its cancellation costs at most about
    ``ε U² / (2 R)`` [W] (1e-7 W at 1200 V and 1 mΩ, the fields' extremes), far below
    the 1e-9 relative agreement the tests ask of it.
    """
    p_el = traction * (p_mech / eta_m) - (1.0 - traction) * (p_mech * eta_m)
    p_term = p_el + p_aux
    disc = u_oc * u_oc - 4.0 * r_int * p_term
    overload = 1.0 if disc < 0.0 else 0.0
    # beyond the maximum power transfer (disc < 0, flagged) the circuit has no solution;
    # count the chemical power as 2 P_t, its value at the limit, which keeps losses >= 0
    p_chem = (u_oc - math.sqrt(max(disc, 0.0))) * chem_per_amp
    return p_el, p_term, overload * 2.0 * p_term + (1.0 - overload) * p_chem, overload


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _constants(c, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen, v_cut, inv_span,
               g, rho):
    """Per-car constants of the step functions, pre-multiplied (see :func:`_mechanical`)."""
    mg = mass[c] * g
    return (mg, m_inertial[c], mg * crr[c], 0.5 * rho * cda[c], p_motor[c], eta_t[c],
            1.0 / eta_t[c], p_regen[c], v_cut[c], inv_span[c], p_aux[c], u_oc[c], r_int[c],
            u_oc[c] / (2.0 * r_int[c]))


@njit(cache=True, fastmath=True, error_model="numpy")
def simulate(speed, accel, sin_grade, roll, speed_sq, inv_speed, duration, n_merged, step_s, bounds,
             mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen,
             v_cut, inv_span, curve_idx, intercept, slope, slope_change, knot, g, rho):
    """Simulate ``n`` cars over one cycle.

    The first ten arguments are the fields of :class:`Steps`. Car arrays have one entry
    per car, in SI units (kg, m², W, V, Ω, m/s; ``inv_span`` from :func:`inverse_span`);
    ``curve_idx`` picks each car's efficiency curve among those of :func:`hinge_curves`.
    Returns ``(terminal_J, chemical_J, flags)``: battery-terminal and chemical energy per
    phase, shape ``(n, phases)``, and ``flags`` of shape ``(n, 3)``: steps the motor could
    not follow, the largest one-step speed deficit [m/s], and steps beyond the battery's
    maximum power transfer.

    Cars are the outer loop, two at a time (car ``a`` and car ``b``), and steps the inner
    one: it reads only the step arrays and keeps its sums in registers, so it vectorises
    over steps, and the two cars' independent chains of work overlap in the CPU.
    """
    n = mass.shape[0]
    n_phases = bounds.shape[0] - 1
    terminal = np.zeros((n, n_phases))
    chemical = np.zeros((n, n_phases))
    flags = np.zeros((n, 3))
    for ca in range(0, n, 2):
        cb = min(ca + 1, n - 1)  # an odd last car is simulated twice
        ka = curve_idx[ca]
        kb = curve_idx[cb]
        mga, mia, rla, aea, pma, eta, ieta, pra, vca, isa, paa, ua, ra, cca = _constants(
            ca, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen, v_cut, inv_span, g, rho)
        mgb, mib, rlb, aeb, pmb, etb, ietb, prb, vcb, isb, pab, ub, rb, ccb = _constants(
            cb, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen, v_cut, inv_span, g, rho)
        ipa = 1.0 / pma
        ipb = 1.0 / pmb
        y0a = intercept[ka]
        y0b = intercept[kb]
        s0a = slope[ka]
        s0b = slope[kb]
        short_a = 0.0
        short_b = 0.0
        over_a = 0.0
        over_b = 0.0
        for p in range(n_phases):
            term_a = 0.0
            term_b = 0.0
            chem_a = 0.0
            chem_b = 0.0
            for s in range(bounds[p], bounds[p + 1]):
                v = speed[s]
                a = accel[s]
                sg = sin_grade[s]
                ro = roll[s]
                vq = speed_sq[s]
                h = duration[s]
                m = n_merged[s]
                _, mech_a, trac_a, def_a = _mechanical(v, a, sg, ro, vq, mga, mia, rla, aea, pma, eta, ieta, pra,
                                                       vca, isa)
                _, mech_b, trac_b, def_b = _mechanical(v, a, sg, ro, vq, mgb, mib, rlb, aeb, pmb, etb, ietb, prb,
                                                       vcb, isb)
                # motor + inverter efficiency, the curve's hinges (written here, not in a
                # function: passing the arrays would stop vectorisation)
                xa = min(max(mech_a * ipa, 0.0), 1.0)
                xb = min(max(mech_b * ipb, 0.0), 1.0)
                eff_a = y0a + s0a * xa
                eff_b = y0b + s0b * xb
                for j in range(HINGES):
                    eff_a += slope_change[ka, j] * max(xa - knot[ka, j], 0.0)
                    eff_b += slope_change[kb, j] * max(xb - knot[kb, j], 0.0)
                _, pt_a, pc_a, ov_a = _electric(mech_a, eff_a, trac_a, paa, ua, ra, cca)
                _, pt_b, pc_b, ov_b = _electric(mech_b, eff_b, trac_b, pab, ub, rb, ccb)
                term_a += pt_a * h
                term_b += pt_b * h
                chem_a += pc_a * h
                chem_b += pc_b * h
                short_a += m if def_a > 0.0 else 0.0
                short_b += m if def_b > 0.0 else 0.0
                over_a += ov_a * m
                over_b += ov_b * m
            terminal[ca, p] = term_a
            terminal[cb, p] = term_b
            chemical[ca, p] = chem_a
            chemical[cb, p] = chem_b
        flags[ca, 0] = short_a
        flags[cb, 0] = short_b
        flags[ca, 2] = over_a
        flags[cb, 2] = over_b
        for c in (ca, cb):
            if flags[c, 0] > 0.0:  # rare: a car too weak for the trace; find its largest speed deficit
                mg, mi, rl, ae, pm, et, iet, pr, vc, isp, _, _, _, _ = _constants(
                    c, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux, u_oc, r_int, p_regen, v_cut,
                    inv_span, g, rho)
                worst = 0.0
                for s in range(speed.shape[0]):
                    _, _, _, deficit = _mechanical(speed[s], accel[s], sin_grade[s], roll[s], speed_sq[s],
                                                   mg, mi, rl, ae, pm, et, iet, pr, vc, isp)
                    worst = max(worst, deficit * et / mi * inv_speed[s] * step_s[s])
                flags[c, 1] = worst
    return terminal, chemical, flags


@njit(cache=True, fastmath=True, error_model="numpy")
def step_trace(v_mean, accel, dt, sin_grade, mass, m_inertial, cda, crr, p_motor, eta_t, p_aux,
               u_oc, r_int, p_regen, v_cut, inv_span, curve_k, intercept, slope, slope_change, knot, g, rho):
    """Per-step energy flows of one car, shape ``(steps, len(TOTALS))`` [J] (for checks).

    Uses the same step functions as :func:`simulate`; the road-load terms are computed
    separately here so that tests can check they add up to the wheel power.
    """
    steps = v_mean.shape[0]
    rows = np.zeros((steps, N_TOTALS))
    for s in range(steps):
        h = dt[s]
        v = v_mean[s]
        cos_g = math.sqrt(1.0 - sin_grade[s] ** 2)
        roll = cos_g if v > 0.0 else 0.0
        p_wheel, p_mech, traction, deficit = _mechanical(
            v, accel[s], sin_grade[s], roll, v * v, mass * g, m_inertial, mass * g * crr, 0.5 * rho * cda,
            p_motor, eta_t, 1.0 / eta_t, p_regen, v_cut, inv_span)
        x = min(max(p_mech / p_motor, 0.0), 1.0)
        eta_m = intercept[curve_k] + slope[curve_k] * x
        for j in range(HINGES):
            eta_m += slope_change[curve_k, j] * max(x - knot[curve_k, j], 0.0)
        p_el, p_term, p_chem, overload = _electric(p_mech, eta_m, traction, p_aux, u_oc, r_int,
                                                   u_oc / (2.0 * r_int))
        braking = max(-p_wheel, 0.0)
        row = rows[s]
        row[0] = max(p_wheel, 0.0) * h
        row[1] = braking * h
        row[2] = 0.5 * rho * cda * v * v * v * h
        row[3] = mass * g * crr * roll * v * h
        row[4] = mass * g * sin_grade[s] * v * h
        row[5] = m_inertial * accel[s] * v * h
        row[6] = (1.0 - traction) * (braking - p_mech / eta_t) * h
        row[7] = (traction * p_mech * (1.0 - eta_t) + (1.0 - traction) * p_mech / eta_t * (1.0 - eta_t)) * h
        row[8] = (traction * (p_el - p_mech) + (1.0 - traction) * (p_mech + p_el)) * h
        row[9] = max(-p_el, 0.0) * h
        row[10] = p_aux * h
        row[11] = r_int * (p_chem / u_oc) ** 2 * h  # R I², independent of how the circuit was solved
        row[12] = p_term * h
        row[13] = p_chem * h
        row[14] = 1.0 if deficit > 0.0 else 0.0
        row[15] = deficit * eta_t / (max(v, 1e-9) * m_inertial) * h
        row[16] = overload
    return rows
