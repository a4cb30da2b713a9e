"""Vehicle masses on the test: payload, test mass and inertial mass.

References
----------
Commission Regulation (EU) 2017/1151, Annex XXI, Sub-Annex 4 (test mass: mass in running
order + 25 kg + 15 % of the maximum vehicle load for M1 vehicles; rotating mass 3 % of
mass in running order + 25 kg). UN GTR No. 15, Annex 4, para. 4.2.1.3.1.
"""

from __future__ import annotations

import numpy as np


def wltp_payload(curb_mass_kg: np.ndarray, gross_mass_kg: np.ndarray, added_mass_kg: float,
                 payload_share: float, default_max_load_kg: float) -> np.ndarray:
    """Mass added to the mass in running order on a WLTP test [kg].

    ``added_mass_kg + payload_share × max_load`` with
    ``max_load = gross − curb − added_mass`` where the gross mass is known (finite), else
    ``default_max_load_kg``.
    """
    max_load = np.where(np.isfinite(gross_mass_kg), gross_mass_kg - curb_mass_kg - added_mass_kg,
                        default_max_load_kg)
    return added_mass_kg + payload_share * np.maximum(max_load, 0.0)


def cycle_mass(curb_mass_kg: np.ndarray, payload_kg: np.ndarray) -> np.ndarray:
    """Test mass [kg]: mass in running order plus payload."""
    return curb_mass_kg + payload_kg


def inertial_mass(test_mass_kg: np.ndarray, rotating_mass_factor: np.ndarray) -> np.ndarray:
    """Mass that resists acceleration [kg]: ``m (1 + f_rot)``."""
    return test_mass_kg * (1.0 + rotating_mass_factor)
