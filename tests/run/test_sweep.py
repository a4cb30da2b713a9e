"""Sweeps on arrays give what the same cases give through a study file, and bad inputs get clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import evchain
from evchain.errors import StudyError


def test_a_sweep_gives_what_the_study_file_gives(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("""[study]
name = "two"
[[variants]]
id = "a"
vehicle = "renault-5-etech-52"
use_country = "DE"
battery = { cell = "lfp-prismatic", architecture = "cell-to-pack", cell_site = "CN", pack_site = "douai" }
[[variants]]
id = "b"
vehicle = "renault-5-etech-52"
use_country = "FR"
battery = { cell = "nmc811-pouch", architecture = "module-to-pack", cell_site = "aesc-douai", pack_site = "douai" }
""", encoding="utf-8")
    result = json.loads(evchain.evaluate(evchain.load_study(path)).to_json())
    study = {c["id"]: c for c in result["cases"]}
    swept = evchain.sweep(2, "renault-5-etech-52", parts=("carbon", "score", "cost"), seed=7, battery={
        "cell": (["lfp-prismatic", "nmc811-pouch"], np.array([0, 1])),
        "architecture": np.array(["cell-to-pack", "module-to-pack"], dtype=object),
        "cell_site": np.array(["CN", "aesc-douai"], dtype=object), "pack_site": "douai",
    }, context={"use_country": (["DE", "FR"], np.array([0, 1]))})
    assert swept.seed == 7 and swept.data_version == result["data_version"]
    for i, case in enumerate(("a", "b")):
        for name in ("energy_wall_kwh_per_100km", "pack_mass_kg", "gwp_total_kgco2e", "battery_cf_kgco2e_per_kwh",
                     "landed_cost_eur", "france_score"):
            assert swept.columns[name][i] == pytest.approx(study[case][name], rel=1e-9), (case, name)


def test_a_given_consumption_skips_the_drive_cycle_and_sets_the_use_stage():
    r = evchain.sweep(3, "renault-twingo-etech", context={"energy_wall_kwh_per_100km": np.array([10.0, 15.0, 20.0])})
    use = r.columns["gwp_use_kgco2e"]
    assert "range_km" not in r.columns
    np.testing.assert_allclose(use / use[0], [1.0, 1.5, 2.0], rtol=1e-12)  # use is linear in consumption


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"battery": {"cell": "lfp-prismatik"}}, "battery.cell: unknown 'lfp-prismatik' (did you mean 'lfp-prismatic'"),
    ({"battery": {"cell_site": (["FR", "XX"], np.array([0, 1, 1]))}}, "battery.cell_site: unknown 'XX'"),
    ({"battery": {"cell_site": (["FR"], np.array([0, 1, 0]))}}, "codes must lie in 0..0"),
    ({"battery": {"chemistry": "LFP"}}, "unknown battery input 'chemistry'"),
    ({"context": {"use_country": "France"}}, "context.use_country: unknown 'France'"),
    ({"context": {"lifetime_km": np.ones(2)}}, "context.lifetime_km has shape (2,)"),
    ({"curb_mas": 1400.0}, "unknown vehicle field 'curb_mas'"),
    ({"parts": ("carbon", "costs")}, "unknown parts ['costs'] (did you mean 'cost'"),
    ({"curb_mass": np.array([1400.0, -5.0, 1500.0])}, "curb_mass[1] = -5 is outside"),
    ({"context": {"second_life_share": 1.5}}, "context.second_life_share[0] = 1.5 is outside 0 to 1"),
    ({"context": {"recycled_Li": np.array([0.1, 0.2, 2.0])}}, "context.recycled_Li[2] = 2 is outside 0 to 1"),
    ({"curb_mass": np.array([1400.0, np.nan, 1500.0])}, "curb_mass[1] is NaN (1 such cases); a number is required"),
    ({"context": {"year": np.nan}}, "context.year[0] is NaN (3 such cases)"),
])
def test_bad_sweep_inputs_get_clear_errors(kwargs, message):
    with pytest.raises(StudyError) as err:
        evchain.sweep(3, "renault-5-etech-52", **kwargs)
    assert message in str(err.value)


def test_an_unknown_vehicle_gets_suggestions():
    with pytest.raises(StudyError, match="did you mean 'renault-5-etech-52'"):
        evchain.sweep(3, "renault-5-etech-25")


def test_range_targets_size_the_pack_and_an_unreachable_one_is_reported():
    r = evchain.sweep(3, "renault-5-etech-52", drag_coefficient=np.array([0.3, 0.3, 0.6]), battery={
        "target_range": np.array([200.0, 300.0, 1500.0]),
        "cell": (["lfp-prismatic", "sodium-ion-prismatic"], np.array([0, 0, 1])),
        "architecture": (["cell-to-pack", "module-to-pack"], np.array([0, 0, 1]))})
    np.testing.assert_allclose(r.columns["range_km"][:2], [200.0, 300.0], rtol=0.01)
    assert r.columns["battery_feasible"].tolist() == [True, True, False]  # 1,500 km on sodium-ion modules, Cd 0.6
    assert np.isnan(r.columns["range_km"][2]) and np.isnan(r.columns["pack_usable_kwh"][2])


def test_the_cff_approach_adds_the_recycling_credit_to_the_total():
    cut = evchain.sweep(2, "renault-5-etech-52").columns
    cff = evchain.sweep(2, "renault-5-etech-52", eol_approach="cff").columns
    np.testing.assert_allclose(cff["gwp_total_kgco2e"], cut["gwp_total_kgco2e"] + cut["gwp_eol_credit_kgco2e"],
                               rtol=1e-12)
    assert (cut["gwp_eol_credit_kgco2e"] < 0).all()
    with pytest.raises(StudyError, match="allowed: cut-off, cff"):
        evchain.sweep(2, "renault-5-etech-52", eol_approach="pef")


def test_a_sweep_beyond_the_grid_data_is_an_error_naming_the_switch_and_extrapolates_when_asked(tmp_path):
    """Years of use past the grid data: an error that names how to allow extrapolation, in a
    sweep as in a study file; allowed, the use stage is the study file's to 1e-9."""
    late = {"context": {"year": 2045.0, "lifetime_km": 300_000.0}}
    with pytest.raises(evchain.errors.EvchainError, match=r"extrapolate_grid = true.*extrapolate_grid=True"):
        evchain.sweep(2, "renault-5-etech-52", **late)
    swept = evchain.sweep(2, "renault-5-etech-52", extrapolate_grid=True, **late).columns
    path = tmp_path / "late.toml"
    path.write_text('[study]\nname = "late"\nextrapolate_grid = true\n[[variants]]\nid = "a"\n'
                    'vehicle = "renault-5-etech-52"\nyear = 2045\nlifetime_km = "300,000 km"\n', encoding="utf-8")
    study = json.loads(evchain.evaluate(evchain.load_study(path)).to_json())["cases"][0]
    assert swept["gwp_use_kgco2e"][0] == pytest.approx(study["gwp_by_stage_kgco2e"]["use"], rel=1e-9)
    assert swept["gwp_total_kgco2e"][0] == pytest.approx(study["gwp_total_kgco2e"], rel=1e-9)
