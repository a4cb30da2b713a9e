"""Drive cycles: read and check speed traces, choose the WLTC class, cut steps and phases.

A trace is a uniform-step series of speeds. Step ``i`` runs from ``t[i]`` to ``t[i+1]``;
its mean speed is ``(v[i] + v[i+1]) / 2`` and its acceleration ``(v[i+1] - v[i]) / dt``,
so the kinetic-energy change of a step is exactly ``m a v_mean dt`` and the energy
balance closes step by step.

References
----------
UN GTR No. 15 (WLTP), Annex 1: cycle classes, phases and the power-to-mass ratio; paras 8
and 9: downscaling and capped speed (:mod:`evchain.energy.wltp`, :func:`wltc_variant`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from evchain.data.registry import CycleInfo, DataSet
from evchain.errors import DataError, did_you_mean

if TYPE_CHECKING:
    from evchain.energy.steps import Steps

_SPEED_COLUMNS = {"speed_m_s": 1.0, "speed_km_h": 1.0 / 3.6, "speed_kmh": 1.0 / 3.6,
                  "speed_mph": 0.44704}


@dataclass(frozen=True)
class Cycle:
    """A drive cycle cut into steps, ready for the energy model.

    Attributes are arrays over the ``n`` steps (one fewer than trace points).
    """

    id: str
    name: str
    speed_mean_m_s: np.ndarray  #: mean speed of each step [m/s]
    accel_m_s2: np.ndarray  #: acceleration of each step [m/s2]
    dt_s: np.ndarray  #: step duration [s]
    sin_grade: np.ndarray  #: sine of the road gradient [-]
    phase: np.ndarray  #: phase index of each step (int64)
    phase_names: tuple[str, ...]

    @cached_property
    def step_s(self) -> float:
        """The typical (median) step duration [s], the unit of the shortfall counts."""
        return float(np.median(self.dt_s))

    @property
    def distance_km(self) -> float:
        """Cycle distance [km]."""
        return float(np.sum(self.speed_mean_m_s * self.dt_s)) / 1000.0

    @cached_property
    def steps(self) -> Steps:
        """The steps as the kernel reads them, identical ones merged (computed once)."""
        from evchain.energy.steps import prepare_steps

        return prepare_steps(self.speed_mean_m_s, self.accel_m_s2, self.dt_s, self.sin_grade, self.phase,
                             len(self.phase_names))

    @cached_property
    def steps_unmerged(self) -> Steps:
        """The steps one by one (no merging: cheaper to prepare, for a cycle few cars drive)."""
        from evchain.energy.steps import prepare_steps

        return prepare_steps(self.speed_mean_m_s, self.accel_m_s2, self.dt_s, self.sin_grade, self.phase,
                             len(self.phase_names), merge=False)

    def phase_distance_km(self) -> np.ndarray:
        """Distance of each phase [km]."""
        out = np.zeros(len(self.phase_names))
        np.add.at(out, self.phase, self.speed_mean_m_s * self.dt_s / 1000.0)
        return out


def read_trace(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a trace CSV: ``time_s`` and a speed column, optional ``grade`` (rise/run).

    The speed column may be ``speed_m_s``, ``speed_km_h`` or ``speed_mph``. Lines
    starting with ``#`` are comments. Returns time [s], speed [m/s] and grade [-].
    Raises :class:`DataError` naming the file and line for gaps, negative speeds,
    non-numbers or a non-uniform time step.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: cycle file not found")
    lines = [(i + 1, ln.strip()) for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines())
             if ln.strip() and not ln.lstrip().startswith("#")]
    if len(lines) < 3:
        raise DataError(f"{path}: a cycle needs a header and at least two points")
    header = [h.strip() for h in lines[0][1].split(",")]
    speed_cols = [c for c in header if c in _SPEED_COLUMNS]
    if "time_s" not in header or len(speed_cols) != 1:
        raise DataError(f"{path}:{lines[0][0]}: header must have 'time_s' and one speed column of "
                        f"{sorted(_SPEED_COLUMNS)}; got {header}")
    it, iv = header.index("time_s"), header.index(speed_cols[0])
    ig = header.index("grade") if "grade" in header else None
    rows = []
    for lineno, line in lines[1:]:
        cells = line.split(",")
        try:
            row = [float(cells[it]), float(cells[iv]), float(cells[ig]) if ig is not None else 0.0]
        except (ValueError, IndexError):
            raise DataError(f"{path}:{lineno}: cannot read numbers from {line!r}") from None
        if not all(np.isfinite(row)):
            raise DataError(f"{path}:{lineno}: values must be finite, got {line!r}")
        if row[1] < 0:
            raise DataError(f"{path}:{lineno}: negative speed {cells[iv].strip()} is not allowed")
        if abs(row[2]) > 0.5:
            raise DataError(f"{path}:{lineno}: grade {row[2]} is outside -0.5 to 0.5 (rise over run)")
        rows.append((lineno, row))
    data = np.array([r for _, r in rows])
    time, speed, grade = data[:, 0], data[:, 1] * _SPEED_COLUMNS[speed_cols[0]], data[:, 2]
    dt = np.diff(time)
    if np.any(dt <= 0):
        k = int(np.argmax(dt <= 0)) + 1
        raise DataError(f"{path}:{rows[k][0]}: time must increase; got {time[k - 1]:g} then {time[k]:g}")
    step = float(np.median(dt))
    bad = np.abs(dt - step) > 1e-6 * max(step, 1.0)
    if np.any(bad):
        k = int(np.argmax(bad)) + 1
        raise DataError(f"{path}:{rows[k][0]}: gap in the trace: time jumps from {time[k - 1]:g} s to "
                        f"{time[k]:g} s; the step must be uniform ({step:g} s)")
    return time, speed, grade


def cut_steps(time_s: np.ndarray, speed_m_s: np.ndarray, grade: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean speed [m/s], acceleration [m/s2], step [s] and sine of grade [-] of each step."""
    dt = np.diff(time_s)
    v_mean = 0.5 * (speed_m_s[1:] + speed_m_s[:-1])
    accel = np.diff(speed_m_s) / dt
    slope = 0.5 * (grade[1:] + grade[:-1])
    sin_grade = slope / np.sqrt(1.0 + slope * slope)
    return v_mean, accel, dt, sin_grade


def phase_index(time_s: np.ndarray, phases: dict[str, tuple[float, float]]
                ) -> tuple[np.ndarray, tuple[str, ...]]:
    """Phase of each step: a step belongs to the phase holding its start time.

    Phase bounds ``[start, end]`` are in seconds; a phase holds the steps starting
    at ``start`` up to (not including) ``end`` of the next phase's start. With no
    phases, every step is in one phase called ``"all"``.
    """
    starts = time_s[:-1]
    if not phases:
        return np.zeros(len(starts), dtype=np.int64), ("all",)
    names = tuple(sorted(phases, key=lambda k: phases[k][0]))
    lows = np.array([phases[n][0] for n in names])
    idx = np.searchsorted(lows, starts, side="right") - 1
    return np.clip(idx, 0, len(names) - 1).astype(np.int64), names


@lru_cache(maxsize=64)
def _cycle_from_file(cycle_id: str, name: str, path: str,
                     phases: tuple[tuple[str, tuple[float, float]], ...]) -> Cycle:
    time, speed, grade = read_trace(path)
    v_mean, accel, dt, sin_grade = cut_steps(time, speed, grade)
    phase, names = phase_index(time, dict(phases))
    return Cycle(cycle_id, name, v_mean, accel, dt, sin_grade, phase, names)


def load_cycle(data: DataSet, cycle_id: str) -> Cycle:
    """A shipped or user cycle by id, or a CSV file by path."""
    info: CycleInfo | None = data.cycles.get(cycle_id)
    if info is None:
        if cycle_id.lower().endswith(".csv"):
            return _cycle_from_file(cycle_id, Path(cycle_id).stem, str(Path(cycle_id).resolve()), ())
        raise DataError(f"unknown cycle {cycle_id!r}" + did_you_mean(cycle_id, data.cycles)
                        + f"; known cycles: {', '.join(sorted(data.cycles))}, 'wltc' (class chosen "
                          "by power-to-mass ratio) or a path to a CSV file")
    return _cycle_from_file(info.id, info.name, str(info.path), tuple(sorted(info.phases.items())))


def wltc_variant(data: DataSet, cycle_id: str, f_dsc: float, v_cap_kmh: float) -> Cycle:
    """The shipped WLTC ``cycle_id`` downscaled by ``f_dsc`` (0: not) and capped at ``v_cap_kmh``
    [km/h] (NaN, or not below the cycle's top speed: not), as UN GTR 15 Annex 1 paras 8 and 9
    prescribe (see :mod:`evchain.energy.wltp`)."""
    info = data.cycles[cycle_id]
    if f_dsc > 0.0 and not info.downscale:
        raise DataError(f"cycle {cycle_id!r} has no downscaling period (data/cycles.toml 'downscale')")
    return _variant(info.id, info.name, str(info.path), tuple(sorted(info.phases.items())),
                    tuple(sorted(info.downscale.items())), float(f_dsc), float(v_cap_kmh))


@lru_cache(maxsize=16)
def trace_kmh(path: str) -> np.ndarray:
    """A flat 1 Hz trace starting at 0 s as speeds [km/h] (index = second; read-only), for the
    WLTC adjustments."""
    time, speed, grade = read_trace(path)
    if time[0] != 0.0 or np.any(np.abs(np.diff(time) - 1.0) > 1e-9) or np.any(grade != 0.0):
        raise DataError(f"{path}: downscaling and capped speed need a flat 1 Hz trace starting at 0 s")
    out = np.round(speed * 3.6, 1)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=256)
def _variant(cycle_id: str, name: str, path: str, phases: tuple[tuple[str, tuple[float, float]], ...],
             downscale: tuple[tuple[str, float], ...], f_dsc: float, v_cap_kmh: float) -> Cycle:
    from evchain.energy.wltp import cap_speed
    from evchain.energy.wltp import downscale as scale_down

    kmh = trace_kmh(path)
    label = []
    if f_dsc > 0.0:
        d = dict(downscale)
        kmh = scale_down(kmh, int(d["start_s"]), int(d["tip_s"]), int(d["end_s"]), f_dsc)
        label.append(f"downscaled by {f_dsc:.3f}")
    bounds = dict(phases)
    names = sorted(bounds, key=lambda p: bounds[p][0])
    starts = [int(bounds[p][0]) for p in names]
    if np.isfinite(v_cap_kmh) and v_cap_kmh < kmh.max():
        kmh, starts = cap_speed(kmh, starts, v_cap_kmh)
        label.append(f"capped at {v_cap_kmh:g} km/h")
    time = np.arange(kmh.size, dtype=np.float64)
    ends = [*[s - 1 for s in starts[1:]], kmh.size - 1]
    v_mean, accel, dt, sin_grade = cut_steps(time, kmh / 3.6, np.zeros(kmh.size))
    phase, phase_names = phase_index(time, {p: (float(s), float(e)) for p, s, e in zip(names, starts, ends,
                                                                                         strict=True)})
    full_name = f"{name} ({', '.join(label)})" if label else name
    return Cycle(cycle_id, full_name, v_mean, accel, dt, sin_grade, phase, phase_names)


def power_to_mass_ratio(motor_power_kw: np.ndarray, curb_mass_kg: np.ndarray,
                        driver_mass_kg: float) -> np.ndarray:
    """WLTP power-to-mass ratio [W/kg]: rated power over (mass in running order - driver).

    UN GTR No. 15, para. 3.1.1 and Annex 1 para. 2.
    """
    return 1000.0 * motor_power_kw / (curb_mass_kg - driver_mass_kg)


def wltc_class(pmr_w_kg: np.ndarray, max_speed_km_h: np.ndarray, class1_max: float,
               class2_max: float, class3b_min_speed: float) -> np.ndarray:
    """WLTC cycle id for each car from its power-to-mass ratio and top speed.

    Class 1: PMR <= ``class1_max``; class 2: up to ``class2_max``; class 3b above,
    with a top speed >= ``class3b_min_speed`` (class 3a below it; its trace is not
    shipped, so such cars run class 3b, as noted in the results).
    """
    return np.where(pmr_w_kg <= class1_max, "wltc-class1",
                    np.where(pmr_w_kg <= class2_max, "wltc-class2", "wltc-class3b"))
