"""``evchain plan``: turn a study's ``[plan]`` table into a plan problem, solve it, report it."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from evchain.battery.choice import check_site
from evchain.errors import DataError, StudyError, did_you_mean
from evchain.run.evaluate import evaluate
from evchain.sites.plan import Option, PlanProblem, PlanResult, solve_plan
from evchain.study.load import Study, VariantSpec
from evchain.units import parse_quantity


def _options(study: Study) -> list[Option]:
    """Evaluate every (programme, plant, cell plant) once with the model chain."""
    plan = study.plan
    variants = {v.id: v for v in study.variants}
    trials: list[tuple[str, str, str, VariantSpec]] = []
    for prog in plan.programmes:
        if prog.variant not in variants:
            raise StudyError(f"{study.path}: [plan] programme {prog.variant!r} is not a variant of the study"
                             + did_you_mean(prog.variant, variants) + f"; variants: {', '.join(variants)}")
        if len(prog.volume) != len(plan.years):
            raise StudyError(f"{study.path}: [plan] programme {prog.variant!r}: {len(prog.volume)} volumes for "
                             f"{len(plan.years)} years")
        base = variants[prog.variant]
        if base.battery is None:
            raise StudyError(f"{study.path}: [plan] programme {prog.variant!r} has no battery, so no cell plant "
                             "can be chosen")
        for plant in prog.plants:
            for cells in prog.cell_plants:
                try:
                    check_site(study.data, plant)
                    check_site(study.data, cells)
                except DataError as exc:
                    raise StudyError(f"{study.path}: [plan] programme {prog.variant!r}: {exc}") from None
                battery = replace(base.battery, cell_site=cells, pack_site=plant, changed=True)
                context = {**base.context, "assembly_site": plant}
                trial = replace(base, id=f"{prog.variant}@{plant}+{cells}", battery=battery, context=context)
                trials.append((prog.variant, plant, cells, trial))
    results = evaluate(replace(study, variants=tuple(t[3] for t in trials), plan=None))
    options = []
    for (programme, plant, cells, _), case in zip(trials, results.cases(), strict=True):
        added = case.get("value_added_by_country_eur") or {}
        countries = study.data.table("countries")
        eu = sum(v for k, v in added.items() if k in countries and countries[k].meta.get("eu"))
        values = (case.get("landed_cost_eur"), case.get("gwp_total_kgco2e"), case.get("pack_energy_kwh"))
        if any(v is None or not math.isfinite(v) for v in values):
            continue
        options.append(Option(programme, plant, cells, float(case["landed_cost_eur"]), float(case["gwp_total_kgco2e"]),
                              float(eu), float(sum(added.values())), float(case["pack_energy_kwh"]),
                              dict(case.get("labour_hours_by_country") or {})))
    return options


def build_problem(study: Study) -> PlanProblem:
    """The plan problem of a study with a ``[plan]`` table."""
    plan = study.plan
    if plan is None:
        raise StudyError(f"{study.path}: the study has no [plan] table (years, programmes, candidate plants)")
    options = _options(study)
    sites = study.data.table("sites")
    capacity: dict[str, float] = {}
    for plant in {o.plant for o in options}:
        if plant in plan.plant_capacity:
            capacity[plant] = float(plan.plant_capacity[plant])
        elif plant in sites and "capacity_vehicles" in sites[plant].values:
            capacity[plant] = sites[plant].value("capacity_vehicles")
        else:
            capacity[plant] = math.inf
    cells: dict[str, float] = {}
    for plant in {o.cell_plant for o in options}:
        if plant in plan.cell_capacity:
            cells[plant] = parse_quantity(plan.cell_capacity[plant], "kWh")
        elif plant in sites and "capacity_gwh" in sites[plant].values:
            cells[plant] = sites[plant].value("capacity_gwh") * 1e6
        else:
            cells[plant] = math.inf
    cap = None if plan.carbon_cap is None else parse_quantity(plan.carbon_cap, "kg")
    demand = {p.variant: tuple(float(v) for v in p.volume) for p in plan.programmes}
    finite = {k: v for k, v in capacity.items() if np.isfinite(v)}
    return PlanProblem(tuple(plan.years), demand, finite, cells, tuple(options), cap, plan.local_content_floor)


def plan_study(study: Study) -> PlanResult:
    """Solve a study's plan."""
    return solve_plan(build_problem(study))
