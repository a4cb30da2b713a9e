"""Schemas of the keyed data tables: cells, pack architectures, materials, prices, countries, sites.

Like :mod:`evchain.fields`, a schema, not data: canonical units and physical bounds.
"""

from __future__ import annotations

from evchain.data.tables import TableSpec
from evchain.fields import Field, _fields

#: Cell bill-of-materials fields [kg per kWh of cell energy], in the order they are reported.
CELL_BOM_FIELDS: tuple[str, ...] = (
    "cathode_active", "anode_active", "copper_foil", "aluminium_foil", "electrolyte", "separator",
    "binder_carbon", "casing",
)

CELL_FIELDS: dict[str, Field] = _fields(
    Field("nominal_voltage", "V", 1.0, 5.0, "cell nominal voltage"),
    Field("specific_energy", "Wh/kg", 50.0, 500.0, "cell gravimetric energy density"),
    Field("energy_density", "Wh/l", 100.0, 1500.0, "cell volumetric energy density"),
    Field("cycle_life", "dimensionless", 100.0, 20000.0, "full cycles to 80 % of initial capacity"),
    Field("cell_energy", "Wh", 1.0, 5000.0, "energy of one cell"),
    Field("usable_share", "dimensionless", 0.5, 1.0, "usable energy as a share of total energy in a car"),
    Field("natural_graphite_share", "dimensionless", 0.0, 1.0, "natural share of the anode graphite"),
    *(Field(name, "kg/kWh", 0.0, 10.0, f"cell bill of materials: {name.replace('_', ' ')}")
      for name in CELL_BOM_FIELDS),
)

#: Shares of a pack's non-cell mass, by material or part; they sum to one.
PACK_PART_FIELDS: tuple[str, ...] = (
    "housing_aluminium_share", "housing_steel_share", "thermal_share", "electrical_copper_share",
    "bms_electronics_share", "fasteners_other_share",
)

ARCHITECTURE_FIELDS: dict[str, Field] = _fields(
    Field("non_cell_mass_per_kwh", "kg/kWh", 0.0, 10.0,
          "mass of a pack beyond its cells (housing, modules, thermal system, electrics) per kWh of pack energy"),
    Field("volumetric_efficiency", "dimensionless", 0.2, 1.0, "cell volume / pack volume"),
    Field("hardware_cost", "EUR/kWh", 0.0, 200.0, "pack parts other than cells, per kWh of pack energy"),
    Field("assembly_hours", "h/kWh", 0.0, 5.0, "pack assembly labour per kWh of pack energy"),
    *(Field(name, "dimensionless", 0.0, 1.0, f"share of non-cell pack mass: {name.replace('_', ' ')}")
      for name in PACK_PART_FIELDS),
)

PRICE_FIELDS: dict[str, Field] = _fields(
    Field("price", "EUR/kg", 0.0, 100000.0, "price of a material"),
)

COUNTRY_FIELDS: dict[str, Field] = _fields(
    Field("labour_cost", "EUR/h", 0.3, 150.0, "hourly labour cost in manufacturing, employer's total"),
    Field("vehicle_labour_cost", "EUR/h", 0.3, 150.0,
          "hourly labour cost in car making (NACE C29), employer's total; labour_cost where not given"),
    Field("electricity_price", "EUR/kWh", 0.005, 1.0, "industrial electricity price, excluding VAT"),
    Field("latitude", "dimensionless", -90.0, 90.0, "the country's point for legs: its capital [degrees north]"),
    Field("longitude", "dimensionless", -180.0, 180.0, "the country's point for legs: its capital [degrees east]"),
    Field("port_latitude", "dimensionless", -90.0, 90.0, "the country's main port for sea legs [degrees north]"),
    Field("port_longitude", "dimensionless", -180.0, 180.0, "the country's main port for sea legs [degrees east]"),
)

SEA_ROUTE_FIELDS: dict[str, Field] = _fields(
    Field("distance", "km", 100.0, 40000.0, "sea distance between two countries' main ports"),
)

REGION_FIELDS: dict[str, Field] = _fields(
    Field("cell_capex", "EUR/kWh", 5.0, 500.0, "cell-plant investment per kWh of annual capacity"),
    Field("utilisation", "dimensionless", 0.05, 1.0, "output over capacity"),
    Field("cell_yield", "dimensionless", 0.2, 1.0, "good cells over cells started"),
    Field("margin", "dimensionless", -0.2, 0.5, "margin on the cost of a cell"),
    Field("cell_labour_hours", "h/kWh", 0.001, 2.0, "labour to make a kWh of cells"),
)

SITE_FIELDS: dict[str, Field] = _fields(
    Field("capacity_gwh", "GWh", 0.0, 1000.0, "cell production capacity (per year)"),
    Field("hours_per_vehicle", "h", 1.0, 200.0,
          "all-in plant hours per car: staff x hours a year / cars built (stamping, body, paint, assembly)"),
    Field("capacity_vehicles", "dimensionless", 0.0, 5e6, "vehicle production capacity [vehicles per year]"),
    Field("vehicles_built", "dimensionless", 0.0, 5e6,
          "vehicles built in the year that hours_per_vehicle describes [vehicles per year]"),
    Field("latitude", "dimensionless", -90.0, 90.0, "latitude [degrees north]"),
    Field("longitude", "dimensionless", -180.0, 180.0, "longitude [degrees east]"),
    Field("capacity_tonnes", "t", 0.0, 1e7, "material plant capacity (per year)"),
    Field("start_year", "dimensionless", 1900.0, 2100.0, "first production, or the year planned"),
)

ELEMENT_FIELDS: dict[str, Field] = _fields(
    Field("atomic_weight", "g/mol", 1.0, 300.0, "standard atomic weight"),
)

GRID_FIELDS: dict[str, Field] = _fields(
    Field("intensity", "g/kWh", 0.0, 2000.0, "life-cycle GWP100 of electricity"),
)

FOOTPRINT_REGIONS = ("china", "europe", "world")
FOOTPRINT_FIELDS: dict[str, Field] = _fields(*(
    f for region in FOOTPRINT_REGIONS for f in (
        Field(f"gwp_{region}", "kg/kg", 0.0, 5000.0, f"cradle-to-gate GWP100 per kg, made in {region}"),
        Field(f"electricity_{region}", "kWh/kg", 0.0, 2000.0, f"electricity per kg, made in {region}"),
        Field(f"grid_basis_{region}", "g/kWh", 0.0, 2000.0, f"grid intensity the {region} figure assumed"),
    )))

PROCESS_FIELDS: dict[str, Field] = _fields(
    Field("electricity_per_kwh", "kWh/kWh", 0.0, 200.0, "electricity per kWh of battery made"),
    Field("heat_per_kwh", "MJ/kWh", 0.0, 2000.0, "heat per kWh of battery made"),
    Field("electricity_per_vehicle", "kWh", 0.0, 20000.0, "electricity per vehicle made"),
    Field("heat_per_vehicle", "MJ", 0.0, 100000.0, "heat per vehicle made"),
    Field("electricity_per_kg", "kWh/kg", 0.0, 500.0, "electricity per kg made"),
    Field("heat_per_kg", "MJ/kg", 0.0, 5000.0, "heat per kg made"),
    Field("gwp_per_kg", "kg/kg", 0.0, 50.0, "GWP100 per kg made (not split by energy carrier)"),
)

TRANSPORT_FIELDS: dict[str, Field] = _fields(
    Field("factor", "kg/(t*km)", 0.0, 2.0, "GWP100 per tonne-km, well to wheel"),
)

FUEL_FIELDS: dict[str, Field] = _fields(
    Field("density", "kg/l", 0.5, 1.2, "fuel density"),
    Field("lower_heating_value", "MJ/l", 10.0, 40.0, "lower heating value per litre"),
    *(Field(name, "kg/l", 0.0, 5.0, f"GWP100 per litre, {name.replace('_', ' ')}")
      for name in ("tank_to_wheel", "well_to_tank", "well_to_wheel")),
    *(Field(name, "kg/MJ", 0.0, 0.5, f"GWP100 per MJ, {name}") for name in ("combustion", "upstream", "total")),
)

INVENTORY_FIELDS: dict[str, Field] = _fields(
    *(Field(f"{m}_share", "dimensionless", 0.0, 1.0, f"{m} share of the part's mass")
      for m in ("steel", "aluminium", "plastics", "glass", "rubber", "copper", "electronics", "magnet", "lead",
                "other", "wear_loss")),
    Field("mass_per_kw", "kg/kW", 0.0, 10.0, "mass per kW of peak power"),
    Field("magnet_per_kw", "kg/kW", 0.0, 1.0, "NdFeB magnet mass per kW"),
    Field("fixed_mass", "kg", 0.0, 500.0, "mass independent of power"),
    Field("mass", "kg", 0.0, 1000.0, "mass of the part"),
    Field("km_per_set", "km", 1000.0, 500000.0, "distance a set lasts"),
    Field("mass_per_km", "kg/km", 0.0, 0.1, "consumables per km"),
    Field("twelve_volt_replacements", "dimensionless", 0.0, 10.0, "12 V batteries replaced over the life"),
    Field("brake_pad_sets", "dimensionless", 0.0, 10.0, "brake-pad sets replaced over the life"),
)

PETROL_FIELDS: dict[str, Field] = _fields(
    Field("fuel_consumption", "l/hkm", 2.0, 30.0, "WLTP combined fuel consumption"),
    Field("curb_mass", "kg", 500.0, 3500.0, "curb mass"),
    Field("production_gwp", "kg", 1000.0, 50000.0, "GWP100 of making the car, cradle to gate [kg CO2e]"),
)

EOL_ELEMENTS = ("Li", "Ni", "Co", "Mn", "Cu", "Al", "graphite")
EOL_FIELDS: dict[str, Field] = _fields(
    *(Field(f"yield_{e}", "dimensionless", 0.0, 1.0, f"share of {e} recovered") for e in EOL_ELEMENTS),
    Field("gwp", "kg/kg", -50.0, 50.0, "process GWP100 per kg of battery treated, without electricity"),
    Field("electricity", "kWh/kg", 0.0, 100.0, "electricity per kg of battery treated"),
)

FRENCH_SCORE_FIELDS: dict[str, Field] = _fields(
    Field("steel_loss_rate", "dimensionless", 0.0, 0.9, "material lost in transformation, ferrous metals"),
    Field("aluminium_loss_rate", "dimensionless", 0.0, 0.9, "material lost in transformation, aluminium"),
    Field("sea_factor", "kg/(t*km)", 0.0, 1.0, "sea freight factor"),
    Field("sea_km_china", "km", 0.0, 40000.0, "sea leg China to France"),
    Field("sea_km_korea", "km", 0.0, 40000.0, "sea leg Korea to France"),
    Field("road_km_each_end", "km", 0.0, 5000.0, "road leg at each end of a sea crossing"),
    Field("max_points", "dimensionless", 1.0, 100.0, "points of the carbon-footprint criterion"),
    *(Field(f"ec_{level}_cat{c}", "kg", 0.0, 100000.0, f"footprint giving {pts} points, category {c} [kg CO2e]")
      for c in (1, 2) for level, pts in (("high", 0), ("low", "all"))),
    Field("eligibility_threshold", "dimensionless", 0.0, 100.0, "score needed for the bonus"),
    Field("cat2_min_seats", "dimensionless", 1.0, 9.0, "category 2 ('multi-usage'): seats at least"),
    Field("cat2_min_boot_volume", "l", 0.0, 2000.0, "category 2: boot volume above"),
    Field("cat2_min_range", "km", 0.0, 1000.0, "category 2: electric range at least"),
)

FRENCH_SCORE_COUNTRY_FIELDS: dict[str, Field] = _fields(
    Field("ef_ferrous", "kg/kg", 0.0, 20.0, "ferrous metals by country of steel making"),
    Field("ef_aluminium", "kg/kg", 0.0, 50.0, "aluminium by region of production"),
    Field("ef_other_materials", "kg/kg", 0.0, 20.0, "other materials"),
    Field("ef_battery_nmc811", "kg/kWh", 0.0, 500.0, "battery by region of production (NMC811 reference)"),
    Field("ef_manufacturing", "kg/kg", 0.0, 20.0, "transformations and assembly per kg of car without battery"),
    Field("ef_road", "kg/(t*km)", 0.0, 2.0, "road freight in the region"),
    Field("ef_rail", "kg/(t*km)", 0.0, 2.0, "rail freight in the region"),
)

VEHICLE_COST_FIELDS: dict[str, Field] = _fields(
    Field("parts_per_kg", "EUR/kg", 0.5, 100.0, "bought materials and parts per kg of car without battery"),
    Field("supplier_hours", "h", 0.0, 500.0, "labour in suppliers per car (outside the battery)"),
    Field("plant_capex", "EUR", 0.0, 50000.0, "plant investment per car of annual capacity"),
    Field("plant_life", "year", 1.0, 50.0, "depreciation life of the plant's equipment and tooling"),
    Field("overhead_share", "dimensionless", 0.0, 1.0, "overhead on conversion cost (R&D, SG&A, warranty)"),
    Field("scrap_share", "dimensionless", 0.0, 0.5, "parts and cars scrapped"),
    Field("sea_freight", "EUR", 0.0, 10000.0, "car carrier freight per car, China to Europe"),
    Field("truck_freight", "EUR/(t*km)", 0.0, 2.0, "car transporter freight"),
    Field("rail_freight", "EUR/(t*km)", 0.0, 2.0, "rail freight of finished cars (main leg)"),
    Field("price_floor_margin", "dimensionless", -0.5, 0.9, "margin over full cost below which a car is not sold"),
    Field("dealer_margin", "dimensionless", 0.0, 0.5, "dealer margin on the price"),
)

TRADE_FIELDS: dict[str, Field] = _fields(
    Field("ad_valorem_rate", "dimensionless", 0.0, 2.0, "duty as a share of the customs (CIF) value"),
    *(Field(f"amount_{k}", "EUR", 0.0, 100000.0, f"purchase aid, {k.replace('_', ' ')} households")
      for k in ("precarious", "modest", "other")),
    Field("max_price", "EUR", 0.0, 1e6, "highest price of an eligible car"),
    Field("max_mass", "kg", 0.0, 10000.0, "highest mass of an eligible car"),
    Field("min_environmental_score", "dimensionless", 0.0, 100.0, "lowest environmental score of an eligible car"),
)

#: Every keyed table the registry reads.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("elements", "element", ELEMENT_FIELDS, single_field="atomic_weight", needs_meta=False),
    TableSpec("cells", "cell", CELL_FIELDS, ("name", "chemistry", "format", "cathode", "anode",
                                              "casing_material")),
    TableSpec("pack_architectures", "architecture", ARCHITECTURE_FIELDS, ("name",)),
    TableSpec("materials", "material", {}, ("name", "composition"), needs_meta=True),
    TableSpec("material_prices", "material", PRICE_FIELDS, single_field="price", needs_meta=False),
    TableSpec("countries", "country", COUNTRY_FIELDS, ("name", "region")),
    TableSpec("regions", "region", REGION_FIELDS, ("name",)),
    TableSpec("sites", "site", SITE_FIELDS, ("name", "country", "kind", "source")),
    TableSpec("grid_intensity", "country", GRID_FIELDS, single_field="intensity", needs_meta=False, by_year=True),
    TableSpec("material_footprints", "material", FOOTPRINT_FIELDS, needs_meta=False),
    TableSpec("processes", "process", PROCESS_FIELDS, needs_meta=False),
    TableSpec("transport", "mode", TRANSPORT_FIELDS, single_field="factor", needs_meta=False),
    TableSpec("sea_routes", "route", SEA_ROUTE_FIELDS, single_field="distance", needs_meta=False),
    TableSpec("fuels", "fuel", FUEL_FIELDS, needs_meta=False),
    TableSpec("vehicle_inventory", "item", INVENTORY_FIELDS, needs_meta=False),
    TableSpec("petrol_counterparts", "segment", PETROL_FIELDS, ("name",)),
    TableSpec("eol_routes", "route", EOL_FIELDS, needs_meta=False),
    TableSpec("french_score", "item", FRENCH_SCORE_FIELDS, needs_meta=False),
    TableSpec("french_score_countries", "country", FRENCH_SCORE_COUNTRY_FIELDS, needs_meta=False),
    TableSpec("vehicle_cost", "item", VEHICLE_COST_FIELDS, needs_meta=False),
    TableSpec("trade", "measure", TRADE_FIELDS, needs_meta=False),
)
