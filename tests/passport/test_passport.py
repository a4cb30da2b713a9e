"""The EU battery passport: aspect documents valid against the Battery Pass v1.2.0 schemas."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.validators import validator_for

from evchain.errors import ModelError
from evchain.passport import (
    ASPECTS,
    CHEMISTRY_NAMES,
    MATERIALS,
    METHOD,
    NOT_ASSESSED,
    NOT_ASSESSED_NUMBER,
    NOT_ASSESSED_TEXT,
    NOT_ASSESSED_URI,
    SCHEMA_ASPECTS,
    build_passport,
    load_schema,
    validate_passport,
)

STAGES = {"raw_material_acquisition": 0.01352, "main_production": 0.00803, "distribution": 0.00041,
          "end_of_life": 0.00118}


def lfp_case() -> dict[str, Any]:
    """A 52 kWh LFP pack of 120 blade-type cells (384 V, 135 Ah), ~360 kg, 3500 cycles to 80 %."""
    total = math.fsum(STAGES.values())  # [kg CO2e/kWh delivered]
    return {
        "id": "lfp-52", "battery_cell": "lfp-blade", "battery_chemistry": "LFP", "battery_architecture": "cell-to-pack",
        "pack_energy_kwh": 52.0, "pack_usable_kwh": 49.9, "pack_mass_kg": 361.0, "pack_cells": 120,
        "nominal_voltage_v": 384.0, "cycle_life": 3500.0,
        "battery_materials_kg": {"Li": 5.1, "Ni": 0.0, "Co": 0.0, "Mn": 0.0, "graphite": 52.6, "Cu": 40.2,
                                 "Al": 61.5, "Fe": 40.8, "P": 22.6, "O": 46.8, "F": 1.9, "C": 10.4, "H": 1.5,
                                 "steel": 24.0, "plastics": 12.7, "other": 9.9},
        "battery_bom_kg": {"cathode_active": 115.4, "anode_active": 52.6, "copper_foil": 35.2, "aluminium_foil": 20.2,
                           "electrolyte": 42.2, "separator": 6.6, "binder_carbon": 7.6, "casing": 26.0,
                           "cell_other": 3.0, "housing_aluminium": 38.0, "housing_steel": 9.0, "thermal": 4.0,
                           "electrical_copper": 5.0, "bms_electronics": 2.2, "fasteners_other": 4.0},
        "battery_cf_kgco2e_per_kwh": total, "battery_cf_by_stage_kgco2e_per_kwh": dict(STAGES),
        "battery_cf_total_kgco2e": 3640.0, "recycled_content": {"Co": 0.16, "Li": 0.06, "Ni": 0.06, "Pb": 0.85},
        "cell_site": "CN-chongqing", "pack_site": "HU-debrecen", "year": 2031,
        "evchain_version": "0.1.0", "data_version": "2025.10-abc123",
    }


def _schema_errors(aspect: str, document: dict[str, Any]) -> list[str]:
    schema = load_schema(aspect)
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def _resolve(passport: dict[str, Any], path: str) -> list[Any]:
    """The values at a JSONPath of the simple form ``$.a.b[*].c``."""
    values: list[Any] = [passport]
    for part in path.removeprefix("$.").split("."):
        name, star = part.removesuffix("[*]"), part.endswith("[*]")
        values = [v[name] for v in values]
        if star:
            values = [item for v in values for item in v]
    return values


@pytest.fixture(scope="module")
def passport() -> dict[str, dict[str, Any]]:
    return build_passport(lfp_case(), manufacturer="Example Cells Ltd", model="EX-52")


def test_builds_the_four_aspects(passport):
    assert tuple(passport) == ASPECTS


@pytest.mark.parametrize("aspect", ASPECTS)
def test_each_aspect_is_valid_against_the_schema_it_declares(passport, aspect):
    assert load_schema(aspect)["$schema"].startswith("http://json-schema.org/draft-04/schema")
    assert _schema_errors(aspect, passport[aspect]) == []


def test_validate_passport_accepts_it_and_it_is_strict_json(passport):
    validate_passport(passport)
    assert json.loads(json.dumps(passport, allow_nan=False)) == passport


def test_carbon_footprint_round_trips(passport):
    case = lfp_case()
    cf = passport["CarbonFootprintForBatteries"]
    assert cf["batteryCarbonFootprint"] == case["battery_cf_kgco2e_per_kwh"]
    assert cf["absoluteCarbonFootprint"] == 3640.0
    by_stage = {s["lifecycleStage"]: s["carbonFootprint"] for s in cf["carbonFootprintPerLifecycleStage"]}
    assert by_stage == {"RawMaterialExtraction": 0.01352, "MainProduction": 0.00803, "Distribution": 0.00041,
                        "Recycling": 0.00118}
    assert abs(math.fsum(by_stage.values()) - cf["batteryCarbonFootprint"]) <= 1e-9
    stage_enum = load_schema("CarbonFootprintForBatteries")["components"]["schemas"]["LifecycleStage"]["enum"]
    assert set(by_stage) == set(stage_enum)


def test_study_cites_the_method_and_versions(passport):
    uri = passport["CarbonFootprintForBatteries"]["carbonFootprintStudy"]
    assert uri.startswith("data:text/plain;charset=utf-8,")
    assert " " not in uri
    text = unquote(uri.split(",", 1)[1])
    assert text.startswith(f"evchain 0.1.0, data 2025.10-abc123: {METHOD}")
    assert METHOD == "EU 2023/1542 Annex II rules as in the JRC draft delegated act"
    for part in ("EX-52", "Example Cells Ltd", "lfp-52", "HU-debrecen", "CN-chongqing", "2031"):
        assert part in text


def test_material_masses_round_trip_with_cas_numbers(passport):
    mc = passport["MaterialComposition"]
    assert mc["batteryChemistry"] == {"shortName": "LFP", "clearName": "lithium iron phosphate"}
    listed = {m["batteryMaterialName"]: m for m in mc["batteryMaterials"]}
    masses = lfp_case()["battery_materials_kg"]
    expected = {MATERIALS[k][0]: kg for k, kg in masses.items() if k in MATERIALS and kg > 0}
    assert {name: m["batteryMaterialMass"] for name, m in listed.items()} == expected
    assert "nickel" not in listed  # zero mass is not listed
    assert listed["lithium"]["batteryMaterialIdentifier"] == "7439-93-2"
    assert listed["lithium"]["isCriticalRawMaterial"] is True
    assert listed["graphite"]["isCriticalRawMaterial"] is True
    assert listed["iron"]["isCriticalRawMaterial"] is False
    assert listed["steel"]["isCriticalRawMaterial"] is False
    salts = {h["hazardousSubstanceName"] for h in mc["hazardousSubstances"]}
    assert salts == {"lithium hexafluorophosphate"}


@pytest.mark.parametrize("key", sorted(MATERIALS))
def test_cas_numbers_have_valid_check_digits(key):
    cas = MATERIALS[key][1]
    assert re.fullmatch(r"\d{2,7}-\d{2}-\d", cas)
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    assert sum(i * int(d) for i, d in enumerate(reversed(body), start=1)) % 10 == check


def test_recycled_content_is_percent(passport):
    rc = {r["recycledMaterial"]: r for r in passport["Circularity"]["recycledContent"]}
    assert set(rc) == {"Cobalt", "Lithium", "Nickel", "Lead"}
    assert rc["Cobalt"]["postConsumerShare"] == pytest.approx(16.0)
    assert rc["Lead"]["postConsumerShare"] == pytest.approx(85.0)


def test_performance_values(passport):
    tech = passport["PerformanceAndDurability"]["batteryTechicalProperties"]
    assert tech["ratedEnergy"] == 49.9
    assert tech["ratedCapacity"] == pytest.approx(52_000.0 / 384.0)
    assert tech["nominalVoltage"] == 384.0
    assert tech["expectedNumberOfCycles"] == 3500.0
    assert tech["capacityThresholdForExhaustion"] == 80.0
    cond = passport["PerformanceAndDurability"]["batteryCondition"]
    soce = {"stateOfCertifiedEnergyValue": 100.0, "lastUpdate": "2031-01-01T00:00:00Z"}
    assert cond["stateOfCertifiedEnergy"] == soce


def test_not_assessed_paths_hold_placeholders(passport):
    placeholders = (NOT_ASSESSED_TEXT, NOT_ASSESSED_URI, NOT_ASSESSED_NUMBER, [])
    assert len(set(NOT_ASSESSED)) == len(NOT_ASSESSED)
    for path in NOT_ASSESSED:
        values = _resolve(passport, path)
        assert values, path
        for value in values:
            assert value in placeholders or (path.endswith("preConsumerShare") and value == 0.0), (path, value)


def test_schemas_load_lazily_as_fresh_copies():
    for aspect in SCHEMA_ASPECTS:
        schema = load_schema(aspect)
        schema["required"] = "mutated"
        assert load_schema(aspect)["required"] != "mutated"
    with pytest.raises(ModelError, match="Circularity"):
        load_schema("Circularty")


def test_missing_required_key_names_the_aspect(passport):
    broken = copy.deepcopy(passport)
    del broken["CarbonFootprintForBatteries"]["batteryCarbonFootprint"]
    with pytest.raises(ModelError, match=r"CarbonFootprintForBatteries.*\$.*batteryCarbonFootprint"):
        validate_passport(broken)


def test_nested_error_names_aspect_and_json_path(passport):
    broken = copy.deepcopy(passport)
    broken["PerformanceAndDurability"]["batteryCondition"]["stateOfCharge"]["lastUpdate"] = "yesterday"
    with pytest.raises(ModelError) as info:
        validate_passport(broken)
    assert "PerformanceAndDurability" in str(info.value)
    assert "$.batteryCondition.stateOfCharge.lastUpdate" in str(info.value)


def test_wrong_enum_and_missing_aspect_are_reported(passport):
    broken = copy.deepcopy(passport)
    broken["CarbonFootprintForBatteries"]["carbonFootprintPerLifecycleStage"][3]["lifecycleStage"] = "EndOfLife"
    with pytest.raises(ModelError, match=r"carbonFootprintPerLifecycleStage\[3\]\.lifecycleStage"):
        validate_passport(broken)
    partial = {k: v for k, v in passport.items() if k != "Circularity"}
    with pytest.raises(ModelError, match="lacks aspect Circularity"):
        validate_passport(partial)


@pytest.mark.parametrize("change, message", [
    ({"battery_cf_kgco2e_per_kwh": 0.03}, "sums to"),
    ({"battery_cf_kgco2e_per_kwh": None}, "battery_cf_kgco2e_per_kwh"),
    ({"battery_cf_by_stage_kgco2e_per_kwh": {"use": 0.02}}, "stages"),
    ({"battery_chemistry": "LPF"}, "did you mean 'LFP'"),
    ({"battery_materials_kg": {"Unobtainium": 1.0}}, "Unobtainium"),
    ({"recycled_content": {"Cd": 0.1}}, "Cd"),
    ({"pack_usable_kwh": float("nan")}, "finite"),
    ({"year": None}, "year"),
])
def test_bad_cases_raise_model_error(change, message):
    with pytest.raises(ModelError, match=message):
        build_passport({**lfp_case(), **change})


def test_build_is_pure():
    case = lfp_case()
    before = copy.deepcopy(case)
    assert build_passport(case) == build_passport(case)
    assert case == before


_CHEMISTRIES = ["LFP", "LMFP", "NMC811", "NMC622", "NCA", "Na-ion", *sorted(CHEMISTRY_NAMES)]
_MATERIAL_KEYS = [*sorted(MATERIALS), "plastics", "other"]
_finite = st.floats(min_value=0.0, max_value=500.0, allow_nan=False, allow_infinity=False)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """Random plausible cases: any chemistry, 10-200 kWh, random material masses and stage split."""
    energy = draw(st.floats(10.0, 200.0))
    stages = {k: draw(st.floats(0.0, 0.2)) for k in STAGES}
    materials = draw(st.dictionaries(st.sampled_from(_MATERIAL_KEYS), _finite, max_size=len(_MATERIAL_KEYS)))
    recycled = draw(st.dictionaries(st.sampled_from(["Co", "Li", "Ni", "Pb"]), st.floats(0.0, 1.0)))
    case = lfp_case()
    case.update({
        "id": draw(st.text(min_size=1, max_size=20)), "battery_chemistry": draw(st.sampled_from(_CHEMISTRIES)),
        "pack_energy_kwh": energy, "pack_usable_kwh": energy * draw(st.floats(0.85, 1.0)),
        "pack_mass_kg": draw(st.one_of(st.none(), st.floats(50.0, 1500.0))),
        "nominal_voltage_v": draw(st.floats(48.0, 900.0)), "cycle_life": draw(st.floats(500.0, 8000.0)),
        "battery_materials_kg": materials, "battery_cf_by_stage_kgco2e_per_kwh": stages,
        "battery_cf_kgco2e_per_kwh": math.fsum(stages.values()),
        "battery_cf_total_kgco2e": draw(st.one_of(st.none(), st.floats(0.0, 30_000.0))),
        "recycled_content": draw(st.one_of(st.none(), st.just(recycled))),
        "year": draw(st.integers(2024, 2050)), "cell_site": draw(st.text(max_size=20)),
    })
    return case


@settings(max_examples=150, deadline=None)
@given(cases(), st.text(max_size=30), st.text(max_size=30))
def test_every_generated_passport_validates(case, manufacturer, model):
    passport = build_passport(case, manufacturer=manufacturer, model=model)
    validate_passport(passport)
    for aspect in ASPECTS:
        assert _schema_errors(aspect, passport[aspect]) == []
    json.dumps(passport, allow_nan=False)
    cf = passport["CarbonFootprintForBatteries"]
    stage_sum = math.fsum(s["carbonFootprint"] for s in cf["carbonFootprintPerLifecycleStage"])
    assert abs(stage_sum - cf["batteryCarbonFootprint"]) <= 1e-9
    listed = sum(m["batteryMaterialMass"] for m in passport["MaterialComposition"]["batteryMaterials"])
    assert listed == pytest.approx(sum(kg for k, kg in case["battery_materials_kg"].items() if k in MATERIALS))
