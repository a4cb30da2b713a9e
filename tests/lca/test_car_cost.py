"""Cost of making a car at a plant, landing it, and where its value and work are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evchain import evaluate, load_study
from evchain.data.registry import load_data

DATA = load_data()


def _cases(tmp_path: Path, *variants: str) -> dict[str, dict]:
    path = tmp_path / "s.toml"
    path.write_text('[study]\nname = "cost"\n[defaults]\nuse_country = "FR"\n' + "".join(variants), encoding="utf-8")
    return {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}


def _v(vid: str, vehicle: str = "renault-5-etech-52", **fields: str) -> str:
    return f'[[variants]]\nid = "{vid}"\nvehicle = "{vehicle}"\n' + "".join(f"{k} = {v}\n" for k, v in fields.items())


def test_categories_add_up_and_landed_cost_covers_manufacturing(tmp_path):
    for case in _cases(tmp_path, _v("r5"), _v("spring", "dacia-spring-45")).values():
        categories = case["cost_by_category_eur"]
        manufacturing = sum(categories.get(c, 0.0) for c in ("battery", "parts", "labour", "energy", "capital",
                                                             "overhead", "scrap"))
        assert manufacturing == pytest.approx(case["manufacturing_cost_eur"], rel=1e-9)
        assert sum(categories.values()) == pytest.approx(case["landed_cost_eur"], rel=1e-9)
        assert case["landed_cost_eur"] >= case["manufacturing_cost_eur"]
        assert 0.0 <= case["france_value_added_share"] <= case["eu_value_added_share"] <= 1.0


def test_duties_fall_on_imports_only_with_the_makers_countervailing_duty(tmp_path):
    cases = _cases(tmp_path, _v("douai"), _v("bursa", assembly_site='"bursa"'), _v("spring", "dacia-spring-45"),
                   _v("mg4", "mg4-51"))
    assert "duties" not in cases["douai"]["cost_by_category_eur"]
    assert "duties" not in cases["bursa"]["cost_by_category_eur"]  # EU-Türkiye customs union
    trade = DATA.table("trade")
    mfn = trade["eu-mfn-duty-cars"].value("ad_valorem_rate")
    for vid, measure in (("spring", "eu-cvd-bev-other-cooperating"), ("mg4", "eu-cvd-bev-saic")):
        categories = cases[vid]["cost_by_category_eur"]
        customs_value = cases[vid]["manufacturing_cost_eur"] + categories["logistics"]
        rate = mfn + trade[measure].value("ad_valorem_rate")
        assert categories["duties"] == pytest.approx(rate * customs_value, rel=1e-9)


def test_building_in_france_keeps_work_and_value_in_france(tmp_path):
    cases = _cases(tmp_path, _v("douai"), _v("novo-mesto", assembly_site='"novo-mesto"'))
    assert cases["douai"]["france_value_added_share"] > cases["novo-mesto"]["france_value_added_share"]
    assert cases["douai"]["labour_hours_by_country"].get("FR", 0.0) > 0
    assert "SI" in cases["novo-mesto"]["labour_hours_by_country"]
    assert cases["douai"]["eu_value_added_share"] == pytest.approx(cases["novo-mesto"]["eu_value_added_share"],
                                                                   abs=0.05)
