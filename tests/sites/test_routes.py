"""Legs between places: road over great circles, sea from data."""

from __future__ import annotations

import numpy as np
import pytest

from evchain.data.registry import load_data
from evchain.sites.routes import great_circle_km, leg_km, legs_km

DATA = load_data()


def test_great_circle_paris_berlin():
    # Paris (48.86 N, 2.35 E) to Berlin (52.52 N, 13.40 E): about 878 km
    assert great_circle_km(48.86, 2.35, 52.52, 13.40) == pytest.approx(878.0, rel=0.01)


def test_a_leg_on_one_continent_is_trucked_over_the_great_circle_times_the_detour():
    road, sea = leg_km(DATA, "catl-debrecen", "douai")
    sites = DATA.table("sites")
    a, b = sites["catl-debrecen"], sites["douai"]
    straight = great_circle_km(a.value("latitude"), a.value("longitude"), b.value("latitude"), b.value("longitude"))
    assert sea == 0.0 and road == pytest.approx(straight * DATA.parameter("road_detour"), rel=1e-12)
    assert leg_km(DATA, "douai", "catl-debrecen") == (road, sea)  # either way round


def test_a_leg_between_continents_runs_through_the_ports():
    from evchain.sites.routes import point, port

    routes = DATA.table("sea_routes")
    detour = DATA.parameter("road_detour")
    road, sea = leg_km(DATA, "shiyan", "FR")
    assert sea == routes["CN-FR"].value("distance")
    to_port = great_circle_km(*point(DATA, "shiyan"), *port(DATA, "CN")) * detour
    from_port = great_circle_km(*port(DATA, "FR"), *point(DATA, "FR")) * detour
    assert road == pytest.approx(to_port + from_port, rel=1e-12)
    assert leg_km(DATA, "tangier", "FR")[1] == routes["FR-MA"].value("distance")


def test_computed_sea_distances_match_the_published_ones():
    """searoute's port-to-port distances against Rodrigue's Shanghai-Rotterdam (10,600 nm) and Chosun
    Biz's Busan-Rotterdam (about 22,000 km): within 10 % (the Busan figure is 'approximately')."""
    import csv
    from pathlib import Path

    from evchain.data.registry import SHIPPED

    with (Path(SHIPPED) / "published_sea_distances.csv").open(newline="", encoding="utf-8") as handle:
        published = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert len(published) >= 2
    routes = DATA.table("sea_routes")
    for row in published:
        assert routes[row["route"]].value("distance") == pytest.approx(float(row["value"]), rel=0.10), row["route"]


def test_legs_of_arrays_equal_legs_one_by_one():
    a = np.array(["douai", "shiyan", "CN", "novo-mesto", "douai"] * 300, dtype=object)
    b = np.array(["FR", "FR", "DE", "douai", "catl-debrecen"] * 300, dtype=object)
    road, sea = legs_km(DATA, a, b)
    for i in range(5):
        assert (road[i], sea[i]) == leg_km(DATA, a[i], b[i])
    assert np.array_equal(road[:5], road[-5:])


def test_a_farther_cell_plant_means_more_pack_transport(tmp_path):
    import json

    from evchain import evaluate, load_study

    text = '[study]\nname = "legs"\n'
    for vid, site in (("wroclaw", "lges-wroclaw"), ("debrecen", "catl-debrecen"), ("douai", "aesc-douai")):
        text += (f'[[variants]]\nid = "{vid}"\nvehicle = "renault-5-etech-52"\nuse_country = "FR"\n'
                 f'battery = {{ cell = "nmc811-pouch", architecture = "module-to-pack", cell_site = "{site}", '
                 'pack_site = "douai" }\n')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    legs = {k: c["gwp_by_stage_kgco2e"]["logistics"] for k, c in cases.items()}
    assert legs["douai"] < legs["wroclaw"] < legs["debrecen"]


def test_the_cars_freight_follows_its_route():
    from evchain.sites.cost import CarCostInputs, car_cost

    sites = np.array(["tangier", "shiyan", "douai", "novo-mesto"], dtype=object)
    countries = np.array(["MA", "CN", "FR", "SI"], dtype=object)
    n = sites.size
    x = CarCostInputs(sites, countries, np.full(n, "FR", dtype=object), np.full(n, 1000.0), np.full(n, 1300.0),
                      np.full(n, 5000.0), {}, {}, np.full(n, "", dtype=object), 800.0)
    logistics = car_cost(DATA, x)["logistics"]
    car = DATA.table("vehicle_cost")["car"]
    per_km_at_sea = car.value("sea_freight") / DATA.parameter("intercontinental_sea_km")
    for i in range(n):  # t x land km x truck rate + the crossing's share of the ro-ro freight
        road, sea = leg_km(DATA, sites[i], "FR")
        assert logistics[i] == pytest.approx(1.3 * road * car.value("truck_freight") + per_km_at_sea * sea,
                                             rel=1e-12), sites[i]
    assert logistics[2] == min(logistics) and logistics[1] == max(logistics)  # Douai nearest, Shiyan farthest


def test_land_legs_by_rail_follow_its_detour_factor_and_rate(tmp_path):
    import json

    from evchain import evaluate, load_study
    from evchain.errors import StudyError

    text = '[study]\nname = "rail"\n'
    for vid, mode in (("road", "road"), ("rail", "rail")):
        text += (f'[[variants]]\nid = "{vid}"\nvehicle = "renault-5-etech-52"\nuse_country = "FR"\n'
                 f'land_mode = "{mode}"\n')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    road, rail = cases["road"], cases["rail"]
    transport = DATA.table("transport")
    ratio = (DATA.parameter("rail_detour") * transport["rail"].value("factor")
             / (DATA.parameter("road_detour") * transport["truck"].value("factor")))
    # every leg of this car is on land (Cléon, Douai, Paris): emissions scale by the factors' ratio
    assert rail["gwp_by_stage_kgco2e"]["logistics"] == pytest.approx(
        road["gwp_by_stage_kgco2e"]["logistics"] * ratio, rel=1e-9)
    car = DATA.table("vehicle_cost")["car"]
    cost_ratio = (DATA.parameter("rail_detour") * car.value("rail_freight")
                  / (DATA.parameter("road_detour") * car.value("truck_freight")))
    assert rail["cost_by_category_eur"]["logistics"] == pytest.approx(
        road["cost_by_category_eur"]["logistics"] * cost_ratio, rel=1e-9)
    path.write_text(text.replace('land_mode = "rail"', 'land_mode = "barge"'), encoding="utf-8")
    with pytest.raises(StudyError, match="land_mode"):
        load_study(path)
