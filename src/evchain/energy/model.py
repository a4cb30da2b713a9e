"""Energy use of every case of a case table on its drive cycle (the orchestrator).

Outputs (arrays over cases):

``energy_battery_kwh_per_100km``
    energy at the battery terminals per distance [kWh/100 km] (DC, as WLTP measures it).
``energy_wall_kwh_per_100km``
    energy from the wall to recharge it [kWh/100 km]: the chemical energy drawn
    (terminal energy + internal losses), divided by the efficiency of recharging it
    (charger × battery charging at ``ac_charge_power``).
``range_km``
    usable battery energy over terminal energy per km [km].
``cycle_downscaling_factor``, ``cycle_capped_speed_kmh``
    how the regulation adapted the WLTC to a car short of power or of top speed (cars whose
    cycle is ``wltc``, the class chosen as the regulation does): the downscaling factor
    (0: none) and the capped speed (NaN: none), UN GTR 15 Annex 1 paras 8 and 9
    (:mod:`evchain.energy.wltp`). A cycle named by its id is driven as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evchain.arrays import factorize, map_values
from evchain.data.registry import DataSet
from evchain.energy import small
from evchain.energy.cycles import Cycle, load_cycle, power_to_mass_ratio, trace_kmh, wltc_class, wltc_variant
from evchain.energy.small import SMALL_BATCH
from evchain.energy.steps import hinge_curves, inverse_span
from evchain.energy.wltp import downscale, downscaling_factor, required_power_kw
from evchain.study.cases import CaseTable
from evchain.vehicle.mass import cycle_mass, inertial_mass, wltp_payload

KMH = 1.0 / 3.6
J_PER_KWH = 3.6e6


def battery_charge_efficiency(p_terminal_w: np.ndarray, u_oc_v: np.ndarray,
                              r_int_ohm: np.ndarray) -> np.ndarray:
    """Share of the terminal power stored when charging at ``p_terminal_w`` (> 0) [-].

    Equivalent circuit: ``P_t = U I + R I²`` for a charging current ``I``;
    ``stored = U I``. Solved as ``I = 2 P_t / (U + sqrt(U² + 4 R P_t))``.
    """
    current = 2.0 * p_terminal_w / (u_oc_v + np.sqrt(u_oc_v**2 + 4.0 * r_int_ohm * p_terminal_w))
    return u_oc_v * current / p_terminal_w


def regulated(cases: CaseTable) -> np.ndarray:
    """Which cases drive the WLTC as the regulation sets it for them (``cycle = "wltc"``)."""
    return map_values(cases.cycle, lambda c: c == "wltc", bool)


def resolve_cycles(cases: CaseTable, data: DataSet, auto: np.ndarray | None = None) -> np.ndarray:
    """Cycle id of each case, with 'wltc' replaced by its class (UN GTR 15 Annex 1); ``auto``:
    :func:`regulated` of the cases, if known."""
    cycles = cases.cycle.copy()
    auto = regulated(cases) if auto is None else auto
    if np.any(auto):
        c = cases.columns
        pmr = power_to_mass_ratio(c["motor_power"][auto], c["curb_mass"][auto], data.parameter("driver_mass"))
        cycles[auto] = wltc_class(pmr, c["max_speed"][auto], data.parameter("wltp_class1_max_pmr"),
                                  data.parameter("wltp_class2_max_pmr"),
                                  data.parameter("wltp_class3b_min_speed"))
    return cycles


def wltp_adjustments(cases: CaseTable, data: DataSet, cycles: np.ndarray, test_mass_kg: np.ndarray,
                     auto: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Downscaling factor [-] and capped speed [km/h] (NaN: none) of each case whose cycle was
    chosen as the regulation does (``wltc``), from its road load, test mass, rated power and top
    speed (UN GTR 15 Annex 1 paras 8 and 9); 0 and NaN for the others."""
    f_dsc = np.zeros(cases.n)
    v_cap = np.full(cases.n, np.nan)
    auto = regulated(cases) if auto is None else auto
    if not np.any(auto):
        return f_dsc, v_cap
    c = cases.columns
    g, rho = data.parameter("gravity"), data.parameter("air_density")
    for cycle_id in sorted(set(cycles[auto].tolist())):
        info = data.cycles[cycle_id]
        members = np.flatnonzero(auto & (cycles == cycle_id))
        kmh = trace_kmh(str(info.path))
        d = info.downscale
        if d:
            ref = int(d["reference_s"])
            v_ref, a_ref = kmh[ref], (kmh[ref + 1] - kmh[ref]) / 3.6  # [km/h], [m/s2] at 1 Hz
            tm = test_mass_kg[members]
            p_req = required_power_kw(v_ref, a_ref, tm * g * c["rolling_resistance"][members], np.zeros(members.size),
                                      0.5 * rho * c["drag_coefficient"][members] * c["frontal_area"][members] / 3.6**2,
                                      tm, data.parameter("wltp_downscale_inertia_factor"))
            f_dsc[members] = downscaling_factor(p_req, c["motor_power"][members], d["r0"], d["a1"], d["b1"],
                                                data.parameter("wltp_downscale_threshold"))
        # a top speed below the (downscaled) cycle's caps it
        top = np.full(members.size, float(kmh.max()))
        for f in np.unique(f_dsc[members][f_dsc[members] > 0.0]).tolist():
            top[f_dsc[members] == f] = downscale(kmh, int(d["start_s"]), int(d["tip_s"]), int(d["end_s"]), f).max()
        vmax = np.round(c["max_speed"][members])  # declared in whole km/h (GTR 15 para 3.7.2)
        capped = np.isfinite(vmax) & (vmax < top)
        v_cap[members[capped]] = vmax[capped]
    return f_dsc, v_cap


def motor_curves(data: DataSet) -> tuple[tuple[np.ndarray, ...], dict[str, int]]:
    """All motor curves as the kernel's hinge arrays, and the index of each curve id."""
    names = sorted(data.motor_curves)
    return hinge_curves([data.motor_curves[n] for n in names]), {n: i for i, n in enumerate(names)}


def _masses(cases: CaseTable, data: DataSet) -> tuple[np.ndarray, np.ndarray]:
    c = cases.columns
    payload = np.where(
        np.isfinite(c["payload"]), c["payload"],
        wltp_payload(c["curb_mass"], c["gross_mass"], data.parameter("wltp_added_mass"),
                     data.parameter("wltp_payload_share"), data.parameter("max_payload")))
    mass = cycle_mass(c["curb_mass"], payload)
    return mass, inertial_mass(mass, c["rotating_mass_factor"])


def simulate_cycle(cases: CaseTable, cycle: Cycle, data: DataSet, curve_index: np.ndarray,
                   curves: tuple[np.ndarray, ...], mass: np.ndarray, m_inertial: np.ndarray,
                   compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the kernel for ``cases`` on one cycle (test and inertial masses [kg] given); energies in J.

    Batches of up to :data:`~evchain.energy.small.SMALL_BATCH` cars run through the numpy
    version of the equations (no numba import, no compiled-code load); larger ones through
    the compiled kernel; ``compiled`` forces the choice (a large table split over many cycles
    runs its small groups compiled too).
    """
    c = cases.columns
    p_motor = c["motor_power"] * 1000.0
    p_regen = np.minimum(p_motor, c["battery_charge_power"] * 1000.0)
    simulate: Any
    if compiled is None:
        compiled = cases.n > SMALL_BATCH
    if not compiled:
        simulate = small.simulate
    else:
        from evchain.energy import kernel

        simulate = kernel.simulate  # a numba dispatcher: mypy cannot see its signature
    steps = cycle.steps if cases.n >= MERGE_FROM else cycle.steps_unmerged
    return simulate(
        *steps, mass, m_inertial, c["drag_coefficient"] * c["frontal_area"],
        c["rolling_resistance"], p_motor, c["transmission_efficiency"], c["aux_power"] * 1000.0,
        c["battery_voltage"], c["battery_resistance"], p_regen, c["regen_cutoff_speed"] * KMH,
        inverse_span(c["regen_cutoff_speed"] * KMH, c["regen_fade_speed"] * KMH),
        curve_index, *curves, data.parameter("gravity"),
        data.parameter("air_density"))


#: From this many cars on a cycle, its identical steps are merged before simulating (merging a
#: WLTC costs about as much as simulating a hundred cars on it).
MERGE_FROM = 256

#: The columns the kernel and the outputs read: a chunk copies only these.
KERNEL_COLUMNS = ("motor_power", "battery_charge_power", "drag_coefficient", "frontal_area", "rolling_resistance",
                  "transmission_efficiency", "aux_power", "battery_voltage", "battery_resistance",
                  "regen_cutoff_speed", "regen_fade_speed", "battery_usable")

#: Cases simulated at once: intermediates stay bounded (a few MB) whatever the table's size.
CHUNK = 65_536


def _fill(out: dict[str, Any], group: np.ndarray, sub: CaseTable, cycle: Cycle, data: DataSet,
          curve_index: np.ndarray, curves: tuple[np.ndarray, ...], m_inertial: np.ndarray, eta_recharge: np.ndarray,
          by_phase_batt: np.ndarray | None, by_phase_wall: np.ndarray | None) -> None:
    """Simulate one chunk of cases on one cycle and write its outputs at ``group``."""
    c = sub.columns
    terminal, chemical, flags = simulate_cycle(sub, cycle, data, curve_index, curves,
                                               out["test_mass_kg"][group], m_inertial,
                                               compiled=out["test_mass_kg"].size > SMALL_BATCH)
    dist_km = cycle.distance_km
    e_term = terminal.sum(axis=1) / J_PER_KWH
    e_chem = chemical.sum(axis=1) / J_PER_KWH
    step_s = cycle.step_s
    out["cycle_distance_km"][group] = dist_km
    out["energy_battery_kwh_per_100km"][group] = 100.0 * e_term / dist_km
    out["energy_wall_kwh_per_100km"][group] = 100.0 * e_chem / eta_recharge / dist_km
    out["range_km"][group] = c["battery_usable"] / (e_term / dist_km)
    out["trace_shortfall_s"][group] = flags[:, 0] * step_s
    out["trace_shortfall_max_kmh"][group] = flags[:, 1] * 3.6
    out["battery_overload_s"][group] = flags[:, 2] * step_s
    if by_phase_batt is not None and by_phase_wall is not None:
        phase_km = cycle.phase_distance_km()
        batt = 100.0 * terminal / J_PER_KWH / phase_km
        wall = 100.0 * chemical / J_PER_KWH / phase_km / eta_recharge[:, None]
        for j, i in enumerate(group):
            by_phase_batt[i] = dict(zip(cycle.phase_names, batt[j].tolist(), strict=True))
            by_phase_wall[i] = dict(zip(cycle.phase_names, wall[j].tolist(), strict=True))


def _variants(f_dsc: np.ndarray, v_cap: np.ndarray, index: np.ndarray
              ) -> list[tuple[tuple[float, float], np.ndarray]]:
    """``index`` split by distinct (downscaling factor, capped speed): one cycle each.

    Both are few-valued (the factor is rounded to 3 decimals, the cap to whole km/h), so a
    pair is keyed by one integer, ``round(1000 f)`` then the cap (-1: none)."""
    if not np.any(f_dsc > 0.0) and not np.any(np.isfinite(v_cap)):
        return [((0.0, float("nan")), index)]
    cap = np.where(np.isfinite(v_cap), np.round(v_cap), -1.0).astype(np.int64)
    key = np.round(f_dsc * 1000.0).astype(np.int64) * (int(cap.max()) + 2) + cap + 1
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")  # the cases of each key, in their order
    groups = np.split(index[order], np.cumsum(np.bincount(inverse, minlength=len(keys)))[:-1])
    return [((float(f_dsc[i]), float(v_cap[i])), group) for i, group in zip(first.tolist(), groups, strict=True)]


def energy_use(cases: CaseTable, data: DataSet, phases: bool = True) -> dict[str, Any]:
    """Energy outputs of every case (see the module docstring); ``phases`` adds per-phase dicts."""
    n = cases.n
    c = cases.columns
    auto = regulated(cases)
    cycles = resolve_cycles(cases, data, auto)
    curves, curve_ids = motor_curves(data)
    vehicles, codes = factorize(cases.vehicle)
    curve_of = np.array([curve_ids[data.vehicles[v].meta["motor_curve"]] if v in data.vehicles else 0
                         for v in vehicles], dtype=np.int64)
    curve_index = curve_of[codes]
    out: dict[str, Any] = {
        "cycle": cycles,
        "cycle_distance_km": np.zeros(n),
        "energy_battery_kwh_per_100km": np.zeros(n),
        "energy_wall_kwh_per_100km": np.zeros(n),
        "range_km": np.zeros(n),
        "trace_shortfall_s": np.zeros(n),
        "trace_shortfall_max_kmh": np.zeros(n),
        "battery_overload_s": np.zeros(n),
    }
    mass, m_inertial = _masses(cases, data)
    out["test_mass_kg"] = mass
    by_phase_batt = np.empty(n, dtype=object) if phases else None
    by_phase_wall = np.empty(n, dtype=object) if phases else None
    eta_store = battery_charge_efficiency(c["ac_charge_power"] * 1000.0 * c["charger_efficiency"],
                                          c["battery_voltage"], c["battery_resistance"])
    eta_recharge = c["charger_efficiency"] * eta_store
    f_dsc, v_cap = wltp_adjustments(cases, data, cycles, mass, auto)
    out["cycle_downscaling_factor"] = f_dsc
    out["cycle_capped_speed_kmh"] = v_cap
    cycle_ids, cycle_codes = factorize(cycles)
    kernel_cases = CaseTable(cases.ids, cases.vehicle, cases.cycle, {k: c[k] for k in KERNEL_COLUMNS})
    for code, cycle_id in enumerate(cycle_ids):
        in_cycle = np.flatnonzero(cycle_codes == code)
        for (f, cap), members in _variants(f_dsc[in_cycle], v_cap[in_cycle], in_cycle):
            cycle = (wltc_variant(data, str(cycle_id), f, cap) if f > 0.0 or np.isfinite(cap)
                     else load_cycle(data, str(cycle_id)))
            for first in range(0, members.shape[0], CHUNK):
                group = members[first:first + CHUNK]  # bounded intermediates whatever n is
                _fill(out, group, kernel_cases.take(group), cycle, data, curve_index[group], curves,
                      m_inertial[group], eta_recharge[group], by_phase_batt, by_phase_wall)
    out["follows_cycle"] = out["trace_shortfall_s"] == 0
    if phases:
        out["energy_battery_kwh_per_100km_by_phase"] = by_phase_batt
        out["energy_wall_kwh_per_100km_by_phase"] = by_phase_wall
    return out
