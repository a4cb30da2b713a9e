"""Sweeps: many cases of one reference car, inputs given as arrays, run through the whole chain.

::

    import numpy as np
    from evchain.run.sweep import sweep

    n, rng = 1_000_000, np.random.default_rng(0)
    results = sweep(n, "renault-5-etech-52", seed=0, curb_mass=rng.uniform(1300, 1600, n),
                    battery={"cell": (["lfp-prismatic", "nmc811-pouch"], rng.integers(0, 2, n)),
                             "architecture": "cell-to-pack", "cell_site": "aesc-douai"},
                    context={"use_country": (["FR", "DE", "PL"], rng.integers(0, 3, n)),
                             "energy_wall_kwh_per_100km": rng.uniform(12, 18, n)})
    results.to_pandas()

A numeric input is a number or an array of ``n``; an id input (cell, site, country) is a
string, an array of ``n`` ids, or ``(choices, codes)``: a few choices and each case's index
among them, the fastest form (nothing to hash). Inputs left out take the reference car's
values (its battery, the default life-cycle context). Columns of ids that evchain has read
become read-only (their codes are cached); copy one to change it. Some outputs may be the
input arrays themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from evchain._version import __version__
from evchain.arrays import coded, factorize, full
from evchain.battery.choice import reference_battery, reference_usable_share
from evchain.battery.vehicle import apply_battery
from evchain.data.registry import DataSet, load_data
from evchain.energy.model import energy_use
from evchain.errors import StudyError, did_you_mean
from evchain.fields import VEHICLE_FIELDS
from evchain.lca.grids import build_grids
from evchain.lca.step import PARTS, apply_impact, default_context
from evchain.run.results import Results
from evchain.study.cases import CaseTable, cases_from_arrays

#: Battery inputs a sweep may give; ``target_range`` [km] sizes the pack for that range.
BATTERY_INPUTS = ("cell", "architecture", "cell_site", "pack_site", "target_range")
#: Life-cycle inputs a sweep may give (numbers, except the ids of the first seven).
CONTEXT_INPUTS = ("use_country", "assembly_site", "motor_site", "recycling_route", "materials_region", "materials_site",
                  "land_mode", "year",
                  "lifetime_km",
                  "energy_wall_kwh_per_100km", "second_life_share", "cell_electricity_intensity", "recycled_Co",
                  "recycled_Li", "recycled_Ni")
_CONTEXT_IDS = ("use_country", "assembly_site", "motor_site", "recycling_route", "materials_region", "materials_site",
                "land_mode")
#: Bounds of the numeric inputs (as in study files), with their units.
_BOUNDS = {"year": (1990.0, 2100.0, ""), "lifetime_km": (1_000.0, 2_000_000.0, "km"),
           "energy_wall_kwh_per_100km": (3.0, 80.0, "kWh/100 km"), "second_life_share": (0.0, 1.0, ""),
           "cell_electricity_intensity": (0.0, 2000.0, "g/kWh"), "recycled_Co": (0.0, 1.0, ""),
           "recycled_Li": (0.0, 1.0, ""), "recycled_Ni": (0.0, 1.0, ""),
           "battery.target_range": (20.0, 1500.0, "km")}
#: Numeric inputs where NaN means "not given" (the model then uses its rule or the reference's
#: value); anywhere else a NaN is an error rather than a NaN output.
_MAY_BE_NAN = ("battery_capacity", "gross_mass", "payload", "battery.target_range", "energy_wall_kwh_per_100km",
               "cell_electricity_intensity", "recycled_Co", "recycled_Li", "recycled_Ni")


def sweep(n: int, vehicle: str, *, cycle: str = "wltc", vehicle_fields: Mapping[str, Any] | None = None,
          battery: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
          parts: Collection[str] = ("carbon",), details: bool = False, seed: int = 0,
          data: DataSet | None = None, name: str = "sweep", eol_approach: str = "cut-off",
          extrapolate_grid: bool = False, **fields: Any) -> Results:
    """Run ``n`` cases of the reference car ``vehicle`` through battery, energy and impact.

    ``vehicle`` fields (``curb_mass`` [kg], ``motor_power`` [kW], ...) come as keyword
    arguments (or ``vehicle_fields``), the battery and life-cycle inputs as mappings (module
    docstring). A case whose ``energy_wall_kwh_per_100km`` is given skips the drive cycle.
    ``parts`` of the impact step: ``carbon``, ``score``, ``cost`` (see
    :func:`evchain.lca.step.apply_impact`). ``seed`` is recorded with the results (the
    sweep itself draws nothing at random). ``eol_approach``: ``cut-off`` or ``cff`` (the
    Circular Footprint Formula credit in the total), and ``extrapolate_grid`` (hold the nearest
    year's grid intensity for years of use beyond the data, instead of an error), as in study files.
    """
    if eol_approach not in ("cut-off", "cff"):
        raise StudyError(f"sweep: eol_approach {eol_approach!r}; allowed: cut-off, cff")
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise StudyError(f"sweep: unknown parts {unknown}" + did_you_mean(str(unknown[0]), PARTS)
                         + f"; allowed: {', '.join(PARTS)}")
    data = data or load_data()
    cases = sweep_cases(data, n, vehicle, cycle, {**(vehicle_fields or {}), **fields}, battery, context)
    return run_cases(cases, data, parts=tuple(parts), details=details, seed=seed, name=name, eol_approach=eol_approach,
                     extrapolate_grid=extrapolate_grid)


def sweep_cases(data: DataSet, n: int, vehicle: str, cycle: str = "wltc",
                vehicle_fields: Mapping[str, Any] | None = None, battery: Mapping[str, Any] | None = None,
                context: Mapping[str, Any] | None = None) -> CaseTable:
    """The case table of a sweep (see :func:`sweep`), every input checked."""
    vehicle_fields, battery, context = vehicle_fields or {}, battery or {}, context or {}
    if vehicle not in data.vehicles:
        raise StudyError(f"sweep: unknown vehicle {vehicle!r}" + did_you_mean(vehicle, data.vehicles)
                         + f"; known: {', '.join(sorted(data.vehicles))}")
    if n < 1:
        raise StudyError(f"sweep: n must be at least 1, got {n}")
    for mapping, allowed, what in ((battery, BATTERY_INPUTS, "battery"), (context, CONTEXT_INPUTS, "context")):
        for key in mapping:
            if key not in allowed:
                raise StudyError(f"sweep: unknown {what} input {key!r}" + did_you_mean(key, allowed)
                                 + f"; allowed: {', '.join(allowed)}")
    for key in vehicle_fields:
        if key not in VEHICLE_FIELDS:
            raise StudyError(f"sweep: unknown vehicle field {key!r}" + did_you_mean(key, VEHICLE_FIELDS)
                             + f"; allowed: {', '.join(VEHICLE_FIELDS)}")
    numbers = {k: _numbers(v, n, k, (VEHICLE_FIELDS[k].low, VEHICLE_FIELDS[k].high, VEHICLE_FIELDS[k].unit))
               for k, v in vehicle_fields.items()}
    cases = cases_from_arrays(data, n, vehicle, cycle, **numbers)
    ref = reference_battery(data.vehicles[vehicle], data)
    sites = set(data.table("sites")) | set(data.table("countries"))
    cells, architectures = set(data.table("cells")), set(data.table("pack_architectures"))
    cases.battery = {
        "cell": _ids(battery.get("cell", ref.cell), n, "battery.cell", cells),
        "architecture": _ids(battery.get("architecture", ref.architecture), n, "battery.architecture", architectures),
        "cell_site": _ids(battery.get("cell_site", ref.cell_site), n, "battery.cell_site", sites),
        "pack_site": _ids(battery.get("pack_site", ref.pack_site), n, "battery.pack_site", sites),
        "target_range": _numbers(battery.get("target_range", np.nan), n, "battery.target_range",
                                 _BOUNDS["battery.target_range"]),
        "ref_cell": full(n, ref.cell), "ref_architecture": full(n, ref.architecture),
        "ref_usable": np.full(n, ref.capacity_kwh),
        "ref_usable_share": _own_share(numbers, n, ref.capacity_kwh, reference_usable_share(data.vehicles[vehicle])),
    }
    ctx = default_context(cases, data)
    known: dict[str, set[str]] = {"use_country": set(build_grids(data).countries),
             "assembly_site": sites, "motor_site": sites, "recycling_route": set(data.table("eol_routes")),
             "materials_region": {"china", "europe", "world"}, "materials_site": sites,
             "land_mode": {"road", "rail"}}
    for key, value in context.items():
        ctx[key] = (_ids(value, n, f"context.{key}", known[key]) if key in _CONTEXT_IDS
                    else _numbers(value, n, f"context.{key}", _BOUNDS[key]))
    cases.context = ctx
    return cases


def run_cases(cases: CaseTable, data: DataSet, parts: tuple[str, ...] = PARTS, details: bool = False,
              seed: int = 0, name: str = "sweep", eol_approach: str = "cut-off", extrapolate_grid: bool = False
              ) -> Results:
    """Battery, energy (unless the consumption is given) and impact of a case table."""
    cases, battery_out = apply_battery(cases, data, details=details)
    given = cases.context.get("energy_wall_kwh_per_100km") if cases.context else None
    if given is not None and np.isfinite(given).all():
        energy: dict[str, np.ndarray] = {"energy_wall_kwh_per_100km": given}
    else:
        energy = energy_use(cases, data, phases=details)
        if battery_out and not battery_out["battery_feasible"].all():  # no pack meets the range: no energy figures
            for name in ("energy_battery_kwh_per_100km", "energy_wall_kwh_per_100km", "range_km", "test_mass_kg"):
                energy[name] = np.where(battery_out["battery_feasible"], energy[name], np.nan)
    columns = {"id": cases.ids, "vehicle": cases.vehicle, **energy, "curb_mass_kg": cases.columns["curb_mass"],
               **battery_out,
               **apply_impact(cases, energy, data, eol_approach, extrapolate_grid, details=details, parts=parts)}
    return Results(name, columns, __version__, data.version, seed)


def _own_share(numbers: dict[str, np.ndarray], n: int, ref_usable_kwh: float, published: float) -> np.ndarray:
    """Usable over gross energy of each case's own pack: ``battery_capacity`` (gross) where the
    sweep gives it, else the vehicle's published pair (NaN: the cells' typical share)."""
    gross = numbers.get("battery_capacity")
    if gross is None:
        return np.full(n, published)
    usable = numbers.get("battery_usable", np.full(n, ref_usable_kwh))
    over = np.flatnonzero(usable > gross)
    if over.size:
        k = int(over[0])
        raise StudyError(f"sweep: battery_usable[{k}] = {usable[k]:g} kWh exceeds battery_capacity[{k}] = "
                         f"{gross[k]:g} kWh (the pack's gross energy; {over.size} such cases)")
    return np.where(np.isfinite(gross), usable / gross, published)


def _numbers(value: Any, n: int, name: str, bounds: tuple[float, float, str]) -> np.ndarray:
    """A number or an array of ``n`` numbers, as floats, inside ``bounds`` (NaN: not given, for the
    inputs of :data:`_MAY_BE_NAN` only)."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise StudyError(f"sweep: {name} must be a number or an array of {n} numbers") from None
    if out.ndim == 0:
        out = np.full(n, float(out))
    if out.shape != (n,):
        raise StudyError(f"sweep: {name} has shape {out.shape}; a number or an array of {n} is allowed")
    low, high, unit = bounds
    if name.removeprefix("context.") not in _MAY_BE_NAN:
        missing = np.flatnonzero(np.isnan(out))
        if missing.size:
            raise StudyError(f"sweep: {name}[{missing[0]}] is NaN ({missing.size} such cases); a number is required "
                             f"(NaN means 'not given' only for {', '.join(_MAY_BE_NAN)})")
    bad = np.flatnonzero((out < low) | (out > high))
    if bad.size:
        raise StudyError(f"sweep: {name}[{bad[0]}] = {out[bad[0]]:g} is outside {low:g} to {high:g} {unit}".rstrip()
                         + f" ({bad.size} such cases)")
    return out


def _ids(value: Any, n: int, name: str, known: set[str]) -> np.ndarray:
    """A string, an array of ``n`` ids, or ``(choices, codes)``, checked against ``known``."""
    if isinstance(value, str):
        out = full(n, value)
    elif isinstance(value, tuple) and len(value) == 2:
        choices, codes = value
        codes = np.asarray(codes)
        if codes.shape != (n,) or codes.dtype.kind not in "iu":
            raise StudyError(f"sweep: {name}: the codes of (choices, codes) must be {n} integers")
        if codes.size and (codes.min() < 0 or codes.max() >= len(choices)):
            raise StudyError(f"sweep: {name}: codes must lie in 0..{len(choices) - 1}")
        out = coded(list(choices), codes)
    else:
        out = np.asarray(value, dtype=object)
        if out.shape != (n,):
            raise StudyError(f"sweep: {name}: a string, (choices, codes) or an array of {n} ids is allowed")
    for item in _distinct(out):
        if item not in known:
            raise StudyError(f"sweep: {name}: unknown {item!r}" + did_you_mean(str(item), known)
                             + f"; known: {', '.join(sorted(known))}")
    return out


def _distinct(values: np.ndarray) -> Sequence[Any]:
    uniques, _ = factorize(values)
    return list(dict.fromkeys(uniques))
