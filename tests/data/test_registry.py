"""The data registry: every shipped value has a unit and a source; user data are checked and converted.

The shipped CSV files are parsed here with :mod:`csv` directly, independently of the loader, so that a
loader bug cannot hide a row without a unit or a source.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from evchain.data.registry import SHIPPED, data_version, load_data, load_data_uncached
from evchain.errors import DataError
from evchain.fields import PARAMETER_FIELDS, PUBLISHED_FIELDS, VEHICLE_FIELDS
from evchain.units import convert

#: The shipped numeric data files, the column holding the number in each, and the column naming the field.
NUMERIC_FILES = {
    "parameters.csv": ("value", "parameter"),
    "vehicles.csv": ("value", "field"),
    "motor_efficiency.csv": ("efficiency", None),
}

VEHICLE_HEADER = "vehicle,field,value,unit,low,high,source,estimate,note\n"
PARAMETER_HEADER = "parameter,value,unit,low,high,source,estimate,note\n"


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Data rows of a shipped CSV with their 1-based line numbers (``#`` lines are comments)."""
    lines = [(i + 1, line) for i, line in enumerate(path.read_text(encoding="utf-8").splitlines())
             if line.strip() and not line.lstrip().startswith("#")]
    header = next(csv.reader([lines[0][1]]))
    out = []
    for lineno, line in lines[1:]:
        cells = next(csv.reader([line]))
        assert len(cells) == len(header), f"{path.name}:{lineno}: {len(cells)} cells, header {len(header)}"
        out.append((lineno, {h.strip(): c.strip() for h, c in zip(header, cells, strict=True)}))
    return out


def _sources() -> dict[str, dict]:
    return tomllib.loads((SHIPPED / "sources.toml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------
# shipped data, read independently of the loader


@pytest.mark.parametrize("name", sorted(NUMERIC_FILES))
def test_every_shipped_value_has_a_unit_and_a_known_source(name: str) -> None:
    sources = _sources()
    rows = _rows(SHIPPED / name)
    assert rows, f"{name} has no data rows"
    value_column, _ = NUMERIC_FILES[name]
    problems = []
    for lineno, row in rows:
        where = f"{name}:{lineno}"
        if row.get(value_column, "") == "":
            problems.append(f"{where}: no value")
        if row.get("unit", "") == "":
            problems.append(f"{where}: no unit")
        source = row.get("source", "")
        if source == "":
            problems.append(f"{where}: no source")
        elif source not in sources:
            problems.append(f"{where}: source {source!r} is not in sources.toml")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["parameters.csv", "vehicles.csv"])
def test_every_shipped_unit_converts_to_its_canonical_unit_within_bounds(name: str) -> None:
    value_column, field_column = NUMERIC_FILES[name]
    fields = PARAMETER_FIELDS if name == "parameters.csv" else {**VEHICLE_FIELDS, **PUBLISHED_FIELDS}
    problems = []
    for lineno, row in _rows(SHIPPED / name):
        spec = fields.get(row[field_column])
        if spec is None:
            problems.append(f"{name}:{lineno}: unknown field {row[field_column]!r}")
            continue
        number = convert(float(row[value_column]), row["unit"], spec.unit)
        allowed = spec.check(number)
        if allowed:
            problems.append(f"{name}:{lineno}: {spec.name} = {number} {spec.unit} is outside {allowed}")
    assert not problems, "\n".join(problems)


def test_every_cycle_names_a_known_source_and_an_existing_trace() -> None:
    sources = _sources()
    cycles = tomllib.loads((SHIPPED / "cycles.toml").read_text(encoding="utf-8"))
    assert "wltc-class3b" in cycles
    for cid, meta in cycles.items():
        assert meta.get("source") in sources, cid
        assert (SHIPPED / "cycles" / meta["file"]).is_file(), cid


def test_every_source_has_title_publisher_year_and_url_or_doi() -> None:
    sources = _sources()
    assert sources
    problems = []
    for key, entry in sources.items():
        for needed in ("title", "publisher", "year"):
            if not entry.get(needed):
                problems.append(f"[{key}]: no {needed}")
        if not (entry.get("url") or entry.get("doi")):
            problems.append(f"[{key}]: neither url nor doi")
    assert not problems, "\n".join(problems)


def test_every_vehicle_row_names_a_vehicle_of_vehicles_toml() -> None:
    metas = tomllib.loads((SHIPPED / "vehicles.toml").read_text(encoding="utf-8"))
    unknown = {row["vehicle"] for _, row in _rows(SHIPPED / "vehicles.csv")} - set(metas)
    assert not unknown


def test_shipped_data_load_and_agree_with_the_files() -> None:
    ds = load_data()
    assert set(ds.parameters) == set(PARAMETER_FIELDS)
    assert "renault-5-etech-52" in ds.vehicles
    r5 = ds.vehicle("renault-5-etech-52")
    assert r5.values["curb_mass"].value == pytest.approx(1449.0)
    assert r5.values["curb_mass"].unit == "kg"
    assert r5.published["wltp_energy_wall"].value == pytest.approx(15.0)
    assert ds.parameter("aux_power") == pytest.approx(0.25)
    used = ds.used_sources
    assert used <= set(ds.sources)
    assert ds.version == data_version([SHIPPED])


def test_unknown_vehicle_and_parameter_give_did_you_mean() -> None:
    ds = load_data()
    with pytest.raises(DataError, match="did you mean 'renault-5-etech-52'"):
        ds.vehicle("renault-5-etech52")
    with pytest.raises(DataError, match="did you mean 'aux_power'"):
        ds.parameter("aux_powr")


# ---------------------------------------------------------------------------------------------------------
# user data


def test_user_parameter_is_converted_and_overrides_the_shipped_value(tmp_path: Path) -> None:
    (tmp_path / "parameters.csv").write_text(
        PARAMETER_HEADER
        + "aux_power,250,W,150,400,fastsim,,user row in watts\n"
        + "ac_charge_power,7400,W,,,adac-charging-2022,,single-phase wallbox\n",
        encoding="utf-8")
    shipped = load_data()
    ds = load_data([tmp_path])
    aux = ds.parameters["aux_power"]
    assert aux.value == pytest.approx(0.25, rel=1e-12)
    assert aux.unit == "kW"
    assert aux.low == pytest.approx(0.15) and aux.high == pytest.approx(0.4)
    assert aux.note == "user row in watts"
    assert str(tmp_path) in aux.origin and aux.origin.endswith(":2")
    assert ds.parameter("ac_charge_power") == pytest.approx(7.4)
    # the shipped data set (cached) is untouched
    assert shipped.parameter("ac_charge_power") == pytest.approx(11.0)
    assert str(SHIPPED) in shipped.parameters["aux_power"].origin
    assert ds.version != shipped.version


def test_user_vehicle_row_overrides_one_field_only(tmp_path: Path) -> None:
    (tmp_path / "vehicles.csv").write_text(
        VEHICLE_HEADER + "renault-5-etech-52,curb_mass,1.5,t,,,hoonited-r5,,\n", encoding="utf-8")
    ds = load_data_uncached([tmp_path])
    r5 = ds.vehicle("renault-5-etech-52")
    assert r5.values["curb_mass"].value == pytest.approx(1500.0)
    assert r5.values["battery_usable"].value == pytest.approx(52.0)


BAD_VEHICLE_ROWS = {
    "bad unit": ("renault-5-etech-52,battery_usable,52,kg,,,ap-r5-supertest,,", "battery_usable",
                 "does not fit"),
    "missing source": ("renault-5-etech-52,battery_usable,52,kWh,,,,,", "battery_usable", "no source"),
    "unknown source": ("renault-5-etech-52,battery_usable,52,kWh,,,ap-r5-supertst,,", "battery_usable",
                       "ap-r5-supertst"),
    "missing unit": ("renault-5-etech-52,battery_usable,52,,,,ap-r5-supertest,,", "battery_usable",
                     "no unit"),
    "out of range": ("renault-5-etech-52,curb_mass,5,kg,,,hoonited-r5,,", "curb_mass", "300 to 4000 kg"),
    "negative": ("renault-5-etech-52,curb_mass,-1449,kg,,,hoonited-r5,,", "curb_mass", "outside"),
    "unknown field": ("renault-5-etech-52,curb_mas,1449,kg,,,hoonited-r5,,", "curb_mas",
                      "unknown vehicle field"),
    "not a number": ("renault-5-etech-52,curb_mass,heavy,kg,,,hoonited-r5,,", "curb_mass", "not a number"),
    "low above value": ("renault-5-etech-52,curb_mass,1449,kg,1450,1500,hoonited-r5,,", "curb_mass",
                        "low <= value <= high"),
}


@pytest.mark.parametrize("case", sorted(BAD_VEHICLE_ROWS))
def test_bad_user_vehicle_row_names_file_line_and_field(tmp_path: Path, case: str) -> None:
    row, field, what = BAD_VEHICLE_ROWS[case]
    # a comment line first: the reported line counts physical lines of the file
    (tmp_path / "vehicles.csv").write_text("# user data\n" + VEHICLE_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data([tmp_path])
    message = str(info.value)
    assert f"{tmp_path / 'vehicles.csv'}:3" in message
    assert field in message
    assert what in message
    if case == "unknown source":
        assert "sources.toml" in message and "did you mean 'ap-r5-supertest'" in message
    if case == "unknown field":
        assert "did you mean 'curb_mass'" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "vehicles.csv").write_text(
        VEHICLE_HEADER
        + "renault-5-etech-52,battery_usable,52,kg,,,ap-r5-supertest,,\n"
        + "renault-5-etech-52,curb_mass,5,kg,,,hoonited-r5,,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data([tmp_path])
    message = str(info.value)
    assert message.startswith("2 problem(s)")
    assert "vehicles.csv:2" in message and "vehicles.csv:3" in message


def test_user_source_without_url_or_doi_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        '[my-source]\ntitle = "A title"\npublisher = "A publisher"\nyear = 2024\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"sources\.toml \[my-source\].*'url' or a 'doi'"):
        load_data([tmp_path])


def test_user_source_can_be_cited_by_user_rows(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        '[my-source]\ntitle = "T"\npublisher = "P"\nyear = 2024\ndoi = "10.1000/xyz"\n', encoding="utf-8")
    (tmp_path / "vehicles.csv").write_text(
        VEHICLE_HEADER + "renault-5-etech-52,aux_power,400,W,,,my-source,yes,\n", encoding="utf-8")
    ds = load_data([tmp_path])
    aux = ds.vehicle("renault-5-etech-52").values["aux_power"]
    assert aux.value == pytest.approx(0.4)
    assert aux.source == "my-source" and aux.estimate


def test_missing_user_folder_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_data([tmp_path / "nowhere"])


# ---------------------------------------------------------------------------------------------------------
# data version


def test_data_version_changes_with_a_data_file_and_is_stable_otherwise(tmp_path: Path) -> None:
    csv_path = tmp_path / "parameters.csv"
    csv_path.write_text(PARAMETER_HEADER + "aux_power,250,W,,,fastsim,,\n", encoding="utf-8")
    first = load_data_uncached([tmp_path]).version
    assert load_data_uncached([tmp_path]).version == first
    os.utime(csv_path, (1_000_000_000, 1_000_000_000))  # a new mtime alone changes nothing
    assert data_version([SHIPPED, tmp_path.resolve()]) == first
    (tmp_path / "notes.txt").write_text("not a data file", encoding="utf-8")
    assert data_version([SHIPPED, tmp_path.resolve()]) == first
    csv_path.write_text(PARAMETER_HEADER + "aux_power,300,W,,,fastsim,,\n", encoding="utf-8")
    second = load_data_uncached([tmp_path]).version
    assert second != first
    csv_path.write_text(PARAMETER_HEADER + "aux_power,250,W,,,fastsim,,\n", encoding="utf-8")
    assert load_data_uncached([tmp_path]).version == first


def test_data_version_of_the_shipped_files_follows_their_bytes(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(SHIPPED, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert data_version([copy]) == data_version([SHIPPED]) == load_data().version
    trace = copy / "cycles" / "udds.csv"
    trace.write_text(trace.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data_version([copy]) != data_version([SHIPPED])


# ---------------------------------------------------------------------------------------------------------
# nothing at import


def test_import_evchain_reads_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, evchain, evchain.cli\n"
        "heavy = [m for m in ('pint', 'numba', 'evchain.data.registry') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_user_motor_curve_with_too_many_points_is_rejected_with_the_limit(tmp_path: Path) -> None:
    from evchain.data.registry import MAX_CURVE_POINTS

    n = MAX_CURVE_POINTS + 1
    rows = "".join(f"mine,{i / (n - 1):.4f},0.9,dimensionless,fastsim,\n" for i in range(n))
    (tmp_path / "motor_efficiency.csv").write_text(
        "curve,power_fraction,efficiency,unit,source,note\n" + rows, encoding="utf-8")
    with pytest.raises(DataError, match=rf"curve 'mine' has {n} points; at most {MAX_CURVE_POINTS}"):
        load_data([tmp_path])
    ok = "".join(f"mine,{i / 4:.2f},0.9,dimensionless,fastsim,\n" for i in range(5))
    (tmp_path / "motor_efficiency.csv").write_text(
        "curve,power_fraction,efficiency,unit,source,note\n" + ok, encoding="utf-8")
    assert len(load_data([tmp_path]).motor_curves["mine"][0]) == 5


def test_battery_material_plants_are_sites_with_place_capacity_and_source():
    """Issue 5: cathode, precursor and lithium-refining plants serving Europe, each sourced."""
    from evchain.data.registry import load_data

    data = load_data()
    sites = data.table("sites")
    material = {k: r for k, r in sites.items()
                if {"cathode", "precursor", "lithium-refining"} & set(r.meta.get("kind", []))}
    europe = [k for k, r in material.items() if data.table("countries")[r.meta["country"]].meta.get("eu")]
    assert len(europe) >= 6
    for key, record in material.items():
        assert {"latitude", "longitude"} <= set(record.values), key
        assert record.values.keys() & {"capacity_tonnes", "capacity_gwh"}, key
        assert record.meta["source"] in data.sources, key
