"""France's environmental score of electric cars, which gates the bonus (score >= 60 of 80).

Arrêté du 7 octobre 2023 relatif au calcul du score environnemental, as amended by the arrêté
of 23 January 2025 (manufacturing site instead of assembly site), Annexe I; constants in
``french_score.csv`` and ``french_score_countries.csv``. The footprint [kg CO2e]::

    EC_fe  = m_fe EF_fe(steel country) / (1 - T_fe)
    EC_al  = m_al EF_al(aluminium region) / (1 - T_al)
    EC_oth = m_oth EF_oth(Europe or not)
    EC_bat = E_bat EF_bat(battery country)                 NMC811 reference, any chemistry
    EC_mfg = m_no_battery EF_mfg(manufacturing country)
    EC_tr  = m / 1000 x Σ_legs d EF(mode, region)
    EC     = EC_fe + EC_al + EC_oth + EC_bat + EC_mfg + EC_tr

and the score, clamped to [0, 80]::

    Sc = 80 (EC_high - EC) / (EC_high - EC_low)

with the thresholds of the car's category: category 2 (five seats or more, a boot over
200 l and an electric range of at least 160 km; ``cat2_*`` rows of ``french_score.csv``) or
category 1 (all other cars).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import map_values
from evchain.data.registry import DataSet
from evchain.errors import DataError
from evchain.sites.routes import great_circle_km

COMPONENTS = ("steel", "aluminium", "other_materials", "battery", "manufacturing", "transport")

#: The annex's default group of a country it does not list (by continent).
CONTINENT_DEFAULT = {"europe": "OTHER_EUROPE", "asia": "OTHER_ASIA", "africa": "OTHER_AFRICA",
                     "north-america": "OTHER_NORTH_AMERICA", "america": "OTHER_AMERICA", "oceania": "OCEANIA"}


@dataclass(frozen=True)
class ScoreInputs:
    """Arrays over cases (countries as ISO codes)."""

    steel_kg: np.ndarray
    aluminium_kg: np.ndarray
    mass_no_battery_kg: np.ndarray  #: the car without driver and battery
    battery_kwh: np.ndarray
    battery_country: np.ndarray
    plant_country: np.ndarray  #: the manufacturing site (stamping, body, paint, assembly)
    mass_kg: np.ndarray  #: the car without driver (for transport)
    category2: np.ndarray  #: bool


def factor(data: DataSet, country: str, field: str) -> float:
    """A country factor of the annex, falling back on its continent's default, then on ``ZZ``."""
    table = data.table("french_score_countries")
    record = table.get(country)
    if record is not None and field in record.values:
        return record.value(field)
    countries = data.table("countries")
    continent = str(countries[country].meta.get("continent", "")) if country in countries else ""
    for fallback in (CONTINENT_DEFAULT.get(continent, ""), "ZZ"):
        record = table.get(fallback)
        if record is not None and field in record.values:
            return record.value(field)
    raise DataError(f"french_score_countries.csv has no {field} for {country!r} nor a default (ZZ)")


def _road_to_port_km(data: DataSet, site: str, default_km: float) -> float:
    """Road distance from a plant to its export port (site meta ``port``), or ``default_km``."""
    sites = data.table("sites")
    record = sites.get(site)
    port = sites.get(str(record.meta.get("port", ""))) if record is not None else None
    if record is None or port is None or "latitude" not in record.values or "latitude" not in port.values:
        return default_km
    km = great_circle_km(record.value("latitude"), record.value("longitude"), port.value("latitude"),
                         port.value("longitude"))
    return km * data.parameter("road_detour")


def transport_kg(data: DataSet, plant_site: np.ndarray, plant_country: np.ndarray, mass_kg: np.ndarray
                 ) -> np.ndarray:
    """Transport of the car from its plant to France [kg CO2e], with the annex's factors.

    France: one road leg of ``road_km_each_end``; elsewhere in Europe: a road leg of the
    typical continental distance (``continental_road_km`` x ``road_detour``) on the plant
    country's road factor; overseas: a road leg to the export port (from the site's
    coordinates, or ``road_km_each_end``), the sea crossing (``sea_km_china``, or
    ``sea_km_korea`` for Korea and Japan) and a road leg in France.
    """
    score = data.table("french_score")["score"]
    road_end = score.value("road_km_each_end")
    continental = data.parameter("continental_road_km") * data.parameter("road_detour")
    sea = score.value("sea_factor")
    fr_road = factor(data, "FR", "ef_road")
    countries = data.table("countries")
    sites = data.table("sites")

    def per_tonne(site: str) -> float:
        country = sites[site].meta["country"] if site in sites else site
        continent = str(countries[country].meta.get("continent", "")) if country in countries else ""
        if country == "FR":
            return road_end * fr_road
        if continent == "europe":
            return continental * factor(data, country, "ef_road")
        sea_km = score.value("sea_km_korea") if country in ("KR", "JP") else score.value("sea_km_china")
        to_port = _road_to_port_km(data, site, road_end)
        return to_port * factor(data, country, "ef_road") + sea_km * sea + road_end * fr_road

    return mass_kg / 1000.0 * map_values(plant_site, per_tonne, np.float64)


def french_score(data: DataSet, inputs: ScoreInputs, transport: np.ndarray) -> dict[str, np.ndarray]:
    """Footprint by component [kg CO2e], total, score [points] and eligibility (module docstring)."""
    score = data.table("french_score")["score"]
    countries = data.table("countries")

    def in_europe(country: str) -> bool:
        return country in countries and countries[country].meta.get("continent") == "europe"

    plant = inputs.plant_country
    other_kg = np.maximum(inputs.mass_no_battery_kg - inputs.steel_kg - inputs.aluminium_kg, 0.0)
    out = {
        "steel": inputs.steel_kg * map_values(plant, lambda c: factor(data, c, "ef_ferrous"), np.float64)
        / (1.0 - score.value("steel_loss_rate")),
        "aluminium": inputs.aluminium_kg * map_values(plant, lambda c: factor(data, c, "ef_aluminium"), np.float64)
        / (1.0 - score.value("aluminium_loss_rate")),
        "other_materials": other_kg * map_values(
            plant, lambda c: factor(data, c if in_europe(c) else "ZZ", "ef_other_materials"), np.float64),
        "battery": inputs.battery_kwh * map_values(inputs.battery_country,
                                                   lambda c: factor(data, c, "ef_battery_nmc811"), np.float64),
        "manufacturing": inputs.mass_no_battery_kg * map_values(
            plant, lambda c: factor(data, c, "ef_manufacturing"), np.float64),
        "transport": transport,
    }
    total = sum(out[c] for c in COMPONENTS)
    out["total"] = total
    out["score"], out["eligible"] = points(data, total, inputs.category2)
    return out


def points(data: DataSet, total_kgco2e: np.ndarray, category2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The score [points, 0 to 80] of a footprint [kg CO2e] in its category, and whether it
    reaches the bonus threshold (module docstring)."""
    score = data.table("french_score")["score"]
    high = np.where(category2, score.value("ec_high_cat2"), score.value("ec_high_cat1"))
    low = np.where(category2, score.value("ec_low_cat2"), score.value("ec_low_cat1"))
    result = np.clip(score.value("max_points") * (high - total_kgco2e) / (high - low), 0.0, score.value("max_points"))
    return result, result >= score.value("eligibility_threshold")
