"""France's environmental score against the published list of eligible models.

Source: the published eligibility (``data/published_eligibility.csv``: the arrêtés listing
eligible versions, Dec 2023 to Feb 2025, as reported). Each reference car is scored from
its own data (mass, battery, plant, cell plant) and must land on the published side of
the 60-point threshold.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from evchain import evaluate, load_study
from evchain.data.registry import SHIPPED

#: published model -> the reference vehicle that represents it
MODELS = {
    "Renault 5 E-Tech electric": "renault-5-etech-52",
    "Renault 4 E-Tech electric": "renault-4-etech-52",
    "Renault Megane E-Tech Electric": "renault-megane-etech-ev60",
    "Dacia Spring": "dacia-spring-45",
    "MG4": "mg4-64",
    "BYD Dolphin": "byd-dolphin-60",
    "Tesla Model 3": "tesla-model3-rwd-2024",
}


def _published() -> dict[str, bool]:
    with (Path(SHIPPED) / "published_eligibility.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    out: dict[str, bool] = {}
    for row in rows:
        if row["model"] in MODELS and row["model"] not in out:
            out[row["model"]] = row["eligible"].strip().lower() == "true"
    return out


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict[str, dict]:
    text = '[study]\nname = "french score"\n' + "".join(
        f'[[variants]]\nid = "{vid}"\nvehicle = "{vid}"\n' for vid in MODELS.values())
    path = tmp_path_factory.mktemp("score") / "s.toml"
    path.write_text(text, encoding="utf-8")
    return {c["id"]: c for c in json.loads(evaluate(load_study(path)).to_json())["cases"]}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_score_reproduces_the_published_eligibility(scored, model):
    published = _published()[model]
    case = scored[MODELS[model]]
    assert case["france_bonus_eligible"] is published, (
        f"{model}: score {case['france_score']:.1f} ({case['france_score_footprint_kgco2e']:.0f} kg CO2e)")
