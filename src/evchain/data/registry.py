"""The data registry: shipped and user data, every value with a unit and a source.

Files (shipped in this folder; a user folder may hold any of them, same schema):

``sources.toml``
    One table per source key: ``authors``, ``title``, ``publisher``, ``year``, ``url``.
``parameters.csv``
    ``parameter,value,unit,low,high,source,note``: generic model parameters.
``vehicles.toml``
    One table per vehicle id: descriptive text (``name``, ``maker``, ``motor``, ...).
``vehicles.csv``
    ``vehicle,field,value,unit,low,high,source,estimate,note``: numeric vehicle fields.
``motor_efficiency.csv``
    ``curve,power_fraction,efficiency,unit,source,note``: motor + inverter efficiency curves.
``cycles.toml`` and ``cycles/*.csv``
    Drive cycles: metadata (file, source, phases) and 1 Hz (or uniform-step) speed traces.

Values are converted to the canonical unit of their field (:mod:`evchain.fields`) when
read. Nothing is read at import; :func:`load_data` reads on first call and caches.
User rows replace shipped rows with the same key.
"""

from __future__ import annotations

import csv
import hashlib
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from evchain.data.tables import Record, TableSpec, currency_factor, table_files
from evchain.errors import DataError, did_you_mean
from evchain.fields import PARAMETER_FIELDS, PUBLISHED_FIELDS, VEHICLE_FIELDS, Field
from evchain.schema_tables import TABLES
from evchain.units import UnitError, convert

SHIPPED = Path(__file__).resolve().parent
DATA_SUFFIXES = (".csv", ".toml")
SOURCE_KEYS = ("authors", "title", "publisher", "year", "url")


@dataclass(frozen=True)
class Value:
    """A number in its canonical unit, with its range, source and provenance."""

    value: float
    unit: str
    source: str
    low: float | None = None
    high: float | None = None
    estimate: bool = False
    note: str = ""
    origin: str = ""  # "file:row"
    year: int | None = None  # the year a dated value (price, wage) refers to


@dataclass(frozen=True)
class Vehicle:
    """A reference vehicle: descriptive text and numeric fields."""

    id: str
    meta: dict[str, Any]
    values: dict[str, Value]
    published: dict[str, Value]


@dataclass(frozen=True)
class CycleInfo:
    """A drive cycle's metadata; the trace is read by :func:`evchain.energy.cycles.trace`."""

    id: str
    path: Path
    name: str
    source: str
    phases: dict[str, tuple[float, float]]
    wltc_class: str = ""
    #: WLTC downscaling (UN GTR 15 Annex 1 para 8): start_s, tip_s, end_s, reference_s, r0, a1, b1
    downscale: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DataSet:
    """All data the model reads, validated and in canonical units."""

    folders: tuple[Path, ...]
    version: str
    sources: dict[str, dict[str, Any]]
    parameters: dict[str, Value]
    vehicles: dict[str, Vehicle]
    motor_curves: dict[str, tuple[np.ndarray, np.ndarray]]
    cycles: dict[str, CycleInfo]
    rows: int = 0
    used_sources: frozenset[str] = field(default_factory=frozenset)
    tables: dict[str, dict[str, Record]] = field(default_factory=dict)  #: keyed tables (cells, sites, ...)
    currencies: dict[str, dict[int, float]] = field(default_factory=dict)  #: units per euro, by year

    def table(self, name: str) -> dict[str, Record]:
        """The records of table ``name`` (``cells``, ``pack_architectures``, ``countries``, ...)."""
        return self.tables.get(name, {})

    def parameter(self, name: str) -> float:
        """The central value of a generic parameter, in its canonical unit."""
        try:
            return self.parameters[name].value
        except KeyError:
            raise DataError(
                f"parameter {name!r} is missing from parameters.csv"
                + did_you_mean(name, self.parameters)
            ) from None

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """The vehicle record ``vehicle_id``; a clear error names the known ids."""
        try:
            return self.vehicles[vehicle_id]
        except KeyError:
            raise DataError(
                f"unknown vehicle {vehicle_id!r}" + did_you_mean(vehicle_id, self.vehicles)
                + "; known vehicles: " + ", ".join(sorted(self.vehicles))
            ) from None


class _Problems:
    """Collects every problem found in a data set, to report them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:40]
            more = len(self.items) - len(shown)
            raise DataError(
                f"{len(self.items)} problem(s) in the data:\n  " + "\n  ".join(shown)
                + (f"\n  … and {more} more" if more else "")
            )


def data_version(folders: Sequence[Path]) -> str:
    """Hash of every data file (path relative to its folder and bytes): the data version."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(_data_files(folder)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def _data_files(folder: Path) -> Iterable[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts:
            yield path


def _read_csv(path: Path, columns: Sequence[str], problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV (comment lines start with ``#``), with their line numbers."""
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [(i + 1, line) for i, line in enumerate(handle) if not line.lstrip().startswith("#")]
    if not lines:
        problems.add(str(path), "empty file")
        return []
    reader = csv.reader([line for _, line in lines])
    header = [h.strip() for h in next(reader)]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.add(f"{path}:{lines[0][0]}", f"missing column(s) {missing}; expected {list(columns)}")
        return []
    rows = []
    for (lineno, _), cells in zip(lines[1:], reader, strict=False):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.add(f"{path}:{lineno}", f"{len(cells)} cells, header has {len(header)}")
            continue
        rows.append((lineno, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return rows


def _number(text: str, where: str, column: str, problems: _Problems) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        problems.add(where, f"{column} {text!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.add(where, f"{column} {text!r} is not finite")
        return None
    return value


def _value(row: dict[str, str], spec: Field, where: str, sources: dict[str, Any],
           problems: _Problems, rates: Mapping[str, Mapping[int, float]] | None = None) -> Value | None:
    """Validate one row (value, unit, range, source, optional year) and convert it to
    canonical units (money to euros at the year's exchange rate)."""
    value = _number(row.get("value", ""), where, f"{spec.name}: value", problems)
    if value is None:
        if row.get("value", "") == "":
            problems.add(where, f"{spec.name}: no value")
        return None
    unit = row.get("unit", "")
    if unit == "":
        problems.add(where, f"{spec.name}: no unit (write 'dimensionless' for a pure number; "
                            f"canonical unit is {spec.unit!r})")
        return None
    source = row.get("source", "")
    if source == "":
        problems.add(where, f"{spec.name}: no source key")
        return None
    unknown = [key for key in source_keys(source) if key not in sources]
    if unknown:
        problems.add(where, f"{spec.name}: source {unknown[0]!r} is not in sources.toml"
                     + did_you_mean(unknown[0], sources))
        return None
    year_text = row.get("year", "")
    year = None
    if year_text:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            problems.add(where, f"{spec.name}: year {year_text!r} is not a year (1900 to 2100)")
            return None
        year = int(year_text)
    given_unit = unit
    try:
        money, unit = currency_factor(unit, year, rates or {})
        converted = convert(value, unit, spec.unit) * money
        low = _number(row.get("low", ""), where, "low", problems)
        high = _number(row.get("high", ""), where, "high", problems)
        low = None if low is None else convert(low, unit, spec.unit) * money
        high = None if high is None else convert(high, unit, spec.unit) * money
    except (UnitError, ValueError) as exc:
        problems.add(where, f"{spec.name}: {exc}")
        return None
    allowed = spec.check(converted)
    if allowed:
        problems.add(where, f"{spec.name} = {value:g} {given_unit} is outside {allowed}")
        return None
    if low is not None and high is not None and not (low <= converted <= high):
        problems.add(where, f"{spec.name}: low <= value <= high does not hold")
        return None
    estimate = row.get("estimate", "").lower() in ("yes", "true", "1", "y")
    return Value(converted, spec.unit, source, low, high, estimate, row.get("note", ""), where, year)


def _read_toml(path: Path, problems: _Problems) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.add(str(path), f"not valid TOML: {exc}")
        return {}


def _load_sources(folders: Sequence[Path], problems: _Problems) -> dict[str, dict[str, Any]]:
    sources: dict[str, dict[str, Any]] = {}
    for folder in folders:
        path = folder / "sources.toml"
        if not path.exists():
            continue
        for key, entry in _read_toml(path, problems).items():
            if not isinstance(entry, dict):
                problems.add(f"{path} [{key}]", "a source must be a table")
                continue
            missing = [k for k in ("title", "publisher", "year") if not entry.get(k)]
            if missing:
                problems.add(f"{path} [{key}]", f"missing {missing}; a source needs {list(SOURCE_KEYS)}")
            if not (entry.get("url") or entry.get("doi")):
                problems.add(f"{path} [{key}]", "needs a 'url' or a 'doi'")
            sources[key] = entry
    return sources


def _load_parameters(folders: Sequence[Path], sources: dict[str, Any],
                     problems: _Problems) -> dict[str, Value]:
    params: dict[str, Value] = {}
    for folder in folders:
        path = folder / "parameters.csv"
        if not path.exists():
            continue
        for lineno, row in _read_csv(path, ("parameter", "value", "unit", "source"), problems):
            where = f"{path}:{lineno}"
            name = row["parameter"]
            spec = PARAMETER_FIELDS.get(name)
            if spec is None:
                problems.add(where, f"unknown parameter {name!r}" + did_you_mean(name, PARAMETER_FIELDS))
                continue
            value = _value(row, spec, where, sources, problems)
            if value is not None:
                params[name] = value
    return params


def _load_vehicles(folders: Sequence[Path], sources: dict[str, Any],
                   problems: _Problems) -> dict[str, Vehicle]:
    metas: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Value]] = {}
    published: dict[str, dict[str, Value]] = {}
    for folder in folders:
        path = folder / "vehicles.toml"
        if path.exists():
            for vid, meta in _read_toml(path, problems).items():
                if not isinstance(meta, dict) or "name" not in meta:
                    problems.add(f"{path} [{vid}]", "a vehicle needs at least a 'name'")
                    continue
                metas[vid] = meta
        path = folder / "vehicles.csv"
        if not path.exists():
            continue
        for lineno, row in _read_csv(path, ("vehicle", "field", "value", "unit", "source"), problems):
            where = f"{path}:{lineno}"
            vid, name = row["vehicle"], row["field"]
            if name in VEHICLE_FIELDS:
                spec, target = VEHICLE_FIELDS[name], values
            elif name in PUBLISHED_FIELDS:
                spec, target = PUBLISHED_FIELDS[name], published
            else:
                problems.add(where, f"unknown vehicle field {name!r}"
                             + did_you_mean(name, [*VEHICLE_FIELDS, *PUBLISHED_FIELDS]))
                continue
            value = _value(row, spec, where, sources, problems)
            if value is not None:
                target.setdefault(vid, {})[name] = value
    for vid in sorted(set(values) | set(published)):
        if vid not in metas:
            problems.add("vehicles.csv", f"vehicle {vid!r} has no entry in vehicles.toml"
                         + did_you_mean(vid, metas))
    return {vid: Vehicle(vid, meta, values.get(vid, {}), published.get(vid, {}))
            for vid, meta in metas.items()}


#: Most points a motor curve may have: the kernel evaluates every curve as a fixed sum of
#: ``MAX_CURVE_POINTS - 2`` hinges, so that its inner loop vectorises.
MAX_CURVE_POINTS = 16


def _load_motor_curves(folders: Sequence[Path], sources: dict[str, Any],
                       problems: _Problems) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    points: dict[str, dict[float, float]] = {}
    for folder in folders:
        path = folder / "motor_efficiency.csv"
        if not path.exists():
            continue
        replaced: set[str] = set()
        for lineno, row in _read_csv(path, ("curve", "power_fraction", "efficiency", "unit", "source"),
                                     problems):
            where = f"{path}:{lineno}"
            curve = row["curve"]
            if curve not in replaced:  # a user file replaces a shipped curve whole
                points[curve] = {}
                replaced.add(curve)
            x = _number(row["power_fraction"], where, "power_fraction", problems)
            spec = Field("efficiency", "dimensionless", 0.05, 1.0, "motor efficiency")
            value = _value({**row, "value": row["efficiency"]}, spec, where, sources, problems)
            if x is None or value is None:
                continue
            if not 0.0 <= x <= 1.0:
                problems.add(where, f"power_fraction {x:g} is outside 0 to 1")
                continue
            points[curve][x] = value.value
    curves = {}
    for curve, pts in points.items():
        xs = np.array(sorted(pts))
        if len(xs) < 2 or xs[0] > 0.0 or xs[-1] < 1.0:
            problems.add("motor_efficiency.csv", f"curve {curve!r} must span power_fraction 0 to 1")
            continue
        if len(xs) > MAX_CURVE_POINTS:
            problems.add("motor_efficiency.csv", f"curve {curve!r} has {len(xs)} points; at most "
                         f"{MAX_CURVE_POINTS} are allowed (thin it: the model interpolates linearly)")
            continue
        curves[curve] = (xs, np.array([pts[x] for x in xs]))
    return curves


def _load_cycles(folders: Sequence[Path], sources: dict[str, Any],
                 problems: _Problems) -> dict[str, CycleInfo]:
    cycles: dict[str, CycleInfo] = {}
    for folder in folders:
        path = folder / "cycles.toml"
        if not path.exists():
            continue
        for cid, meta in _read_toml(path, problems).items():
            where = f"{path} [{cid}]"
            if not isinstance(meta, dict):
                problems.add(where, "a cycle must be a table")
                continue
            for key in ("file", "name", "source"):
                if key not in meta:
                    problems.add(where, f"missing {key!r}")
            if meta.get("source") and meta["source"] not in sources:
                problems.add(where, f"source {meta['source']!r} is not in sources.toml")
            file = folder / "cycles" / str(meta.get("file", ""))
            if "file" in meta and not file.is_file():
                problems.add(where, f"trace file {file} not found")
            phases: dict[str, tuple[float, float]] = {}
            for name, bounds in meta.get("phases", {}).items():
                if (not isinstance(bounds, list) or len(bounds) != 2
                        or not all(isinstance(b, (int, float)) for b in bounds) or bounds[0] >= bounds[1]):
                    problems.add(where, f"phase {name!r} must be [start_s, end_s] with start < end")
                    continue
                phases[name] = (float(bounds[0]), float(bounds[1]))
            cycles[cid] = CycleInfo(cid, file, str(meta.get("name", cid)), str(meta.get("source", "")),
                                    phases, str(meta.get("wltc_class", "")),
                                    _downscale(meta.get("downscale", {}), where, problems))
    return cycles


DOWNSCALE_KEYS = ("start_s", "tip_s", "end_s", "reference_s", "r0", "a1", "b1")


def _downscale(meta: Any, where: str, problems: _Problems) -> dict[str, float]:
    """A cycle's ``downscale`` table, checked: the seven keys, numbers, start <= reference < tip < end."""
    if not meta:
        return {}
    if not isinstance(meta, dict) or set(meta) != set(DOWNSCALE_KEYS) or not all(
            isinstance(meta[k], (int, float)) for k in DOWNSCALE_KEYS):
        problems.add(where, f"downscale must give the numbers {', '.join(DOWNSCALE_KEYS)}")
        return {}
    out = {k: float(meta[k]) for k in DOWNSCALE_KEYS}
    if not out["start_s"] <= out["reference_s"] < out["tip_s"] < out["end_s"]:
        problems.add(where, "downscale needs start_s <= reference_s < tip_s < end_s")
        return {}
    if not (0.0 < out["r0"] < 2.0 and 0.0 < out["a1"] < 2.0 and -2.0 < out["b1"] < 0.0):
        problems.add(where, "downscale coefficients outside 0 < r0 < 2, 0 < a1 < 2, -2 < b1 < 0")
        return {}
    return out


def _load_currencies(folders: Sequence[Path], sources: dict[str, Any], problems: _Problems,
                     cited: list[str]) -> dict[str, dict[int, float]]:
    """``currencies.csv``: ``currency,year,per_eur,source,note`` (units of currency per euro);
    the sources of the rates are appended to ``cited``."""
    rates: dict[str, dict[int, float]] = {}
    spec = Field("per_eur", "dimensionless", 1e-4, 1e5, "units of a currency per euro")
    for folder in folders:
        path = folder / "currencies.csv"
        if not path.exists():
            continue
        for lineno, row in _read_csv(path, ("currency", "year", "per_eur", "source"), problems):
            where = f"{path}:{lineno}"
            value = _value({**row, "value": row["per_eur"], "unit": "dimensionless"}, spec, where, sources,
                           problems)
            if value is not None and value.year is not None:
                rates.setdefault(row["currency"], {})[value.year] = value.value
                cited.extend(source_keys(value.source))
            elif value is not None:
                problems.add(where, "an exchange rate needs its year")
    return rates


def _load_table(folders: Sequence[Path], spec: TableSpec, sources: dict[str, Any],
                rates: Mapping[str, Mapping[int, float]], problems: _Problems) -> dict[str, Record]:
    """Read one keyed table (see :mod:`evchain.data.tables`) from every folder; later folders win."""
    metas: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Value]] = {}
    series: dict[str, dict[str, dict[int, Value]]] = {}
    for folder in folders:
        toml_path, csv_path = table_files(folder, spec.stem)
        if toml_path.exists():
            for rid, meta in _read_toml(toml_path, problems).items():
                if not isinstance(meta, dict):
                    problems.add(f"{toml_path} [{rid}]", "an entry must be a table")
                    continue
                missing = [k for k in spec.meta_required if k not in meta]
                if missing:
                    problems.add(f"{toml_path} [{rid}]", f"missing {missing}")
                    continue
                source = meta.get("source")
                if source is not None and source not in sources:
                    problems.add(f"{toml_path} [{rid}]", f"source {source!r} is not in sources.toml"
                                 + did_you_mean(str(source), sources))
                metas[rid] = meta
        if not csv_path.exists():
            continue
        columns = (spec.key, "value", "unit", "source") if spec.single_field else (
            spec.key, "field", "value", "unit", "source")
        for lineno, row in _read_csv(csv_path, columns, problems):
            where = f"{csv_path}:{lineno}"
            name = spec.single_field or row["field"]
            fspec = spec.fields.get(name)
            if fspec is None:
                problems.add(where, f"unknown {spec.stem} field {name!r}" + did_you_mean(name, spec.fields)
                             + "; known: " + ", ".join(spec.fields))
                continue
            value = _value(row, fspec, where, sources, problems, rates)
            if value is None:
                continue
            if spec.by_year:
                if value.year is None:
                    problems.add(where, f"{name}: a {spec.stem} value needs its year")
                    continue
                series.setdefault(row[spec.key], {}).setdefault(name, {})[value.year] = value
            else:
                values.setdefault(row[spec.key], {})[name] = value
    if spec.needs_meta:
        for rid in sorted((set(values) | set(series)) - set(metas)):
            problems.add(f"{spec.stem}.csv", f"{rid!r} has no entry in {spec.stem}.toml" + did_you_mean(rid, metas))
    ids = set(metas) | set(values) | set(series)
    return {rid: Record(rid, spec.stem, metas.get(rid, {}), values.get(rid, {}), series.get(rid, {}))
            for rid in sorted(ids)}


def source_keys(source: str) -> list[str]:
    """The source keys of a ``source`` cell: one key, or several separated by ``;``."""
    return [key.strip() for key in source.split(";") if key.strip()]


#: Published figures kept for validation only (never model inputs): their sources must exist.
REFERENCE_FILES = ("published_packs.csv", "price_surveys.csv", "metal_intensity.csv", "published_eligibility.csv",
                   "published_battery_shares.csv", "published_labour_costs.csv", "published_sea_distances.csv")


def _reference_sources(folders: Sequence[Path], sources: dict[str, Any], problems: _Problems) -> list[str]:
    """Source keys cited by the validation files, each checked against sources.toml."""
    used: list[str] = []
    for folder in folders:
        for name in REFERENCE_FILES:
            path = folder / name
            if not path.exists():
                continue
            for lineno, row in _read_csv(path, ("source",), problems):
                keys = source_keys(row["source"])
                if not keys:
                    problems.add(f"{path}:{lineno}", "no source key")
                for key in keys:
                    if key not in sources:
                        problems.add(f"{path}:{lineno}", f"source {key!r} is not in sources.toml"
                                     + did_you_mean(key, sources))
                used.extend(keys)
    return used


def _used_sources(ds_parts: Iterable[Value], cycles: Iterable[CycleInfo]) -> frozenset[str]:
    return frozenset([k for v in ds_parts for k in source_keys(v.source)] + [c.source for c in cycles])


def load_data_uncached(extra_folders: Sequence[Path] = ()) -> DataSet:
    """Read and validate the shipped data plus ``extra_folders`` (later ones win)."""
    folders = (SHIPPED, *[Path(f).resolve() for f in extra_folders])
    problems = _Problems()
    for folder in folders[1:]:
        if not folder.is_dir():
            raise DataError(f"data folder {folder} does not exist")
    sources = _load_sources(folders, problems)
    parameters = _load_parameters(folders, sources, problems)
    vehicles = _load_vehicles(folders, sources, problems)
    curves = _load_motor_curves(folders, sources, problems)
    cycles = _load_cycles(folders, sources, problems)
    reference: list[str] = []
    rates = _load_currencies(folders, sources, problems, reference)
    tables = {spec.stem: _load_table(folders, spec, sources, rates, problems) for spec in TABLES}
    reference += _reference_sources(folders, sources, problems)
    for vehicle in vehicles.values():
        curve = vehicle.meta.get("motor_curve")
        if curve is None or curve not in curves:
            problems.add(f"vehicles.toml [{vehicle.id}]", f"motor_curve {curve!r} is not a curve of "
                         f"motor_efficiency.csv; known: {sorted(curves)}")
    missing = [p for p in PARAMETER_FIELDS if p not in parameters]
    if missing:
        problems.add("parameters.csv", f"missing parameter(s) {missing}")
    problems.raise_if_any()
    values = [*parameters.values(), *(v for veh in vehicles.values() for v in veh.values.values()),
              *(v for veh in vehicles.values() for v in veh.published.values()),
              *(v for records in tables.values() for r in records.values() for v in r.values.values()),
              *(v for records in tables.values() for r in records.values() for by_year in r.series.values()
                for v in by_year.values())]
    meta_sources = [Value(0.0, "", str(r.meta["source"])) for records in tables.values() for r in records.values()
                    if "source" in r.meta]
    meta_sources += [Value(0.0, "", key) for key in reference]
    return DataSet(folders, data_version(folders), sources, parameters, vehicles, curves, cycles,
                   rows=len(values), used_sources=_used_sources([*values, *meta_sources], cycles.values()),
                   tables=tables, currencies=rates)


@lru_cache(maxsize=8)
def _load_cached(extra_folders: tuple[Path, ...]) -> DataSet:
    return load_data_uncached(extra_folders)


def load_data(extra_folders: Sequence[str | Path] = ()) -> DataSet:
    """The validated data set (shipped data plus user folders), read once and cached."""
    return _load_cached(tuple(Path(f).resolve() for f in extra_folders))
