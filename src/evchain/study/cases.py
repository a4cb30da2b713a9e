"""The case table: one row per case, one column per input, in canonical units.

Categorical columns (vehicle, cycle) hold ids; numeric columns are float64 arrays
(NaN where a value is unknown and optional). Variants, sweeps and Monte Carlo samples
all become case tables; the model never knows which it is evaluating.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from evchain.arrays import full
from evchain.battery.choice import has_reference_battery, reference_battery, reference_usable_share
from evchain.data.registry import DataSet
from evchain.errors import ModelError, StudyError
from evchain.fields import DEFAULTED_FIELDS, VEHICLE_FIELDS
from evchain.study.load import Study

#: Vehicle fields the energy model cannot do without.
REQUIRED_FIELDS = ("curb_mass", "drag_coefficient", "frontal_area", "motor_power", "max_speed",
                   "battery_usable", "battery_voltage", "battery_charge_power")


@dataclass
class CaseTable:
    """Inputs of ``n`` cases as columns."""

    ids: np.ndarray  #: case ids (object)
    vehicle: np.ndarray  #: vehicle ids (object)
    cycle: np.ndarray  #: cycle ids, 'wltc' or CSV paths (object)
    columns: dict[str, np.ndarray] = field(default_factory=dict)  #: numeric fields [canonical units]
    #: battery choice: ``cell``, ``architecture``, ``cell_site``, ``pack_site`` (object; None = no
    #: battery data), ``target_range`` [km] (NaN = none), and the vehicle's reference battery
    #: ``ref_cell``, ``ref_architecture``, ``ref_usable`` [kWh] the curb mass was measured with,
    #: ``ref_usable_share`` its pack's usable over gross energy (NaN: not published; the cell's).
    battery: dict[str, np.ndarray] = field(default_factory=dict)
    #: life-cycle context: ``year``, ``lifetime_km``, ``energy_wall_kwh_per_100km`` (NaN = from the cycle),
    #: ``use_country``, ``assembly_site``, ``recycling_route`` (object), ``recycled_Co|Li|Ni`` (NaN = not
    #: given), ``second_life_share``.
    context: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of cases."""
        return int(self.ids.shape[0])

    def take(self, index: np.ndarray | slice) -> CaseTable:
        """The cases at ``index`` (a chunk or a group)."""
        return CaseTable(self.ids[index], self.vehicle[index], self.cycle[index],
                         {k: v[index] for k, v in self.columns.items()},
                         {k: v[index] for k, v in self.battery.items()},
                         {k: v[index] for k, v in self.context.items()})


def vehicle_row(data: DataSet, vehicle_id: str, overrides: dict[str, float]) -> dict[str, float]:
    """A vehicle's fields: record values, then generic defaults, then overrides."""
    record = data.vehicle(vehicle_id)
    row = {name: float("nan") for name in VEHICLE_FIELDS}
    for name in DEFAULTED_FIELDS:
        row[name] = data.parameter(name)
    row.update({name: value.value for name, value in record.values.items()})
    row.update(overrides)
    return row


def build_cases(study: Study) -> CaseTable:
    """The case table of a study: one case per variant."""
    rows = [vehicle_row(study.data, v.vehicle, v.overrides) for v in study.variants]
    for variant, row in zip(study.variants, rows, strict=True):
        missing = [f for f in REQUIRED_FIELDS if not np.isfinite(row[f])]
        if missing:
            raise ModelError(
                f"variant {variant.id!r}: vehicle {variant.vehicle!r} has no value for {missing}; "
                "set them in the study (e.g. drag_coefficient = 0.3) or in a user data folder")
    columns = {name: np.array([row[name] for row in rows], dtype=np.float64) for name in VEHICLE_FIELDS}
    return CaseTable(
        ids=np.array([v.id for v in study.variants], dtype=object),
        vehicle=np.array([v.vehicle for v in study.variants], dtype=object),
        cycle=np.array([v.cycle for v in study.variants], dtype=object),
        columns=columns,
        battery=_battery_columns(study),
        context=_context_columns(study),
    )


def _context_columns(study: Study) -> dict[str, np.ndarray]:
    data = study.data
    contexts = [v.context for v in study.variants]
    vehicles = [data.vehicles[v.vehicle] for v in study.variants]
    recycling = data.table("eol_routes")
    default_route = "hydrometallurgical" if "hydrometallurgical" in recycling else next(iter(sorted(recycling)), "")
    out = {
        "year": np.array([c.get("year", data.parameter("default_year")) for c in contexts], dtype=np.float64),
        "lifetime_km": np.array([c.get("lifetime_km", data.parameter("lifetime_km")) for c in contexts]),
        "energy_wall_kwh_per_100km": np.array([c.get("energy_wall_kwh_per_100km", np.nan) for c in contexts]),
        "use_country": np.array([c.get("use_country", "EU") for c in contexts], dtype=object),
        # the car plant: given, else the vehicle's, else where its pack is assembled
        "assembly_site": np.array([c.get("assembly_site") or veh.meta.get("assembly_site")
                                   or (v.battery.pack_site if v.battery is not None else "FR")
                                   for c, veh, v in zip(contexts, vehicles, study.variants, strict=True)],
                                  dtype=object),
        "motor_site": np.array([c.get("motor_site") or veh.meta.get("motor_site") for c, veh in
                                zip(contexts, vehicles, strict=True)], dtype=object),
        "recycling_route": np.array([c.get("recycling_route", default_route) for c in contexts], dtype=object),
        "land_mode": np.array([c.get("land_mode", "road") for c in contexts], dtype=object),
        "second_life_share": np.array([c.get("second_life_share", 0.0) for c in contexts]),
        "materials_region": np.array([c.get("materials_region", "china") for c in contexts], dtype=object),
        "materials_site": np.array([c.get("materials_site") for c in contexts], dtype=object),
        "cell_electricity_intensity": np.array([c.get("cell_electricity_intensity", np.nan) for c in contexts]),
    }
    for element in ("Co", "Li", "Ni"):
        out[f"recycled_{element}"] = np.array([c.get("recycled_content", {}).get(element, np.nan) for c in contexts])
    return out


def _battery_columns(study: Study) -> dict[str, np.ndarray]:
    choices = [v.battery for v in study.variants]
    def reference(v: Any) -> Any:
        vehicle = study.data.vehicles[v.vehicle]
        if v.battery is None:
            return None
        if has_reference_battery(vehicle):
            return reference_battery(vehicle, study.data)
        return replace(v.battery, capacity_kwh=v.battery.capacity_kwh)  # no battery data: no mass correction

    refs = [reference(v) for v in study.variants]

    def column(items: list[Any], name: str) -> np.ndarray:
        return np.array([getattr(c, name) if c is not None else None for c in items], dtype=object)

    return {
        "cell": column(choices, "cell"), "architecture": column(choices, "architecture"),
        "cell_site": column(choices, "cell_site"), "pack_site": column(choices, "pack_site"),
        "target_range": np.array([c.target_range_km if c is not None else np.nan for c in choices]),
        "ref_cell": column(refs, "cell"), "ref_architecture": column(refs, "architecture"),
        "ref_usable": np.array([c.capacity_kwh if c is not None else np.nan for c in refs]),
        "ref_usable_share": np.array([_own_share(study, v, c) for v, c in zip(study.variants, refs, strict=True)]),
    }


def _own_share(study: Study, variant: Any, ref: Any) -> float:
    """Usable over gross energy of the car's own pack: the variant's ``battery_capacity`` (gross)
    if it gives one, else the vehicle's published pair (NaN: the cells' typical share)."""
    if ref is None:
        return float("nan")
    gross = variant.overrides.get("battery_capacity")
    if gross is None:
        return reference_usable_share(study.data.vehicles[variant.vehicle])
    usable = variant.overrides.get("battery_usable", ref.capacity_kwh)
    if usable > gross:
        raise StudyError(f"{study.path or 'study'}: variant {variant.id!r}: battery_usable {usable:g} kWh exceeds "
                         f"battery_capacity {gross:g} kWh (the pack's gross energy)")
    return float(usable / gross)


def cases_from_arrays(data: DataSet, n: int, vehicle: str, cycle: str = "wltc",
                      **columns: np.ndarray | float) -> CaseTable:
    """``n`` cases of one reference vehicle with some fields given as arrays (sweeps, benchmarks)."""
    base = vehicle_row(data, vehicle, {})
    cols = {name: np.full(n, value, dtype=np.float64) for name, value in base.items()}
    for name, value in columns.items():
        if name not in VEHICLE_FIELDS:
            raise ModelError(f"unknown vehicle field {name!r}")
        cols[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
    ids = np.array([f"{vehicle}-{i}" for i in range(n)], dtype=object) if n <= 100_000 else \
        np.arange(n).astype(object)
    return CaseTable(ids, full(n, vehicle), full(n, cycle), cols)
