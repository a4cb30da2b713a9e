"""The cell and architecture library as arrays, built once per data set.

Cells and architectures are rows; a case picks a row by index, so that pack design and
cost run over any number of cases without Python loops.

Bill of materials: each cell lists kg per kWh of its materials (``cells.csv``). Their sum
should be the cell's mass per kWh, ``1000 / e_c``. Where it falls short, the rest (tabs,
tapes, insulation, extra electrolyte) is reported as ``cell_other``; where it exceeds it,
the listed masses are scaled down to the cell mass, so that mass always balances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import map_values
from evchain.battery.materials import material_split
from evchain.data.registry import DataSet
from evchain.data.tables import Record
from evchain.errors import DataError
from evchain.schema_tables import CELL_BOM_FIELDS, PACK_PART_FIELDS

#: The material each pack-part share of ``pack_architectures.csv`` is made of.
PART_MATERIAL = {
    "housing_aluminium_share": "aluminium",
    "housing_steel_share": "steel",
    "thermal_share": "thermal-system",
    "electrical_copper_share": "copper",
    "bms_electronics_share": "electronics",
    "fasteners_other_share": "plastics",
}

#: Reporting names always present in a bill of materials (in this order first).
KEY_CATEGORIES = ("Li", "Ni", "Co", "Mn", "graphite", "Cu", "Al")


def cell_materials(cell: Record) -> dict[str, str]:
    """The material (``materials.toml`` id) of each bill-of-materials field of a cell."""
    casing = {"aluminium": "aluminium", "steel": "steel", "laminate-pouch": "pouch-laminate"}
    casing_material = str(cell.meta["casing_material"])
    if casing_material not in casing:
        raise DataError(f"cells.toml [{cell.id}] casing_material {casing_material!r}; allowed: {sorted(casing)}")
    return {
        "cathode_active": str(cell.meta["cathode"]),
        "anode_active": str(cell.meta["anode"]),
        "copper_foil": "copper",
        "aluminium_foil": "aluminium",
        "electrolyte": str(cell.meta.get("electrolyte", "electrolyte-na" if cell.meta["anode"] == "hard-carbon"
                                         else "electrolyte")),
        "separator": "separator",
        "binder_carbon": "binder-carbon",
        "casing": casing[casing_material],
    }


def _price_ids(cell: Record) -> dict[str, list[tuple[str, float]]]:
    """Price ids (``material_prices.csv``) of each BOM field of a cell, with weights."""
    materials = cell_materials(cell)
    anode = materials["anode_active"]
    if anode == "graphite":
        natural = cell.get("natural_graphite_share", 0.0)
        anode_prices = [("graphite-natural", natural), ("graphite-synthetic", 1.0 - natural)]
    else:
        anode_prices = [(anode, 1.0)]
    return {
        "cathode_active": [(materials["cathode_active"], 1.0)],
        "anode_active": anode_prices,
        "copper_foil": [("copper-foil", 1.0)],
        "aluminium_foil": [("aluminium-foil", 1.0)],
        "electrolyte": [(materials["electrolyte"], 1.0)],
        "separator": [("separator", 1.0)],
        "binder_carbon": [("binder-carbon", 1.0)],
        "casing": [(materials["casing"], 1.0)],
    }


@dataclass(frozen=True)
class Library:
    """Cells and architectures as arrays (rows), and the reporting categories (columns)."""

    cells: tuple[str, ...]
    architectures: tuple[str, ...]
    categories: tuple[str, ...]  #: names of the bill-of-materials columns (elements and materials)
    usable_share: np.ndarray  #: per cell [-]
    specific_energy: np.ndarray  #: per cell [Wh/kg]
    energy_density: np.ndarray  #: per cell [Wh/l]
    cell_energy: np.ndarray  #: per cell [Wh]
    cell_kg_per_kwh: np.ndarray  #: (cells, categories) [kg/kWh of cell energy]
    bom_kg_per_kwh: np.ndarray  #: (cells, BOM fields) [kg/kWh], scaled to close the mass balance
    material_cost_per_kwh: np.ndarray  #: per cell, materials at their prices [EUR/kWh], before yield
    non_cell_mass_per_kwh: np.ndarray  #: per architecture [kg/kWh of pack energy]
    volumetric_efficiency: np.ndarray  #: per architecture [-]
    hardware_cost: np.ndarray  #: per architecture [EUR/kWh]
    assembly_hours: np.ndarray  #: per architecture [h/kWh]
    part_kg_per_kg: np.ndarray  #: (architectures, categories) [kg per kg of non-cell mass]
    part_share: np.ndarray  #: (architectures, pack parts) shares of non-cell mass [-]

    def cell_index(self, ids: np.ndarray) -> np.ndarray:
        """Row of each cell id (ids validated upstream)."""
        return map_values(ids, self.cells.index, np.int64)

    def architecture_index(self, ids: np.ndarray) -> np.ndarray:
        """Row of each architecture id."""
        return map_values(ids, self.architectures.index, np.int64)


def _price(data: DataSet, price_id: str, cell: str) -> float:
    record = data.table("material_prices").get(price_id)
    if record is None:
        raise DataError(f"material_prices.csv has no price for {price_id!r} (a material of cell {cell!r})")
    return record.value("price")


def build_library(data: DataSet) -> Library:
    """Arrays of every cell and architecture of ``data`` (see :class:`Library`)."""
    cells = data.table("cells")
    archs = data.table("pack_architectures")
    if not cells or not archs:
        raise DataError("the data has no cells (cells.csv) or no pack architectures (pack_architectures.csv)")
    splits: dict[str, dict[str, float]] = {}
    cell_rows: list[dict[str, float]] = []
    bom_rows = []
    costs = []
    for cid, cell in cells.items():
        materials = cell_materials(cell)
        bom = np.array([cell.value(f) for f in CELL_BOM_FIELDS])
        mass = 1000.0 / cell.value("specific_energy")
        bom = bom * min(1.0, mass / bom.sum())  # never more material than the cell weighs
        row: dict[str, float] = {}
        for field_name, kg in zip(CELL_BOM_FIELDS, bom, strict=True):
            material = materials[field_name]
            split = splits.setdefault(material, material_split(material, data))
            for name, share in split.items():
                row[name] = row.get(name, 0.0) + kg * share
        row["cell_other"] = row.get("cell_other", 0.0) + mass - bom.sum()
        cell_rows.append(row)
        bom_rows.append(bom)
        prices = _price_ids(cell)
        costs.append(sum(kg * sum(w * _price(data, pid, cid) for pid, w in prices[f])
                         for f, kg in zip(CELL_BOM_FIELDS, bom, strict=True)))
    part_rows = []
    for aid, arch in archs.items():
        shares = {f: arch.value(f) for f in PACK_PART_FIELDS}
        total = sum(shares.values())
        if abs(total - 1.0) > 0.01:
            raise DataError(f"pack_architectures.csv: the part shares of {aid!r} sum to {total:.3f}, not 1")
        row = {}
        for part, share in shares.items():
            material = PART_MATERIAL[part]
            split = splits.setdefault(material, material_split(material, data))
            for name, s in split.items():
                row[name] = row.get(name, 0.0) + share / total * s
        part_rows.append(row)
    seen = {name for row in [*cell_rows, *part_rows] for name in row}
    categories = (*KEY_CATEGORIES, *sorted(seen - set(KEY_CATEGORIES)))

    def matrix(rows: list[dict[str, float]]) -> np.ndarray:
        return np.array([[row.get(c, 0.0) for c in categories] for row in rows])

    return Library(
        cells=tuple(cells), architectures=tuple(archs), categories=categories,
        usable_share=np.array([c.value("usable_share") for c in cells.values()]),
        specific_energy=np.array([c.value("specific_energy") for c in cells.values()]),
        energy_density=np.array([c.value("energy_density") for c in cells.values()]),
        cell_energy=np.array([c.value("cell_energy") for c in cells.values()]),
        cell_kg_per_kwh=matrix(cell_rows),
        bom_kg_per_kwh=np.array(bom_rows),
        material_cost_per_kwh=np.array(costs),
        non_cell_mass_per_kwh=np.array([a.value("non_cell_mass_per_kwh") for a in archs.values()]),
        volumetric_efficiency=np.array([a.value("volumetric_efficiency") for a in archs.values()]),
        hardware_cost=np.array([a.value("hardware_cost") for a in archs.values()]),
        assembly_hours=np.array([a.value("assembly_hours") for a in archs.values()]),
        part_kg_per_kg=matrix(part_rows),
        part_share=np.array([[a.value(f) for f in PACK_PART_FIELDS] for a in archs.values()])
        / np.array([[sum(a.value(f) for f in PACK_PART_FIELDS)] for a in archs.values()]),
    )
