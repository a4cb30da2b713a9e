"""The battery in studies: the 'battery' table, pack mass in the car, range targets, clear errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evchain import evaluate, load_study
from evchain.data.registry import load_data
from evchain.errors import StudyError

HEADER = '[study]\nname = "battery test"\n\n'


def _study(tmp_path: Path, *variants: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(HEADER + "\n".join(variants), encoding="utf-8")
    return path


def _variant(vid: str, vehicle: str = "renault-5-etech-52", battery: str | None = None, **fields: str) -> str:
    lines = ["[[variants]]", f'id = "{vid}"', f'vehicle = "{vehicle}"', *[f"{k} = {v}" for k, v in fields.items()]]
    if battery is not None:
        lines.append(f"battery = {{ {battery} }}")
    return "\n".join(lines) + "\n"


def _cases(path: Path) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}


INTERFACE = ("pack_mass_kg", "pack_volume_l", "pack_energy_kwh", "pack_usable_kwh", "pack_specific_energy_wh_per_kg",
             "cell_cost_eur_per_kwh", "pack_cost_eur_per_kwh", "pack_cost_by_category_eur_per_kwh",
             "battery_materials_kg")


def test_reference_car_keeps_its_mass_and_reports_its_pack(tmp_path):
    cases = _cases(_study(tmp_path, _variant("ref")))
    ref = cases["ref"]
    for key in INTERFACE:
        assert key in ref
    for element in ("Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al"):
        assert ref["battery_materials_kg"][element] >= 0
    assert ref["pack_usable_kwh"] == pytest.approx(52.0)
    assert ref["wltp_range_km"] is not None  # unchanged car: published figures shown
    total = sum(ref["pack_cost_by_category_eur_per_kwh"].values())
    assert total == pytest.approx(ref["pack_cost_eur_per_kwh"], rel=1e-9)
    assert sum(ref["battery_materials_kg"].values()) == pytest.approx(ref["pack_mass_kg"], rel=1e-9)
    assert sum(ref["battery_bom_kg"].values()) == pytest.approx(ref["pack_mass_kg"], rel=1e-9)
    assert ref["battery_bom_kg"]["cathode_active"] > 0 and ref["battery_bom_kg"]["housing_aluminium"] > 0


def test_another_battery_changes_the_car_by_the_difference_in_pack_mass(tmp_path):
    path = _study(tmp_path, _variant("ref"),
                  _variant("lfp", battery='chemistry = "LFP", architecture = "cell-to-pack", capacity = "40 kWh", '
                                          'cell_site = "catl-debrecen", pack_site = "douai"'))
    cases = _cases(path)
    ref, lfp = cases["ref"], cases["lfp"]
    assert lfp["battery_cell"].startswith("lfp") and lfp["battery_architecture"] == "cell-to-pack"
    assert lfp["pack_usable_kwh"] == pytest.approx(40.0)
    # the curb mass changes by the pack's; the WLTP test mass by that less the payload it displaces
    # (payload = 15 % of gross minus curb mass, the gross mass being the chassis's)
    share = load_data().parameter("wltp_payload_share")
    assert lfp["test_mass_kg"] - ref["test_mass_kg"] == pytest.approx(
        (lfp["pack_mass_kg"] - ref["pack_mass_kg"]) * (1.0 - share), abs=1e-6)
    assert lfp["wltp_range_km"] is None  # a modified car has no published figure
    assert lfp["range_km"] < ref["range_km"]


def test_range_target_sizes_the_pack_and_the_car_reaches_it(tmp_path):
    path = _study(tmp_path, *[_variant(f"r{km}", "renault-twingo-etech", battery=f'target_range = "{km} km"')
                              for km in (200, 300, 400)])
    cases = _cases(path)
    packs = []
    for km in (200, 300, 400):
        case = cases[f"r{km}"]
        assert case["battery_feasible"] is True
        assert case["range_km"] == pytest.approx(km, abs=0.05)
        packs.append(case["pack_usable_kwh"])
    assert packs[0] < packs[1] < packs[2]
    # more range costs more than proportionally more battery: the pack carries itself
    assert packs[2] / packs[0] > 2.0


def test_unreachable_range_is_reported_infeasible(tmp_path):
    battery = 'target_range = "1500 km", chemistry = "Na-ion", architecture = "module-to-pack"'
    results = evaluate(load_study(_study(tmp_path, _variant("far", "renault-megane-etech-ev60", battery=battery))))
    case = json.loads(results.to_json())["cases"][0]
    assert case["battery_feasible"] is False
    assert case["range_km"] is None and case["pack_mass_kg"] is None and case["test_mass_kg"] is None
    assert any("range target" in n for n in results.notes)


@pytest.mark.parametrize(("battery", "message"), [
    ('chemistry = "LPF"', r"unknown chemistry 'LPF' \(did you mean 'LFP'.*known chemistries: .*NMC811"),
    ('chemistry = "LFP", format = "pouch"', r"no LFP cell in format 'pouch'.*LFP cells come as: blade, prismatic"),
    ('architecture = "cell-to-chassis"', r"unknown architecture 'cell-to-chassis'.*cell-to-pack, module-to-pack"),
    ('cell_site = "douia"', r"unknown site 'douia' \(did you mean 'douai'"),
    ('capacity = "52 kg"', r"unit 'kg' does not fit"),
    ('capacity = "52 kWh", target_range = "300 km"', r"either 'capacity' or 'target_range'"),
    ('cells = "lfp-blade"', r"unknown key 'cells' \(did you mean 'cell'.*allowed: architecture, capacity, cell,"),
    ('cell = "lfp-blade", chemistry = "NMC811"', r"cell 'lfp-blade' is LFP, not NMC811"),
])
def test_bad_battery_tables_get_clear_errors_with_file_and_line(tmp_path, battery, message):
    path = _study(tmp_path, _variant("a"), _variant("b", battery=battery))
    with pytest.raises(StudyError, match=message) as info:
        load_study(path)
    assert f"{path}:" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_a_battery_usable_override_resizes_the_pack(tmp_path):
    cases = _cases(_study(tmp_path, _variant("ref"), _variant("small", battery_usable='"40 kWh"')))
    assert cases["small"]["pack_usable_kwh"] == pytest.approx(40.0)
    assert cases["small"]["pack_mass_kg"] < cases["ref"]["pack_mass_kg"]
    assert cases["small"]["test_mass_kg"] < cases["ref"]["test_mass_kg"]
    assert not math.isnan(cases["small"]["range_km"])


@pytest.mark.parametrize(("file", "row", "message"), [
    ("pack_architectures.csv", "cell-to-pack,non_cell_mass_per_kwh,12,kg/kWh,,,geega-2026,,",
     r"pack_architectures.csv:2: non_cell_mass_per_kwh = 12 kg/kWh is outside 0 to 10 kg/kWh"),
    ("regions.csv", "china,cell_yield,1.2,dimensionless,,,2024,cru-yield-evinfocus,,",
     r"regions.csv:2: cell_yield = 1.2 dimensionless is outside 0.2 to 1"),
    ("material_prices.csv", "lfp,-4,USD/kg,,,2024,energytrend-prices,,",
     r"material_prices.csv:2: price = -4 USD/kg is outside 0 to 100000 EUR/kg"),
    ("material_prices.csv", "lfp,4,GBP/kg,,,2024,energytrend-prices,,",
     r"no exchange rate for GBP"),
])
def test_battery_data_outside_physical_bounds_is_rejected_with_the_bound(tmp_path, file, row, message):
    headers = {"pack_architectures.csv": "architecture,field,value,unit,low,high,source,estimate,note",
               "regions.csv": "region,field,value,unit,low,high,year,source,estimate,note",
               "material_prices.csv": "material,value,unit,low,high,year,source,estimate,note"}
    (tmp_path / file).write_text(headers[file] + "\n" + row + "\n", encoding="utf-8")
    from evchain.errors import DataError

    with pytest.raises(DataError, match=message):
        load_data([tmp_path])


def test_a_user_vehicle_without_battery_data_takes_the_battery_of_its_study(tmp_path):
    """A vehicle from a user folder with no battery data: no battery outputs unless the study gives a
    battery; given one (cell, architecture, sites), the chain runs, with no mass correction."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "vehicles.toml").write_text('[my-car]\nname = "My car"\nsegment = "B"\nmotor_curve = "fastsim-large"\n',
                                          encoding="utf-8")
    rows = [("curb_mass", "1300", "kg"), ("drag_coefficient", "0.3", "dimensionless"), ("frontal_area", "2.2", "m**2"),
            ("motor_power", "90", "kW"), ("max_speed", "150", "km/h"), ("battery_usable", "45", "kWh"),
            ("battery_voltage", "360", "V"), ("battery_charge_power", "80", "kW")]
    (folder / "vehicles.csv").write_text("vehicle,field,value,unit,low,high,source,estimate,note\n" + "".join(
        f"my-car,{f},{v},{u},,,fastsim,yes,test\n" for f, v, u in rows), encoding="utf-8")
    study = tmp_path / "study.toml"
    study.write_text('[study]\nname = "user car"\ndata = ["data"]\n'
                     '[[variants]]\nid = "bare"\nvehicle = "my-car"\n'
                     '[[variants]]\nid = "lfp"\nvehicle = "my-car"\n'
                     'battery = { chemistry = "LFP", architecture = "cell-to-pack", cell_site = "CN", '
                     'pack_site = "FR" }\n'
                     '[[variants]]\nid = "half"\nvehicle = "my-car"\nbattery = { chemistry = "LFP" }\n',
                     encoding="utf-8")
    with pytest.raises(StudyError, match=r"my-car' has no battery data .*give architecture, cell_site, pack_site"):
        load_study(study)
    study.write_text(study.read_text(encoding="utf-8").split('[[variants]]\nid = "half"')[0], encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(study)).to_json())["cases"]}
    assert cases["bare"]["pack_mass_kg"] is None and cases["bare"]["france_bonus_eligible"] is None
    assert cases["lfp"]["curb_mass_kg"] == pytest.approx(1300.0)  # the given mass is the car with this battery
    assert cases["lfp"]["gwp_total_kgco2e"] > 0 and cases["lfp"]["landed_cost_eur"] > 0


def test_blocks_of_cases_give_the_same_battery_outputs_as_one_block(monkeypatch):
    """apply_battery works in blocks; where they fall changes nothing, infeasible cases included."""
    import numpy as np

    from evchain.arrays import coded, full
    from evchain.battery import vehicle
    from evchain.data.registry import load_data
    from evchain.study.cases import cases_from_arrays

    data = load_data()
    n = 40
    rng = np.random.default_rng(5)
    cases = cases_from_arrays(data, n, "renault-twingo-etech", cycle="wltc-class3b",
                              curb_mass=rng.uniform(1100, 1400, n), battery_usable=rng.uniform(20, 40, n))
    target = np.where(np.arange(n) % 3 == 0, rng.uniform(150, 400, n), np.nan)
    target[::10] = 5000.0  # out of reach: infeasible
    cases.battery = {
        "cell": coded(["lfp-prismatic", "nmc811-pouch", None], np.where(np.arange(n) % 7 == 5, 2, np.arange(n) % 2)),
        "architecture": full(n, "cell-to-pack"), "cell_site": full(n, "CN"), "pack_site": full(n, "SI"),
        "target_range": target, "ref_cell": full(n, "lfp-prismatic"), "ref_architecture": full(n, "cell-to-pack"),
        "ref_usable": np.full(n, 27.5),
    }
    one_cases, one = vehicle.apply_battery(cases, data)
    monkeypatch.setattr(vehicle, "CHUNK", 8)
    blocks_cases, blocks = vehicle.apply_battery(cases, data)
    assert one.keys() == blocks.keys()
    assert not one["battery_feasible"][::10].any() and one["battery_feasible"][1::10].all()
    for name in one:
        a, b = one[name], blocks[name]
        if a.dtype == object:
            assert [str(x) for x in a] == [str(x) for x in b], name
        else:
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9, err_msg=name)
    for name in ("curb_mass", "battery_usable"):
        np.testing.assert_allclose(one_cases.columns[name], blocks_cases.columns[name], rtol=1e-9)


def test_a_reference_pack_holds_the_gross_energy_its_car_publishes(tmp_path):
    """The Dacia Spring publishes 26.8 kWh usable of 27.4 kWh: its own pack holds 27.4 kWh (not the
    NMC cells' typical 0.945 share), resized it keeps the maker's share, and other cells take their
    own typical share. A sweep of the same car gives the same packs."""
    import evchain

    data = load_data()
    spring = data.vehicles["dacia-spring-45"].values
    share = spring["battery_usable"].value / spring["battery_capacity"].value
    cases = _cases(_study(tmp_path, _variant("own", "dacia-spring-45"),
                          _variant("bigger", "dacia-spring-45", battery='capacity = "40 kWh"'),
                          _variant("lfp", "dacia-spring-45", battery='cell = "lfp-prismatic"')))
    assert cases["own"]["pack_energy_kwh"] == pytest.approx(spring["battery_capacity"].value, rel=1e-12)
    assert cases["bigger"]["pack_energy_kwh"] == pytest.approx(40.0 / share, rel=1e-12)
    typical = data.table("cells")["lfp-prismatic"].value("usable_share")
    assert cases["lfp"]["pack_energy_kwh"] == pytest.approx(spring["battery_usable"].value / typical, rel=1e-12)
    swept = evchain.sweep(2, "dacia-spring-45", battery={"cell": (["nmc811-prismatic", "lfp-prismatic"], [0, 1])},
                          context={"energy_wall_kwh_per_100km": 14.0}).columns
    assert swept["pack_energy_kwh"].tolist() == pytest.approx([cases["own"]["pack_energy_kwh"],
                                                              cases["lfp"]["pack_energy_kwh"]], rel=1e-12)


def test_a_gross_energy_override_sets_the_pack_and_one_below_the_usable_is_an_error(tmp_path):
    """``battery_capacity`` (gross) in a variant or a sweep sets the car's own pack; a gross energy
    below the usable one is refused, naming the variant."""
    import evchain

    cases = _cases(_study(tmp_path, _variant("gross", battery_capacity='"60 kWh"'),
                          _variant("resized", battery_capacity='"50 kWh"', battery_usable='"45 kWh"')))
    assert cases["gross"]["pack_energy_kwh"] == pytest.approx(60.0, rel=1e-12)
    assert cases["resized"]["pack_energy_kwh"] == pytest.approx(50.0, rel=1e-12)
    swept = evchain.sweep(2, "renault-5-etech-52", battery_capacity=np.array([60.0, 50.0]),
                          battery_usable=np.array([52.0, 45.0]),
                          context={"energy_wall_kwh_per_100km": 15.0}).columns
    assert swept["pack_energy_kwh"].tolist() == pytest.approx([60.0, 50.0], rel=1e-12)
    with pytest.raises(StudyError, match="variant 'small': battery_usable 52 kWh exceeds battery_capacity 50 kWh"):
        _cases(_study(tmp_path, _variant("small", battery_capacity='"50 kWh"')))
    with pytest.raises(StudyError, match=r"battery_usable\[1\] = 52 kWh exceeds battery_capacity\[1\] = 50 kWh"):
        evchain.sweep(2, "renault-5-etech-52", battery_capacity=np.array([60.0, 50.0]))
