"""Life-cycle carbon, France's score and the car's cost of many cases through the distinct
combinations of their choices.

Every carbon output of a case is an affine function of four continuous inputs, the usable
battery energy ``u`` [kWh], the curb mass ``m`` [kg], the consumption at the wall ``w``
[kWh/100 km] and the motor power ``p`` [kW], once its choices are fixed (cell, architecture,
sites, countries, year, lifetime, routes, second-life share, ...):

    y = c0 + c_u u + c_m m + c_w w + c_p p

(the pack's energy and masses are proportional to ``u``, the drive's mass is affine in ``p``,
the glider is what the curb mass leaves, each stage multiplies these by factors of the
choices). A sweep has few distinct combinations of choices and many cases, so the
coefficients are found once per combination, by running :func:`evchain.lca.step._impact`
on one representative case of each at its own inputs and with each input moved in turn
(the pack and the drive halved, a kilogram or a kWh/100 km more), and each case is then
at most five multiply-adds. Outputs that are not affine (the break-even
distance, the carbon footprint per kWh delivered) and the total per km are computed per case
from affine ones.

So are the score's footprint by component and the car's costs (manufacturing, landed, price
floor); the score itself (the footprint clamped to 0-80 points on its category's scale, the
category depending on seats, boot and range), the bonus and the shares of value added in
the EU and in France are computed per case from affine outputs (the footprint, the value
added in all, in the EU and in France), with the case-by-case path's own functions. The
score's "other materials" mass is floored at zero, which is not affine: a table where the
floor bites for some case goes case by case.

Used by :func:`evchain.lca.step.apply_impact` without per-case details and without recycled
content (whose saving is not affine). Tests check that it agrees with the case-by-case path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from evchain.arrays import blocks, factorize
from evchain.battery import model as bm
from evchain.data.registry import DataSet
from evchain.lca import model as lm
from evchain.lca.chain import petrol_counterpart
from evchain.lca.inventory import MATERIALS, powertrain_sum
from evchain.study.cases import CaseTable

#: Outputs that are affine in (u, m, w, p) for fixed choices (with the internal sums, which start
#: with "_": see :func:`evchain.lca.step._impact`).
AFFINE_SUFFIX = "_kgco2e"
AFFINE = ("battery_recovered_kg", "manufacturing_cost_eur", "landed_cost_eur", "price_floor_eur", "_other_kg",
          "_value_added_total", "_value_added_eu", "_value_added_fr")
#: Outputs that depend on the choices only.
CONSTANT = ("recycled_content_meets_2031", "recycled_content_meets_2036")
#: The four continuous inputs, by column name.
INPUTS = ("battery_usable", "curb_mass", "energy_wall_kwh_per_100km", "motor_power")

#: At most this many combinations; and at least this many cases per combination on average
#: (finding the coefficients costs about five case-by-case evaluations of each combination).
MAX_COMBINATIONS = 65_536
MIN_CASES_PER_COMBINATION = 10


def applicable(ctx_cols: dict[str, np.ndarray], details: bool, parts: tuple[str, ...]) -> bool:
    """Whether the combination path may give the outputs: some part asked for, no per-case
    details, no recycled content."""
    return (not details and bool(parts)
            and not any(np.isfinite(ctx_cols[f"recycled_{e}"]).any() for e in ("Co", "Li", "Ni")))


def combinations(columns: list[np.ndarray], max_k: int = MAX_COMBINATIONS) -> tuple[np.ndarray, np.ndarray] | None:
    """Each case's combination (0..K-1) of the values of ``columns`` and the first case of each;
    None when there are more than ``max_k``."""
    n = columns[0].shape[0]
    code = np.zeros(n, dtype=np.int64)
    stride = 1
    for column in columns:
        found = _codes(column, max_k)
        if found is None:
            return None
        codes, count = found
        if count == 1:
            continue
        if stride * count > 2**40:
            return None
        code += codes * stride
        stride *= count
    if stride <= 4 * n + 1024:  # a table of every code: no sort
        used = np.bincount(code, minlength=stride) > 0
        if int(used.sum()) > max_k:
            return None
        inverse = (np.cumsum(used) - 1)[code]
        k = int(used.sum())
    else:
        uniques, inverse = np.unique(code, return_inverse=True)
        inverse = inverse.reshape(-1)
        k = uniques.size
        if k > max_k:
            return None
    first = np.empty(k, dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)  # the first case of each combination wins
    return inverse, first


def _codes(column: np.ndarray, max_k: int) -> tuple[np.ndarray, int] | None:
    """Codes of a column's values and their number (1: a constant column, codes unused); None
    when the column alone has more than ``max_k`` distinct values."""
    if column.dtype == object:
        uniques, codes = factorize(column)
        return codes, max(len(uniques), 1)
    if column.size == 0:
        return np.zeros(0, dtype=np.int64), 1
    first = column[0]
    if (column == first).all() or (first != first and np.isnan(column).all()):  # NaN: all NaN
        return np.zeros(0, dtype=np.int64), 1
    sample = 2 * max_k + 1
    if column.size > sample and np.unique(column[:sample]).size > max_k:
        return None  # part of the column already has too many values: no need to sort all of it
    distinct, inverse = np.unique(column, return_inverse=True)  # NaNs as one value
    return inverse.reshape(-1).astype(np.int64), int(distinct.size)


def outputs(cases: CaseTable, ctx_cols: dict[str, np.ndarray], energy: dict[str, Any], data: DataSet,
            eol_approach: str, extrapolate: bool, chunk: int, parts: tuple[str, ...] = ("carbon",)
            ) -> dict[str, np.ndarray] | None:
    """The impact outputs of ``parts`` of every case (all with a feasible battery), or None when
    the combinations are too many to pay (or the score's floor bites: module docstring)."""
    from evchain.lca.step import _impact

    if cases.n == 0:
        return None
    b = cases.battery
    keys = [b["cell"], b["architecture"], b["cell_site"], b["pack_site"], cases.vehicle,
            *(b[k] for k in ("ref_cell", "ref_usable_share") if k in b),  # the car's own pack's usable share
            *(ctx_cols[k] for k in sorted(ctx_cols) if k != "energy_wall_kwh_per_100km"
              and not k.startswith("recycled_"))]
    found = combinations(keys, min(MAX_COMBINATIONS, cases.n // max(MIN_CASES_PER_COMBINATION, 1)))
    if found is None:
        return None
    inverse, first = found
    given = ctx_cols["energy_wall_kwh_per_100km"]
    wall = given if np.isfinite(given).all() else np.where(np.isfinite(given), given,
                                                            energy["energy_wall_kwh_per_100km"])
    x = {"battery_usable": cases.columns["battery_usable"], "curb_mass": cases.columns["curb_mass"],
         "energy_wall_kwh_per_100km": wall, "motor_power": cases.columns["motor_power"]}
    rep = cases.take(first)
    rep_ctx = {k: v[first] for k, v in ctx_cols.items()}
    x0 = {k: v[first] for k, v in x.items()}

    # steps that only lighten the pack and the drive or add to the car (a glider never weighs less)
    step = {"battery_usable": -0.5 * x0["battery_usable"], "curb_mass": np.ones(first.size),
            "energy_wall_kwh_per_100km": np.ones(first.size), "motor_power": -0.5 * x0["motor_power"]}

    def run(name: str | None) -> dict[str, Any]:
        point = {k: (v + step[k] if k == name else v) for k, v in x0.items()}
        columns = {**rep.columns, "battery_usable": point["battery_usable"], "curb_mass": point["curb_mass"],
                   "motor_power": point["motor_power"]}
        context = {**rep_ctx, "energy_wall_kwh_per_100km": point["energy_wall_kwh_per_100km"]}
        return _impact(replace(rep, columns=columns, context=context), context, np.arange(first.size),
                       {"energy_wall_kwh_per_100km": point["energy_wall_kwh_per_100km"]}, data, eol_approach,
                       extrapolate, False, parts, internals=True)

    _check_glider(cases, data, inverse, first, x, chunk)  # before the representatives: an error names its case
    base = run(None)
    affine = [k for k in base if k.endswith(AFFINE_SUFFIX) or k in AFFINE]
    slopes = {name: run(name) for name in INPUTS}
    coef: dict[str, list[tuple[np.ndarray, str | None]]] = {}
    for out in affine:
        terms: list[tuple[np.ndarray, str | None]] = []
        intercept = np.asarray(base[out], dtype=np.float64).copy()
        for name in INPUTS:
            slope = (np.asarray(slopes[name][out], dtype=np.float64) - base[out]) / step[name]
            if np.any(slope != 0.0):
                terms.append((slope, name))
                intercept -= slope * x0[name]
        coef[out] = [(intercept, None), *terms]
    if "_other_kg" in coef:  # checked here, then not needed per case
        if _floor_bites(coef.pop("_other_kg"), inverse, x, chunk):
            return None
        affine.remove("_other_kg")
    n = cases.n
    per_case = [*(("gwp_per_km_gco2e", "battery_cf_kgco2e_per_kwh", "breakeven_km") if "carbon" in parts else ()),
                *(("france_score", "france_bonus_eur") if "score" in parts else ()),
                *(("eu_value_added_share", "france_value_added_share") if "cost" in parts else ())]
    result: dict[str, np.ndarray] = {out: np.empty(n) for out in (*affine, *per_case)}
    constants = {out: np.asarray(base[out]) for out in CONSTANT if out in base}
    result.update({out: np.empty(n, dtype=values.dtype) for out, values in constants.items()})
    if "score" in parts:
        result["france_bonus_eligible"] = np.empty(n, dtype=bool)
    finish = _finishers(cases, ctx_cols, energy, data, parts, rep, x)
    for block in blocks(np.arange(n), chunk):  # in cache-sized blocks, written in place
        s = slice(int(block[0]), int(block[-1]) + 1) if block.size else slice(0, 0)
        combo = inverse[s]
        for out, terms in coef.items():
            target = result[out][s]
            np.take(terms[0][0], combo, out=target)
            for values, term in terms[1:]:
                target += values.take(combo) * x[str(term)][s]
        for out, values in constants.items():
            np.take(values, combo, out=result[out][s])
        finish(result, s, combo)
    result["year"] = ctx_cols["year"].astype(np.int64)
    result["lifetime_km"] = ctx_cols["lifetime_km"]
    result["use_country"] = ctx_cols["use_country"]
    return {k: result[k] for k in base if not k.startswith("_")}  # the outputs in the case-by-case path's order


def carbon(cases: CaseTable, ctx_cols: dict[str, np.ndarray], energy: dict[str, Any], data: DataSet,
           eol_approach: str, extrapolate: bool, chunk: int) -> dict[str, np.ndarray] | None:
    """The carbon outputs of every case (see :func:`outputs`)."""
    return outputs(cases, ctx_cols, energy, data, eol_approach, extrapolate, chunk, ("carbon",))


def _floor_bites(terms: list[tuple[np.ndarray, str | None]], inverse: np.ndarray, x: dict[str, np.ndarray],
                 chunk: int) -> bool:
    """Whether the score's "other materials" mass is negative for some case (its floor at zero
    then makes the component not affine)."""
    for block in blocks(np.arange(inverse.size), chunk):
        s = slice(int(block[0]), int(block[-1]) + 1) if block.size else slice(0, 0)
        combo = inverse[s]
        value = terms[0][0].take(combo)
        for values, term in terms[1:]:
            value += values.take(combo) * x[str(term)][s]
        if (value < 0.0).any():
            return True
    return False


def _finishers(cases: CaseTable, ctx_cols: dict[str, np.ndarray], energy: dict[str, Any], data: DataSet,
               parts: tuple[str, ...], rep: CaseTable, x: dict[str, np.ndarray]) -> Any:
    """The per-case step of the outputs that are not affine, computed from the affine ones with
    the case-by-case path's functions: ``finish(result, s, combo)`` fills them for the cases at
    slice ``s`` (of combinations ``combo``)."""
    from evchain.lca.step import bonus_eur, reach_km, score_category2, segments
    from evchain.score.french import points
    from evchain.sites.cost import shares_of

    p = data.parameter
    service_per_kwh = p("feqc_per_year") * p("battery_service_life")  # kWh delivered per usable kWh
    lifetime = ctx_cols["lifetime_km"]
    if "carbon" in parts:
        production, petrol_per_km = petrol_counterpart(data, segments(data, rep.vehicle))
    driver = p("driver_mass")

    def finish(result: dict[str, np.ndarray], s: slice, combo: np.ndarray) -> None:
        if "carbon" in parts:
            life = lifetime[s]
            np.multiply(result["gwp_total_kgco2e"][s], 1000.0, out=result["gwp_per_km_gco2e"][s])
            result["gwp_per_km_gco2e"][s] /= life  # as the case-by-case path: 1000 total / lifetime
            np.divide(result["battery_cf_total_kgco2e"][s], x["battery_usable"][s] * service_per_kwh,
                      out=result["battery_cf_kgco2e_per_kwh"][s])
            use = result["gwp_use_kgco2e"][s]
            gap = petrol_per_km.take(combo) - use / life
            with np.errstate(divide="ignore", invalid="ignore"):
                even = np.maximum((result["gwp_total_kgco2e"][s] - use - production.take(combo)) / gap, 0.0)
            result["breakeven_km"][s] = np.where(gap > 0, even, np.inf)
        if "score" in parts:
            idx = np.arange(s.start, s.stop)
            reach = reach_km(energy, idx, x["battery_usable"][s], x["energy_wall_kwh_per_100km"][s])
            score, eligible = points(data, result["france_score_footprint_kgco2e"][s],
                                     score_category2(data, cases, idx, reach))
            result["france_score"][s] = score
            result["france_bonus_eligible"][s] = eligible
            result["france_bonus_eur"][s] = bonus_eur(data, eligible, x["curb_mass"][s] - driver)
        if "cost" in parts:
            eu, france = shares_of(result["_value_added_total"][s], result["_value_added_eu"][s],
                                   result["_value_added_fr"][s])
            result["eu_value_added_share"][s] = eu
            result["france_value_added_share"][s] = france

    return finish


def _check_glider(cases: CaseTable, data: DataSet, inverse: np.ndarray, first: np.ndarray,
                  x: dict[str, np.ndarray], chunk: int) -> None:
    """Every case's glider must weigh something (as the case-by-case path checks)."""
    from evchain.lca.step import wound_rotors

    battery = bm.context(data)
    b = cases.battery
    r = bm.case_rows(battery, data, b, first)
    kg_per_kwh = bm.kg_per_usable_kwh(battery, r)
    inventory = lm.context(data, battery).inventory
    wound = wound_rotors(data, cases.vehicle)
    for block in blocks(np.arange(cases.n), chunk):
        s = slice(int(block[0]), int(block[-1]) + 1) if block.size else slice(0, 0)
        pack_kg = kg_per_kwh.take(inverse[s]) * x["battery_usable"][s]
        drive_kg = powertrain_sum(inventory, np.ones(len(MATERIALS)), x["motor_power"][s], wound[s])
        lm.glider_mass_kg(x["curb_mass"][s], data.parameter("driver_mass"), pack_kg, drive_kg, s.start)
