"""Life-cycle GWP100 of every case, stage by stage, each step on its own grid.

Stages [kg CO2e per car] (arrays over cases; ``g_X`` is the grid intensity of country X
in the production year [g/kWh], ``a_m`` and ``e_m`` a material's non-electric footprint
[kg CO2e/kg] and electricity [kWh/kg] from ``material_footprints.csv``)::

    materials        Σ_parts m_p (a_p + e_p g_mat / 1000)           battery cells and pack parts
    cell_making      E (q_cell g_cell / 1000 + h_cell f_gas)        E: pack energy [kWh]
    pack_assembly    E q_pack g_pack / 1000
    powertrain       Σ_m m_m (a_m + e_m g_mot / 1000) + m k_parts    motor, magnets, inverter, ...
                     (made where the study's motor_site says, by default the car plant)
    glider           Σ_m m_m (a_m + e_m g_asm / 1000) + m k_parts    body, chassis, interior
                     (k_parts: making parts from materials, per kg; Sullivan et al. 2012)
    vehicle_assembly q_veh g_asm / 1000 + h_veh f_gas
    logistics        battery and car moved by truck and ship [t km x kg CO2e/(t km)]
    use              c_wall / 100 x L x ḡ_use / 1000                  ḡ: mean over the years of use
    maintenance      tyres and consumables
    end_of_life      m_pack (a_route + e_route g_use / 1000)          battery recycling

The cells' materials are made in ``materials_region`` (China by default, where most
cathode and anode material is made; a study may say Europe or the world) on that region's
grid, or at a named ``materials_site`` (e.g. a cathode plant) on its country's grid, with
its leg to the cell plant (the cells' mass, trucked and shipped as the pack's legs) counted
in the materials stage; the pack's other parts in the pack plant's region, the car's in its plant's region.
A material with no figure for a region uses the world one.
The petrol counterpart of the segment emits its production footprint plus fuel well to
wheel over the same distance; the break-even distance is where the two lines cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evchain.arrays import ids, map_values, take2, where
from evchain.battery import model as bm
from evchain.battery.library import PART_MATERIAL, cell_materials
from evchain.data.registry import DataSet
from evchain.errors import DataError
from evchain.lca.grids import Grids, build_grids, intensity_in, mean_intensity
from evchain.lca.inventory import MATERIALS, Inventory, build_inventory, glider_sum, powertrain_sum, segment_row
from evchain.schema_tables import CELL_BOM_FIELDS, PACK_PART_FIELDS

STAGES = ("materials", "cell_making", "pack_assembly", "powertrain", "glider", "vehicle_assembly", "logistics",
          "use", "maintenance", "end_of_life")
#: Footprint regions, and the grid (country code of grid_intensity.csv) each stands for.
REGION_GRID = {"china": "CN", "europe": "EU", "world": "WORLD"}
PLANT_REGION = {"china": "china", "europe": "europe", "north-america": "world"}


@dataclass(frozen=True)
class Footprint:
    """A material's footprint split for a grid swap: ``gwp = a + e g / 1000``."""

    a: float  #: non-electric part [kg CO2e/kg]
    e: float  #: electricity [kWh/kg]


def footprint(data: DataSet, material: str, region: str) -> Footprint:
    """Footprint of ``material`` made in ``region`` (falls back on the world figure)."""
    record = data.table("material_footprints").get(material)
    if record is None:
        raise DataError(f"material_footprints.csv has no {material!r}")
    for reg in (region, "world", "china", "europe"):
        if f"gwp_{reg}" in record.values:
            gwp = record.value(f"gwp_{reg}")
            e = record.get(f"electricity_{reg}", 0.0)
            basis = record.get(f"grid_basis_{reg}", 0.0)
            return Footprint(gwp - e * basis / 1000.0, e)
    raise DataError(f"material_footprints.csv: {material!r} has no gwp for any region")


@dataclass(frozen=True)
class LcaContext:
    """Arrays the impact step reads, built once per data set."""

    grids: Grids
    inventory: Inventory
    regions: tuple[str, ...]
    cell_a: np.ndarray  #: (cells, regions) [kg CO2e per kWh of cells], non-electric part of its materials
    cell_e: np.ndarray  #: (cells, regions) [kWh per kWh of cells]
    part_a: np.ndarray  #: (architectures, regions) [kg CO2e per kg of non-cell pack mass]
    part_e: np.ndarray  #: (architectures, regions) [kWh/kg]
    material_a: np.ndarray  #: (regions, MATERIALS) [kg CO2e/kg]
    material_e: np.ndarray  #: (regions, MATERIALS) [kWh/kg]
    parameters: dict[str, float]
    data: Any = None  #: the data set (for the routes of legs between places)


_CONTEXTS: dict[tuple[str, tuple[str, ...]], LcaContext] = {}


def _material_of_parts(data: DataSet, cell: Any) -> list[list[tuple[str, float]]]:
    materials = cell_materials(cell)
    out = []
    for f in CELL_BOM_FIELDS:
        material = materials[f]
        if f == "anode_active" and material == "graphite":
            natural = cell.get("natural_graphite_share", 0.0)
            out.append([("graphite-natural", natural), ("graphite-synthetic", 1.0 - natural)])
        elif material == "pouch-laminate":
            out.append([("aluminium", 0.6), ("plastics", 0.4)])
        else:
            out.append([(material, 1.0)])
    return out


def context(data: DataSet, battery: bm.BatteryContext) -> LcaContext:
    """The impact arrays of ``data`` (built on first use, then reused)."""
    key = (data.version, tuple(str(f) for f in data.folders))
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    regions = tuple(REGION_GRID)
    grids = build_grids(data)
    lib = battery.lib
    cells = data.table("cells")
    cell_a = np.zeros((len(lib.cells), len(regions)))
    cell_e = np.zeros_like(cell_a)
    for i, cid in enumerate(lib.cells):
        parts = _material_of_parts(data, cells[cid])
        other = 1000.0 / lib.specific_energy[i] - lib.bom_kg_per_kwh[i].sum()
        for j, region in enumerate(regions):
            for kg, mix in zip([*lib.bom_kg_per_kwh[i], other], [*parts, [("plastics", 1.0)]], strict=True):
                for material, share in mix:
                    fp = footprint(data, material, region)
                    cell_a[i, j] += kg * share * fp.a
                    cell_e[i, j] += kg * share * fp.e
    part_a = np.zeros((len(lib.architectures), len(regions)))
    part_e = np.zeros_like(part_a)
    part_material = {**PART_MATERIAL, "thermal_share": "aluminium"}
    for i in range(len(lib.architectures)):
        for j, region in enumerate(regions):
            for share, field in zip(lib.part_share[i], PACK_PART_FIELDS, strict=True):
                fp = footprint(data, part_material[field], region)
                part_a[i, j] += share * fp.a
                part_e[i, j] += share * fp.e
    material_a = np.array([[footprint(data, m, r).a for m in MATERIALS] for r in regions])
    material_e = np.array([[footprint(data, m, r).e for m in MATERIALS] for r in regions])
    processes, transport, fuels = data.table("processes"), data.table("transport"), data.table("fuels")

    def table_value(table: dict[str, Any], item: str, name: str, file: str) -> float:
        if item not in table:
            raise DataError(f"{file} has no {item!r}")
        return float(table[item].value(name))

    params = {n: data.parameter(n) for n in ("lifetime_km", "vehicle_lifetime_years", "default_year",
                                             "driver_mass", "road_detour", "rail_detour",
                                             "intercontinental_sea_km", "continental_road_km")}
    params.update(
        cell_electricity=table_value(processes, "cell-making", "electricity_per_kwh", "processes.csv"),
        cell_heat=table_value(processes, "cell-making", "heat_per_kwh", "processes.csv"),
        pack_assembly_electricity=table_value(processes, "pack-assembly", "electricity_per_kwh", "processes.csv"),
        vehicle_assembly_electricity=table_value(processes, "vehicle-assembly", "electricity_per_vehicle",
                                                 "processes.csv"),
        vehicle_assembly_heat=table_value(processes, "vehicle-assembly", "heat_per_vehicle", "processes.csv"),
        gas_gwp=table_value(fuels, "natural_gas", "total", "fuels.csv"),
        parts_gwp=table_value(processes, "parts-manufacturing", "gwp_per_kg", "processes.csv"),
        truck_gwp=table_value(transport, "truck", "factor", "transport.csv"),
        rail_gwp=table_value(transport, "rail", "factor", "transport.csv"),
        ship_gwp=table_value(transport, "container-ship", "factor", "transport.csv"),
        roro_gwp=table_value(transport, "ro-ro-vessel", "factor", "transport.csv"),
    )
    ctx = LcaContext(grids, build_inventory(data), regions, cell_a, cell_e, part_a, part_e, material_a, material_e,
                     params, data)
    _CONTEXTS[key] = ctx
    return ctx


@dataclass(frozen=True)
class Case:
    """The inputs of the impact step, arrays over cases (countries as ISO codes)."""

    year: np.ndarray
    lifetime_km: np.ndarray
    use_country: np.ndarray
    assembly_country: np.ndarray
    cell_country: np.ndarray
    pack_country: np.ndarray
    energy_wall_kwh_per_100km: np.ndarray
    curb_mass_kg: np.ndarray
    motor_kw: np.ndarray
    wound_rotor: np.ndarray  #: bool: EESM, no magnets
    powertrain_kg: np.ndarray  #: the electric drive and its parts (inventory.powertrain_sum) [kg]
    segment: np.ndarray
    materials_region: np.ndarray  #: where the cells' materials are made: china, europe or world
    materials_country: np.ndarray  #: the country of a named materials site ("" for none: the region applies)
    materials_site: np.ndarray  #: that site (None for none)
    cell_site: np.ndarray  #: site ids or country codes of the cell plant, the pack plant and the car plant
    pack_site: np.ndarray
    assembly_site: np.ndarray
    motor_site: np.ndarray  #: where the electric drive is made (site id or country code)
    motor_country: np.ndarray
    by_rail: np.ndarray  #: bool: land legs by rail instead of road
    cell_grid: np.ndarray  #: supplier-specific electricity of the cell plant [g/kWh]; NaN: the national mix


def stages(ctx: LcaContext, battery: bm.BatteryContext, rows: bm.Rows, pack: Any, case: Case,
           recycling: tuple[np.ndarray, np.ndarray], extrapolate: bool = False,
           parts: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """GWP100 of each stage [kg CO2e per car] (module docstring); ``recycling`` is the route's
    ``(a, e)`` per kg of battery. ``parts``, when given, receives ``battery_logistics`` (the
    pack's legs, part of the logistics stage) [kg CO2e]."""
    p = ctx.parameters
    years = case.lifetime_km / (p["lifetime_km"] / p["vehicle_lifetime_years"])  # years of use at the mean mileage
    g = ctx.grids
    def grid(codes: np.ndarray) -> np.ndarray:  # the production year's intensity [g/kWh]
        return intensity_in(g, g.row(codes), case.year, extrapolate)

    countries = battery.countries
    cell_region = map_values(case.materials_region, ctx.regions.index, np.int64)
    to_lca = np.array([ctx.regions.index(PLANT_REGION.get(r, "world")) for r in countries.regions])
    asm_row = _country_rows(battery, case.assembly_country)
    pack_region = to_lca[countries.region[rows.pack_country]]
    region_rows = g.row(np.array([REGION_GRID[r] for r in ctx.regions], dtype=object))  # grid row of each region

    def region_grid(region: np.ndarray) -> np.ndarray:
        return intensity_in(g, region_rows[region], case.year, extrapolate)

    g_mat = region_grid(cell_region)
    at_site = map_values(case.materials_country, bool, bool)  # cases whose materials come from a named site
    materials_leg = np.zeros(at_site.shape)
    if at_site.any():  # the site's country: its grid and region, and its leg to the cell plant
        site_codes = where(at_site, case.materials_country, case.cell_country)
        site_row = _country_rows(battery, site_codes)
        cell_region = np.where(at_site, to_lca[countries.region[site_row]], cell_region)
        g_mat = np.where(at_site, grid(site_codes), g_mat)
        materials_leg = at_site * _routed(ctx, pack.cell_mass_kg / 1000.0,
                                          where(at_site, case.materials_site, case.cell_site), case.cell_site,
                                          p["ship_gwp"], case.by_rail)
    g_part = region_grid(pack_region)
    g_cell = np.where(np.isfinite(case.cell_grid), case.cell_grid, grid(case.cell_country))
    g_pack = grid(case.pack_country)
    g_asm = grid(case.assembly_country)
    asm_region = to_lca[countries.region[asm_row]]
    energy, non_cell = pack.energy_kwh, pack.non_cell_mass_kg
    out: dict[str, np.ndarray] = {}
    out["materials"] = (energy * (take2(ctx.cell_a, rows.cell, cell_region)
                                  + take2(ctx.cell_e, rows.cell, cell_region) * g_mat / 1e3)
                        + non_cell * (take2(ctx.part_a, rows.architecture, pack_region)
                                      + take2(ctx.part_e, rows.architecture, pack_region) * g_part / 1e3)
                        + materials_leg)  # delivered to the cell plant
    out["cell_making"] = energy * (p["cell_electricity"] * g_cell / 1e3 + p["cell_heat"] * p["gas_gwp"])
    out["pack_assembly"] = energy * p["pack_assembly_electricity"] * g_pack / 1e3
    g_asm_mat = region_grid(asm_region)  # the car's materials: made in its plant's region
    inv = ctx.inventory
    kw, kind = case.motor_kw, case.wound_rotor
    powertrain_mass = case.powertrain_kg
    # the electric drive: its materials in the region of the country where it is made, on that region's grid
    motor_region = to_lca[countries.region[_country_rows(battery, case.motor_country)]]
    g_motor_mat = region_grid(motor_region)
    out["powertrain"] = (powertrain_sum(inv, ctx.material_a, kw, kind, motor_region)
                         + powertrain_sum(inv, ctx.material_e, kw, kind, motor_region) * g_motor_mat / 1e3
                         + powertrain_mass * p["parts_gwp"])
    glider_mass = glider_mass_kg(case.curb_mass_kg, p["driver_mass"], pack.mass_kg, powertrain_mass)
    seg = segment_row(inv, case.segment)
    out["glider"] = (glider_sum(inv, ctx.material_a, glider_mass, seg, asm_region)
                     + glider_sum(inv, ctx.material_e, glider_mass, seg, asm_region) * g_asm_mat / 1e3
                     + glider_mass * p["parts_gwp"])
    out["vehicle_assembly"] = (p["vehicle_assembly_electricity"] * g_asm / 1e3
                               + p["vehicle_assembly_heat"] * p["gas_gwp"])
    pack_legs = _pack_legs(ctx, pack.mass_kg, case)
    drive_leg = _routed(ctx, powertrain_mass / 1000.0, case.motor_site, case.assembly_site, p["ship_gwp"],
                        case.by_rail)
    out["logistics"] = pack_legs + car_leg(ctx, battery, case) + drive_leg
    if parts is not None:
        parts["battery_logistics"] = pack_legs
    g_use = mean_intensity(g, g.row(case.use_country), case.year, years, extrapolate)
    out["use"] = case.energy_wall_kwh_per_100km / 100.0 * case.lifetime_km * g_use / 1e3
    rubber, steel = MATERIALS.index("rubber"), MATERIALS.index("steel")
    tyre_sets = np.maximum(case.lifetime_km / inv.tyre_km_per_set - 1.0, 0.0)  # replacements
    out["maintenance"] = (tyre_sets * inv.tyre_set_kg * (ctx.material_a[asm_region, rubber]
                                                         + ctx.material_e[asm_region, rubber] * g_asm_mat / 1e3)
                          + inv.maintenance_kg_per_km * case.lifetime_km * ctx.material_a[asm_region, steel])
    out["end_of_life"] = pack.mass_kg * (recycling[0] + recycling[1] * g_use / 1e3)
    return out


def glider_mass_kg(curb_mass_kg: np.ndarray, driver_mass_kg: float, pack_mass_kg: np.ndarray,
                   powertrain_kg: np.ndarray, first_case: int = 0) -> np.ndarray:
    """What the car weighs without its driver, battery and electric drive [kg]; a case where
    that is not positive is an error naming it (``first_case``: the number of the first)."""
    glider = curb_mass_kg - driver_mass_kg - pack_mass_kg - powertrain_kg
    if np.any(glider <= 0):
        k = int(np.argmax(glider <= 0))
        heavy = pack_mass_kg[k] + powertrain_kg[k]
        raise DataError(f"the battery and powertrain ({heavy:.0f} kg) weigh more than the car without its driver "
                        f"({curb_mass_kg[k] - driver_mass_kg:.0f} kg)", case=first_case + k)
    return glider


def _country_rows(battery: bm.BatteryContext, codes: np.ndarray) -> np.ndarray:
    """Row of each country code among the battery context's countries."""
    return map_values(codes, battery.countries.codes.index, np.int64)


def _market_region(battery: bm.BatteryContext, use_country: np.ndarray) -> np.ndarray:
    """Plant region (index into the countries' regions) of each market: China, else Europe."""
    regions = battery.countries.regions
    return map_values(use_country, lambda c: regions.index("china" if c == "CN" else "europe"), np.int64)


def _leg(tonnes: np.ndarray, a: np.ndarray, b: np.ndarray, region_a: np.ndarray, region_b: np.ndarray,
         truck: float, ship: float) -> np.ndarray:
    """One leg [kg CO2e]: ``truck`` [kg CO2e/t] between two countries (ids ``a``, ``b``), plus
    ``ship`` [kg CO2e/t] between two regions."""
    return tonnes * (truck * (a != b) + ship * (region_a != region_b))


def _routed(ctx: LcaContext, tonnes: np.ndarray, a: np.ndarray, b: np.ndarray, ship: float,
            by_rail: np.ndarray | None = None) -> np.ndarray:
    """A leg between places (site ids or country codes) [kg CO2e]: tonnes x (land km x truck or rail
    + sea km x ``ship``) [kg CO2e/(t km)], routed by :mod:`evchain.sites.routes`. By rail (``by_rail``)
    the land distance is the great circle x ``rail_detour`` instead of ``road_detour``."""
    from evchain.sites.routes import legs_km

    p = ctx.parameters
    road, sea = legs_km(ctx.data, a, b)
    land = road * p["truck_gwp"]
    if by_rail is not None and by_rail.any():
        land = np.where(by_rail, road * (p["rail_detour"] / p["road_detour"]) * p["rail_gwp"], land)
    return tonnes * (land + sea * ship)


def car_leg(ctx: LcaContext, battery: bm.BatteryContext, case: Case) -> np.ndarray:
    """The car's own leg from its plant to its market [kg CO2e] (the rest of logistics moves the pack):
    routed to the market country's capital; for a market that is no country of the data (the EU),
    a typical truck leg between countries and a car-carrier crossing between regions."""
    p = ctx.parameters
    car_t = case.curb_mass_kg / 1000.0
    countries = battery.countries.codes
    known = map_values(case.use_country, lambda c: c in countries, bool)
    out = np.zeros(car_t.shape)
    if known.any():
        routed = _routed(ctx, car_t, case.assembly_site, where(known, case.use_country, case.assembly_country),
                         p["roro_gwp"], case.by_rail)
        out = np.where(known, routed, out)
    if not known.all():
        car_region = battery.countries.region[_country_rows(battery, case.assembly_country)]
        typical = _leg(car_t, ids(case.assembly_country), ids(case.use_country), car_region,
                       _market_region(battery, case.use_country),
                       p["continental_road_km"] * p["road_detour"] * p["truck_gwp"],
                       p["intercontinental_sea_km"] * p["roro_gwp"])
        out = np.where(known, out, typical)
    return out


def _pack_legs(ctx: LcaContext, pack_kg: np.ndarray, case: Case) -> np.ndarray:
    """Transport of the pack: cell plant -> pack plant -> car plant [kg CO2e], routed between the
    sites (by road on one continent, by container ship between continents)."""
    ship = ctx.parameters["ship_gwp"]
    pack_t = pack_kg / 1000.0
    return (_routed(ctx, pack_t, case.cell_site, case.pack_site, ship, case.by_rail)
            + _routed(ctx, pack_t, case.pack_site, case.assembly_site, ship, case.by_rail))
