"""Read a study file: TOML, schema, vehicle ids, units; errors name file, line and field."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evchain.battery.choice import BatteryChoice, resolve_battery
from evchain.data.registry import DataSet, load_data
from evchain.errors import DataError, EvchainError, StudyError, allowed_list, did_you_mean
from evchain.fields import VEHICLE_FIELDS
from evchain.study.locate import locate
from evchain.study.schema import StudyFile, allowed_keys
from evchain.units import UnitError, parse_quantity


@dataclass(frozen=True)
class VariantSpec:
    """A validated variant: vehicle id, cycle, overrides in canonical units, and its battery."""

    id: str
    vehicle: str
    label: str
    cycle: str
    overrides: dict[str, float]
    battery: BatteryChoice | None = None  #: None when the vehicle has no battery data
    #: life-cycle context: use_country, year, lifetime_km, assembly_site, energy_wall_kwh_per_100km,
    #: recycled_content, recycling_route, second_life_share (only those given)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """A validated study, ready for :func:`evchain.evaluate`."""

    name: str
    path: Path | None
    variants: tuple[VariantSpec, ...]
    data: DataSet
    seed: int = 0
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    eol_approach: str = "cut-off"
    extrapolate_grid: bool = False
    plan: Any = None  #: the validated [plan] table (evchain.study.schema.PlanSpec), if any


def _where(path: Path, text: str, loc: tuple[str | int, ...]) -> str:
    line = locate(text, loc)
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    return f"{path}" + (f":{line}" if line else "") + (f": {dotted}" if dotted else "")


def _schema_error(path: Path, text: str, exc: ValidationError) -> StudyError:
    messages = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = _where(path, text, loc)
        if err["type"] == "extra_forbidden":
            table = "battery" if "battery" in loc[:-1] else (str(loc[0]) if len(loc) > 1 else "")
            key = str(loc[-1])
            allowed = allowed_keys(table)
            messages.append(f"{where}: unknown key {key!r}" + did_you_mean(key, allowed)
                            + f"; allowed: {allowed_list(allowed, 40)}")
        elif err["type"] == "missing":
            messages.append(f"{where}: required key is missing")
        else:
            messages.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
    return StudyError("invalid study file:\n  " + "\n  ".join(messages))


def parse_study_text(text: str, path: Path, data_folders: tuple[Path, ...] = ()) -> Study:
    """Validate the text of a study file; ``path`` names it in errors and anchors user data."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML: {exc}") from None
    try:
        parsed = StudyFile.model_validate(raw)
    except ValidationError as exc:
        raise _schema_error(path, text, exc) from None
    folders = [*data_folders, *((path.parent / d) for d in parsed.study.data)]
    for folder in folders:
        if not Path(folder).is_dir():
            raise StudyError(f"{_where(path, text, ('study', 'data'))}: data folder {folder} does not exist")
    try:
        data = load_data(folders)
    except DataError as exc:
        raise StudyError(f"{path}: the data it uses is invalid: {exc}") from None
    defaults: dict[str, Any] = parsed.defaults.model_dump(exclude_none=True)  # type: ignore[attr-defined]
    variants = []
    seen: set[str] = set()
    problems: list[str] = []
    for i, variant in enumerate(parsed.variants):
        if variant.id in seen:
            problems.append(f"{_where(path, text, ('variants', i, 'id'))}: duplicate variant id {variant.id!r}")
        seen.add(variant.id)
        if variant.vehicle not in data.vehicles:
            problems.append(
                f"{_where(path, text, ('variants', i, 'vehicle'))}: unknown vehicle {variant.vehicle!r}"
                + did_you_mean(variant.vehicle, data.vehicles)
                + f"; known vehicles: {allowed_list(data.vehicles)}")
            continue
        given = {**defaults, **variant.model_dump(exclude_none=True, exclude={"id", "vehicle", "label"})}
        battery_spec = {**defaults.get("battery", {}), **given.pop("battery", {})}
        context = _context(given, battery_spec, variant, i, data, path, text, problems)
        cycle = str(given.pop("cycle", "wltc"))
        if cycle != "wltc" and cycle not in data.cycles:
            candidate = (path.parent / cycle)
            if cycle.lower().endswith(".csv") and candidate.is_file():
                from evchain.energy.cycles import load_cycle

                cycle = str(candidate.resolve())
                try:  # read once here, through the same cached reader evaluate() uses
                    load_cycle(data, cycle)
                except DataError as exc:
                    problems.append(f"{_where(path, text, ('variants', i, 'cycle'))}: {exc}")
                    continue
            else:
                problems.append(f"{_where(path, text, ('variants', i, 'cycle'))}: unknown cycle {cycle!r}"
                                + did_you_mean(cycle, data.cycles)
                                + f"; allowed: 'wltc' (class by power-to-mass ratio), "
                                  f"{allowed_list(data.cycles)} or a CSV file next to the study")
                continue
        overrides: dict[str, float] = {}
        for key, value in given.items():
            spec = VEHICLE_FIELDS[key]
            table_loc: tuple[str | int, ...] = (
                ("variants", i, key) if key in variant.model_fields_set else ("defaults", key))
            try:
                number = parse_quantity(value, spec.unit)
            except UnitError as exc:
                problems.append(f"{_where(path, text, table_loc)}: {exc}")
                continue
            allowed = spec.check(number)
            if allowed:
                problems.append(f"{_where(path, text, table_loc)}: {value!r} is outside the allowed "
                                f"range {allowed} ({spec.doc})")
                continue
            overrides[key] = number
        battery = _battery(battery_spec, variant, i, data, path, text, problems, overrides)
        variants.append(VariantSpec(variant.id, variant.vehicle, variant.label, cycle, overrides, battery, context))
    if problems:
        raise StudyError("invalid study file:\n  " + "\n  ".join(problems))
    header = parsed.study
    return Study(header.name, path, tuple(variants), data, header.seed, header.description,
                 eol_approach=header.eol_approach, extrapolate_grid=header.extrapolate_grid, plan=parsed.plan)


#: Life-cycle keys of a variant (not vehicle fields), with the unit a quantity is read in and its bounds.
_CONTEXT_QUANTITIES = {"lifetime_km": ("km", 1_000.0, 2_000_000.0),
                       "energy_wall_kwh_per_100km": ("kWh/hkm", 3.0, 80.0)}


def _context(given: dict[str, Any], battery: dict[str, Any], variant: Any, i: int, data: DataSet, path: Path,
             text: str, problems: list[str]) -> dict[str, Any]:
    """Pop and check a variant's life-cycle keys (and the battery's circularity keys)."""
    from evchain.battery.choice import check_site

    out: dict[str, Any] = {}

    def loc(key: str) -> tuple[str | int, ...]:
        return ("variants", i, key) if key in variant.model_fields_set else ("defaults", key)

    for key, (unit, low, high) in _CONTEXT_QUANTITIES.items():
        if key not in given:
            continue
        value = given.pop(key)
        try:
            number = float(value) if isinstance(value, (int, float)) and key.endswith("100km") else \
                parse_quantity(value, unit)
        except UnitError as exc:
            problems.append(f"{_where(path, text, loc(key))}: {exc}")
            continue
        if not low <= number <= high:
            problems.append(f"{_where(path, text, loc(key))}: {value!r} is outside {low:,g} to {high:,g} {unit}")
            continue
        out[key] = number
    if "year" in given:
        out["year"] = int(given.pop("year"))
    if given.get("land_mode") is not None:
        out["land_mode"] = str(given.pop("land_mode"))
    for key in ("use_country", "assembly_site", "motor_site"):
        if key not in given:
            continue
        value = str(given.pop(key))
        try:
            out[key] = check_site(data, value) if key in ("assembly_site", "motor_site") else \
                _check_country(data, value)
        except DataError as exc:
            problems.append(f"{_where(path, text, loc(key))}: {exc}")
    if battery.get("materials_region") is not None:
        out["materials_region"] = battery.pop("materials_region")
    if battery.get("materials_site") is not None:
        raw_site = str(battery.pop("materials_site"))
        try:
            out["materials_site"] = check_site(data, raw_site)
        except DataError as exc:
            problems.append(f"{_where(path, text, ('variants', i, 'battery', 'materials_site'))}: {exc}")
    if battery.get("cell_electricity_intensity") is not None:
        raw = battery.pop("cell_electricity_intensity")
        try:
            value = parse_quantity(raw, "g/kWh")
            if not 0.0 <= value <= 2000.0:
                raise DataError(f"{raw!r} is outside 0 to 2000 g/kWh")
            out["cell_electricity_intensity"] = value
        except (UnitError, DataError) as exc:
            problems.append(f"{_where(path, text, ('variants', i, 'battery', 'cell_electricity_intensity'))}: {exc}")
    for key in ("recycled_content", "recycling_route", "second_life_share"):
        if battery.get(key) is None:
            continue
        value = battery.pop(key)
        where = _where(path, text, ("variants", i, "battery", key))
        try:
            out[key] = _circularity(key, value, data)
        except (UnitError, DataError) as exc:
            problems.append(f"{where}: {exc}")
    return out


def _check_country(data: DataSet, code: str) -> str:
    grids = data.table("grid_intensity")
    if code in grids:
        return code
    raise DataError(f"no electricity data for country {code!r}" + did_you_mean(code, grids)
                    + f"; known: {allowed_list(sorted(grids), 40)}")


def _circularity(key: str, value: Any, data: DataSet) -> Any:
    if key == "recycling_route":
        routes = data.table("eol_routes")
        if value not in routes:
            raise DataError(f"unknown recycling route {value!r}" + did_you_mean(str(value), routes)
                            + f"; known: {', '.join(sorted(routes))}")
        return value
    if key == "second_life_share":
        share = parse_quantity(value, "dimensionless")
        if not 0.0 <= share <= 1.0:
            raise DataError(f"second_life_share {value!r} must be a share from 0 to 1")
        return share
    shares = {}
    for element, raw in value.items():
        if element not in ("Co", "Li", "Ni", "Pb"):
            raise DataError(f"recycled_content: {element!r} is not one of Co, Li, Ni, Pb (Regulation 2023/1542 Art. 8)")
        share = parse_quantity(raw, "dimensionless")
        if not 0.0 <= share <= 1.0:
            raise DataError(f"recycled_content {element} = {raw!r} must be a share from 0 to 1")
        shares[element] = share
    return shares


def _battery(spec: dict[str, Any], variant: Any, i: int, data: DataSet, path: Path, text: str,
             problems: list[str], overrides: dict[str, float]) -> BatteryChoice | None:
    """Resolve a variant's battery table; the capacity becomes the ``battery_usable`` override."""
    loc: tuple[str | int, ...] = (("variants", i, "battery") if variant.battery is not None
                                  else ("defaults", "battery"))
    vehicle = data.vehicles[variant.vehicle]
    if not spec and "battery_cell" not in vehicle.meta:
        return None  # a vehicle without battery data, and no battery asked for
    quantities: dict[str, float | None] = {"capacity": None, "target_range": None}
    for key, unit, low, high in (("capacity", "kWh", 3.0, 300.0), ("target_range", "km", 20.0, 1500.0)):
        if spec.get(key) is None:
            continue
        try:
            number = parse_quantity(spec[key], unit)
        except UnitError as exc:
            problems.append(f"{_where(path, text, (*loc, key))}: {exc}")
            return None
        if not low <= number <= high:
            problems.append(f"{_where(path, text, (*loc, key))}: {spec[key]!r} is outside {low:g} to {high:g} {unit}")
            return None
        quantities[key] = number
    if quantities["capacity"] is None and "battery_usable" in overrides:
        quantities["capacity"] = overrides["battery_usable"]
    try:
        choice = resolve_battery(spec, vehicle, data, quantities["capacity"], quantities["target_range"])
    except DataError as exc:
        problems.append(f"{_where(path, text, loc)}: {exc}")
        return None
    if quantities["capacity"] is not None:
        overrides["battery_usable"] = quantities["capacity"]
    return choice


def load_study(path: str | Path, data: Sequence[str | Path] = ()) -> Study:
    """Read and validate a study file; ``data`` adds user data folders.

    Raises :class:`~evchain.errors.StudyError` naming the file, line and field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyError(f"{path}: study file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StudyError(f"{path}: cannot read: {exc}") from None
    try:
        return parse_study_text(text, path, tuple(Path(d) for d in data))
    except StudyError:
        raise
    except EvchainError as exc:
        raise StudyError(f"{path}: {exc}") from None
