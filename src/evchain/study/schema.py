"""The study-file schema (TOML), validated with pydantic.

A study has a ``[study]`` header and one or more ``[[variants]]``. A variant names a
shipped (or user) vehicle by id and may override any vehicle field with units::

    [study]
    name = "Renault 5 E-Tech, 52 kWh, on WLTP"

    [[variants]]
    id = "r5-52"
    vehicle = "renault-5-etech-52"
    curb_mass = "1450 kg"

``[defaults]`` holds overrides applied to every variant (a variant's own value wins).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from evchain.fields import VEHICLE_FIELDS


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a quantity such as '1450 kg' or a number, not true/false")
    return value


Quantity = Annotated[str | float | int, BeforeValidator(_not_bool)]


class StudyHeader(BaseModel):
    """The ``[study]`` table."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    data: list[str] = Field(default_factory=list, description="user data folders, relative to the file")
    seed: int = Field(default=0, ge=0, description="random seed recorded with the results")
    eol_approach: str = Field(default="cut-off", pattern=r"^(cut-off|cff)$",
                              description="end-of-life allocation: 'cut-off' or 'cff' (Circular Footprint Formula)")
    extrapolate_grid: bool = Field(default=False, description="hold the nearest year's grid intensity beyond the data")


class BatterySpec(BaseModel):
    """A variant's ``battery`` table: which cells, how packed, how big, made where.

    ``capacity`` is the usable energy; ``target_range`` sizes the pack for a WLTP range
    instead (the pack's mass and the car's consumption are solved together). Cells are
    picked by ``cell`` id, or by ``chemistry`` (and ``format``). Sites are site ids or
    ISO country codes.
    """

    model_config = ConfigDict(extra="forbid")

    cell: str | None = Field(default=None, description="cell id of cells.toml")
    chemistry: str | None = Field(default=None, description="LFP, LMFP, NMC811, NMC622, NCA or Na-ion")
    format: str | None = Field(default=None, description="prismatic, blade, pouch, cylindrical-4680, ...")
    architecture: str | None = Field(default=None, description="module-to-pack or cell-to-pack")
    capacity: Quantity | None = Field(default=None, description="usable energy, e.g. '40 kWh'")
    target_range: Quantity | None = Field(default=None, description="WLTP range to size the pack for")
    cell_site: str | None = Field(default=None, description="where cells are made: site id or country")
    pack_site: str | None = Field(default=None, description="where the pack is assembled: site id or country")
    recycled_content: dict[str, Quantity] | None = Field(
        default=None, description="recycled shares in the active materials, e.g. { Co = 0.16, Li = '6 %', Ni = 0.06 }")
    recycling_route: str | None = Field(default=None, description="pyrometallurgical, hydrometallurgical or direct")
    materials_region: str | None = Field(
        default=None, pattern=r"^(china|europe|world)$",
        description="where the cells' materials are made (default china, where most cathode and anode material is)")
    materials_site: str | None = Field(
        default=None, description="where the cells' active materials are made: site id (e.g. a cathode plant) "
        "or country code; its country's grid and region replace materials_region, and its leg to the cell plant "
        "is counted")
    cell_electricity_intensity: Quantity | None = Field(
        default=None, description="supplier-specific (directly connected) electricity of the cell plant, "
        "e.g. '20 g/kWh'; default: the country's national mix")
    second_life_share: Quantity | None = Field(
        default=None, description="share of the battery's burden given to a second life (0 to 1)")


_override_fields: dict[str, Any] = {
    name: (Quantity | None, Field(default=None, description=spec.doc))
    for name, spec in VEHICLE_FIELDS.items()
}

#: Overrides that a variant or ``[defaults]`` may set: every vehicle field and the cycle.
Overrides = create_model(  # type: ignore[call-overload]
    "Overrides",
    __config__=ConfigDict(extra="forbid"),
    cycle=(str | None, Field(default=None, description="cycle id, 'wltc', or a CSV path")),
    battery=(BatterySpec | None, Field(default=None, description="cells, architecture, size and sites")),
    use_country=(str | None, Field(default=None, description="country where the car is driven and charged")),
    year=(int | None, Field(default=None, ge=1990, le=2100, description="year the car is made (use starts then)")),
    lifetime_km=(Quantity | None, Field(default=None, description="distance over the car's life, e.g. '200,000 km'")),
    assembly_site=(str | None, Field(default=None, description="vehicle plant: site id or country code")),
    land_mode=(str | None, Field(default=None, pattern=r"^(road|rail)$",
                                 description="land legs by road (default) or rail")),
    motor_site=(str | None, Field(default=None, description="where the electric drive (motor, inverter, reducer) "
                                  "is made: site id or country code; default the vehicle's, else its plant")),
    energy_wall_kwh_per_100km=(Quantity | None, Field(
        default=None, description="consumption from the wall [kWh/100 km]; given, it skips the drive cycle")),
    **_override_fields,
)


class Variant(Overrides):  # type: ignore[misc,valid-type]
    """One ``[[variants]]`` entry: a vehicle id and its overrides."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)
    vehicle: str
    label: str = ""


class ProgrammeSpec(BaseModel):
    """A ``[[plan.programmes]]`` entry: a variant to build, its yearly volumes and candidate plants."""

    model_config = ConfigDict(extra="forbid")

    variant: str = Field(description="id of a variant of the study (the car and its battery)")
    volume: list[float] = Field(min_length=1, description="cars a year, one per plan year")
    plants: list[str] = Field(min_length=1, description="candidate car plants (site ids)")
    cell_plants: list[str] = Field(min_length=1, description="candidate cell plants (site ids or country codes)")


class PlanSpec(BaseModel):
    """The ``[plan]`` table read by ``evchain plan``."""

    model_config = ConfigDict(extra="forbid")

    years: list[int] = Field(min_length=1)
    programmes: list[ProgrammeSpec] = Field(min_length=1)
    carbon_cap: Quantity | None = Field(default=None, description="life-cycle GWP cap over the plan, e.g. '2 Mt'")
    local_content_floor: float | None = Field(default=None, ge=0.0, le=1.0,
                                              description="lowest share of value added made in the EU")
    plant_capacity: dict[str, float] = Field(default_factory=dict, description="cars a year, replacing the data's")
    cell_capacity: dict[str, Quantity] = Field(default_factory=dict, description="e.g. { catl-debrecen = '40 GWh' }")


class StudyFile(BaseModel):
    """A whole study file."""

    model_config = ConfigDict(extra="forbid")

    study: StudyHeader
    plan: PlanSpec | None = None
    defaults: Overrides = Field(default_factory=Overrides)  # type: ignore[valid-type]
    variants: list[Variant] = Field(min_length=1)


def allowed_keys(table: str) -> list[str]:
    """Keys allowed in a table of the study file (for error messages)."""
    if table == "study":
        return list(StudyHeader.model_fields)
    if table == "defaults":
        return list(Overrides.model_fields)
    if table == "variants":
        return list(Variant.model_fields)
    if table == "battery":
        return list(BatterySpec.model_fields)
    return list(StudyFile.model_fields)
