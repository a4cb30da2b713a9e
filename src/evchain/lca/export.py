"""A car's inventory for LCA practitioners, in Brightway's dataset form.

:func:`brightway_datasets` returns a list of datasets as Brightway's importers hold them
(``bw2io`` "extracted" data: dicts with ``name``, ``reference product``, ``unit``,
``location``, ``database``, ``code`` and ``exchanges``). Load them with::

    import bw2io
    importer = bw2io.importers.base_lci.LCIImporter("evchain")
    importer.data = datasets                    # the list this module writes as JSON
    importer.match_database("ecoinvent-3.10-cutoff", fields=("name", "location"))   # your own database
    importer.statistics(); importer.write_database()

Technosphere exchanges carry the names of the materials, energy carriers and services
(``steel``, ``electricity, medium voltage``, ``transport, freight, lorry`` ...) and a
location, unlinked: each practitioner links them to their own background database. Three
datasets: the car (cradle to gate: materials, parts manufacturing left to the background,
energy of cell making, pack and car assembly, transport), its use (electricity from the
wall over its life) and its battery's end of life.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evchain.battery.library import cell_materials
from evchain.data.registry import DataSet
from evchain.lca.inventory import MATERIALS, build_inventory, glider_kg, powertrain_kg

#: Units of Brightway (ecoinvent) names.
KG, KWH, MJ, TKM, UNIT = "kilogram", "kilowatt hour", "megajoule", "ton kilometer", "unit"
PACK_PART_MATERIAL = {"housing_aluminium": "aluminium", "housing_steel": "steel", "thermal": "aluminium",
                      "electrical_copper": "copper", "bms_electronics": "electronics", "fasteners_other": "plastics",
                      "cell_other": "plastics"}


def _exchange(name: str, amount: float, unit: str, location: str = "GLO", kind: str = "technosphere"
              ) -> dict[str, Any]:
    return {"name": name, "amount": float(amount), "unit": unit, "location": location, "type": kind}


def battery_materials(case: dict[str, Any], data: DataSet) -> dict[str, float]:
    """The pack's materials by name [kg], from its bill of materials by part."""
    cell = data.table("cells")[case["battery_cell"]]
    materials = cell_materials(cell)
    out: dict[str, float] = {}
    for part, kg in (case.get("battery_bom_kg") or {}).items():
        name = materials.get(part) or PACK_PART_MATERIAL.get(part, "plastics")
        if name == "graphite":
            natural = cell.get("natural_graphite_share", 0.0)
            out["graphite, natural"] = out.get("graphite, natural", 0.0) + kg * natural
            out["graphite, synthetic"] = out.get("graphite, synthetic", 0.0) + kg * (1.0 - natural)
            continue
        out[name] = out.get(name, 0.0) + kg
    return out


def car_materials(case: dict[str, Any], data: DataSet, curb_mass_kg: float, motor_kw: float, wound_rotor: bool,
                  segment: str) -> dict[str, float]:
    """Glider and powertrain materials by name [kg] (the car without driver and battery)."""
    inv = build_inventory(data)
    powertrain = powertrain_kg(inv, np.array([motor_kw]), np.array([wound_rotor]))[0]
    glider_mass = curb_mass_kg - data.parameter("driver_mass") - case["pack_mass_kg"] - powertrain.sum()
    glider = glider_kg(inv, np.array([glider_mass]), np.array([segment], dtype=object))[0]
    return {m: float(kg) for m, kg in zip(MATERIALS, powertrain + glider, strict=True) if kg > 0}


def brightway_datasets(case: dict[str, Any], data: DataSet, *, curb_mass_kg: float, motor_kw: float,
                       wound_rotor: bool, segment: str, cell_country: str, pack_country: str, plant_country: str,
                       use_country: str, lifetime_km: float, database: str = "evchain") -> list[dict[str, Any]]:
    """Brightway datasets of one evaluated case (module docstring)."""
    processes = data.table("processes")
    energy_kwh = case["pack_energy_kwh"]
    car_code = f"{case['id']}-car"
    exchanges = [_exchange(f"passenger car, electric, {case['id']}", 1.0, UNIT, plant_country, "production")]
    for name, kg in sorted({**battery_materials(case, data)}.items()):
        exchanges.append(_exchange(f"{name}, for battery", kg, KG))
    for name, kg in sorted(car_materials(case, data, curb_mass_kg, motor_kw, wound_rotor, segment).items()):
        exchanges.append(_exchange(name, kg, KG))
    cell = processes["cell-making"]
    exchanges += [
        _exchange("electricity, medium voltage", energy_kwh * cell.value("electricity_per_kwh"), KWH, cell_country),
        _exchange("heat, natural gas, industrial", energy_kwh * cell.value("heat_per_kwh"), MJ, cell_country),
        _exchange("electricity, medium voltage",
                  energy_kwh * processes["pack-assembly"].value("electricity_per_kwh"), KWH, pack_country),
        _exchange("electricity, medium voltage", processes["vehicle-assembly"].value("electricity_per_vehicle"), KWH,
                  plant_country),
        _exchange("heat, natural gas, industrial", processes["vehicle-assembly"].value("heat_per_vehicle"), MJ,
                  plant_country),
    ]
    car = {"name": f"passenger car production, electric, {case['id']}", "reference product":
           f"passenger car, electric, {case['id']}", "unit": UNIT, "location": plant_country, "database": database,
           "code": car_code, "comment": f"evchain cradle-to-gate inventory of case {case['id']}; battery "
           f"{case['battery_cell']} {case['battery_architecture']}, {energy_kwh:.1f} kWh", "exchanges": exchanges}
    wall_kwh = case["energy_wall_kwh_per_100km"] / 100.0 * lifetime_km
    use = {"name": f"use of passenger car, electric, {case['id']}", "reference product": "vehicle-kilometre",
           "unit": "kilometer", "location": use_country, "database": database, "code": f"{case['id']}-use",
           "comment": f"per km over {lifetime_km:,.0f} km; electricity from the wall, charging losses included",
           "exchanges": [_exchange("vehicle-kilometre", 1.0, "kilometer", use_country, "production"),
                         {**_exchange(f"passenger car, electric, {case['id']}", 1.0 / lifetime_km, UNIT, plant_country),
                          "input": (database, car_code)},
                         _exchange("electricity, low voltage", wall_kwh / lifetime_km, KWH, use_country)]}
    eol = {"name": f"treatment of used battery, {case['id']}", "reference product": "used battery",
           "unit": KG, "location": use_country, "database": database, "code": f"{case['id']}-battery-eol",
           "exchanges": [_exchange("used battery", 1.0, KG, use_country, "production"),
                         _exchange("battery recycling", 1.0, KG, use_country)]}
    return [car, use, eol]
