"""The Brightway export: structure, and the car's mass balanced by its materials."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evchain.data.registry import load_data

ROOT = Path(__file__).resolve().parents[2]


def _export(variant: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "evchain.cli", "inventory", str(ROOT / "examples" / "default.toml"),
                           "--variant", variant], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("variant", ["r5-douai", "twingo-novo-mesto"])
def test_every_dataset_has_one_production_exchange_and_the_materials_weigh_the_car(variant):
    datasets = _export(variant)
    assert [d["code"].rsplit("-", 1)[-1] for d in datasets][:2] == ["car", "use"]
    for dataset in datasets:
        assert {"name", "reference product", "unit", "location", "database", "code", "exchanges"} <= set(dataset)
        assert sum(e["type"] == "production" for e in dataset["exchanges"]) == 1
    car = datasets[0]
    from evchain import evaluate, load_study

    case = {c["id"]: c for c in json.loads(evaluate(load_study(ROOT / "examples" / "default.toml")).to_json())["cases"]}
    expected = case[variant]["curb_mass_kg"] - load_data().parameter("driver_mass")
    materials = sum(e["amount"] for e in car["exchanges"] if e["unit"] == "kilogram")
    assert materials == pytest.approx(expected, rel=1e-9)
    use = datasets[1]
    electricity = next(e for e in use["exchanges"] if e["name"].startswith("electricity"))
    assert electricity["amount"] == pytest.approx(case[variant]["energy_wall_kwh_per_100km"] / 100.0, rel=1e-9)
