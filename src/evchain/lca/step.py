"""Run the impact step for a case table after its battery and energy steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from evchain.arrays import BlockColumns, blocks, factorize, full, ids, map_values, present, subset, where
from evchain.battery import model as bm
from evchain.battery.choice import site_country
from evchain.data.registry import DataSet
from evchain.errors import EvchainError
from evchain.lca import fast
from evchain.lca import model as lm
from evchain.lca.chain import impact_outputs
from evchain.lca.inventory import MATERIALS, glider_sum, powertrain_sum, segment_row, unit
from evchain.score.french import COMPONENTS, ScoreInputs, french_score, transport_kg
from evchain.sites.cost import CATEGORIES, CarCostInputs, car_cost, shares_of, value_added, value_added_sums
from evchain.study.cases import CaseTable


def default_context(cases: CaseTable, data: DataSet) -> dict[str, np.ndarray]:
    """Life-cycle context of cases that carry none (sweeps built from arrays): the defaults."""
    n = cases.n
    return {
        "year": np.full(n, data.parameter("default_year")), "lifetime_km": np.full(n, data.parameter("lifetime_km")),
        "energy_wall_kwh_per_100km": np.full(n, np.nan), "use_country": full(n, "EU"),
        "assembly_site": map_values(cases.vehicle, lambda v: data.vehicles[v].meta.get("assembly_site", "FR")
                                    if v in data.vehicles else "FR"),
        "motor_site": map_values(cases.vehicle, lambda v: data.vehicles[v].meta.get("motor_site")
                                 if v in data.vehicles else None),
        "recycling_route": full(n, "hydrometallurgical"), "second_life_share": np.zeros(n),
        "land_mode": full(n, "road"),
        "materials_region": full(n, "china"), "materials_site": full(n, None),
        "cell_electricity_intensity": np.full(n, np.nan),
        **{f"recycled_{e}": np.full(n, np.nan) for e in ("Co", "Li", "Ni")},
    }


def _codes(data: DataSet, sites: np.ndarray) -> np.ndarray:
    """Country code of each site id (or code), looked up once per distinct value."""
    return map_values(sites, lambda s: site_country(data, s))


def _french_score(data: DataSet, cases: CaseTable, idx: np.ndarray, battery: bm.BatteryContext, pack: Any,
                  case: lm.Case, energy: dict[str, Any], internals: bool = False) -> dict[str, np.ndarray]:
    """France's environmental score of each case (see :mod:`evchain.score.french`); ``internals``
    adds ``_other_kg``, the mass the score counts as other materials before its floor at zero."""
    ctx = lm.context(data, battery)
    inv = ctx.inventory
    kw, kind = case.motor_kw, case.wound_rotor
    no_battery = case.curb_mass_kg - data.parameter("driver_mass") - pack.mass_kg
    glider_mass = no_battery - case.powertrain_kg
    seg = segment_row(inv, case.segment)

    def parts(material: str) -> np.ndarray:  # powertrain and glider [kg]
        w = unit(material)
        return powertrain_sum(inv, w, kw, kind) + glider_sum(inv, w, glider_mass, seg)

    reach = reach_km(energy, idx, pack.usable_kwh, case.energy_wall_kwh_per_100km)
    category2 = score_category2(data, cases, idx, reach)
    mass = case.curb_mass_kg - data.parameter("driver_mass")
    steel, aluminium = parts("steel"), parts("aluminium")
    inputs = ScoreInputs(steel, aluminium, no_battery, pack.energy_kwh, case.cell_country, case.assembly_country, mass,
                         category2)
    sites = cases.context["assembly_site"] if cases.context else default_context(cases, data)["assembly_site"]
    plant_site = subset(sites, idx)
    result = french_score(data, inputs, transport_kg(data, plant_site, case.assembly_country, mass))
    out = {"france_score": result["score"], "france_bonus_eligible": result["eligible"],
           "france_bonus_eur": bonus_eur(data, result["eligible"], mass),
           "france_score_footprint_kgco2e": result["total"]}
    for name in COMPONENTS:
        out[f"france_score_{name}_kgco2e"] = result[name]
    if internals:
        out["_other_kg"] = no_battery - steel - aluminium
    return out


def reach_km(energy: dict[str, Any], idx: np.ndarray, usable_kwh: np.ndarray,
             wall_kwh_per_100km: np.ndarray) -> np.ndarray:
    """The electric range the score's category asks for [km]: the drive cycle's, else usable
    energy over the consumption given."""
    range_km = energy.get("range_km")
    reach = subset(range_km, idx) if range_km is not None else np.full(idx.size, np.nan)
    return np.where(np.isfinite(reach), reach, usable_kwh / wall_kwh_per_100km * 100.0)


def score_category2(data: DataSet, cases: CaseTable, idx: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Whether each case is a category-2 car of the score (seats, boot and range)."""
    rules = data.table("french_score")["score"]
    columns = cases.columns
    return ((subset(columns["seats"], idx) >= rules.value("cat2_min_seats"))
            & (subset(columns["boot_volume"], idx) > rules.value("cat2_min_boot_volume"))
            & (reach >= rules.value("cat2_min_range")))


def bonus_eur(data: DataSet, eligible: np.ndarray, mass_kg: np.ndarray) -> np.ndarray:
    """The bonus of an eligible car [EUR] (its mass without driver under the cap); the bonus also
    needs a price of at most 47,000 EUR, which the model does not know (list prices)."""
    trade = data.table("trade")
    aid = trade["fr-cee-coup-de-pouce-2026"].value("amount_other") if "fr-cee-coup-de-pouce-2026" in trade else 0.0
    max_mass = trade["fr-eligibility"].value("max_mass") if "fr-eligibility" in trade else np.inf
    return np.where(eligible & (mass_kg < max_mass), aid, 0.0)


def _car_cost(data: DataSet, cases: CaseTable, idx: np.ndarray, battery: bm.BatteryContext, r: bm.Rows, pack: Any,
              case: lm.Case, details: bool, internals: bool = False) -> dict[str, Any]:
    """Cost, landed cost and value added of each case (see :mod:`evchain.sites.cost`); ``internals``
    adds the value added in all, in the EU and in France (``_value_added_total|eu|fr``)."""
    costs = bm.cost(battery, r)
    kwh = pack.energy_kwh
    region_code = {"china": "CN", "europe": "", "world": "WORLD"}
    materials_at = map_values(case.materials_region, lambda reg: region_code.get(str(reg), "WORLD"))
    materials_at = where(materials_at == "", case.cell_country, materials_at)
    materials_at = where(map_values(case.materials_country, bool, bool), case.materials_country, materials_at)
    added: dict[str, np.ndarray] = {}
    hours: dict[str, np.ndarray] = {}

    def add(table: dict[str, np.ndarray], where: np.ndarray, value: np.ndarray) -> None:
        codes, rows = factorize(where)
        if len(codes) == 1:  # one country for every case
            table[codes[0]] = table[codes[0]] + value if codes[0] in table else value
            return
        for i, code in enumerate(codes):
            here = value * (rows == i)
            table[code] = table[code] + here if code in table else here

    add(added, materials_at, costs["materials"] * kwh)
    add(added, case.cell_country, (costs["cell"] - costs["materials"]) * kwh)
    add(added, case.pack_country, (costs["pack_hardware"] + costs["pack_assembly"] + costs["warranty"]) * kwh)
    lab = battery.countries
    cell_hours = lab.cell_labour_hours[lab.region[r.cell_country]] / lab.cell_yield[lab.region[r.cell_country]] * kwh
    add(hours, case.cell_country, cell_hours)
    add(hours, case.pack_country, battery.lib.assembly_hours[r.architecture] * kwh)
    sites = cases.context["assembly_site"] if cases.context else default_context(cases, data)["assembly_site"]
    vehicle = data.table("processes")["vehicle-assembly"]
    measures = map_values(subset(cases.vehicle, idx), lambda v: str(data.vehicles[v].meta.get("eu_cvd", ""))
                          if v in data.vehicles else "")
    x = CarCostInputs(subset(sites, idx), case.assembly_country, case.use_country,
                      case.curb_mass_kg - data.parameter("driver_mass") - pack.mass_kg,
                      case.curb_mass_kg - data.parameter("driver_mass"), costs["pack"] * kwh, added, hours, measures,
                      vehicle.value("electricity_per_vehicle"), case.by_rail)
    cost = car_cost(data, x)
    va, labour = value_added(data, x, cost)
    # the electric drive's parts are bought where it is made (booked to the plant's country by value_added)
    drive = case.powertrain_kg * data.table("vehicle_cost")["car"].value("parts_per_kg")
    elsewhere = ids(case.motor_country) != ids(case.assembly_country)
    if elsewhere.any():
        add(va, case.motor_country, drive * elsewhere)
        add(va, case.assembly_country, -drive * elsewhere)
    sums = value_added_sums(data, va)
    eu, france = shares_of(*sums)
    out: dict[str, Any] = {"manufacturing_cost_eur": cost["manufacturing"], "landed_cost_eur": cost["landed"],
                           "price_floor_eur": cost["price_floor"], "eu_value_added_share": eu,
                           "france_value_added_share": france}
    if internals:
        out.update(zip(INTERNAL_VALUE_ADDED, sums, strict=True))
    if details:
        out["cost_by_category_eur"] = _per_case({c: cost[c] for c in CATEGORIES})
        out["labour_hours_by_country"] = _per_case(labour)
        out["value_added_by_country_eur"] = _per_case(va)
    return out


def _per_case(columns: dict[str, np.ndarray]) -> np.ndarray:
    """One dict per case, without the zero entries."""
    names = sorted(columns)
    values = np.stack([columns[n] for n in names], axis=1)
    out = np.empty(values.shape[0], dtype=object)
    for i, row in enumerate(values.tolist()):
        out[i] = {n: v for n, v in zip(names, row, strict=True) if v != 0.0}
    return out


def _wound_rotor(data: DataSet, vehicle: str) -> bool:
    motor = str(data.vehicles[vehicle].meta.get("motor", "")) if vehicle in data.vehicles else ""
    return "EESM" in motor or "wound" in motor


def wound_rotors(data: DataSet, vehicles: np.ndarray) -> np.ndarray:
    """Whether each vehicle's motor is a wound-rotor machine (EESM: no magnets)."""
    return map_values(vehicles, lambda v: _wound_rotor(data, v), bool)


def segments(data: DataSet, vehicles: np.ndarray) -> np.ndarray:
    """Each vehicle's segment (B where the data give none)."""
    return map_values(vehicles, lambda v: str(data.vehicles[v].meta.get("segment", "B"))
                      if v in data.vehicles else "B")


#: Value added in all, in the EU and in France, as ``_car_cost`` gives them with ``internals``.
INTERNAL_VALUE_ADDED = ("_value_added_total", "_value_added_eu", "_value_added_fr")

#: Cases per block of the impact step: intermediates stay bounded (and in cache) whatever n is.
CHUNK = 32_768


#: Inputs the impact step reports as they are.
PASSED = ("lifetime_km", "use_country")

#: What the impact step can compute: life-cycle carbon (issue 4), France's score and the car's cost (issue 5).
PARTS = ("carbon", "score", "cost")


def apply_impact(cases: CaseTable, energy: dict[str, Any], data: DataSet, eol_approach: str = "cut-off",
                 extrapolate: bool = False, details: bool = True, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    """Impact outputs of every case with battery data (NaN or None for the others), computed in
    blocks of :data:`CHUNK` cases. ``parts`` selects among :data:`PARTS` (a sweep of carbon
    alone skips the score and the cost)."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown impact parts {sorted(unknown)}; known: {', '.join(PARTS)}")
    b = cases.battery
    if not b or not present(b["cell"]).any():
        return {}
    ctx_cols = cases.context or default_context(cases, data)
    idx = np.flatnonzero(present(b["cell"]) & np.isfinite(cases.columns["battery_usable"]))
    every = idx.size == cases.n
    if every and fast.applicable(ctx_cols, details, parts):  # a sweep: by combination of choices
        combined = fast.outputs(cases, ctx_cols, energy, data, eol_approach, extrapolate, CHUNK, parts)
        if combined is not None:
            return combined
    writer = BlockColumns(cases.n, covered=every)
    for block in blocks(idx, CHUNK):
        try:
            out = _impact(cases, ctx_cols, block, energy, data, eol_approach, extrapolate, details, parts)
        except EvchainError as exc:
            if exc.case is not None:  # a row of the block: name the case's row in the table
                exc.case = int(block[exc.case])
            raise
        for name, values in out.items():
            if not (every and name in PASSED):  # an input reported as it is: no copy (below)
                writer.put(name, block, np.asarray(values))
    full: dict[str, Any] = writer.columns()
    if every:
        full.update({name: ctx_cols[name] for name in PASSED})
    return full


def _impact(cases: CaseTable, ctx_cols: dict[str, np.ndarray], idx: np.ndarray, energy: dict[str, Any],
            data: DataSet, eol_approach: str, extrapolate: bool, details: bool,
            parts: tuple[str, ...] = PARTS, internals: bool = False) -> dict[str, Any]:
    """Impact outputs of the cases at ``idx`` (all with battery data); ``internals`` adds the
    intermediate sums :mod:`evchain.lca.fast` needs (names starting with ``_``)."""
    b = cases.battery
    battery = bm.context(data)
    r = bm.case_rows(battery, data, b, idx)
    pack = bm.design(battery, r, subset(cases.columns["battery_usable"], idx))
    lib = battery.lib
    kg = {c: (pack.energy_kwh * lib.cell_kg_per_kwh[:, lib.categories.index(c)].take(r.cell)
              + pack.non_cell_mass_kg * lib.part_kg_per_kg[:, lib.categories.index(c)].take(r.architecture))
          for c in ("Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al")}  # as battery.pack.materials_kg, by column
    vehicle_ids = subset(cases.vehicle, idx)
    given = subset(ctx_cols["energy_wall_kwh_per_100km"], idx)
    wall = np.where(np.isfinite(given), given, subset(energy["energy_wall_kwh_per_100km"], idx))
    motor_given = subset(ctx_cols["motor_site"], idx)
    asm_sites = subset(ctx_cols["assembly_site"], idx)
    motor_sites = where(present(motor_given), motor_given, asm_sites)
    motor_kw = subset(cases.columns["motor_power"], idx)
    wound_rotor = wound_rotors(data, vehicle_ids)
    case = lm.Case(
        year=subset(ctx_cols["year"], idx), lifetime_km=subset(ctx_cols["lifetime_km"], idx),
        use_country=subset(ctx_cols["use_country"], idx),
        assembly_country=_codes(data, subset(ctx_cols["assembly_site"], idx)),
        cell_country=_codes(data, subset(b["cell_site"], idx)),
        pack_country=_codes(data, subset(b["pack_site"], idx)),
        energy_wall_kwh_per_100km=wall, curb_mass_kg=subset(cases.columns["curb_mass"], idx),
        motor_kw=motor_kw, wound_rotor=wound_rotor,
        powertrain_kg=powertrain_sum(lm.context(data, battery).inventory, np.ones(len(MATERIALS)), motor_kw,
                                     wound_rotor),
        segment=segments(data, vehicle_ids),
        materials_region=subset(ctx_cols["materials_region"], idx),
        materials_country=map_values(subset(ctx_cols["materials_site"], idx),
                                     lambda s: site_country(data, s) if s is not None else ""),
        materials_site=subset(ctx_cols["materials_site"], idx),
        cell_site=subset(b["cell_site"], idx), pack_site=subset(b["pack_site"], idx),
        assembly_site=asm_sites,
        motor_site=motor_sites, motor_country=_codes(data, motor_sites),
        by_rail=map_values(subset(ctx_cols["land_mode"], idx), lambda m: m == "rail", bool),
        cell_grid=subset(ctx_cols["cell_electricity_intensity"], idx),
    )
    context = {k: subset(v, idx) for k, v in ctx_cols.items()}
    out = (impact_outputs(data, battery, r, pack, case, kg, context, eol_approach, extrapolate, details)
           if "carbon" in parts else {})
    if "score" in parts:
        out.update(_french_score(data, cases, idx, battery, pack, case, energy, internals))
    if "cost" in parts:
        out.update(_car_cost(data, cases, idx, battery, r, pack, case, details, internals))
    out["year"] = case.year.astype(np.int64)
    out["lifetime_km"] = case.lifetime_km
    out["use_country"] = case.use_country
    if details:
        recycled = np.empty(idx.size, dtype=object)
        for i in range(idx.size):
            recycled[i] = {e: float(context[f"recycled_{e}"][i]) for e in ("Co", "Li", "Ni")
                           if np.isfinite(context[f"recycled_{e}"][i])}
        out["recycled_content"] = recycled
    return out
