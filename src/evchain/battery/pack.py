"""Pack design: from usable energy, cells and architecture to mass, volume and materials.

All functions take arrays over cases (or scalars) and return arrays; nothing is looped
in Python. With ``E_u`` the usable energy, ``s`` the usable share, ``e_c`` and ``ρ_c``
the cell's specific energy and energy density, ``k`` the architecture's non-cell mass per
kWh and ``η_v`` its volumetric efficiency (cell volume / pack volume)::

    E = E_u / s                       total energy [kWh]
    m_cells = 1000 E / e_c            [kg]        m_pack = m_cells + k E
    V_cells = 1000 E / ρ_c            [l]         V_pack = V_cells / η_v

The pack's gravimetric efficiency (cell mass / pack mass, Löbberding et al.) follows as
``1 / (1 + k e_c / 1000)``. Teardowns show the non-cell mass (housing, modules, cooling,
electrics) scaling with the pack's energy whatever its chemistry: about 2.2 kg/kWh in
module packs of NMC (Renault Zoe, VW MEB) and of LFP cells (Tesla Model 3 SR+), so one
ratio cannot fit both (0.63 with NMC cells, 0.75 with the heavier LFP cells).

References: cell-to-pack ratios as defined by Löbberding et al., "From Cell to Battery
System in BEVs: Analysis of System Packing Efficiency and Cell Types", World Electric
Vehicle Journal 11(4):77, 2020 (doi:10.3390/wevj11040077); the teardowns in
``pack_architectures.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PackDesign:
    """Arrays over cases: a pack's size, mass and volume."""

    energy_kwh: np.ndarray  #: total (gross) energy [kWh]
    usable_kwh: np.ndarray  #: usable (net) energy [kWh]
    cell_mass_kg: np.ndarray  #: mass of the cells [kg]
    mass_kg: np.ndarray  #: pack mass [kg]
    volume_l: np.ndarray  #: pack volume [l]
    cells: np.ndarray  #: number of cells [-] (rounded up)

    @property
    def specific_energy_wh_per_kg(self) -> np.ndarray:
        """Pack gravimetric energy density [Wh/kg]."""
        return 1000.0 * self.energy_kwh / self.mass_kg

    @property
    def energy_density_wh_per_l(self) -> np.ndarray:
        """Pack volumetric energy density [Wh/l]."""
        return 1000.0 * self.energy_kwh / self.volume_l

    @property
    def non_cell_mass_kg(self) -> np.ndarray:
        """Housing, thermal system, electrics and electronics [kg]."""
        return self.mass_kg - self.cell_mass_kg


def design_pack(usable_kwh: np.ndarray, usable_share: np.ndarray, cell_wh_per_kg: np.ndarray,
                cell_wh_per_l: np.ndarray, cell_energy_wh: np.ndarray, non_cell_kg_per_kwh: np.ndarray,
                volumetric_efficiency: np.ndarray) -> PackDesign:
    """Size a pack for a usable energy [kWh] (see the module docstring for the equations)."""
    usable = np.asarray(usable_kwh, dtype=np.float64)
    energy = usable / usable_share
    cell_mass = 1000.0 * energy / cell_wh_per_kg
    return PackDesign(
        energy_kwh=energy,
        usable_kwh=usable,
        cell_mass_kg=cell_mass,
        mass_kg=cell_mass + non_cell_kg_per_kwh * energy,
        volume_l=1000.0 * energy / cell_wh_per_l / volumetric_efficiency,
        cells=np.ceil(1000.0 * energy / cell_energy_wh - 1e-9),
    )


def pack_mass_per_kwh(usable_share: np.ndarray, cell_wh_per_kg: np.ndarray,
                      non_cell_kg_per_kwh: np.ndarray) -> np.ndarray:
    """Pack mass per kWh of usable energy [kg/kWh] (the slope the mass closure uses)."""
    return (1000.0 / cell_wh_per_kg + non_cell_kg_per_kwh) / usable_share


def gravimetric_efficiency(cell_wh_per_kg: np.ndarray, non_cell_kg_per_kwh: np.ndarray) -> np.ndarray:
    """Cell mass over pack mass [-] (module docstring)."""
    return 1.0 / (1.0 + non_cell_kg_per_kwh * cell_wh_per_kg / 1000.0)


def materials_kg(energy_kwh: np.ndarray, non_cell_mass_kg: np.ndarray, cell_kg_per_kwh: np.ndarray,
                 part_kg_per_kg: np.ndarray, cell_index: np.ndarray, architecture_index: np.ndarray
                 ) -> np.ndarray:
    """Mass of each reported material or element in each pack [kg], shape ``(cases, categories)``.

    ``cell_kg_per_kwh[c, k]``: category ``k`` in cell ``c`` per kWh of cell energy;
    ``part_kg_per_kg[a, k]``: category ``k`` per kg of non-cell mass of architecture ``a``.
    """
    return (energy_kwh[:, None] * cell_kg_per_kwh[cell_index]
            + non_cell_mass_kg[:, None] * part_kg_per_kg[architecture_index])
