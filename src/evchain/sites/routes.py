"""Legs between places, by mode: road as great-circle × detour, sea between ports from data.

A place is a site id (its coordinates in ``sites.csv``) or a country code (its capital,
``countries.csv``). Between two places on one continent the leg is trucked::

    road_km = d_gc(a, b) x f_detour          (d_gc: haversine on a 6,371 km sphere;
                                              f_detour: ``road_detour``, GLEC)

Between continents it runs door to door through the countries' main ports (``port_latitude``
and ``port_longitude`` of ``countries.csv``): a road leg to the export port, the sea distance
between the two ports (``sea_routes.csv``, computed with the searoute package on Eurostat's
maritime network and checked against published figures), a road leg from the import port.
A pair with no sea distance takes the typical ``intercontinental_sea_km``.
"""

from __future__ import annotations

import math

import numpy as np

from evchain.arrays import factorize
from evchain.battery.choice import site_country
from evchain.data.registry import DataSet

#: Earth's mean radius [km].
EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def point(data: DataSet, place: str) -> tuple[float, float] | None:
    """Coordinates of a site, else of its country's capital; ``None`` if neither is known."""
    for table, key in (("sites", place), ("countries", site_country(data, place))):
        record = data.table(table).get(key)
        if record is not None and {"latitude", "longitude"} <= record.values.keys():
            return record.value("latitude"), record.value("longitude")
    return None


#: Legs computed, by data set and pair of places.
_LEGS: dict[tuple[int, str, str, str], tuple[float, float]] = {}


def leg_km(data: DataSet, a: str, b: str) -> tuple[float, float]:
    """``(road_km, sea_km)`` of the leg from place ``a`` to place ``b`` (module docstring)."""
    a, b = min(a, b), max(a, b)
    key = (id(data), data.version, a, b)
    if key not in _LEGS:
        _LEGS[key] = _leg_km(data, a, b)
    return _LEGS[key]


def _leg_km(data: DataSet, a: str, b: str) -> tuple[float, float]:
    countries = data.table("countries")
    ca, cb = site_country(data, a), site_country(data, b)
    detour = data.parameter("road_detour")

    def continent(code: str) -> str:
        record = countries.get(code)
        return str(record.meta.get("continent", "")) if record is not None else ""

    def road(pa: tuple[float, float] | None, pb: tuple[float, float] | None) -> float | None:
        return None if pa is None or pb is None else great_circle_km(*pa, *pb) * detour

    if ca == cb or continent(ca) == continent(cb) != "":
        by_road = road(point(data, a), point(data, b))
        if by_road is not None:
            return by_road, 0.0
        return (0.0, 0.0) if ca == cb else (data.parameter("continental_road_km") * detour, 0.0)
    routes = data.table("sea_routes")
    key = "-".join(sorted((ca, cb)))
    sea = routes[key].value("distance") if key in routes else data.parameter("intercontinental_sea_km")
    to_port = road(point(data, a), port(data, ca)) or 0.0
    from_port = road(port(data, cb), point(data, b)) or 0.0
    return to_port + from_port, sea


def port(data: DataSet, country: str) -> tuple[float, float] | None:
    """Coordinates of a country's main port for sea legs, if the data give one."""
    record = data.table("countries").get(country)
    if record is None or not {"port_latitude", "port_longitude"} <= record.values.keys():
        return None
    return record.value("port_latitude"), record.value("port_longitude")


def legs_km(data: DataSet, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`leg_km` of each pair of places, computed once per distinct pair [km]."""
    ua, ca = factorize(a)
    ub, cb = factorize(b)
    pair = ca * len(ub) + cb  # a few places each: a small table of pairs, filled where used
    used = np.flatnonzero(np.bincount(pair, minlength=len(ua) * len(ub)))
    road = np.zeros(len(ua) * len(ub))
    sea = np.zeros(len(ua) * len(ub))
    for code in used.tolist():
        road[code], sea[code] = leg_km(data, str(ua[code // len(ub)]), str(ub[code % len(ub)]))
    return road.take(pair), sea.take(pair)
