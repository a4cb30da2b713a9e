"""A plain, scalar reference implementation of the energy equations (for tests only).

Written from the equations in evchain.energy.kernel's docstring, independently of the
compiled code: one car, one step at a time, Python floats and np.interp.
"""

from __future__ import annotations

import math

import numpy as np


def reference_energy(v_mean, accel, dt, sin_grade, *, mass, m_inertial, cda, crr, p_motor, eta_t,
                     p_aux, u_oc, r_int, p_regen, v_cut, v_fade, curve_x, curve_y, g, rho):
    """Terminal and chemical energy [J] of one car over a cycle."""
    terminal = 0.0
    chemical = 0.0
    for v, a, h, s in zip(v_mean, accel, dt, sin_grade, strict=True):
        v, a, h, s = float(v), float(a), float(h), float(s)
        force = (m_inertial * a + (mass * g * crr * math.cos(math.asin(s)) if v > 0 else 0.0)
                 + 0.5 * rho * cda * v**2 + mass * g * s)
        p_wheel = force * v
        if p_wheel > 0:
            p_shaft = min(p_wheel / eta_t, p_motor)
            p_el = p_shaft / float(np.interp(p_shaft / p_motor, curve_x, curve_y))
        elif p_wheel < 0:
            # regeneration fades in from v_cut to v_fade over a span of at least 1e-12 m/s
            # (the kernel's SHARP_SPAN_M_S: a shorter or negative span is a ramp that narrow)
            share = min(max((v - v_cut) / max(v_fade - v_cut, 1e-12), 0.0), 1.0)
            p_shaft = min(-p_wheel * eta_t * share, p_regen)
            p_el = -p_shaft * float(np.interp(p_shaft / p_motor, curve_x, curve_y))
        else:
            p_el = 0.0
        p_term = p_el + p_aux
        # P_t = U I - R I^2, root nearest P_t / U: (U - sqrt(U^2 - 4 R P_t)) / (2 R), rationalised
        # to 2 P_t / (U + sqrt(...)) so that small powers do not lose digits to cancellation
        current = 2 * p_term / (u_oc + math.sqrt(max(u_oc**2 - 4 * r_int * p_term, 0.0)))
        terminal += p_term * h
        chemical += u_oc * current * h
    return terminal, chemical
