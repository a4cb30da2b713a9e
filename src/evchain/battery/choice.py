"""A case's battery: which cell, which architecture, how big, made where.

A variant's ``battery`` table is resolved against the data here, once, when the study is
read; the model then works on ids. Anything not given comes from the vehicle's
reference battery (``vehicles.toml``: ``battery_cell``, ``battery_architecture``,
``cell_site``, ``pack_site``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evchain.data.registry import DataSet, Vehicle
from evchain.data.tables import Record, known_ids
from evchain.errors import DataError, did_you_mean


@dataclass(frozen=True)
class BatteryChoice:
    """A resolved battery: ids into the data, and the size (usable kWh or a range target)."""

    cell: str
    architecture: str
    cell_site: str  #: a site id or an ISO country code
    pack_site: str
    capacity_kwh: float = math.nan  #: usable energy; NaN when the pack is sized for a range
    target_range_km: float = math.nan  #: WLTP range to size the pack for; NaN if not asked
    changed: bool = False  #: True when the battery differs from the vehicle's reference battery


def _norm(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def pick_cell(cells: Mapping[str, Record], chemistry: str | None, cell_format: str | None) -> str:
    """The cell of a chemistry (and format): the one marked ``default`` when several match."""
    chemistries = sorted({str(c.meta["chemistry"]) for c in cells.values()})
    if chemistry is None:
        raise DataError("give a battery 'cell' id or a 'chemistry'")
    matches = [c for c in cells.values() if _norm(str(c.meta["chemistry"])) == _norm(chemistry)]
    if not matches:
        raise DataError(f"unknown chemistry {chemistry!r}" + did_you_mean(chemistry, chemistries)
                        + f"; known chemistries: {', '.join(chemistries)}")
    if cell_format is not None:
        formats = sorted({str(c.meta["format"]) for c in matches})
        matches = [c for c in matches if _norm(str(c.meta["format"])) == _norm(cell_format)]
        if not matches:
            raise DataError(f"no {chemistry} cell in format {cell_format!r}" + did_you_mean(cell_format, formats)
                            + f"; {chemistry} cells come as: {', '.join(formats)}")
    defaults = [c for c in matches if c.meta.get("default") is True]
    return (defaults or sorted(matches, key=lambda c: c.id))[0].id


def check_site(data: DataSet, site: str) -> str:
    """``site`` if it is a site id or a country code of the data; else a clear error."""
    if site in data.table("sites") or site in data.table("countries"):
        return site
    known = [*data.table("sites"), *data.table("countries")]
    raise DataError(f"unknown site {site!r}" + did_you_mean(site, known)
                    + f"; give a site id ({', '.join(sorted(data.table('sites')))}) or a country code "
                    f"({', '.join(sorted(data.table('countries')))})")


def site_country(data: DataSet, site: str) -> str:
    """The country code of a site id (a country code is its own country)."""
    record = data.table("sites").get(site)
    return str(record.meta["country"]) if record is not None else site


def reference_battery(vehicle: Vehicle, data: DataSet) -> BatteryChoice:
    """The battery a reference vehicle is built with (its data)."""
    meta = vehicle.meta
    missing = [k for k in ("battery_cell", "battery_architecture", "cell_site", "pack_site") if k not in meta]
    if missing:
        raise DataError(f"vehicles.toml [{vehicle.id}] has no {missing}: the battery model needs them "
                        "(or give them in the variant's battery table)")
    usable = vehicle.values.get("battery_usable")
    return BatteryChoice(str(meta["battery_cell"]), str(meta["battery_architecture"]), str(meta["cell_site"]),
                         str(meta["pack_site"]), usable.value if usable is not None else math.nan)


def reference_usable_share(vehicle: Vehicle) -> float:
    """Usable over gross energy of a reference vehicle's own pack [-] where it publishes both
    (``battery_usable``, ``battery_capacity``), else NaN (the cells' typical share applies)."""
    usable, gross = vehicle.values.get("battery_usable"), vehicle.values.get("battery_capacity")
    if usable is None or gross is None or not has_reference_battery(vehicle):
        return math.nan
    return min(usable.value / gross.value, 1.0)


def has_reference_battery(vehicle: Vehicle) -> bool:
    """Whether the vehicle's data describe its battery (cell, architecture, sites)."""
    return all(k in vehicle.meta for k in ("battery_cell", "battery_architecture", "cell_site", "pack_site"))


def _from_spec(spec: Mapping[str, Any], vehicle: Vehicle, data: DataSet) -> BatteryChoice:
    """The reference battery of a vehicle without battery data: the study's own battery table.

    Its curb mass is then taken as the car with that battery (no mass correction).
    """
    cells = data.table("cells")
    if spec.get("cell") is not None:
        cell = str(spec["cell"])
    elif spec.get("chemistry") is not None:
        cell = pick_cell(cells, str(spec["chemistry"]), spec.get("format"))
    else:
        cell = ""
    missing = [k for k, v in (("cell or chemistry", cell), ("architecture", spec.get("architecture")),
                              ("cell_site", spec.get("cell_site")), ("pack_site", spec.get("pack_site"))) if not v]
    if missing:
        raise DataError(f"vehicle {vehicle.id!r} has no battery data (vehicles.toml battery_cell, "
                        f"battery_architecture, cell_site, pack_site): give {', '.join(missing)} in the battery table")
    usable = vehicle.values.get("battery_usable")
    return BatteryChoice(cell, str(spec["architecture"]), str(spec["cell_site"]), str(spec["pack_site"]),
                         usable.value if usable is not None else math.nan)


def resolve_battery(spec: Mapping[str, Any], vehicle: Vehicle, data: DataSet,
                    capacity_kwh: float | None, target_range_km: float | None) -> BatteryChoice:
    """Resolve a variant's battery table (``spec``, quantities already parsed) against the data."""
    ref = reference_battery(vehicle, data) if has_reference_battery(vehicle) else _from_spec(spec, vehicle, data)
    cells = data.table("cells")
    if spec.get("cell") is not None:
        cell = str(spec["cell"])
        if cell not in cells:
            raise DataError(known_ids(cells, "cell", cell))
        if spec.get("chemistry") is not None and _norm(str(cells[cell].meta["chemistry"])) != _norm(spec["chemistry"]):
            raise DataError(f"cell {cell!r} is {cells[cell].meta['chemistry']}, not {spec['chemistry']}")
    elif spec.get("chemistry") is not None or spec.get("format") is not None:
        chemistry = spec.get("chemistry") or str(cells[ref.cell].meta["chemistry"])
        cell = pick_cell(cells, chemistry, spec.get("format"))
    else:
        cell = ref.cell
    architectures = data.table("pack_architectures")
    architecture = str(spec.get("architecture") or ref.architecture)
    if architecture not in architectures:
        raise DataError(known_ids(architectures, "architecture", architecture))
    cell_site = check_site(data, str(spec.get("cell_site") or ref.cell_site))
    pack_site = check_site(data, str(spec.get("pack_site") or ref.pack_site))
    if capacity_kwh is not None and target_range_km is not None:
        raise DataError("give either 'capacity' or 'target_range', not both")
    capacity = capacity_kwh if capacity_kwh is not None else (math.nan if target_range_km else ref.capacity_kwh)
    changed = (cell != ref.cell or architecture != ref.architecture or target_range_km is not None
               or (capacity_kwh is not None and not math.isclose(capacity_kwh, ref.capacity_kwh)))
    return BatteryChoice(cell, architecture, cell_site, pack_site, capacity,
                         math.nan if target_range_km is None else target_range_km, changed)
