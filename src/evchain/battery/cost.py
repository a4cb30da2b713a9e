"""Bottom-up cost of cells and packs by site [EUR per kWh of total pack energy].

Per kWh of cells made in a country of region ``r`` (yield ``y``: good cells over
cells started, so every input is spent on ``1 / y`` kWh)::

    materials = Σ_m q_m p_m / y                      (q: kg/kWh of material m, p: EUR/kg)
    labour    = h_r w / y                            (h_r: h/kWh, w: EUR/h of the country)
    energy    = e c / y                              (e: kWh of electricity per kWh, c: EUR/kWh)
    capital   = K_r CRF(i, n) / u_r / y              (K_r: EUR per kWh/yr of capacity,
                                                      CRF = i / (1 - (1 + i)^-n), u_r: utilisation)
    overhead  = o (labour + energy + capital)
    margin    = μ_r (materials + labour + energy + capital + overhead)

and per kWh of pack, assembled in a country of labour cost ``w_p``::

    pack = cells + hardware_a + H_a w_p + warranty,   warranty = ω (cells + hardware + assembly)

The structure follows Argonne's BatPaC (Knehr, Kubal, Nelson, Ahmed, ANL/CSE-22/1, 2022,
and earlier editions); the capital recovery factor is the standard one of engineering
economics (Short, Packey and Holt, NREL/TP-462-5173, 1995). Parameters: ``regions.csv``,
``countries.csv``, ``parameters.csv``, ``pack_architectures.csv``, ``material_prices.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evchain.arrays import map_values
from evchain.battery.library import Library
from evchain.data.registry import DataSet
from evchain.errors import DataError

#: Cost categories, in the order they add up (cell categories first, then the pack's).
CELL_CATEGORIES = ("materials", "labour", "energy", "capital", "overhead", "margin")
PACK_CATEGORIES = (*CELL_CATEGORIES, "pack_hardware", "pack_assembly", "warranty")


def capital_recovery_factor(rate: float | np.ndarray, years: float | np.ndarray) -> np.ndarray:
    """Share of an investment to recover each year over ``years`` at ``rate`` [1/yr].

    ``CRF = i / (1 - (1 + i)^-n)``, and ``1 / n`` when ``i = 0``.
    """
    rate = np.asarray(rate, dtype=np.float64)
    years = np.asarray(years, dtype=np.float64)
    safe = np.where(rate > 1e-12, rate, 1.0)
    return np.where(rate > 1e-12, safe / (1.0 - (1.0 + safe) ** -years), 1.0 / years)


@dataclass(frozen=True)
class Countries:
    """Country parameters as arrays (rows), with each country's plant region."""

    codes: tuple[str, ...]
    labour_cost: np.ndarray  #: [EUR/h]
    electricity_price: np.ndarray  #: [EUR/kWh]
    region: np.ndarray  #: row into the region arrays
    regions: tuple[str, ...]
    cell_capex: np.ndarray  #: per region [EUR per kWh/yr]
    utilisation: np.ndarray  #: per region [-]
    cell_yield: np.ndarray  #: per region [-]
    margin: np.ndarray  #: per region [-]
    cell_labour_hours: np.ndarray  #: per region [h/kWh]

    def index(self, codes: np.ndarray) -> np.ndarray:
        """Row of each country code."""
        return map_values(codes, self.codes.index, np.int64)


def build_countries(data: DataSet) -> Countries:
    """Arrays of every country of ``data`` and of the plant regions they belong to."""
    countries = data.table("countries")
    regions = data.table("regions")
    names = tuple(regions)
    region_row = {r: i for i, r in enumerate(names)}
    rows = []
    for code, record in countries.items():
        region = str(record.meta["region"])
        if region not in region_row:
            raise DataError(f"countries.toml [{code}] region {region!r} is not in regions.toml; known: {list(names)}")
        rows.append(region_row[region])
    return Countries(
        codes=tuple(countries),
        labour_cost=np.array([c.value("labour_cost") for c in countries.values()]),
        electricity_price=np.array([c.value("electricity_price") for c in countries.values()]),
        region=np.array(rows, dtype=np.int64),
        regions=names,
        cell_capex=np.array([r.value("cell_capex") for r in regions.values()]),
        utilisation=np.array([r.value("utilisation") for r in regions.values()]),
        cell_yield=np.array([r.value("cell_yield") for r in regions.values()]),
        margin=np.array([r.value("margin") for r in regions.values()]),
        cell_labour_hours=np.array([r.value("cell_labour_hours") for r in regions.values()]),
    )


def pack_cost(cell: np.ndarray, architecture: np.ndarray, cell_country: np.ndarray, pack_country: np.ndarray,
              lib: Library, countries: Countries, cell_electricity: float, crf: float, overhead_share: float,
              warranty_share: float) -> dict[str, np.ndarray]:
    """Cost of each case's pack by category [EUR per kWh of total energy] (module docstring).

    ``cell`` and ``architecture`` are rows of ``lib``; ``cell_country`` and ``pack_country``
    rows of ``countries``. Returns arrays keyed by :data:`PACK_CATEGORIES`, plus ``cell``
    (the cell cost) and ``pack`` (the total).
    """
    region = countries.region[cell_country]
    spent = 1.0 / countries.cell_yield[region]
    out: dict[str, np.ndarray] = {}
    out["materials"] = lib.material_cost_per_kwh[cell] * spent
    out["labour"] = countries.cell_labour_hours[region] * countries.labour_cost[cell_country] * spent
    out["energy"] = cell_electricity * countries.electricity_price[cell_country] * spent
    out["capital"] = countries.cell_capex[region] * crf / countries.utilisation[region] * spent
    out["overhead"] = overhead_share * (out["labour"] + out["energy"] + out["capital"])
    before_margin = out["materials"] + out["labour"] + out["energy"] + out["capital"] + out["overhead"]
    out["margin"] = countries.margin[region] * before_margin
    out["cell"] = before_margin + out["margin"]
    out["pack_hardware"] = lib.hardware_cost[architecture]
    out["pack_assembly"] = lib.assembly_hours[architecture] * countries.labour_cost[pack_country]
    out["warranty"] = warranty_share * (out["cell"] + out["pack_hardware"] + out["pack_assembly"])
    out["pack"] = out["cell"] + out["pack_hardware"] + out["pack_assembly"] + out["warranty"]
    return out
