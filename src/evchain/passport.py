"""The EU battery passport (Regulation (EU) 2023/1542, Art. 77, Annex XIII) of one evaluated case.

:func:`build_passport` turns a case's outputs into four aspect documents of the Battery Pass
consortium's data model v1.2.0 (schemas in ``data/battery_pass``, all JSON Schema draft-04):
``CarbonFootprintForBatteries``, ``MaterialComposition``, ``Circularity`` and
``PerformanceAndDurability``. :func:`validate_passport` checks them against the schemas.

Units (the schemas name none; these follow the Battery Pass guidance and DIN DKE SPEC 99100):
carbon footprint [kg CO2e/kWh of total energy delivered over the service life], absolute
carbon footprint [kg CO2e], material mass [kg], hazardous-substance concentration [% w/w of the
component named as its location], recycled content [% of the active material], energy [kWh],
capacity [Ah], voltage [V], shares and fades [%], throughput/cycle counts at begin of life.

What the model knows is mapped; what it cannot know but a schema requires is filled with a
placeholder the schema accepts, and every such field is listed, as a JSONPath into the passport
dict (``$.<aspect>.<field>``), in :data:`NOT_ASSESSED`:

- text fields: :data:`NOT_ASSESSED_TEXT` (``"not assessed by evchain"``);
- URI fields: :data:`NOT_ASSESSED_URI` (``"urn:evchain:not-assessed"``, a valid URI);
- numbers: :data:`NOT_ASSESSED_NUMBER` (``-1.0``, physically impossible for every such field
  except ``temperatureRangeIdleState``, where -1 °C is inside the schema's -20..60 range: always
  consult :data:`NOT_ASSESSED`, not the value);
- lists: ``[]`` (dismantling documents, spare-part sources, extinguishing agents, power capability,
  initial internal resistance);
- recycled content: evchain has one share per element; it is reported whole as post-consumer, and
  ``preConsumerShare`` is 0 (the schema allows only 0..100).

Not placeholders but worth knowing: ``batteryCondition`` holds begin-of-life values (no
throughput, no fade, state of certified energy 100 %, time stamp 1 January of the case's year);
``hazardousSubstances`` lists only the electrolyte's conducting salt that the chemistry implies
(LiPF6 or NaPF6 at 12.5 resp. 13 % w/w of the electrolyte, as in ``data/materials.toml``);
``batteryMaterials`` lists the case's materials of positive mass that have a CAS registry number
(the schema requires one), so the aggregates ``plastics`` and ``other`` are left out. The carbon-footprint
study link is a ``data:`` URI carrying the method citation (the schema wants a URI).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from evchain.errors import ModelError, allowed_list, did_you_mean

#: The four aspects :func:`build_passport` writes, in this order.
ASPECTS = ("CarbonFootprintForBatteries", "MaterialComposition", "Circularity", "PerformanceAndDurability")
#: Every aspect whose schema ships in ``data/battery_pass``.
SCHEMA_ASPECTS = (*ASPECTS, "GeneralProductInformation", "Labeling", "SupplyChainDueDiligence")

NOT_ASSESSED_TEXT = "not assessed by evchain"
NOT_ASSESSED_URI = "urn:evchain:not-assessed"
NOT_ASSESSED_NUMBER = -1.0

_PD_TECH = "$.PerformanceAndDurability.batteryTechicalProperties"  # sic: the schema's spelling
_PD_COND = "$.PerformanceAndDurability.batteryCondition"
#: JSONPaths (into the dict :func:`build_passport` returns) of fields holding placeholders.
NOT_ASSESSED: tuple[str, ...] = (
    "$.CarbonFootprintForBatteries.carbonFootprintPerformanceClass",
    "$.Circularity.dismantlingAndRemovalInformation",
    "$.Circularity.sparePartSources",
    "$.Circularity.recycledContent[*].preConsumerShare",
    "$.Circularity.safetyMeasures.safetyInstructions",
    "$.Circularity.safetyMeasures.extinguishingAgent",
    "$.Circularity.endOfLifeInformation.wastePrevention",
    "$.Circularity.endOfLifeInformation.separateCollection",
    "$.Circularity.endOfLifeInformation.informationOnCollection",
    "$.Circularity.renewableContent",
    *(f"{_PD_TECH}.{f}" for f in (
        "originalPowerCapability", "ratedMaximumPower", "powerCapabilityRatio", "initialSelfDischarge",
        "roundtripEfficiency", "initialInternalResistance", "expectedLifetime", "minimumVoltage", "maximumVoltage",
        "lifetimeReferenceTest", "cRateLifeCycleTest", "temperatureRangeIdleState")),
    *(f"{_PD_COND}.{f}" for f in (
        "remainingPowerCapability", "currentSelfDischargingRate.currentSelfDischargingRateEntity",
        "roundTripEfficiencyat50PerCentCycleLife",
        "remainingRoundTripEnergyEfficiency.remainingRoundTripEnergyEfficiencyValue",
        "stateOfCharge.stateOfChargeValue")),
)

METHOD = "EU 2023/1542 Annex II rules as in the JRC draft delegated act"

#: evchain's lifecycle stages -> the schema's ``LifecycleStage`` enum (use stage excluded, Annex II).
LIFECYCLE_STAGES = {
    "raw_material_acquisition": "RawMaterialExtraction",
    "main_production": "MainProduction",
    "distribution": "Distribution",
    "end_of_life": "Recycling",
}

#: Chemistry code (upper case) -> clear name of the cathode active material / cell chemistry.
CHEMISTRY_NAMES = {
    "LFP": "lithium iron phosphate",
    "LMFP": "lithium manganese iron phosphate",
    "NMC111": "lithium nickel manganese cobalt oxide (NMC 1:1:1)",
    "NMC532": "lithium nickel manganese cobalt oxide (NMC 5:3:2)",
    "NMC622": "lithium nickel manganese cobalt oxide (NMC 6:2:2)",
    "NMC811": "lithium nickel manganese cobalt oxide (NMC 8:1:1)",
    "NCA": "lithium nickel cobalt aluminium oxide",
    "LMO": "lithium manganese oxide",
    "LCO": "lithium cobalt oxide",
    "LTO": "lithium titanate",
    "NA-ION": "sodium-ion",
}

#: evchain material key -> (clear name, CAS registry number).
MATERIALS = {
    "Li": ("lithium", "7439-93-2"), "Ni": ("nickel", "7440-02-0"), "Co": ("cobalt", "7440-48-4"),
    "Mn": ("manganese", "7439-96-5"), "graphite": ("graphite", "7782-42-5"), "Cu": ("copper", "7440-50-8"),
    "Al": ("aluminium", "7429-90-5"), "Fe": ("iron", "7439-89-6"), "P": ("phosphorus", "7723-14-0"),
    "steel": ("steel", "12597-69-2"), "hard_carbon": ("hard carbon", "7440-44-0"), "C": ("carbon", "7440-44-0"),
    "O": ("oxygen", "7782-44-7"), "H": ("hydrogen", "1333-74-0"), "F": ("fluorine", "7782-41-4"),
    "N": ("nitrogen", "7727-37-9"), "Na": ("sodium", "7440-23-5"), "S": ("sulfur", "7704-34-9"),
    "Si": ("silicon", "7440-21-3"), "Ti": ("titanium", "7440-32-6"), "Pb": ("lead", "7439-92-1"),
}
#: Material keys with no single CAS number; left out of ``batteryMaterials``.
UNLISTED_MATERIALS = frozenset({"plastics", "other", "cell_other"})  # aggregates with no CAS number
#: Critical raw materials (Regulation (EU) 2024/1252, Annex II) among :data:`MATERIALS`; graphite is
#: flagged although only natural graphite is critical, as evchain reports natural and synthetic together.
CRITICAL_RAW_MATERIALS = frozenset({"Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al", "P"})
CRM_THRESHOLD = 0.001  #: Annex VI Part A(10): reported above 0.1 % w/w of the battery [kg/kg]

#: Electrolyte conducting salts: (name, CAS, concentration [% w/w of electrolyte], classes, H statements).
_LIPF6 = ("lithium hexafluorophosphate", "21324-40-3", 12.5,
          ("AcuteToxicity", "SkinCorrosionOrIrritation"), ["H301", "H314", "H372"])
_NAPF6 = ("sodium hexafluorophosphate", "21324-39-0", 13.0, ("SkinCorrosionOrIrritation",), ["H314"])

RECYCLED_MATERIALS = {"Co": "Cobalt", "Li": "Lithium", "Ni": "Nickel", "Pb": "Lead"}


def _schema_dir() -> Path:
    return Path(__file__).resolve().parent / "data" / "battery_pass"


@lru_cache(maxsize=16)
def _schema(aspect: str) -> dict[str, Any]:
    if aspect not in SCHEMA_ASPECTS:
        raise ModelError(f"no battery-passport schema for aspect {aspect!r}{did_you_mean(aspect, SCHEMA_ASPECTS)}; "
                         f"allowed: {allowed_list(SCHEMA_ASPECTS)}")
    text = (_schema_dir() / f"{aspect}-schema.json").read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def load_schema(aspect: str) -> dict[str, Any]:
    """The Battery Pass v1.2.0 JSON schema of ``aspect`` (a fresh copy; the parsed file is cached)."""
    return copy.deepcopy(_schema(aspect))


@lru_cache(maxsize=16)
def _validator(aspect: str) -> Validator:
    schema = _schema(aspect)
    cls = validator_for(schema)  # draft-04 for all shipped schemas
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_aspect(aspect: str, document: Mapping[str, Any]) -> None:
    """Raise :class:`ModelError` naming ``aspect`` and the JSON path of the most relevant error."""
    error = best_match(_validator(aspect).iter_errors(document))
    if error is not None:
        raise ModelError(f"battery passport aspect {aspect} is invalid at {error.json_path}: {error.message}")


def validate_passport(passport: Mapping[str, Mapping[str, Any]]) -> None:
    """Check that ``passport`` has the four :data:`ASPECTS` (and no unknown one), each valid.

    Raises :class:`ModelError` naming the aspect and the JSON path of the first error.
    """
    for aspect in passport:
        if aspect not in SCHEMA_ASPECTS:
            raise ModelError(f"battery passport has unknown aspect {aspect!r}{did_you_mean(aspect, SCHEMA_ASPECTS)}")
    for aspect in ASPECTS:
        if aspect not in passport:
            raise ModelError(f"battery passport lacks aspect {aspect}")
    for aspect, document in passport.items():
        validate_aspect(aspect, document)


# --- reading the case -------------------------------------------------------------------------------------------


def _case_id(case: Mapping[str, Any]) -> str:
    return str(case.get("id", "?"))


def _number(case: Mapping[str, Any], key: str, value: Any = None) -> float:
    """A finite float from ``case[key]`` (or ``value``); ModelError when missing or not finite."""
    raw = case.get(key) if value is None else value
    if raw is None:
        raise ModelError(f"case {_case_id(case)}: the battery passport needs {key}, which is unknown")
    number = float(raw)
    if not math.isfinite(number):
        raise ModelError(f"case {_case_id(case)}: {key} = {raw!r} is not a finite number")
    return number


def _text(case: Mapping[str, Any], key: str) -> str:
    raw = case.get(key)
    if raw is None or str(raw) == "":
        raise ModelError(f"case {_case_id(case)}: the battery passport needs {key}, which is unknown")
    return str(raw)


def _timestamp(case: Mapping[str, Any]) -> str:
    """1 January of the case's year, 00:00 UTC: the begin-of-life time stamp."""
    return f"{int(_number(case, 'year')):04d}-01-01T00:00:00Z"


def _chemistry_code(case: Mapping[str, Any]) -> str:
    code = _text(case, "battery_chemistry").upper()
    if code not in CHEMISTRY_NAMES:
        raise ModelError(f"case {_case_id(case)}: battery chemistry {case['battery_chemistry']!r} has no passport "
                         f"name{did_you_mean(code, CHEMISTRY_NAMES)}; allowed: {allowed_list(CHEMISTRY_NAMES)}")
    return code


# --- aspects ------------------------------------------------------------------------------------------------------


def study_citation(case: Mapping[str, Any], *, manufacturer: str, model: str) -> str:
    """The carbon-footprint study's citation: method, evchain and data versions, model, plants, year."""
    method = f"evchain {_text(case, 'evchain_version')}, data {_text(case, 'data_version')}: {METHOD}"
    return (f"{method}; battery model {model} by {manufacturer}, case {_case_id(case)}, cell {case.get('battery_cell')}"
            f", cell plant {case.get('cell_site')}, pack plant {case.get('pack_site')}, year {case.get('year')}")


def carbon_footprint(case: Mapping[str, Any], *, manufacturer: str, model: str) -> dict[str, Any]:
    """The ``CarbonFootprintForBatteries`` aspect [kg CO2e/kWh; absolute in kg CO2e].

    The per-stage values must add up to the total (relative tolerance 1e-6), else ModelError.
    """
    total = _number(case, "battery_cf_kgco2e_per_kwh")
    stages = case.get("battery_cf_by_stage_kgco2e_per_kwh") or {}
    if set(stages) != set(LIFECYCLE_STAGES):
        raise ModelError(f"case {_case_id(case)}: battery_cf_by_stage_kgco2e_per_kwh has stages "
                         f"{allowed_list(stages)}; the passport needs exactly {allowed_list(LIFECYCLE_STAGES)}")
    values = {key: _number(case, f"battery_cf_by_stage.{key}", stages[key]) for key in LIFECYCLE_STAGES}
    per_stage = [{"lifecycleStage": name, "carbonFootprint": values[key]} for key, name in LIFECYCLE_STAGES.items()]
    stage_sum = math.fsum(values.values())
    if not math.isclose(stage_sum, total, rel_tol=1e-6, abs_tol=1e-9):
        raise ModelError(f"case {_case_id(case)}: carbon footprint by stage sums to {stage_sum} kg CO2e/kWh, "
                         f"not the total {total}")
    doc: dict[str, Any] = {
        "batteryCarbonFootprint": total,
        "carbonFootprintPerLifecycleStage": per_stage,
        "carbonFootprintPerformanceClass": NOT_ASSESSED_TEXT,
        "carbonFootprintStudy": "data:text/plain;charset=utf-8," + quote(
            study_citation(case, manufacturer=manufacturer, model=model), safe=""),
    }
    if case.get("battery_cf_total_kgco2e") is not None:
        doc["absoluteCarbonFootprint"] = _number(case, "battery_cf_total_kgco2e")
    return doc


def _material_entry(key: str, kg: float, pack_kg: float | None) -> dict[str, Any]:
    name, cas = MATERIALS[key]
    critical = key in CRITICAL_RAW_MATERIALS and kg > 0.0 and (pack_kg is None or kg > CRM_THRESHOLD * pack_kg)
    return {"batteryMaterialLocation": {"componentName": "battery pack (whole-pack total)"},
            "batteryMaterialIdentifier": cas, "batteryMaterialName": name, "batteryMaterialMass": kg,
            "isCriticalRawMaterial": critical}


def _hazardous_substances(code: str) -> list[dict[str, Any]]:
    name, cas, percent, classes, impacts = _NAPF6 if code == "NA-ION" else _LIPF6
    return [{"hazardousSubstanceClass": cls, "hazardousSubstanceName": name,
             "hazardousSubstanceConcentration": percent, "hazardousSubstanceImpact": list(impacts),
             "hazardousSubstanceLocation": {"componentName": "electrolyte"}, "hazardousSubstanceIdentifier": cas}
            for cls in classes]


def material_composition(case: Mapping[str, Any]) -> dict[str, Any]:
    """The ``MaterialComposition`` aspect: chemistry, materials [kg] with CAS numbers, electrolyte salt."""
    code = _chemistry_code(case)
    materials = case.get("battery_materials_kg") or {}
    unknown = [k for k in materials if k not in MATERIALS and k not in UNLISTED_MATERIALS]
    if unknown:
        raise ModelError(f"case {_case_id(case)}: material {unknown[0]!r} has no CAS number in evchain.passport"
                         f"{did_you_mean(unknown[0], MATERIALS)}")
    pack_kg = None if case.get("pack_mass_kg") is None else _number(case, "pack_mass_kg")
    masses = {k: _number(case, f"battery_materials_kg.{k}", v) for k, v in materials.items() if k in MATERIALS}
    if any(kg < 0.0 for kg in masses.values()):
        raise ModelError(f"case {_case_id(case)}: battery_materials_kg has a negative mass: {masses}")
    listed = [_material_entry(k, kg, pack_kg) for k, kg in masses.items() if kg > 0.0]
    return {
        "batteryChemistry": {"shortName": str(case["battery_chemistry"]), "clearName": CHEMISTRY_NAMES[code]},
        "batteryMaterials": listed,
        "hazardousSubstances": _hazardous_substances(code),
    }


def _recycled_content(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    shares = case.get("recycled_content") or {}
    entries = []
    for element, share in shares.items():
        if element not in RECYCLED_MATERIALS:
            raise ModelError(f"case {_case_id(case)}: recycled_content {element!r} is not one of "
                             f"{allowed_list(RECYCLED_MATERIALS)}")
        value = _number(case, f"recycled_content.{element}", share)
        if not 0.0 <= value <= 1.0:
            raise ModelError(f"case {_case_id(case)}: recycled_content {element} = {value} is not a share 0..1")
        entries.append({"recycledMaterial": RECYCLED_MATERIALS[element], "preConsumerShare": 0.0,
                        "postConsumerShare": 100.0 * value})
    return entries


def circularity(case: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Circularity`` aspect: recycled content [% of active material]; the rest is placeholders."""
    return {
        "dismantlingAndRemovalInformation": [],
        "sparePartSources": [],
        "recycledContent": _recycled_content(case),
        "safetyMeasures": {"safetyInstructions": NOT_ASSESSED_URI, "extinguishingAgent": []},
        "endOfLifeInformation": {"wastePrevention": NOT_ASSESSED_URI, "separateCollection": NOT_ASSESSED_URI,
                                 "informationOnCollection": NOT_ASSESSED_URI},
        "renewableContent": NOT_ASSESSED_NUMBER,
    }


def rated_capacity_ah(case: Mapping[str, Any]) -> float:
    """Rated capacity [Ah] = total energy [kWh] * 1000 / nominal voltage [V]."""
    volts = _number(case, "nominal_voltage_v")
    if volts <= 0.0:
        raise ModelError(f"case {_case_id(case)}: nominal_voltage_v = {volts} must be positive")
    return _number(case, "pack_energy_kwh") * 1000.0 / volts


def _technical_properties(case: Mapping[str, Any]) -> dict[str, Any]:
    x = NOT_ASSESSED_NUMBER
    return {
        "originalPowerCapability": [], "ratedMaximumPower": x, "powerCapabilityRatio": x,
        "ratedEnergy": _number(case, "pack_usable_kwh"), "expectedNumberOfCycles": _number(case, "cycle_life"),
        "initialSelfDischarge": x, "roundtripEfficiency": x, "ratedCapacity": rated_capacity_ah(case),
        "initialInternalResistance": [], "expectedLifetime": x, "nominalVoltage": _number(case, "nominal_voltage_v"),
        "minimumVoltage": x, "maximumVoltage": x,
        "capacityThresholdForExhaustion": 80.0,  # cycle_life counts cycles to 80 % of the initial capacity
        "lifetimeReferenceTest": NOT_ASSESSED_URI, "cRateLifeCycleTest": x, "temperatureRangeIdleState": x,
    }


def _condition(case: Mapping[str, Any]) -> dict[str, Any]:
    """Begin-of-life battery condition, time-stamped 1 January of the case's year."""
    ts = _timestamp(case)
    x = NOT_ASSESSED_NUMBER
    return {
        "energyThroughput": 0.0,
        "capacityThroughput": {"capacityThroughputValue": 0.0, "lastUpdate": ts},
        "numberOfFullCycles": {"numberOfFullCyclesValue": 0.0, "lastUpdate": ts},
        "stateOfCertifiedEnergy": {"stateOfCertifiedEnergyValue": 100.0, "lastUpdate": ts},
        "capacityFade": {"capacityFadeValue": 0.0, "lastUpdate": ts},
        "remainingEnergy": {"remainingEnergyalue": _number(case, "pack_usable_kwh"), "lastUpdate": ts},  # sic
        "remainingCapacity": {"remainingCapacityValue": rated_capacity_ah(case), "lastUpdate": ts},
        "negativeEvents": [],
        "temperatureInformation": {"timeExtremeHighTemp": 0.0, "timeExtremeLowTemp": 0.0,
                                   "timeExtremeHighTempCharging": 0.0, "timeExtremeLowTempCharging": 0.0,
                                   "lastUpdate": ts},
        "remainingPowerCapability": [],
        "powerFade": 0.0,
        "roundTripEfficiencyFade": 0.0,
        "evolutionOfSelfDischarge": {"evolutionOfSelfDischargeEntityValue": 0.0},
        "currentSelfDischargingRate": {"currentSelfDischargingRateEntity": x, "lastUpdate": ts},
        "internalResistanceIncrease": [{"internalResistanceIncreaseValue": 0.0, "lastUpdate": ts,
                                        "batteryComponent": "pack"}],
        "roundTripEfficiencyat50PerCentCycleLife": x,
        "remainingRoundTripEnergyEfficiency": {"remainingRoundTripEnergyEfficiencyValue": x, "lastUpdate": ts},
        "stateOfCharge": {"stateOfChargeValue": x, "lastUpdate": ts},
    }


def performance_and_durability(case: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PerformanceAndDurability`` aspect: rated energy [kWh], capacity [Ah], voltage [V], cycles."""
    return {"batteryTechicalProperties": _technical_properties(case), "batteryCondition": _condition(case)}


def build_passport(case: Mapping[str, Any], *, manufacturer: str = "unspecified manufacturer",
                   model: str = "unspecified model") -> dict[str, dict[str, Any]]:
    """The four battery-passport aspect documents of one evaluated ``case``, keyed by :data:`ASPECTS`.

    ``manufacturer`` and ``model`` name the battery model in the carbon-footprint study citation.
    Pure: reads nothing but ``case`` (the schemas are read only by :func:`validate_passport`).
    Raises :class:`ModelError` when a needed output is unknown (None) or inconsistent.
    """
    return {
        "CarbonFootprintForBatteries": carbon_footprint(case, manufacturer=manufacturer, model=model),
        "MaterialComposition": material_composition(case),
        "Circularity": circularity(case),
        "PerformanceAndDurability": performance_and_durability(case),
    }
