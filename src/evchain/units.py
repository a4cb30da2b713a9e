"""Units at the boundary: parse quantities with pint and convert them to canonical units.

The model works in plain floats of canonical units (kg, kWh, km, m, s, W and the
units of :mod:`evchain.fields`). pint is used only where data and study files are
read, and its registry is built on first use, never at import.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evchain.errors import EvchainError

if TYPE_CHECKING:  # pragma: no cover
    import pint

_PER_100KM = re.compile(r"/\s*\(?\s*100\s*km\s*\)?")


class UnitError(EvchainError):
    """A value whose unit is missing, unknown or does not fit its field."""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The shared pint registry, with ``hkm`` (100 km) for consumption units."""
    import pint

    # the parsed definitions are cached on disk by pint (platform cache folder): halves start-up
    ureg: pint.UnitRegistry = pint.UnitRegistry(cache_folder=":auto:")
    ureg.define("hkm = 100 * km")
    ureg.define("percent_ = 0.01 = pct")
    # money: euros only; other currencies are turned into euros by the data registry,
    # at the exchange rate of the value's year (evchain.data.tables.currency_factor)
    ureg.define("EUR = [currency]")
    ureg.define("kEUR = 1000 * EUR")
    return ureg


def _normalise(text: str) -> str:
    text = text.strip().replace("%", " percent").replace("²", "**2").replace("³", "**3")
    return _PER_100KM.sub("/hkm", text)


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "evchain" / "unit-factors.json"


@lru_cache(maxsize=1)
def _disk_factors() -> dict[str, float]:
    """Conversion factors computed by earlier runs, so a run need not build pint's registry."""
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@lru_cache(maxsize=1)
def _pint_version() -> str:
    from importlib.metadata import version

    return version("pint")


@lru_cache(maxsize=4096)
def _factor(unit: str, canonical: str) -> float:
    """Multiplicative factor from ``unit`` to ``canonical``; raises UnitError.

    Factors found valid once are kept in a small JSON file in the user's cache folder
    (``$XDG_CACHE_HOME/evchain``), keyed by pint's version; errors are never cached.
    """
    key = f"{_pint_version()}|{unit}|{canonical}"
    cached = _disk_factors().get(key)
    if isinstance(cached, float):
        return cached
    factor = _pint_factor(unit, canonical)
    _disk_factors()[key] = factor
    try:
        path = _cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_disk_factors()), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return factor


def _pint_factor(unit: str, canonical: str) -> float:
    import pint

    ureg = registry()
    try:
        src = ureg.parse_units(_normalise(unit)) if unit.strip() else ureg.dimensionless
        dst = ureg.parse_units(_normalise(canonical)) if canonical.strip() else ureg.dimensionless
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError,
            TypeError, ValueError, AssertionError) as exc:
        raise UnitError(f"unknown unit {unit!r}") from exc
    try:
        return float(ureg.Quantity(1.0, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"unit {unit!r} does not fit: expected a quantity in {canonical!r}"
        ) from exc


def convert(value: float, unit: str, canonical: str) -> float:
    """``value`` in ``unit`` expressed in ``canonical`` units.

    Temperatures are not supported (no offset units are needed by the model).
    """
    return float(value) * _factor(unit, canonical)


_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(?:,\d{3})+(?=\D|$)")
_NUMBER_UNIT = re.compile(
    r"^\s*([-+]?(?:\d+(?:[._]\d*)*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"
)


def parse_quantity(value: Any, canonical: str) -> float:
    """Parse a study value (``"52 kWh"``, ``"1,450 kg"``, ``0.29``) into ``canonical`` units.

    A bare number is accepted only for a dimensionless field; a dimensional field
    needs its unit written out, so that no number is read in a unit the user did
    not mean.
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a quantity, got {value!r}")
    dimensionless = _factor("", canonical) if _is_dimensionless(canonical) else None
    if isinstance(value, (int, float)):
        if dimensionless is None:
            raise UnitError(
                f"{value!r} has no unit: write it with one, e.g. '{value} {canonical}'"
            )
        return float(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a quantity such as '1 {canonical}', got {value!r}")
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), value)
    number_part = text.split()[0] if text.split() else ""
    if "," in number_part:
        raise UnitError(f"cannot read {value!r}: write decimals with a point ('0.3 kW'); a comma only "
                        "separates thousands ('1,450 kg')")
    match = _NUMBER_UNIT.match(text)
    if not match:
        raise UnitError(f"cannot read {value!r} as a number with a unit")
    try:
        number = float(match.group(1).replace("_", ""))
    except ValueError:
        raise UnitError(f"cannot read {value!r} as a number with a unit") from None
    unit = match.group(2)
    if not unit and dimensionless is None:
        raise UnitError(f"{value!r} has no unit: write it with one, e.g. '{value} {canonical}'")
    return convert(number, unit, canonical)


def _is_dimensionless(canonical: str) -> bool:
    return canonical.strip() in ("", "dimensionless", "1")
