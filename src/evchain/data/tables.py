"""Keyed data tables: records with descriptive text (TOML) and numeric fields (CSV).

A table is read from up to two files of the same stem in each data folder:

``<stem>.toml``
    one TOML table per record id with descriptive keys (``name``, ...).
``<stem>.csv``
    ``<key>,field,value,unit,low,high,source,estimate,note`` (long format), or, for a
    table of one field, ``<key>,value,unit,...`` (the field is then implied). An optional
    ``year`` column dates a value (prices, labour costs).

Money is held in euros. A value in another currency (``USD/kg``) is converted with the
exchange rate of its year from ``currencies.csv`` (or the latest year there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evchain.errors import DataError, did_you_mean
from evchain.fields import Field


@dataclass(frozen=True)
class TableSpec:
    """How to read one table."""

    stem: str  #: file stem: ``cells`` reads ``cells.toml`` and ``cells.csv``
    key: str  #: the CSV column holding the record id
    fields: Mapping[str, Field]  #: numeric fields allowed in the CSV
    meta_required: tuple[str, ...] = ()  #: TOML keys every record must have ('' = no TOML needed)
    single_field: str = ""  #: the implied field of a one-field CSV (no ``field`` column)
    needs_meta: bool = True  #: every CSV record must have a TOML entry
    by_year: bool = False  #: values form yearly series (a ``year`` column is required)


@dataclass(frozen=True)
class Record:
    """One record of a table: descriptive text and numeric values in canonical units."""

    id: str
    table: str
    meta: dict[str, Any]
    values: dict[str, Any]  # name -> registry.Value
    series: dict[str, dict[int, Any]] = field(default_factory=dict)  # name -> year -> registry.Value

    def value(self, name: str) -> float:
        """The central value of field ``name``; a clear error if the record lacks it."""
        try:
            return float(self.values[name].value)
        except KeyError:
            raise DataError(f"{self.table} {self.id!r} has no value for {name!r}"
                            + did_you_mean(name, self.values)) from None

    def get(self, name: str, default: float) -> float:
        """The central value of ``name``, or ``default`` when the record lacks it."""
        entry = self.values.get(name)
        return default if entry is None else float(entry.value)


_CURRENCY = re.compile(r"\b(USD|CNY|EUR|KRW|JPY|GBP)\b")


def currency_factor(unit: str, year: int | None, rates: Mapping[str, Mapping[int, float]]
                    ) -> tuple[float, str]:
    """Factor that turns a value in ``unit`` into euros, and the unit with ``EUR`` written instead.

    ``rates[currency][year]`` is units of that currency per euro (e.g. 1.08 USD/EUR).
    The rate of ``year`` is used when known, else that of the latest year. Raises
    ``ValueError`` for a currency without rates.
    """
    found = set(_CURRENCY.findall(unit)) - {"EUR"}
    if not found:
        return 1.0, unit
    if len(found) > 1:
        raise ValueError(f"unit {unit!r} mixes currencies {sorted(found)}")
    currency = found.pop()
    table = rates.get(currency)
    if not table:
        raise ValueError(f"no exchange rate for {currency} in currencies.csv; known: {sorted(rates)}")
    rate = table.get(year) if year is not None else None
    if rate is None:
        rate = table[max(table)]
    # a currency in the denominator (EUR per USD) would invert the factor: forbid it
    if "/" in unit and currency in unit.split("/", 1)[1]:
        raise ValueError(f"unit {unit!r}: a currency may only stand in the numerator")
    return 1.0 / rate, _CURRENCY.sub("EUR", unit)


def table_files(folder: Path, stem: str) -> tuple[Path, Path]:
    """The TOML and CSV files of table ``stem`` in ``folder``."""
    return folder / f"{stem}.toml", folder / f"{stem}.csv"


def known_ids(records: Mapping[str, Record], kind: str, wanted: str) -> str:
    """An error message for an unknown id: did-you-mean and the known ids."""
    return (f"unknown {kind} {wanted!r}" + did_you_mean(wanted, records)
            + f"; known {kind}s: " + ", ".join(sorted(records)))


def lookup(records: Mapping[str, Record], kind: str, wanted: str) -> Record:
    """The record ``wanted``, or a DataError naming the known ones."""
    try:
        return records[wanted]
    except KeyError:
        raise DataError(known_ids(records, kind, wanted)) from None


def sequence_or_empty(value: Any) -> Sequence[Any]:
    """A TOML list, or an empty tuple for anything else."""
    return value if isinstance(value, list) else ()
