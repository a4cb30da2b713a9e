"""The production-network planner: optimality, capacities, shadow prices, infeasibility."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.sites.plan import Option, PlanProblem, solve_plan

ROOT = Path(__file__).resolve().parents[2]


def _option(programme: str, plant: str, cost: float, gwp: float = 10_000.0, eu: float = 10_000.0) -> Option:
    return Option(programme, plant, "CN", cost, gwp, eu, 12_000.0, 50.0, {plant.upper(): 20.0})


def test_the_cheapest_plant_is_filled_first_and_its_capacity_has_a_shadow_price():
    problem = PlanProblem((2026,), {"car": (100.0,)}, {"cheap": 60.0, "dear": 1000.0}, {"CN": float("inf")},
                          (_option("car", "cheap", 10_000.0), _option("car", "dear", 11_000.0)))
    result = solve_plan(problem)
    cars = {row["plant"]: row["cars"] for row in result.allocation}
    assert cars == pytest.approx({"cheap": 60.0, "dear": 40.0})
    assert result.cost_eur == pytest.approx(60 * 10_000 + 40 * 11_000)
    prices = {p["constraint"]: p["shadow_price"] for p in result.shadow_prices}
    assert prices["plant capacity cheap 2026 [cars]"] == pytest.approx(1_000.0)  # one more car saves 1,000 EUR


def test_a_carbon_cap_moves_cars_to_the_cleaner_plant_at_its_price_per_kg():
    options = (_option("car", "coal", 10_000.0, gwp=20_000.0), _option("car", "clean", 10_500.0, gwp=15_000.0))
    free = solve_plan(PlanProblem((2026,), {"car": (100.0,)}, {}, {"CN": float("inf")}, options))
    assert free.gwp_kgco2e == pytest.approx(100 * 20_000.0)
    capped = solve_plan(PlanProblem((2026,), {"car": (100.0,)}, {}, {"CN": float("inf")}, options,
                                    carbon_cap_kg=1_800_000.0))
    assert capped.gwp_kgco2e == pytest.approx(1_800_000.0)
    price = {p["constraint"]: p["shadow_price"] for p in capped.shadow_prices}["carbon cap [kg CO2e]"]
    assert price == pytest.approx(500.0 / 5_000.0)  # 500 EUR more for 5,000 kg less: 0.1 EUR/kg = 100 EUR/t


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(5_000, 20_000), min_size=2, max_size=6), st.floats(10, 500))
def test_capacities_and_demand_always_hold(costs, demand):
    options = tuple(_option("car", f"p{i}", c) for i, c in enumerate(costs))
    capacity = {f"p{i}": demand / 2 for i in range(len(costs))}
    result = solve_plan(PlanProblem((2026,), {"car": (demand,)}, capacity, {"CN": float("inf")}, options))
    built = sum(row["cars"] for row in result.allocation)
    assert built == pytest.approx(demand, rel=1e-6)
    for row in result.allocation:
        assert row["cars"] <= capacity[row["plant"]] * (1 + 1e-9)


def test_capacity_short_of_demand_is_reported_with_the_binding_constraint():
    problem = PlanProblem((2026,), {"car": (500.0,)}, {"a": 100.0, "b": 100.0}, {"CN": float("inf")},
                          (_option("car", "a", 1.0), _option("car", "b", 2.0)))
    result = solve_plan(problem)
    assert result.status == "infeasible"
    assert result.binding.startswith("plant capacity: 2026 needs 500 cars, the candidate plants can build 200")


def test_a_cap_too_tight_names_the_carbon_cap():
    problem = PlanProblem((2026,), {"car": (100.0,)}, {}, {"CN": float("inf")}, (_option("car", "a", 1.0),),
                          carbon_cap_kg=1.0)
    result = solve_plan(problem)
    assert result.status == "infeasible" and result.binding.startswith("carbon cap")


def test_the_example_plan_runs_from_the_command_line():
    done = subprocess.run([sys.executable, "-m", "evchain.cli", "plan", str(ROOT / "examples" / "plan.toml")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "plan optimal" in done.stdout and "binding:" in done.stdout


@pytest.mark.parametrize(("edit", "message"), [
    (('plants = ["douai", "novo-mesto", "bursa", "tangier"]', 'plants = ["duoai"]'),
     r"unknown site 'duoai' \(did you mean 'douai'"),
    (('variant = "r5"', 'variant = "r6"'),
     r"plan.toml: \[plan\] programme 'r6' is not a variant of the study.*variants: r5, r4, twingo"),
    (('volume = [200000, 220000, 220000]', 'volume = [200000]'), r"programme 'r5': 1 volumes for 3 years"),
    (("local_content_floor = 0.75", "local_content_floor = 0.999"), r"the plan is infeasible: local content"),
])
def test_bad_plans_are_clear_errors(tmp_path, edit, message):
    text = (ROOT / "examples" / "plan.toml").read_text(encoding="utf-8").replace(*edit)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "evchain.cli", "plan", str(path)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    import re

    assert re.search(message, done.stderr.replace("\n", " ")), done.stderr
