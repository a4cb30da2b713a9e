"""Life-cycle step: the use stage, grids per step, recycling balance, the EU declaration, circularity."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evchain import evaluate, load_study
from evchain.data.registry import load_data
from evchain.errors import StudyError

HEADER = '[study]\nname = "lca test"\n{extra}\n'


def _run(tmp_path: Path, *variants: str, extra: str = "", data: str = "") -> dict[str, dict]:
    text = HEADER.format(extra=extra + (f'\ndata = ["{data}"]' if data else "")) + "\n".join(variants)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}


def _variant(vid: str, vehicle: str = "renault-5-etech-52", **fields: str) -> str:
    return "\n".join(["[[variants]]", f'id = "{vid}"', f'vehicle = "{vehicle}"',
                      *[f"{k} = {v}" for k, v in fields.items()]]) + "\n"


def _flat_grid(folder: Path, code: str, g: float) -> None:
    rows = "".join(f"{code},{y},{g},g/kWh,,,ember-owid-2025,,flat test grid\n" for y in range(2015, 2061))
    (folder / "grid_intensity.csv").write_text("country,year,value,unit,low,high,source,estimate,note\n" + rows,
                                               encoding="utf-8")


def test_use_stage_is_consumption_times_grid_times_distance_exactly(tmp_path):
    grid = tmp_path / "grid"
    grid.mkdir()
    _flat_grid(grid, "FR", 57.0)
    cases = _run(tmp_path, _variant("a", energy_wall_kwh_per_100km="15.2", use_country='"FR"',
                                    lifetime_km='"180,000 km"'), data="grid")
    use = cases["a"]["gwp_by_stage_kgco2e"]["use"]
    assert use == pytest.approx(15.2 / 100 * 180_000 * 57.0 / 1000, rel=1e-12)
    assert cases["a"]["cycle"] == "given"  # the drive cycle was skipped


def test_stages_add_up_and_per_km_is_total_over_distance(tmp_path):
    case = _run(tmp_path, _variant("a", use_country='"FR"'))["a"]
    assert sum(case["gwp_by_stage_kgco2e"].values()) == pytest.approx(case["gwp_total_kgco2e"], rel=1e-12)
    km = load_data().parameter("lifetime_km")
    assert case["gwp_per_km_gco2e"] == pytest.approx(1000 * case["gwp_total_kgco2e"] / km, rel=1e-12)
    assert all(v >= 0 for v in case["gwp_by_stage_kgco2e"].values())


def test_each_step_runs_on_its_own_grid(tmp_path):
    """Cells made in China emit more in cell making than cells made in France; driving in Poland more than in
    Sweden; nothing else changes with the use country except the car's own trip to its market."""
    cases = _run(tmp_path,
                 _variant("cn", battery='{ cell_site = "CN", pack_site = "douai" }', use_country='"FR"'),
                 _variant("fr", battery='{ cell_site = "FR", pack_site = "douai" }', use_country='"FR"'),
                 _variant("pl", use_country='"PL"'), _variant("se", use_country='"SE"'))
    assert cases["cn"]["gwp_by_stage_kgco2e"]["cell_making"] > 3 * cases["fr"]["gwp_by_stage_kgco2e"]["cell_making"]
    assert cases["pl"]["gwp_by_stage_kgco2e"]["use"] > 5 * cases["se"]["gwp_by_stage_kgco2e"]["use"]
    for stage in ("materials", "cell_making", "glider", "powertrain", "vehicle_assembly"):
        assert cases["pl"]["gwp_by_stage_kgco2e"][stage] == pytest.approx(cases["se"]["gwp_by_stage_kgco2e"][stage])


def test_recycling_recovers_nothing_that_did_not_go_in(tmp_path):
    cases = _run(tmp_path, *[_variant(route, battery=f'{{ recycling_route = "{route}" }}')
                             for route in ("pyrometallurgical", "hydrometallurgical", "direct")])
    for case in cases.values():
        materials = case["battery_materials_kg"]
        contained = sum(materials[e] for e in ("Li", "Ni", "Co", "Mn", "Cu", "Al", "graphite"))
        assert 0 <= case["battery_recovered_kg"] <= contained + 1e-9
        assert case["gwp_eol_credit_kgco2e"] <= 0
    assert cases["pyrometallurgical"]["battery_recovered_kg"] < cases["hydrometallurgical"]["battery_recovered_kg"]


def test_cff_total_adds_the_credit_to_the_cut_off_total(tmp_path):
    cut = _run(tmp_path, _variant("a"))["a"]
    cff = _run(tmp_path, _variant("a"), extra='eol_approach = "cff"')["a"]
    assert cff["gwp_total_kgco2e"] == pytest.approx(cut["gwp_total_kgco2e"] + cut["gwp_eol_credit_kgco2e"], rel=1e-12)


def test_battery_declaration_is_its_stages_over_the_energy_of_its_service_life(tmp_path):
    case = _run(tmp_path, _variant("a"))["a"]
    data = load_data()
    service = case["pack_usable_kwh"] * data.parameter("feqc_per_year") * data.parameter("battery_service_life")
    stages = case["battery_cf_by_stage_kgco2e_per_kwh"]
    assert set(stages) == {"raw_material_acquisition", "main_production", "distribution", "end_of_life"}
    assert sum(stages.values()) == pytest.approx(case["battery_cf_kgco2e_per_kwh"], rel=1e-12)
    assert case["battery_cf_total_kgco2e"] / service == pytest.approx(case["battery_cf_kgco2e_per_kwh"], rel=1e-12)


def test_second_life_takes_its_share_of_making_the_battery(tmp_path):
    cases = _run(tmp_path, _variant("new"), _variant("half", battery="{ second_life_share = 0.5 }"))
    for stage in ("materials", "cell_making"):
        assert cases["half"]["gwp_by_stage_kgco2e"][stage] == pytest.approx(
            0.5 * cases["new"]["gwp_by_stage_kgco2e"][stage], rel=1e-12)
    assert cases["half"]["battery_cf_kgco2e_per_kwh"] == pytest.approx(cases["new"]["battery_cf_kgco2e_per_kwh"])


def test_recycled_content_is_checked_against_the_2031_and_2036_minimums(tmp_path):
    cases = _run(tmp_path,
                 _variant("both", battery='{ recycled_content = { Co = 0.30, Li = "15 %", Ni = 0.2 } }'),
                 _variant("only-2031", battery='{ recycled_content = { Co = 0.2, Li = 0.07, Ni = 0.07 } }'),
                 _variant("none", battery='{ recycled_content = { Co = 0.0, Li = 0.0, Ni = 0.0 } }'))
    assert (cases["both"]["recycled_content_meets_2031"], cases["both"]["recycled_content_meets_2036"]) == (True, True)
    assert (cases["only-2031"]["recycled_content_meets_2031"],
            cases["only-2031"]["recycled_content_meets_2036"]) == (True, False)
    assert cases["none"]["recycled_content_meets_2031"] is False


def test_breakeven_is_where_the_electric_and_petrol_lines_cross(tmp_path):
    case = _run(tmp_path, _variant("a", use_country='"PL"'))["a"]
    stages = case["gwp_by_stage_kgco2e"]
    km = load_data().parameter("lifetime_km")
    ev_fixed, ev_per_km = case["gwp_total_kgco2e"] - stages["use"], stages["use"] / km
    petrol = load_data().table("petrol_counterparts")["B"]
    production = petrol.value("production_gwp")
    per_km = (case["gwp_petrol_counterpart_kgco2e"] - production) / km
    d = case["breakeven_km"]
    assert ev_fixed + ev_per_km * d == pytest.approx(production + per_km * d, rel=1e-9)
    assert case["critical_materials_kg"]["rare_earths"] == 0.0  # the Renault 5's wound-rotor motor has no magnets


@pytest.mark.parametrize(("fields", "message"), [
    ({"use_country": '"FRA"'}, r"no electricity data for country 'FRA' \(did you mean 'FR'"),
    ({"assembly_site": '"duoai"'}, r"unknown site 'duoai' \(did you mean 'douai'"),
    ({"lifetime_km": '"200,000 kWh"'}, r"does not fit"),
    ({"battery": '{ recycled_content = { Co = 1.6 } }'}, r"recycled_content Co = 1.6 must be a share from 0 to 1"),
    ({"battery": '{ recycled_content = { Mn = 0.1 } }'}, r"'Mn' is not one of Co, Li, Ni, Pb"),
    ({"battery": '{ recycling_route = "pyro" }'},
     r"unknown recycling route 'pyro'.*known: direct, hydrometallurgical, pyrometallurgical"),
    ({"battery": '{ second_life_share = 1.5 }'}, r"second_life_share 1.5 must be a share from 0 to 1"),
])
def test_bad_life_cycle_inputs_get_clear_errors(tmp_path, fields, message):
    with pytest.raises(StudyError, match=message):
        _run(tmp_path, _variant("a", **fields))


def test_a_year_beyond_the_grid_data_needs_extrapolation(tmp_path):
    with pytest.raises(Exception, match=r"not known for 2048-2062.*allow extrapolation"):
        _run(tmp_path, _variant("a", year="2048"))
    case = _run(tmp_path, _variant("a", year="2048"), extra="extrapolate_grid = true")["a"]
    assert math.isfinite(case["gwp_total_kgco2e"])


def test_a_car_too_light_for_its_battery_is_an_error_naming_its_variant_and_file(tmp_path):
    """The glider check in a study run names the variant and the study file, not a row number."""
    from evchain.errors import DataError

    with pytest.raises(DataError) as err:
        _run(tmp_path, _variant("fine"), _variant("too-light", curb_mass='"400 kg"'))
    assert str(err.value).startswith(f"{tmp_path / 'study.toml'}: variant 'too-light': the battery and powertrain")


def test_recycled_content_lowers_the_materials_burden_and_the_declaration(tmp_path):
    cases = _run(tmp_path, _variant("virgin"),
                 _variant("some", battery='{ recycled_content = { Co = 0.16, Li = 0.06, Ni = 0.06 } }'),
                 _variant("more", battery='{ recycled_content = { Co = 0.26, Li = 0.12, Ni = 0.15 } }'))
    materials = [cases[k]["gwp_by_stage_kgco2e"]["materials"] for k in ("virgin", "some", "more")]
    assert materials[0] > materials[1] > materials[2]
    declared = [cases[k]["battery_cf_kgco2e_per_kwh"] for k in ("virgin", "some", "more")]
    assert declared[0] > declared[1] > declared[2]


def test_supplier_specific_electricity_replaces_the_national_mix_for_cell_making(tmp_path):
    cases = _run(tmp_path, _variant("mix", battery='{ cell_site = "PL" }'),
                 _variant("green", battery='{ cell_site = "PL", cell_electricity_intensity = "20 g/kWh" }'))
    assert cases["green"]["gwp_by_stage_kgco2e"]["cell_making"] < cases["mix"]["gwp_by_stage_kgco2e"]["cell_making"]
    for stage in ("materials", "use", "glider"):
        assert cases["green"]["gwp_by_stage_kgco2e"][stage] == pytest.approx(cases["mix"]["gwp_by_stage_kgco2e"][stage])


def test_blocks_of_cases_give_the_same_outputs_as_one_block(monkeypatch):
    """The impact step works in blocks (bounded memory); where the blocks fall changes nothing."""
    import numpy as np

    from evchain.arrays import coded, full
    from evchain.battery.vehicle import apply_battery
    from evchain.lca import step
    from evchain.study.cases import cases_from_arrays

    data = load_data()
    n = 700
    rng = np.random.default_rng(11)
    cases = cases_from_arrays(data, n, "renault-5-etech-52", cycle="wltc-class3b",
                              curb_mass=rng.uniform(1300, 1600, n), battery_usable=rng.uniform(35, 60, n))
    sites = ["CN", "FR", "HU", "aesc-douai"]
    cell = coded(["lfp-prismatic", "nmc811-pouch", None], np.where(np.arange(n) % 7 == 0, 2, rng.integers(0, 2, n)))
    # (every 7th case has no battery data: left out, NaN or None in every output)
    cases.battery = {
        "cell": cell, "architecture": full(n, "cell-to-pack"),
        "cell_site": coded(sites, rng.integers(0, 4, n)), "pack_site": coded(sites, rng.integers(0, 4, n)),
        "target_range": np.full(n, np.nan), "ref_cell": full(n, "nmc811-pouch"),
        "ref_architecture": full(n, "module-to-pack"), "ref_usable": np.full(n, 52.0),
    }
    cases.context = step.default_context(cases, data)
    cases.context["use_country"] = coded(["FR", "DE", "PL", "ES"], rng.integers(0, 4, n))
    cases.context["energy_wall_kwh_per_100km"] = rng.uniform(12.0, 18.0, n)
    cases, _ = apply_battery(cases, data, details=False)
    energy = {"energy_wall_kwh_per_100km": cases.context["energy_wall_kwh_per_100km"]}
    one = step.apply_impact(cases, energy, data)
    monkeypatch.setattr(step, "CHUNK", 64)
    blocks = step.apply_impact(cases, energy, data)
    assert one.keys() == blocks.keys()
    for name in one:
        a, b = one[name], blocks[name]
        if a.dtype == object:
            assert a.tolist() == b.tolist(), name
        else:
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12, err_msg=name)
    assert np.isnan(one["gwp_total_kgco2e"][::7]).all() and np.isfinite(np.delete(one["gwp_total_kgco2e"],
                                                                                   np.s_[::7])).all()


def test_materials_made_at_a_named_site_use_its_grid_and_count_its_leg(tmp_path):
    """A cathode plant in Poland (coal-heavy grid) against one at Dunkirk (low-carbon), for cells
    made at Douai: the materials stage follows the site's grid; a site abroad adds a leg."""
    text = '[study]\nname = "materials site"\n'
    for vid, site in (("pl", "umicore-nysa"), ("fr", "neomat-dunkirk"), ("region", None)):
        extra = f', materials_site = "{site}"' if site else ', materials_region = "europe"'
        text += (f'[[variants]]\nid = "{vid}"\nvehicle = "renault-5-etech-52"\n'
                 f'battery = {{ cell_site = "aesc-douai", pack_site = "douai"{extra} }}\n')
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    materials = {k: c["gwp_by_stage_kgco2e"]["materials"] for k, c in cases.items()}
    assert materials["pl"] > materials["fr"]  # Polish grid above the French one, plus a truck leg to Douai
    assert materials["pl"] > materials["region"] > materials["fr"]  # the EU average lies between
    # the value of the materials is added where they are made
    assert cases["pl"]["value_added_by_country_eur"].get("PL", 0.0) > 0.0
    assert cases["fr"]["value_added_by_country_eur"].get("PL", 0.0) == 0.0


def test_an_unknown_materials_site_gets_suggestions(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[study]\nname = "x"\n[[variants]]\nid = "a"\nvehicle = "renault-5-etech-52"\n'
                    'battery = { materials_site = "umicore-nisa" }\n', encoding="utf-8")
    with pytest.raises(StudyError, match="did you mean 'umicore-nysa'"):
        load_study(path)


def test_an_electric_drive_made_elsewhere_moves_its_footprint_leg_and_value(tmp_path):
    """The R5's drive comes from Cléon by default (vehicles.toml); made in China it is made on China's
    grid and materials, crosses the sea to Douai, and its parts' value is added in China (the cells'
    materials already come from China by default)."""
    text = '[study]\nname = "drive"\n'
    for vid, site in (("cleon", None), ("china", "CN")):
        line = f'motor_site = "{site}"\n' if site else ""
        text += f'[[variants]]\nid = "{vid}"\nvehicle = "renault-5-etech-52"\nuse_country = "FR"\n{line}'
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    cases = {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}
    home, away = cases["cleon"], cases["china"]
    assert away["gwp_by_stage_kgco2e"]["powertrain"] > home["gwp_by_stage_kgco2e"]["powertrain"]
    assert away["gwp_by_stage_kgco2e"]["logistics"] > home["gwp_by_stage_kgco2e"]["logistics"]
    china_more = away["value_added_by_country_eur"]["CN"] - home["value_added_by_country_eur"]["CN"]
    france_less = home["value_added_by_country_eur"]["FR"] - away["value_added_by_country_eur"]["FR"]
    assert china_more > 0.0 and china_more == pytest.approx(france_less, rel=1e-9)  # moved, not created
    assert away["eu_value_added_share"] < home["eu_value_added_share"]
    # everything else about the car is unchanged
    for stage in ("materials", "cell_making", "glider", "use"):
        assert away["gwp_by_stage_kgco2e"][stage] == pytest.approx(home["gwp_by_stage_kgco2e"][stage], rel=1e-12)
