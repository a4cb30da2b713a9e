"""The production-network planner: which plants build each programme, with which cells.

A linear programme solved with HiGHS (Huangfu and Hall, Math. Prog. Comp. 10, 2018), through its
``highspy`` bindings. Variables ``x[p, s, g, y]``:
cars of programme ``p`` built at plant ``s`` with cells from plant ``g`` in year ``y``. The
per-car figures come from the model chain evaluated once per ``(p, s, g)``: landed cost
``c``, life-cycle GWP ``e``, value added in the EU ``v_eu`` and in all ``v``, pack energy
``k``::

    minimise    Σ c x
    subject to  Σ_{s,g} x[p,s,g,y] = demand[p,y]                      every programme, year
                Σ_{p,g} x[p,s,g,y] <= capacity[s]                     every plant, year
                Σ_{p,s} k x[p,s,g,y] <= cell capacity[g]              every cell plant, year
                Σ e x <= carbon cap                                   optional
                Σ (v_eu - f v) x >= 0                                 optional local-content floor f
                x >= 0

The dual values of the binding constraints are their shadow prices (e.g. EUR per tonne
CO2e of the cap). An infeasible plan is reported with the constraint that makes it so:
each group of constraints is relaxed in turn until the rest is feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evchain.errors import ModelError


@dataclass(frozen=True)
class Option:
    """One way to build a programme: plant, cell plant, and the per-car figures."""

    programme: str
    plant: str
    cell_plant: str
    landed_cost_eur: float
    gwp_kgco2e: float
    eu_value_added_eur: float
    value_added_eur: float
    pack_kwh: float
    labour_hours: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanProblem:
    """Demand, capacities and options of a plan."""

    years: tuple[int, ...]
    demand: dict[str, tuple[float, ...]]  #: programme -> cars a year, one per year
    plant_capacity: dict[str, float]  #: cars a year
    cell_capacity_kwh: dict[str, float]  #: kWh a year (inf when unknown)
    options: tuple[Option, ...]
    carbon_cap_kg: float | None = None
    local_content_floor: float | None = None


@dataclass
class PlanResult:
    """The plan, its totals and the shadow prices of its binding constraints."""

    status: str
    cost_eur: float = float("nan")
    gwp_kgco2e: float = float("nan")
    eu_value_added_share: float = float("nan")
    labour_hours_by_country: dict[str, float] = field(default_factory=dict)
    allocation: list[dict[str, Any]] = field(default_factory=list)
    shadow_prices: list[dict[str, Any]] = field(default_factory=list)
    binding: str = ""
    seconds: float = 0.0


Matrices = tuple[np.ndarray, list[list[float]], list[float], list[str], list[list[float]], list[float], list[str]]


def _matrices(problem: PlanProblem, skip: frozenset[str] = frozenset()) -> Matrices:
    options, years = problem.options, problem.years
    n = len(options) * len(years)
    cost = np.array([o.landed_cost_eur for o in options for _ in years])
    a_eq, b_eq, eq_names, a_ub, b_ub, ub_names = [], [], [], [], [], []

    def year_row(t: int, weights: list[float]) -> list[float]:
        """Coefficients of year ``t``: each option's weight on its variable of that year."""
        row = [0.0] * n
        for i, w in enumerate(weights):
            row[i * len(years) + t] = w
        return row

    for programme, volumes in problem.demand.items():
        weights = [1.0 if o.programme == programme else 0.0 for o in options]
        for t, year in enumerate(years):
            a_eq.append(year_row(t, weights))
            b_eq.append(volumes[t])
            eq_names.append(f"demand {programme} {year}")
    if "plant capacity" not in skip:
        for plant, capacity in problem.plant_capacity.items():
            weights = [1.0 if o.plant == plant else 0.0 for o in options]
            for t, year in enumerate(years):
                a_ub.append(year_row(t, weights))
                b_ub.append(capacity)
                ub_names.append(f"plant capacity {plant} {year} [cars]")
    if "cell capacity" not in skip:
        for plant, capacity in problem.cell_capacity_kwh.items():
            if not np.isfinite(capacity):
                continue
            weights = [o.pack_kwh if o.cell_plant == plant else 0.0 for o in options]
            for t, year in enumerate(years):
                a_ub.append(year_row(t, weights))
                b_ub.append(capacity)
                ub_names.append(f"cell capacity {plant} {year} [kWh]")
    if problem.carbon_cap_kg is not None and "carbon cap" not in skip:
        a_ub.append([o.gwp_kgco2e for o in options for _ in years])
        b_ub.append(problem.carbon_cap_kg)
        ub_names.append("carbon cap [kg CO2e]")
    if problem.local_content_floor is not None and "local content" not in skip:
        f = problem.local_content_floor
        a_ub.append([-(o.eu_value_added_eur - f * o.value_added_eur) for o in options for _ in years])
        b_ub.append(0.0)
        ub_names.append("local-content floor [EUR of EU value added short]")
    return cost, a_eq, b_eq, eq_names, a_ub, b_ub, ub_names


def _quiet_highs(highspy: Any) -> Any:
    """A HiGHS instance, without the banner it prints to the process's stdout when created."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


@dataclass
class _Solution:
    status: str  #: "optimal", "infeasible" or HiGHS's own status text
    x: np.ndarray
    fun: float
    ub_duals: np.ndarray  #: d(objective)/d(right-hand side) of each inequality
    ub_slack: np.ndarray


def _solve(problem: PlanProblem, skip: frozenset[str] = frozenset()) -> tuple[_Solution, list[str]]:
    """Solve with HiGHS (the ``highspy`` bindings): equalities then inequalities as rows."""
    import highspy

    cost, a_eq, b_eq, _, a_ub, b_ub, ub_names = _matrices(problem, skip)
    rows = np.array(a_eq + a_ub, dtype=np.float64)
    lower = np.array(list(b_eq) + [-highspy.kHighsInf] * len(b_ub), dtype=np.float64)
    upper = np.array(list(b_eq) + list(b_ub), dtype=np.float64)
    h = _quiet_highs(highspy)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(cost.size), int(rows.shape[0])
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(cost.size)
    lp.col_upper_ = np.full(cost.size, highspy.kHighsInf)
    lp.row_lower_, lp.row_upper_ = lower, upper
    nonzero = rows != 0.0
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nonzero)[1].astype(np.int32)
    lp.a_matrix_.value_ = rows[nonzero]
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return _Solution("infeasible", np.zeros(0), float("nan"), np.zeros(0), np.zeros(0)), ub_names
    if status != highspy.HighsModelStatus.kOptimal:
        return _Solution(h.modelStatusToString(status), np.zeros(0), float("nan"), np.zeros(0), np.zeros(0)), ub_names
    solution = h.getSolution()
    x = np.array(solution.col_value)
    activity = np.array(solution.row_value)[len(b_eq):]
    duals = np.array(solution.row_dual)[len(b_eq):]
    return _Solution("optimal", x, float(cost @ x), duals, np.array(b_ub) - activity), ub_names


def solve_plan(problem: PlanProblem) -> PlanResult:
    """Solve the plan (module docstring); an infeasible plan names the constraint that binds."""
    if not problem.options:
        raise ModelError("the plan has no option: give each programme at least one plant and cell plant")
    start = time.perf_counter()
    res, ub_names = _solve(problem)
    if res.status == "infeasible":
        binding = _why_infeasible(problem)
        return PlanResult("infeasible", binding=binding, seconds=time.perf_counter() - start)
    if res.status != "optimal":
        raise ModelError(f"the plan could not be solved: HiGHS says {res.status}")
    years = problem.years
    x = res.x.reshape(len(problem.options), len(years))
    result = PlanResult("optimal", cost_eur=float(res.fun))
    result.gwp_kgco2e = float(sum(o.gwp_kgco2e * x[i].sum() for i, o in enumerate(problem.options)))
    eu = sum(o.eu_value_added_eur * x[i].sum() for i, o in enumerate(problem.options))
    total = sum(o.value_added_eur * x[i].sum() for i, o in enumerate(problem.options))
    result.eu_value_added_share = float(eu / total) if total > 0 else float("nan")
    hours: dict[str, float] = {}
    for i, o in enumerate(problem.options):
        for t, year in enumerate(years):
            if x[i, t] > 0.5:
                result.allocation.append({"programme": o.programme, "year": year, "plant": o.plant,
                                          "cell_plant": o.cell_plant, "cars": float(x[i, t]),
                                          "landed_cost_eur": o.landed_cost_eur})
            for country, h in o.labour_hours.items():
                hours[country] = hours.get(country, 0.0) + h * float(x[i, t])
    result.labour_hours_by_country = hours
    for name, marginal, slack in zip(ub_names, res.ub_duals, res.ub_slack, strict=True):
        if abs(marginal) > 1e-9 and slack < 1e-6 * max(1.0, abs(marginal)):
            result.shadow_prices.append({"constraint": name, "shadow_price": -float(marginal),
                                         "unit": _price_unit(name)})
    result.seconds = time.perf_counter() - start
    return result


def _price_unit(name: str) -> str:
    if name.startswith("carbon"):
        return "EUR per kg CO2e of cap (x 1000 for EUR/t)"
    if name.startswith("cell"):
        return "EUR per kWh of cell capacity"
    if name.startswith("local"):
        return "EUR per EUR of EU value added"
    return "EUR per car of capacity"


def _why_infeasible(problem: PlanProblem) -> str:
    """The group of constraints without which the plan becomes feasible."""
    plants = {o.plant for o in problem.options}
    bounded = plants <= set(problem.plant_capacity)  # every candidate plant has a finite capacity
    for year_index, year in enumerate(problem.years):
        demand = sum(v[year_index] for v in problem.demand.values())
        capacity = sum(problem.plant_capacity[p] for p in plants & set(problem.plant_capacity))
        if bounded and demand > capacity:
            return (f"plant capacity: {year} needs {demand:,.0f} cars, the candidate plants can build "
                    f"{capacity:,.0f}")
    for group in ("plant capacity", "cell capacity", "carbon cap", "local content"):
        res, _ = _solve(problem, frozenset({group}))
        if res.status == "optimal":
            return f"{group}: the plan is feasible without it (relax it or add candidates)"
    return "several constraints together (no single group relaxes it)"
