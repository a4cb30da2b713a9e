"""The battery step of the model chain: design, materials and cost of every case's pack.

Outputs (arrays over cases; the ``*_by_*`` ones are 2-D with their column names):

``pack_energy_kwh``, ``pack_usable_kwh``, ``pack_mass_kg``, ``pack_volume_l``, ``pack_cells``,
``pack_specific_energy_wh_per_kg``, ``pack_energy_density_wh_per_l``,
``cell_cost_eur_per_kwh``, ``pack_cost_eur_per_kwh`` (per kWh of total energy),
``pack_cost_eur``, ``pack_cost_by_category_eur_per_kwh``, ``battery_materials_kg`` (by element
or reported material) and ``battery_bom_kg`` (by part: cathode, anode, foils, ..., housing).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from evchain.arrays import coded, map_values, subset
from evchain.battery.choice import site_country
from evchain.battery.cost import PACK_CATEGORIES, Countries, build_countries, capital_recovery_factor, pack_cost
from evchain.battery.library import Library, build_library
from evchain.battery.pack import PackDesign, design_pack, materials_kg, pack_mass_per_kwh
from evchain.data.registry import DataSet
from evchain.schema_tables import CELL_BOM_FIELDS, PACK_PART_FIELDS

#: Names of the bill of materials by part: the cell's materials, the rest of the cell, the pack's parts.
BOM_NAMES = (*CELL_BOM_FIELDS, "cell_other", *(f.removesuffix("_share") for f in PACK_PART_FIELDS))


@dataclass(frozen=True)
class BatteryContext:
    """Everything the battery step reads, as arrays, built once per data set."""

    lib: Library
    countries: Countries
    cell_electricity: float  #: [kWh/kWh]
    crf: float  #: capital recovery factor [1/yr]
    overhead_share: float
    warranty_share: float


_CONTEXTS: dict[tuple[str, tuple[str, ...]], BatteryContext] = {}


def context(data: DataSet) -> BatteryContext:
    """The battery arrays of ``data`` (built on first use, then reused)."""
    key = (data.version, tuple(str(f) for f in data.folders))
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = BatteryContext(
            lib=build_library(data), countries=build_countries(data),
            cell_electricity=data.parameter("cell_electricity"),
            crf=float(capital_recovery_factor(data.parameter("cost_of_capital"), data.parameter("cell_plant_life"))),
            overhead_share=data.parameter("overhead_share"), warranty_share=data.parameter("warranty_share"))
        _CONTEXTS[key] = ctx
    return ctx


@dataclass(frozen=True)
class Rows:
    """Each case's rows into the library and country arrays; ``usable_share``, where finite, the
    case's own usable share of its pack [-] (a reference car's published usable over gross
    energy), else the cell's."""

    cell: np.ndarray
    architecture: np.ndarray
    cell_country: np.ndarray
    pack_country: np.ndarray
    usable_share: np.ndarray | None = None


def rows(ctx: BatteryContext, data: DataSet, cell: np.ndarray, architecture: np.ndarray, cell_site: np.ndarray,
         pack_site: np.ndarray) -> Rows:
    """Rows of ids (validated upstream); sites become their countries."""
    def country_row(site: Any) -> int:
        return ctx.countries.codes.index(site_country(data, site))

    return Rows(ctx.lib.cell_index(cell), ctx.lib.architecture_index(architecture),
                map_values(cell_site, country_row, np.int64), map_values(pack_site, country_row, np.int64))


def case_rows(ctx: BatteryContext, data: DataSet, battery: dict[str, np.ndarray], idx: np.ndarray) -> Rows:
    """Rows of the cases at ``idx`` of a case table's battery columns, with the usable share of
    the car's own pack where its cells are the reference cells and the car publishes its gross
    energy (``ref_usable_share``; the makers' buffers differ from the cells' typical one)."""
    r = rows(ctx, data, subset(battery["cell"], idx), subset(battery["architecture"], idx),
             subset(battery["cell_site"], idx), subset(battery["pack_site"], idx))
    share = battery.get("ref_usable_share")
    if share is None:
        return r
    own = subset(share, idx)
    if not np.isfinite(own).any():
        return r
    same = r.cell == ctx.lib.cell_index(subset(battery["ref_cell"], idx))
    return replace(r, usable_share=np.where(same, own, np.nan))


def usable_share(ctx: BatteryContext, r: Rows) -> np.ndarray:
    """Each case's usable share of its pack [-] (see :class:`Rows`)."""
    typical = ctx.lib.usable_share[r.cell]
    return typical if r.usable_share is None else np.where(np.isfinite(r.usable_share), r.usable_share, typical)


def design(ctx: BatteryContext, r: Rows, usable_kwh: np.ndarray) -> PackDesign:
    """Pack designs for the usable energies [kWh]."""
    lib = ctx.lib
    return design_pack(usable_kwh, usable_share(ctx, r), lib.specific_energy[r.cell], lib.energy_density[r.cell],
                       lib.cell_energy[r.cell], lib.non_cell_mass_per_kwh[r.architecture],
                       lib.volumetric_efficiency[r.architecture])


def kg_per_usable_kwh(ctx: BatteryContext, r: Rows) -> np.ndarray:
    """Pack mass per kWh of usable energy [kg/kWh]."""
    lib = ctx.lib
    return pack_mass_per_kwh(usable_share(ctx, r), lib.specific_energy[r.cell],
                             lib.non_cell_mass_per_kwh[r.architecture])


def cost(ctx: BatteryContext, r: Rows) -> dict[str, np.ndarray]:
    """Cost by category [EUR per kWh of total energy], see :func:`evchain.battery.cost.pack_cost`."""
    return pack_cost(r.cell, r.architecture, r.cell_country, r.pack_country, ctx.lib, ctx.countries,
                     ctx.cell_electricity, ctx.crf, ctx.overhead_share, ctx.warranty_share)


def battery_outputs(ctx: BatteryContext, r: Rows, usable_kwh: np.ndarray, details: bool = True,
                    ids: bool = True) -> dict[str, Any]:
    """All battery outputs of the cases (module docstring). ``details`` adds the per-case
    objects (cost by category, materials by element) the study outputs carry; ``ids`` the
    cell and architecture ids (a caller that has them as inputs skips them)."""
    pack = design(ctx, r, usable_kwh)
    costs = cost(ctx, r)
    out: dict[str, Any] = {}
    if ids:
        out["battery_cell"] = coded(ctx.lib.cells, r.cell)
        out["battery_architecture"] = coded(ctx.lib.architectures, r.architecture)
    out.update({
        "pack_energy_kwh": pack.energy_kwh,
        "pack_usable_kwh": pack.usable_kwh,
        "pack_mass_kg": pack.mass_kg,
        "pack_volume_l": pack.volume_l,
        "pack_cells": pack.cells,
        "pack_specific_energy_wh_per_kg": pack.specific_energy_wh_per_kg,
        "pack_energy_density_wh_per_l": pack.energy_density_wh_per_l,
        "cell_cost_eur_per_kwh": costs["cell"],
        "pack_cost_eur_per_kwh": costs["pack"],
        "pack_cost_eur": costs["pack"] * pack.energy_kwh,
    })
    if details:
        by_category = np.stack([costs[c] for c in PACK_CATEGORIES], axis=1)
        kg = materials_kg(pack.energy_kwh, pack.non_cell_mass_kg, ctx.lib.cell_kg_per_kwh, ctx.lib.part_kg_per_kg,
                          r.cell, r.architecture)
        out["pack_cost_by_category_eur_per_kwh"] = _objects(by_category, PACK_CATEGORIES)
        out["battery_materials_kg"] = _objects(kg, ctx.lib.categories)
        out["battery_bom_kg"] = _objects(bom_parts(ctx, r, pack), BOM_NAMES)
    return out


def bom_parts(ctx: BatteryContext, r: Rows, pack: PackDesign) -> np.ndarray:
    """Mass of each part of :data:`BOM_NAMES` in each pack [kg], shape ``(cases, parts)``."""
    cell_bom = pack.energy_kwh[:, None] * ctx.lib.bom_kg_per_kwh[r.cell]
    cell_other = pack.cell_mass_kg - cell_bom.sum(axis=1)
    return np.concatenate([cell_bom, cell_other[:, None],
                           pack.non_cell_mass_kg[:, None] * ctx.lib.part_share[r.architecture]], axis=1)


def _objects(values: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """One dict per row (for study outputs; a few cases, not a sweep)."""
    out = np.empty(values.shape[0], dtype=object)
    for i, row in enumerate(values.tolist()):
        out[i] = dict(zip(names, row, strict=True))
    return out
