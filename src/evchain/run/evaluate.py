"""evaluate(): run the model chain over a study's case table."""

from __future__ import annotations

import numpy as np

from evchain._version import __version__
from evchain.battery.vehicle import apply_battery
from evchain.energy.model import energy_use
from evchain.errors import EvchainError
from evchain.lca.step import apply_impact
from evchain.run.results import Results
from evchain.study.cases import CaseTable, build_cases
from evchain.study.load import Study


def _published(study: Study, cases: CaseTable, name: str) -> np.ndarray:
    out = np.full(cases.n, np.nan)
    for i, vid in enumerate(cases.vehicle):
        value = study.data.vehicles[vid].published.get(name)
        variant = study.variants[i]
        # a published figure describes the car as published, not a modified variant
        if value is not None and not variant.overrides and not (variant.battery and variant.battery.changed):
            out[i] = value.value
    return out


def _energy(cases: CaseTable, study: Study) -> dict[str, np.ndarray]:
    """Energy outputs; a case with its consumption given skips the drive cycle."""
    given = cases.context.get("energy_wall_kwh_per_100km") if cases.context else None
    if given is None or not np.isfinite(given).any():
        return energy_use(cases, study.data)
    skip = np.isfinite(given)
    out = energy_use(cases.take(np.flatnonzero(~skip)), study.data) if (~skip).any() else {}
    full: dict[str, np.ndarray] = {}
    template = out or energy_use(cases.take(np.flatnonzero(skip)[:1]), study.data)
    for name, values in template.items():
        column = np.full(cases.n, None, dtype=object) if values.dtype == object else np.full(cases.n, np.nan)
        if values.dtype == bool:
            column = np.ones(cases.n, dtype=bool)
        if out:
            column[~skip] = values
        full[name] = column
    full["energy_wall_kwh_per_100km"][skip] = given[skip]
    full["cycle"][skip] = "given"
    return full


def evaluate(study: Study) -> Results:
    """Evaluate every variant of ``study``: energy use and range on its cycle.

    Returns :class:`~evchain.run.results.Results` (``.to_pandas()``, ``.to_json()``). An error
    about one case names its variant (and the study file) rather than its row.
    """
    try:
        return _evaluate(study)
    except EvchainError as exc:
        if exc.case is None or not 0 <= exc.case < len(study.variants):
            raise
        where = f"{study.path}: " if study.path is not None else ""
        raise exc.about(f"{where}variant {study.variants[exc.case].id!r}") from None


def _evaluate(study: Study) -> Results:
    cases, battery = apply_battery(build_cases(study), study.data)
    energy = _energy(cases, study)
    if battery:
        infeasible = ~battery["battery_feasible"]
        for name in ("energy_battery_kwh_per_100km", "energy_wall_kwh_per_100km", "range_km", "test_mass_kg"):
            energy[name][infeasible] = np.nan
    columns: dict[str, np.ndarray] = {
        "id": cases.ids,
        "label": np.array([v.label for v in study.variants], dtype=object),
        "vehicle": cases.vehicle,
        **energy,
        "curb_mass_kg": cases.columns["curb_mass"],
        "motor_power_kw": cases.columns["motor_power"],
        **battery,
        **apply_impact(cases, energy, study.data, study.eol_approach, study.extrapolate_grid),
        "wltp_energy_wall_kwh_per_100km": _published(study, cases, "wltp_energy_wall"),
        "wltp_range_km": _published(study, cases, "wltp_range"),
    }
    notes = []
    if battery and not battery["battery_feasible"].all():
        bad = [str(i) for i, ok in zip(cases.ids, battery["battery_feasible"], strict=True) if not ok]
        notes.append("cases whose range target no pack can meet (the pack's mass eats the range it adds, or "
                     "it would exceed 300 kWh or the car 4,000 kg): " + ", ".join(bad))
    weak = [str(i) for i, ok in zip(cases.ids, energy["follows_cycle"], strict=True) if not ok]
    if weak:
        notes.append("cases that cannot follow their cycle (motor power too low): " + ", ".join(weak)
                     + "; see trace_shortfall_s and trace_shortfall_max_kmh")
    return Results(study.name, columns, __version__, study.data.version, study.seed, notes)
