"""A car's inventory outside its battery: powertrain parts and the glider, by material.

Masses (``vehicle_inventory.csv``): the motor weighs ``m_0 + k P`` for a peak power ``P``,
with ``k_mag P`` of NdFeB magnets for a permanent-magnet motor (none for a wound-rotor
EESM); the inverter ``k_inv P`` (or a fixed mass); the charger, converter, distribution
unit, reducer, wiring and 12 V battery fixed masses. The glider is what is left of the
curb mass (mass in running order, EU: with a 75 kg driver)::

    m_glider = m_curb - m_driver - m_pack - m_powertrain

split into materials by the segment's composition shares. Each part's material shares
sum to one, the rest of a part counted as steel (``other``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import map_values, take2
from evchain.data.registry import DataSet
from evchain.data.tables import Record
from evchain.errors import DataError

#: Materials the inventory reports (ids of material_footprints.csv, reported here by name).
MATERIALS = ("steel", "aluminium", "copper", "plastics", "glass", "rubber", "electronics", "ndfeb", "lead")

#: Share field of vehicle_inventory.csv -> material.
SHARE_MATERIAL = {"steel_share": "steel", "aluminium_share": "aluminium", "copper_share": "copper",
                  "plastics_share": "plastics", "glass_share": "glass", "rubber_share": "rubber",
                  "electronics_share": "electronics", "magnet_share": "ndfeb", "lead_share": "lead",
                  "other_share": "steel"}

#: Fixed-mass powertrain parts (besides the motor and inverter, which scale with power).
FIXED_PARTS = ("onboard-charger", "dc-dc-converter", "power-distribution-unit", "reducer", "wiring",
               "twelve-volt-battery")


def shares(record: Record) -> np.ndarray:
    """A part's material shares over :data:`MATERIALS` (the rest counted as steel)."""
    out = np.zeros(len(MATERIALS))
    for name, material in SHARE_MATERIAL.items():
        if name in record.values:
            out[MATERIALS.index(material)] += record.value(name)
    total = out.sum()
    if total > 1.0 + 1e-6:
        raise DataError(f"vehicle_inventory.csv: the material shares of {record.id!r} sum to {total:.3f} > 1")
    out[MATERIALS.index("steel")] += 1.0 - total
    return out


@dataclass(frozen=True)
class Inventory:
    """Per-kW and fixed masses by material [kg/kW and kg], and glider compositions."""

    motor_fixed: np.ndarray  #: (2, materials) [kg]: row 0 permanent magnet, row 1 wound rotor (EESM)
    motor_per_kw: np.ndarray  #: (2, materials) [kg/kW]
    inverter_per_kw: np.ndarray  #: (materials,) [kg/kW]
    fixed: np.ndarray  #: (materials,) [kg] of the fixed-mass parts together
    glider_shares: dict[str, np.ndarray]  #: segment -> (materials,) shares
    tyre_set_kg: float
    tyre_km_per_set: float
    maintenance_kg_per_km: float


def build_inventory(data: DataSet) -> Inventory:
    """The powertrain and glider inventory of ``data``."""
    items = data.table("vehicle_inventory")

    def item(name: str) -> Record:
        if name not in items:
            raise DataError(f"vehicle_inventory.csv has no {name!r}")
        return items[name]

    motor = item("motor")
    eesm = items.get("motor-eesm", motor)
    magnet = MATERIALS.index("ndfeb")
    per_kw = np.zeros((2, len(MATERIALS)))
    fixed_motor = np.zeros((2, len(MATERIALS)))
    for row, record in enumerate((motor, eesm)):
        base = shares(record if record.values.keys() & set(SHARE_MATERIAL) else motor)
        base[magnet] = 0.0
        base /= base.sum()
        magnets = record.get("magnet_per_kw", motor.get("magnet_per_kw", 0.0)) if row == 0 else \
            record.get("magnet_per_kw", 0.0)
        per_kw[row] = base * (motor.value("mass_per_kw") - magnets)
        per_kw[row, magnet] += magnets
        fixed_motor[row] = base * motor.get("fixed_mass", 0.0)
    inverter = item("inverter")
    inverter_kw = shares(inverter) * inverter.get("mass_per_kw", 0.0)
    fixed = np.zeros(len(MATERIALS))
    for name in FIXED_PARTS:
        if name in items:
            fixed += shares(items[name]) * items[name].value("mass")
    if "mass_per_kw" not in inverter.values:
        fixed += shares(inverter) * inverter.value("mass")
    gliders = {k.removeprefix("glider-"): shares(r) for k, r in items.items() if k.startswith("glider-")}
    tyres = item("tyres")
    return Inventory(fixed_motor, per_kw, inverter_kw, fixed, gliders, tyres.value("mass"), tyres.value("km_per_set"),
                     items["maintenance"].get("mass_per_km", 0.0) if "maintenance" in items else 0.0)


def powertrain_kg(inv: Inventory, motor_kw: np.ndarray, wound_rotor: np.ndarray) -> np.ndarray:
    """Powertrain mass by material [kg], shape ``(cases, materials)``."""
    kind = wound_rotor.astype(np.int64)
    return (inv.motor_fixed[kind] + motor_kw[:, None] * (inv.motor_per_kw[kind] + inv.inverter_per_kw)
            + inv.fixed)


def glider_kg(inv: Inventory, glider_mass: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Glider mass by material [kg], shape ``(cases, materials)`` (segments A-B use the B shares)."""
    return glider_mass[:, None] * _glider_table(inv)[segment_row(inv, segment)]


def _glider_table(inv: Inventory) -> np.ndarray:
    return np.array([inv.glider_shares[n] for n in sorted(inv.glider_shares)])


def segment_row(inv: Inventory, segment: np.ndarray) -> np.ndarray:
    """Row of each segment among the glider compositions (an unknown segment uses B's)."""
    lookup = {n: i for i, n in enumerate(sorted(inv.glider_shares))}
    fallback = lookup.get("B", 0)
    return map_values(segment, lambda s: lookup.get(str(s), fallback), np.int64)


def powertrain_sum(inv: Inventory, weights: np.ndarray, motor_kw: np.ndarray, wound_rotor: np.ndarray,
                   row: np.ndarray | None = None) -> np.ndarray:
    """``Σ_m powertrain_kg[:, m] w[m]`` without forming the ``(cases, materials)`` masses.

    ``weights`` per material (shape ``(materials,)``), or a table ``(rows, materials)`` with
    each case's ``row``: e.g. kg CO2e/kg by region. Exact, since the masses are linear in power:
    ``Σ_m (f_m + P k_m) w_m = F + P K`` with ``F = f·w``, ``K = k·w`` per motor kind and row.
    """
    w = np.atleast_2d(weights)
    kind = wound_rotor.astype(np.int64)
    fixed = (inv.motor_fixed + inv.fixed) @ w.T  # (kinds, rows)
    per_kw = (inv.motor_per_kw + inv.inverter_per_kw) @ w.T
    r = np.zeros(kind.shape, dtype=np.int64) if row is None else row
    return take2(fixed, kind, r) + motor_kw * take2(per_kw, kind, r)


def glider_sum(inv: Inventory, weights: np.ndarray, glider_mass: np.ndarray, segment_rows: np.ndarray,
               row: np.ndarray | None = None) -> np.ndarray:
    """``Σ_m glider_kg[:, m] w[m]`` (see :func:`powertrain_sum`); ``segment_rows`` from
    :func:`segment_row`."""
    w = np.atleast_2d(weights)
    table = _glider_table(inv) @ w.T  # (segments, rows)
    r = np.zeros(segment_rows.shape, dtype=np.int64) if row is None else row
    return glider_mass * take2(table, segment_rows, r)


def unit(material: str) -> np.ndarray:
    """Weights selecting one material (for :func:`powertrain_sum` and :func:`glider_sum`) [-]."""
    out = np.zeros(len(MATERIALS))
    out[MATERIALS.index(material)] = 1.0
    return out
