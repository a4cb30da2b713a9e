"""The impact step of the chain: life-cycle GWP, the battery's EU declaration, circularity.

Outputs per case (module :mod:`evchain.lca.model` gives the stages):

``gwp_total_kgco2e``, ``gwp_per_km_gco2e``, ``gwp_by_stage_kgco2e``
    the car over its life; with ``eol_approach = "cff"`` the total includes the Circular
    Footprint Formula credit ``gwp_eol_credit_kgco2e`` (always reported).
``gwp_petrol_counterpart_kgco2e``, ``breakeven_km``
    a petrol car of the same segment over the same distance, and where the two cross.
``battery_cf_kgco2e_per_kwh``, ``battery_cf_by_stage_kgco2e_per_kwh``
    EU Battery Regulation (2023/1542, Art. 7, Annex II) declaration: the battery's
    footprint in the four regulatory stages over the energy it delivers in its service
    life, ``E = usable capacity x FEqC a year x years`` (draft delegated act, 2024).
``critical_materials_kg``, ``recycled_content_meets_2031``, ``recycled_content_meets_2036``.

Circular Footprint Formula credit (PEF, materials part, with Q_s/Q_p = 1): the recovered
mass of each element ``R_2 m`` displaces virgin material with a share ``1 - A``::

    credit = -(1 - A) Σ_e m_e y_e gwp_e        (y_e: the route's recovery yield)

Recycled content ``R_1`` of Co, Li and Ni lowers the materials stage: that share of the
element carries the recycling route's burden (spread over the mass the route recovers)
instead of the virgin chain's, in full with the cut-off approach and for a share ``A``
with the CFF (whose other ``1 - A`` is the previous life's credit)::

    saving = Σ_e R_1,e m_e max(gwp_e - b_rec, 0) x (1 or A)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evchain.arrays import map_values
from evchain.battery import model as bm
from evchain.battery.materials import formula_fractions
from evchain.data.registry import DataSet
from evchain.lca import model as lm
from evchain.lca.inventory import powertrain_sum, unit
from evchain.schema_tables import EOL_ELEMENTS

#: Element -> (the virgin material it displaces, its formula for the element's mass share).
VIRGIN = {"Li": ("lithium-carbonate", "Li2CO3"), "Ni": ("nickel-sulfate", "NiSO10H12"),
          "Co": ("cobalt-sulfate", "CoSO11H14"), "Cu": ("copper", "Cu"), "Al": ("aluminium", "Al"),
          "Mn": ("nickel-sulfate", "NiSO10H12"), "graphite": ("graphite-synthetic", "C")}
CF_STAGES = ("raw_material_acquisition", "main_production", "distribution", "end_of_life")


_CREDITS: dict[tuple[int, str], np.ndarray] = {}


def _credits_per_kg(data: DataSet) -> np.ndarray:
    """:func:`_credit_per_kg` of each element of ``EOL_ELEMENTS`` (computed once per data set)."""
    key = (id(data), data.version)
    if key not in _CREDITS:
        _CREDITS[key] = np.array([_credit_per_kg(data, e) for e in EOL_ELEMENTS])
    return _CREDITS[key]


def _credit_per_kg(data: DataSet, element: str) -> float:
    """GWP of the virgin material per kg of ``element`` it contains [kg CO2e/kg]."""
    material, formula = VIRGIN[element]
    if element == "Mn":  # manganese sulfate has no footprint of its own in the data: no credit claimed
        return 0.0
    weights = {e: r.value("atomic_weight") for e, r in data.table("elements").items()}
    share = formula_fractions(formula, weights).get(element if element != "graphite" else "C", 1.0)
    fp = lm.footprint(data, material, "world")
    basis = data.table("material_footprints")[material].get("grid_basis_world", 0.0)
    return (fp.a + fp.e * basis / 1000.0) / share


def impact_outputs(data: DataSet, battery: bm.BatteryContext, rows: bm.Rows, pack: Any, case: lm.Case,
                   materials_kg: dict[str, np.ndarray], context: dict[str, np.ndarray], eol_approach: str = "cut-off",
                   extrapolate: bool = False, details: bool = True) -> dict[str, Any]:
    """Every impact output (module docstring), arrays over cases. ``materials_kg``: Li, Ni, Co, Mn,
    graphite, Cu and Al [kg per pack], each an array over cases."""
    ctx = lm.context(data, battery)
    route = context["recycling_route"]
    routes = data.table("eol_routes")
    route_ids = sorted(routes)
    route_row = map_values(route, route_ids.index, np.int64)
    route_a = np.array([routes[r].get("gwp", 0.0) for r in route_ids])[route_row]
    route_e = np.array([routes[r].get("electricity", 0.0) for r in route_ids])[route_row]
    parts: dict[str, np.ndarray] = {}
    stage = lm.stages(ctx, battery, rows, pack, case, (route_a, route_e), extrapolate, parts)
    second_life = context["second_life_share"]
    battery_stages = ("materials", "cell_making", "pack_assembly")
    for name in battery_stages:  # a second life carries its share of making the battery
        stage[name] = stage[name] * (1.0 - second_life)
    # Circular Footprint Formula credit for what recycling recovers
    content = {e: materials_kg[e] for e in EOL_ELEMENTS if e in materials_kg}
    yield_table = np.array([[routes[r].get(f"yield_{e}", 0.0) for e in EOL_ELEMENTS] for r in route_ids])
    per_kg = _credits_per_kg(data)
    recovered_kg = np.zeros(len(route_row))
    credit_kg = np.zeros(len(route_row))  # Σ_e m_e y_e gwp_e
    for k, element in enumerate(EOL_ELEMENTS):
        if element in content:
            recovered = content[element] * yield_table[:, k].take(route_row)
            recovered_kg += recovered
            credit_kg += recovered * per_kg[k]
    a_cff = data.parameter("cff_a")
    credit = -(1.0 - a_cff) * credit_kg
    # recycled content (Co, Li, Ni): that share of the element is recycled material, whose burden is the
    # recycling route's, spread over the mass it recovers, instead of the virgin chain's
    with np.errstate(divide="ignore", invalid="ignore"):
        recycled_burden = np.where(recovered_kg > 0, stage["end_of_life"] / recovered_kg, 0.0)
    saving = np.zeros(len(route_row))
    for element in ("Co", "Li", "Ni"):
        share = context[f"recycled_{element}"]
        if not np.isfinite(share).any():
            continue  # no recycled content given: nothing saved
        share = np.nan_to_num(share, nan=0.0)
        k = EOL_ELEMENTS.index(element)
        avoided = np.maximum(per_kg[k] - recycled_burden, 0.0)
        # cut-off: the recycled input carries only its recycling; CFF: a share A of the virgin burden avoided
        factor = a_cff if eol_approach == "cff" else 1.0
        saving += share * content[element] * avoided * factor
    stage["materials"] = stage["materials"] - saving * (1.0 - second_life)
    total = sum(stage.values())
    if eol_approach == "cff":
        total = total + credit
    out: dict[str, Any] = {
        "gwp_total_kgco2e": total,
        "gwp_per_km_gco2e": 1000.0 * total / case.lifetime_km,
        "gwp_eol_credit_kgco2e": credit,
        "battery_recovered_kg": recovered_kg,
    }
    # petrol counterpart of the segment, over the same distance
    production, petrol_per_km = petrol_counterpart(data, case.segment)
    out["gwp_petrol_counterpart_kgco2e"] = production + petrol_per_km * case.lifetime_km
    ev_per_km = stage["use"] / case.lifetime_km
    ev_fixed = total - stage["use"]
    gap = petrol_per_km - ev_per_km
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where(gap > 0, np.maximum((ev_fixed - production) / gap, 0.0), np.inf)
    out["breakeven_km"] = breakeven
    # EU battery carbon-footprint declaration
    battery_legs = parts["battery_logistics"]
    whole = 1.0 / np.maximum(1.0 - second_life, 1e-12)  # the declaration covers the whole battery
    cf_abs = {"raw_material_acquisition": stage["materials"] * whole,
              "main_production": (stage["cell_making"] + stage["pack_assembly"]) * whole,
              "distribution": battery_legs, "end_of_life": stage["end_of_life"]}
    service_kwh = pack.usable_kwh * data.parameter("feqc_per_year") * data.parameter("battery_service_life")
    cf_total = cf_abs["raw_material_acquisition"] + cf_abs["main_production"] + battery_legs + stage["end_of_life"]
    out["battery_cf_kgco2e_per_kwh"] = cf_total / service_kwh
    out["battery_cf_total_kgco2e"] = cf_total
    # recycled content against Art. 8
    any_given = any(np.isfinite(context[f"recycled_{e}"]).any() for e in ("Co", "Li", "Ni"))
    for year in (2031, 2036):
        if not any_given:  # no recycled content stated: nothing to check
            out[f"recycled_content_meets_{year}"] = np.zeros(len(route_row), dtype=bool)
            continue
        ok = np.ones(len(route_row), dtype=bool)
        given = np.zeros(len(route_row), dtype=bool)
        for element, name in (("Co", "cobalt"), ("Li", "lithium"), ("Ni", "nickel")):
            share = context[f"recycled_{element}"]
            given |= np.isfinite(share)
            needed = content[element] > 0  # a chemistry without the element has nothing to meet
            ok &= ~needed | (np.nan_to_num(share, nan=0.0) >= data.parameter(f"rc_min_{name}_{year}"))
        out[f"recycled_content_meets_{year}"] = np.where(given, ok, False)
    if details:
        inv, kw, kind = ctx.inventory, case.motor_kw, case.wound_rotor
        rare = powertrain_sum(inv, unit("ndfeb"), kw, kind) * data.parameter("rare_earth_share_ndfeb")
        natural = np.array([data.table("cells")[c].get("natural_graphite_share", 0.0) for c in battery.lib.cells])
        critical = {
            "Li": materials_kg["Li"], "Ni": materials_kg["Ni"], "Co": materials_kg["Co"], "Mn": materials_kg["Mn"],
            "natural_graphite": materials_kg["graphite"] * natural[rows.cell],
            "Cu": materials_kg["Cu"] + powertrain_sum(inv, unit("copper"), kw, kind),
            "rare_earths": rare,
        }
        out["gwp_by_stage_kgco2e"] = _objects(stage, lm.STAGES)
        out["battery_cf_by_stage_kgco2e_per_kwh"] = _objects({k: v / service_kwh for k, v in cf_abs.items()},
                                                             CF_STAGES)
        out["critical_materials_kg"] = _objects(critical, tuple(critical))
    else:
        for name in lm.STAGES:
            out[f"gwp_{name}_kgco2e"] = stage[name]
    return out


def petrol_counterpart(data: DataSet, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The petrol car of each segment (B where the data have none): its production [kg CO2e]
    and its fuel's well-to-wheel GWP per km [kg CO2e/km]."""
    petrol = data.table("petrol_counterparts")
    seg = map_values(segment, lambda s: s if s in petrol else "B")
    production = map_values(seg, lambda s: petrol[s].value("production_gwp"), np.float64)
    fuel = map_values(seg, lambda s: petrol[s].value("fuel_consumption"), np.float64)  # l/100 km
    return production, fuel / 100.0 * data.table("fuels")["petrol"].value("well_to_wheel")


def _objects(columns: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    values = np.stack([columns[n] for n in names], axis=1)
    out = np.empty(values.shape[0], dtype=object)
    for i, row in enumerate(values.tolist()):
        out[i] = dict(zip(names, row, strict=True))
    return out
