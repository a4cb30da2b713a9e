"""What a car costs to make at a plant and to land in its market, and where its value is added.

Per car [EUR] (``vehicle_cost.csv``, ``sites.csv``, ``countries.csv``, ``trade.csv``)::

    battery    the pack's cost (battery step), made where the study says
    parts      m_no_battery x parts_per_kg                       bought materials and parts
    labour     h_plant x w_car + h_suppliers x w                 plant: car-industry wage of its country
                                                                 (w_car, else w); suppliers taken as local
    energy     q_assembly x electricity price(plant country)
    capital    K x CRF(i, n) / u                                 plant investment per car of capacity
    overhead   o x (labour + energy + capital)
    scrap      s x (parts + battery)
    logistics  routed legs to the market (sites/routes.py): t x road km x EUR/(t km) (by rail:
               its detour and rate), plus the China-Europe ro-ro freight per car scaled by the
               sea distance
    duties     customs value x (EU duty + countervailing duty on Chinese BEVs), zero inside
               the EU and for customs-union or association partners (Türkiye, Morocco)

    manufacturing = battery + parts + labour + energy + capital + overhead + scrap
    landed = manufacturing + logistics + duties
    price floor = landed (1 + margin) / (1 - dealer margin)

Value added by country: the battery's materials where they are made, its cell conversion
in the cell plant's country, pack parts and assembly in the pack plant's; everything of
the car (parts, labour, energy, capital, overhead, scrap) in the plant's country.
Logistics and duties add no value. Labour hours follow the same split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import factorize, ids, map_values, where
from evchain.battery.cost import capital_recovery_factor
from evchain.data.registry import DataSet

CATEGORIES = ("battery", "parts", "labour", "energy", "capital", "overhead", "scrap", "logistics", "duties")
MANUFACTURING = CATEGORIES[:7]
EU_FREE = ("TR", "MA")  #: customs union (Türkiye) and association agreement (Morocco): no EU duty on cars


@dataclass(frozen=True)
class CarCostInputs:
    """Arrays over cases (countries as ISO codes, sites as ids)."""

    plant_site: np.ndarray
    plant_country: np.ndarray
    market_country: np.ndarray
    mass_no_battery_kg: np.ndarray
    mass_kg: np.ndarray
    pack_cost_eur: np.ndarray
    battery_value_added: dict[str, np.ndarray]  #: country code -> EUR per car (battery's value added)
    battery_hours: dict[str, np.ndarray]  #: country code -> h per car
    cvd_measure: np.ndarray  #: trade.csv measure of the maker's countervailing duty ('' for none)
    vehicle_electricity_kwh: float  #: electricity per car assembled [kWh]
    by_rail: np.ndarray | None = None  #: bool: the car's land leg by rail instead of road


def car_cost(data: DataSet, x: CarCostInputs) -> dict[str, np.ndarray]:
    """Cost by category, manufacturing and landed cost, price floor [EUR per car]."""
    car = data.table("vehicle_cost")["car"]
    sites, countries, trade = data.table("sites"), data.table("countries"), data.table("trade")
    labour_cost = map_values(x.plant_country, lambda c: countries[c].value("labour_cost"), np.float64)
    plant_wage = map_values(x.plant_country, lambda c: countries[c].get("vehicle_labour_cost",
                                                                        countries[c].value("labour_cost")), np.float64)
    power_price = map_values(x.plant_country, lambda c: countries[c].value("electricity_price"), np.float64)
    hours = map_values(x.plant_site, lambda s: sites[s].get("hours_per_vehicle", np.nan) if s in sites else np.nan,
                       np.float64)
    default_hours = np.nanmedian([r.values["hours_per_vehicle"].value for r in sites.values()
                                  if "hours_per_vehicle" in r.values])
    hours = np.where(np.isfinite(hours), hours, default_hours)
    out: dict[str, np.ndarray] = {"battery": x.pack_cost_eur}
    out["parts"] = x.mass_no_battery_kg * car.value("parts_per_kg")
    out["labour"] = hours * plant_wage + car.value("supplier_hours") * labour_cost
    out["energy"] = x.vehicle_electricity_kwh * power_price
    crf = float(capital_recovery_factor(data.parameter("cost_of_capital"), car.value("plant_life")))
    out["capital"] = np.full(x.mass_kg.shape, car.value("plant_capex") * crf / data.parameter("plant_utilisation"))
    out["overhead"] = car.value("overhead_share") * (out["labour"] + out["energy"] + out["capital"])
    out["scrap"] = car.value("scrap_share") * (out["parts"] + out["battery"])
    manufacturing: np.ndarray = out[MANUFACTURING[0]].copy()
    for name in MANUFACTURING[1:]:
        manufacturing += out[name]

    out["logistics"] = _logistics(data, x, car.value("truck_freight"), car.value("sea_freight"))
    if x.by_rail is not None and x.by_rail.any():  # the land leg by rail: its own distance and rate
        rail = _logistics(data, x, car.value("rail_freight") * data.parameter("rail_detour")
                          / data.parameter("road_detour"), car.value("sea_freight"))
        out["logistics"] = np.where(x.by_rail, rail, out["logistics"])
    in_eu = map_values(x.plant_country, lambda c: bool(countries[c].meta.get("eu", False)) if c in countries
                       else False, bool)
    free = in_eu | map_values(x.plant_country, lambda c: c in EU_FREE, bool)
    mfn = trade["eu-mfn-duty-cars"].value("ad_valorem_rate")
    cvd = map_values(x.cvd_measure, lambda m: trade[m].value("ad_valorem_rate") if m in trade else 0.0, np.float64)
    rate = np.where(free, 0.0, mfn + np.where(map_values(x.plant_country, lambda c: c == "CN", bool), cvd, 0.0))
    out["duties"] = rate * (manufacturing + out["logistics"])  # customs value: cost, insurance, freight
    landed = manufacturing + out["logistics"] + out["duties"]
    result = dict(out)
    result["manufacturing"] = manufacturing
    result["landed"] = landed
    result["price_floor"] = landed * (1.0 + car.value("price_floor_margin")) / (1.0 - car.value("dealer_margin"))
    result["plant_hours"] = hours
    result["plant_labour"] = hours * plant_wage  # the plant's own labour per car assembled [EUR]
    return result


def _logistics(data: DataSet, x: CarCostInputs, truck_freight: float, sea_freight: float) -> np.ndarray:
    """The car's trip from its plant to its market [EUR]: routed legs (:mod:`evchain.sites.routes`),
    trucked at ``truck_freight`` [EUR/(t km)] and shipped at ``sea_freight`` per car for the
    China-Europe crossing (``intercontinental_sea_km``), in proportion to the sea distance. A market
    that is no country of the data (the EU) takes a typical truck leg between countries and the
    whole crossing from overseas plants."""
    from evchain.sites.routes import legs_km

    countries = data.table("countries")
    tonnes = x.mass_kg / 1000.0
    known = map_values(x.market_country, lambda c: c in countries, bool)
    road, sea = legs_km(data, x.plant_site, where(known, x.market_country, x.plant_country))
    routed = tonnes * road * truck_freight + sea_freight * sea / data.parameter("intercontinental_sea_km")
    if known.all():
        return routed

    def continent(code: str) -> str:
        return str(countries[code].meta.get("continent", "")) if code in countries else ""

    overseas = map_values(x.plant_country, lambda c: continent(c) not in ("europe", "africa"), bool)
    truck = tonnes * data.parameter("continental_road_km") * data.parameter("road_detour") * truck_freight
    same = ids(x.plant_country) == ids(x.market_country)
    typical = np.where(overseas, sea_freight, np.where(same, 0.0, truck))
    return np.where(known, routed, typical)


def value_added(data: DataSet, x: CarCostInputs, cost: dict[str, np.ndarray]
                ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Value added [EUR per car] and labour [h per car] by country code."""
    car_side = cost["parts"] + cost["labour"] + cost["energy"] + cost["capital"] + cost["overhead"] + cost["scrap"]
    added: dict[str, np.ndarray] = {k: v.copy() for k, v in x.battery_value_added.items()}
    hours: dict[str, np.ndarray] = {k: v.copy() for k, v in x.battery_hours.items()}
    plant_hours = cost["plant_hours"] + data.table("vehicle_cost")["car"].value("supplier_hours")
    codes, rows = factorize(x.plant_country)
    for i, code in enumerate(codes):
        here = rows == i if len(codes) > 1 else True  # one plant country: every case
        added[code] = added[code] + car_side * here if code in added else car_side * here
        hours[code] = hours[code] + plant_hours * here if code in hours else plant_hours * here
    return added, hours


def value_added_sums(data: DataSet, added: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value added in all, in the EU and in France [EUR per car]."""
    countries = data.table("countries")
    first = next(iter(added.values()))
    total, eu = np.zeros_like(first), np.zeros_like(first)
    for code, value in added.items():
        total += value
        if code in countries and countries[code].meta.get("eu"):
            eu += value
    return total, eu, added.get("FR", np.zeros_like(total))


def shares_of(total: np.ndarray, eu: np.ndarray, france: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the EU's and France's value added in the total [-] (NaN where nothing is added)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, eu / total, np.nan), np.where(total > 0, france / total, np.nan)
