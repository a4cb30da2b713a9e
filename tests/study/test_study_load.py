"""Study files: schema, vehicle ids, units and cycles; every error names the file, the line and the field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.energy.cycles import read_trace
from evchain.errors import DataError, EvchainError, StudyError
from evchain.study.load import load_study
from evchain.units import UnitError, parse_quantity

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDY = ROOT / "examples" / "default.toml"

HEADER = '[study]\nname = "test study"\n\n'


def _variant(vid: str = "a", vehicle: str = "renault-5-etech-52", **fields: str) -> str:
    lines = ["[[variants]]", f'id = "{vid}"', f'vehicle = "{vehicle}"']
    lines += [f"{key} = {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n\n"


def _write(tmp_path: Path, text: str, name: str = "study.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, start: str) -> int:
    """1-based line of the first line of ``text`` that starts with ``start``."""
    return next(i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(start))


def _study_error(path: Path) -> str:
    with pytest.raises(StudyError) as info:
        load_study(path)
    return str(info.value)


# ---------------------------------------------------------------------------------------------------------
# valid studies


def test_default_study_loads() -> None:
    study = load_study(DEFAULT_STUDY)
    ids = [v.id for v in study.variants]
    assert ids[:2] == ["r5-douai", "r5-china"]
    assert len(ids) == len(set(ids)) == DEFAULT_STUDY.read_text(encoding="utf-8").count("[[variants]]")
    assert study.name.startswith("Affordable EVs")
    assert study.path == DEFAULT_STUDY
    assert all(v.cycle == "wltc" for v in study.variants)
    assert all(v.vehicle in study.data.vehicles for v in study.variants)
    by_id = {v.id: v for v in study.variants}
    assert by_id["r5-douai"].overrides == {}
    assert by_id["r5-china"].context["assembly_site"] == "CN"
    assert by_id["r5-lfp-ctp"].overrides == {"battery_usable": pytest.approx(52.0)}
    assert all(v.context["use_country"] == "FR" for v in study.variants)


def test_overrides_with_units_are_converted(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + _variant(
        curb_mass='"1.45 t"', motor_power='"150 hp"', battery_usable='"52000 Wh"', aux_power='"300 W"',
        frontal_area='"21800 cm**2"', max_speed='"150 km/h"', drag_coefficient="0.3",
        rolling_resistance='"0.8 %"'))
    (variant,) = load_study(path).variants
    over = variant.overrides
    assert over["curb_mass"] == pytest.approx(1450.0, rel=1e-12)
    assert over["motor_power"] == pytest.approx(111.855, rel=1e-5)  # mechanical hp, 745.7 W
    assert over["battery_usable"] == pytest.approx(52.0)
    assert over["aux_power"] == pytest.approx(0.3)
    assert over["frontal_area"] == pytest.approx(2.18)
    assert over["max_speed"] == pytest.approx(150.0)
    assert over["drag_coefficient"] == pytest.approx(0.3)
    assert over["rolling_resistance"] == pytest.approx(0.008)


def test_defaults_apply_but_a_variants_own_value_wins(tmp_path: Path) -> None:
    text = (HEADER + '[defaults]\ncurb_mass = "1400 kg"\naux_power = "0.5 kW"\ncycle = "udds"\n\n'
            + _variant("own", curb_mass='"1.5 t"', cycle='"hwfet"')
            + _variant("inherits", vehicle="renault-5-etech-40"))
    variants = {v.id: v for v in load_study(_write(tmp_path, text)).variants}
    own, inherits = variants["own"], variants["inherits"]
    assert own.overrides["curb_mass"] == pytest.approx(1500.0)
    assert own.overrides["aux_power"] == pytest.approx(0.5)
    assert own.cycle == "hwfet"
    assert inherits.overrides == {"curb_mass": pytest.approx(1400.0), "aux_power": pytest.approx(0.5)}
    assert inherits.cycle == "udds"


def test_a_valid_cycle_csv_next_to_the_study_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("time_s,speed_km_h\n0,0\n1,5\n2,10\n3,0\n", encoding="utf-8")
    (variant,) = load_study(_write(tmp_path, HEADER + _variant(cycle='"mine.csv"'))).variants
    assert Path(variant.cycle) == (tmp_path / "mine.csv").resolve()


# ---------------------------------------------------------------------------------------------------------
# errors: each a StudyError naming the file and the offending field


def test_unknown_vehicle_suggests_the_close_id(tmp_path: Path) -> None:
    text = HEADER + _variant(vehicle="renault-5-etech52")
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, 'vehicle =')}" in message
    assert "vehicle" in message and "'renault-5-etech52'" in message
    assert "did you mean 'renault-5-etech-52'" in message


def test_unknown_key_in_a_variant_suggests_the_key_and_names_its_line(tmp_path: Path) -> None:
    text = HEADER + _variant("first") + _variant("second", curb_mas='"1400 kg"')
    message = _study_error(_write(tmp_path, text))
    line = _line_of(text, "curb_mas =")
    assert line == 11
    assert f"study.toml:{line}" in message
    assert "variants[1].curb_mas" in message
    assert "unknown key 'curb_mas'" in message
    assert "did you mean 'curb_mass'" in message


def test_unknown_key_in_defaults_suggests_the_key(tmp_path: Path) -> None:
    text = HEADER + '[defaults]\nbattery_usabel = "50 kWh"\n\n' + _variant()
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, 'battery_usabel')}" in message
    assert "did you mean 'battery_usable'" in message


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("battery_usable", '"52 kg"', "does not fit"),
    ("curb_mass", '"1400 zorks"', "unknown unit"),
    ("curb_mass", "1400", "has no unit"),
    ("battery_usable", "52.0", "has no unit"),
    ("curb_mass", '"1400"', "has no unit"),
    ("curb_mass", '"heavy"', "cannot read"),
    ("curb_mass", "true", "curb_mass"),
])
def test_a_unit_that_does_not_fit_is_an_error(tmp_path: Path, field: str, value: str, expected: str) -> None:
    text = HEADER + _variant(**{field: value})
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, field)}" in message
    assert f"variants[0].{field}" in message
    assert expected in message


def test_a_bad_unit_in_defaults_names_the_defaults_line(tmp_path: Path) -> None:
    text = HEADER + '[defaults]\ncurb_mass = "3 m"\n\n' + _variant()
    message = _study_error(_write(tmp_path, text))
    assert "study.toml:5: defaults.curb_mass" in message
    assert "does not fit" in message


@pytest.mark.parametrize("value", ['"0 kg"', '"-1449 kg"', '"-1.5 t"', '"5000 kg"'])
def test_curb_mass_out_of_range_states_the_allowed_range(tmp_path: Path, value: str) -> None:
    text = HEADER + _variant(curb_mass=value)
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, 'curb_mass')}" in message
    assert "curb_mass" in message
    assert "outside the allowed range 300 to 4000 kg" in message


def test_unknown_cycle_suggests_the_close_id(tmp_path: Path) -> None:
    text = HEADER + _variant(cycle='"wltc-class3"')
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, 'cycle')}" in message
    assert "variants[0].cycle" in message
    assert "unknown cycle 'wltc-class3'" in message
    assert "did you mean 'wltc-class3b'" in message


def test_a_cycle_csv_that_does_not_exist_is_an_unknown_cycle(tmp_path: Path) -> None:
    message = _study_error(_write(tmp_path, HEADER + _variant(cycle='"missing.csv"')))
    assert "study.toml" in message and "unknown cycle 'missing.csv'" in message


def test_duplicate_variant_ids(tmp_path: Path) -> None:
    text = HEADER + _variant("same") + _variant("same", vehicle="renault-5-etech-40")
    message = _study_error(_write(tmp_path, text))
    assert "study.toml:9: variants[1].id" in message
    assert "duplicate variant id 'same'" in message


def test_invalid_toml(tmp_path: Path) -> None:
    text = HEADER + '[[variants]]\nid = "a\nvehicle = "renault-5-etech-52"\n'
    message = _study_error(_write(tmp_path, text))
    assert "study.toml" in message and "not valid TOML" in message and "line 5" in message


@pytest.mark.parametrize(("text", "expected"), [
    ('[[variants]]\nid = "a"\nvehicle = "renault-5-etech-52"\n', "study"),
    (HEADER, "variants"),
    (HEADER + '[[variants]]\nid = "a"\n', "variants[0].vehicle"),
    (HEADER + _variant("has space"), "variants[0].id"),
])
def test_missing_or_malformed_required_keys(tmp_path: Path, text: str, expected: str) -> None:
    message = _study_error(_write(tmp_path, text))
    assert "study.toml" in message and expected in message


def test_missing_study_file(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match=r"nowhere\.toml: study file not found"):
        load_study(tmp_path / "nowhere.toml")


def test_missing_data_folder_of_a_study(tmp_path: Path) -> None:
    text = '[study]\nname = "x"\ndata = ["mydata"]\n\n' + _variant()
    message = _study_error(_write(tmp_path, text))
    assert "study.toml:3: study.data" in message and "does not exist" in message


def test_invalid_user_data_of_a_study_names_the_study_and_the_data_row(tmp_path: Path) -> None:
    (tmp_path / "mydata").mkdir()
    (tmp_path / "mydata" / "vehicles.csv").write_text(
        "vehicle,field,value,unit,low,high,source,estimate,note\n"
        "renault-5-etech-52,battery_usable,52,kg,,,ap-r5-supertest,,\n", encoding="utf-8")
    message = _study_error(_write(tmp_path, '[study]\nname = "x"\ndata = ["mydata"]\n\n' + _variant()))
    assert "study.toml" in message and "vehicles.csv:2" in message and "battery_usable" in message


# ---------------------------------------------------------------------------------------------------------
# cycle traces


GAP_TRACE = "# a gap between 2 s and 4 s\ntime_s,speed_km_h\n0,0\n1,5\n2,10\n4,12\n5,0\n"
NEGATIVE_TRACE = "time_s,speed_km_h\n0,0\n1,5\n2,-1\n3,0\n"
BAD_TRACES = [(GAP_TRACE, "gap in the trace"), (NEGATIVE_TRACE, "negative speed")]


@pytest.mark.parametrize(("trace", "line", "expected"), [
    (GAP_TRACE, 6, "gap in the trace"),
    (NEGATIVE_TRACE, 4, "negative speed -1"),
    ("time_s,speed_km_h\n0,0\n1,5\n1,6\n2,0\n", 4, "time must increase"),
    ("time_s,speed_km_h\n0,0\n1,fast\n2,0\n", 3, "cannot read numbers"),
    ("time_s,speed\n0,0\n1,5\n2,0\n", 1, "header must have"),
], ids=["gap", "negative-speed", "time-goes-back", "not-a-number", "no-speed-column"])
def test_read_trace_rejects_bad_traces(tmp_path: Path, trace: str, line: int, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(trace, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_trace(path)
    message = str(info.value)
    assert f"bad.csv:{line}" in message
    assert expected in message


def test_read_trace_converts_speed_to_m_s(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("time_s,speed_km_h\n0,0\n1,36\n2,0\n", encoding="utf-8")
    time, speed, grade = read_trace(path)
    assert list(time) == [0.0, 1.0, 2.0]
    assert speed[1] == pytest.approx(10.0)
    assert not grade.any()


@pytest.mark.parametrize(("trace", "expected"), BAD_TRACES, ids=["gap", "negative-speed"])
def test_a_bad_cycle_csv_next_to_a_study_fails_before_any_result(tmp_path: Path, trace: str,
                                                                 expected: str) -> None:
    """Today the trace is read only when the study is evaluated; the error still names the CSV and line."""
    import evchain

    (tmp_path / "trace.csv").write_text(trace, encoding="utf-8")
    path = _write(tmp_path, HEADER + _variant(cycle='"trace.csv"'))
    with pytest.raises(EvchainError) as info:
        evchain.evaluate(load_study(path))
    assert "trace.csv:" in str(info.value) and expected in str(info.value)


@pytest.mark.parametrize(("trace", "expected"), BAD_TRACES, ids=["gap", "negative-speed"])
def test_a_bad_cycle_csv_next_to_a_study_is_a_study_error(tmp_path: Path, trace: str, expected: str) -> None:
    (tmp_path / "trace.csv").write_text(trace, encoding="utf-8")
    text = HEADER + _variant(cycle='"trace.csv"')
    message = _study_error(_write(tmp_path, text))
    assert f"study.toml:{_line_of(text, 'cycle')}" in message
    assert "variants[0].cycle" in message
    assert "trace.csv" in message and expected in message


def test_a_number_with_two_dots_is_a_study_error(tmp_path: Path) -> None:
    message = _study_error(_write(tmp_path, HEADER + _variant(curb_mass='"1.2.3 kg"')))
    assert "variants[0].curb_mass" in message


def test_a_boolean_is_not_a_quantity(tmp_path: Path) -> None:
    message = _study_error(_write(tmp_path, HEADER + _variant(transmission_efficiency="true")))
    assert "variants[0].transmission_efficiency" in message


# ---------------------------------------------------------------------------------------------------------
# units


@settings(deadline=None, max_examples=200)
@given(st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False))
def test_parse_quantity_round_trips_energy(x: float) -> None:
    assert math.isclose(parse_quantity(f"{x} kWh", "kWh"), x, rel_tol=1e-9)
    assert math.isclose(parse_quantity(f"{x} Wh", "kWh"), x / 1000.0, rel_tol=1e-9)
    assert math.isclose(parse_quantity(f"{x} MWh", "kWh"), x * 1000.0, rel_tol=1e-9)


@pytest.mark.parametrize(("text", "canonical", "expected"), [
    ("1,450 kg", "kg", 1450.0),
    ("1_450 kg", "kg", 1450.0),
    ("15 kWh/100 km", "kWh/hkm", 15.0),
    ("150 Wh/km", "kWh/hkm", 15.0),
    ("5 %", "dimensionless", 0.05),
    (0.29, "dimensionless", 0.29),
    ("  52kWh ", "kWh", 52.0),
])
def test_parse_quantity_examples(text: object, canonical: str, expected: float) -> None:
    assert parse_quantity(text, canonical) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("value", "canonical"), [
    (52, "kWh"), ("52", "kWh"), ("52 kg", "kWh"), ("52 parsecs_per_fortnight", "kWh"),
    (True, "dimensionless"), ("kWh", "kWh"), ([52], "kWh"),
])
def test_parse_quantity_rejects(value: object, canonical: str) -> None:
    with pytest.raises(UnitError):
        parse_quantity(value, canonical)
