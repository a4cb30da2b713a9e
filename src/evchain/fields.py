"""The fields the model reads: canonical unit, physical bounds and meaning.

This is a schema, not data: it says in which unit each field is held inside the
model and what values are physically possible. The values themselves live in
``evchain/data`` with their units and sources.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A numeric field: canonical unit, inclusive bounds, meaning."""

    name: str
    unit: str
    low: float
    high: float
    doc: str

    def check(self, value: float) -> str | None:
        """``None`` if ``value`` is inside the bounds, else what is allowed."""
        if not (self.low <= value <= self.high):
            return f"{self.low:g} to {self.high:g} {self.unit}".rstrip()
        return None


def _fields(*items: Field) -> dict[str, Field]:
    return {f.name: f for f in items}


#: Vehicle fields: every one may be overridden by a study variant.
VEHICLE_FIELDS: dict[str, Field] = _fields(
    Field("curb_mass", "kg", 300.0, 4000.0,
          "mass in running order (EU: with 90 % fuel/fluids and a 75 kg driver)"),
    Field("gross_mass", "kg", 300.0, 5000.0, "technically permissible maximum laden mass"),
    Field("payload", "kg", 0.0, 2000.0,
          "mass added to curb mass on the cycle (WLTP: 25 kg + 15 % of max payload for M1)"),
    Field("drag_coefficient", "dimensionless", 0.12, 0.8, "aerodynamic drag coefficient Cd"),
    Field("frontal_area", "m**2", 1.0, 6.0, "frontal area A"),
    Field("rolling_resistance", "dimensionless", 0.003, 0.03, "tyre rolling-resistance coefficient"),
    Field("rotating_mass_factor", "dimensionless", 0.0, 0.3,
          "equivalent inertia of rotating parts as a share of test mass"),
    Field("motor_power", "kW", 5.0, 1500.0, "peak power of the traction motor(s)"),
    Field("max_speed", "km/h", 50.0, 400.0, "maximum speed"),
    Field("aux_power", "kW", 0.0, 15.0, "auxiliary electric load on the battery"),
    Field("transmission_efficiency", "dimensionless", 0.7, 1.0, "reducer efficiency"),
    Field("battery_usable", "kWh", 3.0, 300.0, "usable (net) battery energy"),
    Field("battery_capacity", "kWh", 3.0, 320.0, "total (gross) battery energy"),
    Field("battery_voltage", "V", 48.0, 1200.0, "pack open-circuit voltage, nominal"),
    Field("battery_resistance", "ohm", 0.001, 2.0, "pack internal resistance"),
    Field("battery_charge_power", "kW", 1.0, 1500.0,
          "highest power the battery accepts (limits regeneration)"),
    Field("ac_charge_power", "kW", 1.0, 50.0, "AC charging power used to recharge after the cycle"),
    Field("charger_efficiency", "dimensionless", 0.5, 1.0,
          "wall-to-battery-terminal efficiency of AC charging"),
    Field("regen_cutoff_speed", "km/h", 0.0, 60.0,
          "speed below which braking is left to the friction brakes"),
    Field("regen_fade_speed", "km/h", 0.0, 80.0,
          "speed above which regenerative braking is fully available"),
    Field("seats", "dimensionless", 1.0, 9.0, "seating places"),
    Field("boot_volume", "l", 0.0, 3000.0, "luggage volume, rear seats up"),
)

#: Published figures kept with each reference vehicle for validation; never model inputs.
PUBLISHED_FIELDS: dict[str, Field] = _fields(
    Field("wltp_energy_wall", "kWh/hkm", 5.0, 60.0,
          "official WLTP combined electric energy consumption, from the wall"),
    Field("wltp_range", "km", 20.0, 1500.0, "official WLTP combined all-electric range"),
    Field("length", "m", 2.0, 7.0, "overall length"),
    Field("width", "m", 1.2, 2.6, "overall width without mirrors"),
    Field("height", "m", 1.0, 3.0, "overall height"),
)

#: Generic parameters of the model (not tied to a vehicle).
PARAMETER_FIELDS: dict[str, Field] = _fields(
    Field("gravity", "m/s**2", 9.7, 9.9, "standard acceleration of gravity"),
    Field("air_density", "kg/m**3", 0.9, 1.4, "air density on the test"),
    Field("driver_mass", "kg", 50.0, 100.0, "driver mass counted in the mass in running order"),
    Field("wltp_added_mass", "kg", 0.0, 100.0, "WLTP: mass added to the mass in running order"),
    Field("wltp_payload_share", "dimensionless", 0.0, 1.0,
          "WLTP: share of the maximum payload added for M1 vehicles"),
    Field("wltp_class1_max_pmr", "W/kg", 0.0, 100.0, "WLTC class 1 upper power-to-mass ratio"),
    Field("wltp_class2_max_pmr", "W/kg", 0.0, 100.0, "WLTC class 2 upper power-to-mass ratio"),
    Field("wltp_class3b_min_speed", "km/h", 0.0, 300.0, "WLTC class 3b lowest maximum speed"),
    Field("wltp_downscale_inertia_factor", "dimensionless", 1.0, 1.2,
          "rotating-mass factor k_r of the WLTC downscaling's required power"),
    Field("wltp_downscale_threshold", "dimensionless", 0.0, 0.5, "smallest downscaling factor applied"),
    # defaults for vehicle fields that makers do not publish
    *(Field(f.name, f.unit, f.low, f.high, "default: " + f.doc) for f in (
        VEHICLE_FIELDS["rolling_resistance"],
        VEHICLE_FIELDS["rotating_mass_factor"],
        VEHICLE_FIELDS["aux_power"],
        VEHICLE_FIELDS["transmission_efficiency"],
        VEHICLE_FIELDS["battery_resistance"],
        VEHICLE_FIELDS["charger_efficiency"],
        VEHICLE_FIELDS["ac_charge_power"],
        VEHICLE_FIELDS["regen_cutoff_speed"],
        VEHICLE_FIELDS["regen_fade_speed"],
    )),
    Field("max_payload", "kg", 100.0, 1500.0, "default maximum payload when no gross mass is known"),
    # battery making (costs by region are in regions.csv)
    Field("cell_plant_life", "year", 3.0, 40.0, "depreciation life of cell-plant equipment"),
    Field("cost_of_capital", "dimensionless", 0.0, 0.3, "real cost of capital of battery plants"),
    Field("cell_electricity", "kWh/kWh", 1.0, 150.0, "electricity to make a kWh of cells (all-electric plant)"),
    Field("overhead_share", "dimensionless", 0.0, 0.5,
          "overhead (SG&A, R&D) as a share of a cell's conversion cost"),
    Field("warranty_share", "dimensionless", 0.0, 0.2, "warranty provision as a share of the pack cost"),
    # life cycle
    Field("lifetime_km", "km", 1000.0, 2e6, "default distance over a car's life"),
    Field("vehicle_lifetime_years", "year", 1.0, 40.0, "default years of use (sets the yearly distance)"),
    Field("default_year", "dimensionless", 1990.0, 2100.0, "default year a car is made"),
    Field("road_detour", "dimensionless", 1.0, 2.0, "road distance over great-circle distance"),
    Field("rail_detour", "dimensionless", 1.0, 2.0, "rail distance over great-circle distance"),
    Field("continental_road_km", "km", 0.0, 10000.0, "typical truck leg between two countries of a region"),
    Field("intercontinental_sea_km", "km", 0.0, 40000.0, "sea leg between regions (Shanghai to Rotterdam)"),
    Field("feqc_per_year", "1/year", 1.0, 1000.0, "full equivalent cycles a year (EU CF rules, cars and vans)"),
    Field("battery_service_life", "year", 1.0, 30.0, "battery service life for the CF functional unit (warranty)"),
    Field("cff_a", "dimensionless", 0.0, 1.0, "Circular Footprint Formula allocation factor A (metals)"),
    Field("plant_utilisation", "dimensionless", 0.05, 1.0, "output over capacity of a car plant"),
    Field("rare_earth_share_ndfeb", "dimensionless", 0.0, 1.0, "rare-earth share of NdFeB magnets (Nd, Pr, Dy)"),
    *(Field(f"rc_min_{e}_{y}", "dimensionless", 0.0, 1.0, f"minimum recycled {e} share from {y} (Art. 8)")
      for e in ("cobalt", "lithium", "nickel") for y in (2031, 2036)),
)

#: Vehicle fields that may fall back on a generic parameter of the same name.
DEFAULTED_FIELDS: tuple[str, ...] = (
    "rolling_resistance", "rotating_mass_factor", "aux_power", "transmission_efficiency", "battery_resistance",
    "charger_efficiency", "ac_charge_power", "regen_cutoff_speed", "regen_fade_speed",
)
