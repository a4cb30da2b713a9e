"""Results: one row per case, one column per output, with the provenance of the run."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns shown by the table view, in order, with their headers.
TABLE_COLUMNS = (
    ("id", "case"),
    ("cycle", "cycle"),
    ("test_mass_kg", "mass\nkg"),
    ("energy_battery_kwh_per_100km", "battery\nkWh/100km"),
    ("energy_wall_kwh_per_100km", "wall\nkWh/100km"),
    ("wltp_energy_wall_kwh_per_100km", "published\nwall"),
    ("range_km", "range\nkm"),
    ("wltp_range_km", "published\nrange"),
    ("follows_cycle", "follows\ncycle"),
)


#: The battery table, shown when the cases have battery outputs.
BATTERY_COLUMNS = (
    ("id", "case"),
    ("battery_cell", "cell"),
    ("battery_architecture", "architecture"),
    ("pack_usable_kwh", "usable\nkWh"),
    ("pack_energy_kwh", "total\nkWh"),
    ("pack_mass_kg", "pack\nkg"),
    ("pack_specific_energy_wh_per_kg", "pack\nWh/kg"),
    ("pack_volume_l", "pack\nlitres"),
    ("cell_cost_eur_per_kwh", "cell\n€/kWh"),
    ("pack_cost_eur_per_kwh", "pack\n€/kWh"),
    ("pack_cost_eur", "pack\n€"),
)


#: The "where to build" table, shown when the cases have cost and impact outputs.
SITE_COLUMNS = (
    ("id", "case"),
    ("landed_cost_eur", "landed\n€/car"),
    ("price_floor_eur", "price floor\n€"),
    ("gwp_total_kgco2e", "life-cycle\nkg CO2e"),
    ("gwp_per_km_gco2e", "g CO2e\n/km"),
    ("breakeven_km", "break-even\nkm vs petrol"),
    ("battery_cf_kgco2e_per_kwh", "battery CF\nkg/kWh deliv."),
    ("france_score", "French\nscore"),
    ("france_bonus_eligible", "bonus"),
    ("eu_value_added_share", "EU value\nadded"),
    ("france_value_added_share", "French value\nadded"),
)


def _plain(value: Any) -> Any:
    """A JSON-safe Python value (NaN becomes None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    return value


@dataclass
class Results:
    """The outputs of :func:`evchain.evaluate`."""

    study: str
    columns: dict[str, np.ndarray]
    evchain_version: str
    data_version: str
    seed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of cases."""
        return len(self.columns["id"])

    def provenance(self) -> dict[str, Any]:
        """What makes the run reproducible."""
        return {"evchain_version": self.evchain_version, "data_version": self.data_version,
                "seed": self.seed, "study": self.study}

    def cases(self) -> list[dict[str, Any]]:
        """One dict per case: id and every output."""
        names = list(self.columns)
        return [{name: _plain(self.columns[name][i]) for name in names} for i in range(self.n)]

    def to_dict(self) -> dict[str, Any]:
        """The results as plain Python data (the JSON layout)."""
        return {**self.provenance(), "notes": list(self.notes), "cases": self.cases()}

    def to_json(self, indent: int | None = 2) -> str:
        """The results as a JSON document (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_pandas(self) -> pd.DataFrame:
        """The results as a DataFrame indexed by case id; provenance in ``.attrs``."""
        import pandas as pd

        frame = pd.DataFrame({k: list(v) if v.dtype == object else v for k, v in self.columns.items()})
        frame = frame.set_index("id")
        frame.attrs.update(self.provenance())
        return frame

    def to_csv(self) -> str:
        """Scalar outputs as CSV, with provenance in leading ``#`` comment lines."""
        frame = self.to_pandas()
        scalar = [c for c in frame.columns if not isinstance(frame[c].iloc[0], dict)]
        header = "".join(f"# {k}: {v}\n" for k, v in self.provenance().items())
        return header + frame[scalar].to_csv(float_format="%.6g")
