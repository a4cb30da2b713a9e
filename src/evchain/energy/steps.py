"""The drive cycle and the motor curves as the energy kernels read them (numpy only).

Kept apart from :mod:`evchain.energy.kernel` so that preparing inputs, and the small-batch
path of :mod:`evchain.energy.small`, never import numba.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from evchain.data.registry import MAX_CURVE_POINTS

#: Hinge terms of every efficiency curve (unused ones have a zero slope change).
HINGES = MAX_CURVE_POINTS - 2

#: Fade spans shorter than this [m/s] are a sharp cut-off (their inverse would overflow).
SHARP_SPAN_M_S = 1e-12


def inverse_span(v_cut: np.ndarray, v_fade: np.ndarray) -> np.ndarray:
    """``1 / (v_fade - v_cut)``, at most ``1 / SHARP_SPAN_M_S`` (a sharp cut-off), so it stays finite."""
    span = np.asarray(v_fade, dtype=np.float64) - np.asarray(v_cut, dtype=np.float64)
    return 1.0 / np.maximum(span, SHARP_SPAN_M_S)


class Steps(NamedTuple):
    """A cycle's steps as the kernel reads them: identical steps of a phase merged into one.

    The energy of a step depends only on its speed, acceleration, gradient and duration,
    so steps equal in all four (idling, steady cruising) are computed once and weighted:
    ``duration_s`` is their total duration, ``n_merged`` how many there were. Arrays are
    contiguous, one entry per distinct step, sorted by phase; phase ``p`` holds entries
    ``bounds[p]:bounds[p + 1]``.
    """

    speed_m_s: np.ndarray
    accel_m_s2: np.ndarray
    sin_grade: np.ndarray
    roll: np.ndarray  #: cos(θ) where the car moves, else 0 [-]
    speed_sq: np.ndarray  #: speed squared [m²/s²]
    inv_speed: np.ndarray  #: 1 / max(speed, 1e-9) [s/m]
    duration_s: np.ndarray  #: total duration of the merged steps [s]
    n_merged: np.ndarray  #: number of merged steps [-]
    step_s: np.ndarray  #: duration of one of them [s]
    bounds: np.ndarray  #: phase boundaries (int64, length phases + 1)


def prepare_steps(speed_m_s: np.ndarray, accel_m_s2: np.ndarray, dt_s: np.ndarray, sin_grade: np.ndarray,
                  phase: np.ndarray, n_phases: int, merge: bool = True) -> Steps:
    """Merge identical steps of each phase (see :class:`Steps`); with ``merge`` False each step
    stays its own (cheaper to prepare for a cycle that only a few cars drive). Steps must be
    in phase order, as a trace's are."""
    if merge:  # the distinct columns in lexicographic order (as np.unique(axis=1), a tenth of its time)
        key = np.stack([np.asarray(phase, dtype=np.float64), speed_m_s, accel_m_s2, dt_s, sin_grade])
        order = np.lexsort(key[::-1])
        ordered = key[:, order]
        new = np.any(ordered[:, 1:] != ordered[:, :-1], axis=0)
        starts = np.concatenate([[0], np.flatnonzero(new) + 1])
        unique = ordered[:, starts]
        count = np.diff(np.append(starts, key.shape[1]))
        duration = np.add.reduceat(dt_s[order], starts) if key.shape[1] else np.zeros(0)
        phases = unique[0]
        v, a, step, sin_g = (np.ascontiguousarray(unique[i]) for i in range(1, 5))
    else:  # each step its own: the arrays as they are (nothing to sort or stack)
        phases = np.asarray(phase)
        v, a, step, sin_g = (np.ascontiguousarray(x, dtype=np.float64)
                             for x in (speed_m_s, accel_m_s2, dt_s, sin_grade))
        count, duration = np.ones(v.shape[0]), step.copy()
    bounds = np.searchsorted(phases, np.arange(n_phases + 1), side="left").astype(np.int64)
    return Steps(v, a, sin_g, np.where(v > 0.0, np.sqrt(1.0 - sin_g * sin_g), 0.0), v * v,
                 1.0 / np.maximum(v, 1e-9), duration, count.astype(np.float64), step, bounds)



def hinge_curves(curves: list[tuple[np.ndarray, np.ndarray]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Efficiency curves (points ``(x, y)`` spanning x = 0 to 1) as hinge sums.

    Returns, one row per curve: the intercept ``y_0``, the first slope ``s_0``, and the
    slope changes ``Δs_j`` at the interior points ``x_j``, shape ``(curves, HINGES)``
    (padded with zero changes at ``x = 2``, which never act).
    """
    n = len(curves)
    intercept = np.zeros(n)
    slope = np.zeros(n)
    change = np.zeros((n, HINGES))
    knot = np.full((n, HINGES), 2.0)
    for i, (x, y) in enumerate(curves):
        slopes = np.diff(y) / np.diff(x)
        intercept[i] = y[0] - slopes[0] * x[0]
        slope[i] = slopes[0]
        change[i, :len(slopes) - 1] = np.diff(slopes)
        knot[i, :len(slopes) - 1] = x[1:-1]
    return intercept, slope, change, knot
