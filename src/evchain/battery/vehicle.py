"""The battery in the car: a pack's mass changes the car's, and a range target sizes the pack.

A vehicle's curb mass (data or override) is the car with its reference battery. A
case with another battery weighs ``curb - m_pack,ref + m_pack``; a case with a range
target has its pack sized by :func:`evchain.battery.closure.solve_range`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from evchain.arrays import BlockColumns, blocks, coded, present, subset
from evchain.battery import model as bm
from evchain.battery.closure import solve_range
from evchain.data.registry import DataSet
from evchain.energy.model import energy_use
from evchain.fields import VEHICLE_FIELDS
from evchain.study.cases import CaseTable

#: Cases per block: intermediates stay bounded (and in cache) whatever n is.
CHUNK = 32_768


def apply_battery(cases: CaseTable, data: DataSet, details: bool = True) -> tuple[CaseTable, dict[str, Any]]:
    """Cases with their pack's mass and size applied, and the battery outputs (arrays over
    all cases; NaN or None for cases without battery data), computed in blocks of :data:`CHUNK`."""
    b = cases.battery
    if not b or not present(b["cell"]).any():
        return cases, {}
    idx = np.flatnonzero(present(b["cell"]))
    columns = dict(cases.columns)  # the two changed columns are new arrays; the others are shared
    columns["curb_mass"] = cases.columns["curb_mass"].copy()
    columns["battery_usable"] = cases.columns["battery_usable"].copy()
    feasible_all = np.ones(cases.n, dtype=bool)
    every = idx.size == cases.n
    writer = BlockColumns(cases.n, covered=every)
    for block in blocks(idx, CHUNK):
        curb, usable, feasible, out = _block(cases, block, data, details, ids=not every)
        columns["curb_mass"][block] = curb
        columns["battery_usable"][block] = usable
        feasible_all[block] = feasible
        for name, values in out.items():
            if every and name in PASSED:
                continue  # the input column itself (below)
            if not feasible.all() and name not in KEPT:  # an infeasible case has no pack
                values = values.copy()
                values[~feasible] = None if values.dtype == object else np.nan
            writer.put(name, block, values)
    full = writer.columns()
    if every:
        full.update({name: b[source] for name, source in PASSED.items()})
    full["battery_feasible"] = feasible_all
    return replace(cases, columns=columns), full


#: Outputs that repeat an input of the case's battery (kept by infeasible cases too), by input name.
PASSED = {"battery_cell": "cell", "battery_architecture": "architecture", "cell_site": "cell_site",
          "pack_site": "pack_site"}

#: Object outputs an infeasible case keeps (what was asked for), the others become None.
KEPT = ("battery_cell", "battery_architecture", "battery_chemistry", "cell_site", "pack_site")


def _block(cases: CaseTable, idx: np.ndarray, data: DataSet, details: bool, ids: bool = True
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """New curb mass [kg], usable energy [kWh], feasibility and battery outputs of the cases at ``idx``
    (``ids``: with the outputs that repeat the battery's inputs)."""
    b = cases.battery
    ctx = bm.context(data)
    r = bm.case_rows(ctx, data, b, idx)
    ref_share = subset(b["ref_usable_share"], idx) if "ref_usable_share" in b else None
    r_ref = bm.Rows(ctx.lib.cell_index(subset(b["ref_cell"], idx)),  # same sites: same country rows
                    ctx.lib.architecture_index(subset(b["ref_architecture"], idx)), r.cell_country, r.pack_country,
                    ref_share)
    curb = subset(cases.columns["curb_mass"], idx)
    base = curb - bm.kg_per_usable_kwh(ctx, r_ref) * subset(b["ref_usable"], idx)  # the car without its pack
    given = subset(cases.columns["battery_usable"], idx)
    usable = given.copy()
    kg_per_kwh = bm.kg_per_usable_kwh(ctx, r)
    feasible = np.ones(idx.size, dtype=bool)
    target = subset(b["target_range"], idx)
    sized = np.flatnonzero(np.isfinite(target))
    if sized.size:
        sub = cases.take(idx[sized])

        def consumption(mass_kg: np.ndarray, which: np.ndarray) -> np.ndarray:
            trial = sub.take(which)
            trial.columns["curb_mass"] = mass_kg
            return energy_use(trial, data, phases=False)["energy_battery_kwh_per_100km"] / 100.0

        ref_usable = b["ref_usable"][idx[sized]]
        start = np.where(np.isfinite(ref_usable), ref_usable, 50.0)
        closure = solve_range(target[sized], base[sized], kg_per_kwh[sized], start, consumption,
                              max_usable_kwh=VEHICLE_FIELDS["battery_usable"].high)
        usable[sized] = closure.usable_kwh
        feasible[sized] = closure.feasible
    new_curb = base + kg_per_kwh * usable
    heavy = new_curb > VEHICLE_FIELDS["curb_mass"].high
    feasible &= ~heavy
    usable[~feasible] = np.nan
    out = bm.battery_outputs(ctx, r, np.where(feasible, usable, np.nan), details=details, ids=ids)
    cells = [data.table("cells")[c] for c in ctx.lib.cells]  # the library's cells, by row
    out["battery_chemistry"] = coded([c.meta["chemistry"] for c in cells], r.cell)
    out["nominal_voltage_v"] = np.array([c.value("nominal_voltage") for c in cells]).take(r.cell)
    out["cycle_life"] = np.array([c.value("cycle_life") for c in cells]).take(r.cell)
    if ids:
        out["cell_site"] = subset(b["cell_site"], idx)
        out["pack_site"] = subset(b["pack_site"], idx)
    return (np.where(feasible, new_curb, curb), np.where(feasible, usable, given), feasible, out)
