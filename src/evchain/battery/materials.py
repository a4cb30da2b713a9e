"""What materials are made of: element mass fractions from chemical formulas.

A material's ``composition`` (data, ``materials.toml``) is a formula (``"LiFePO4"``) or
mass fractions of formulas (a mixture). Mass fractions follow from the standard atomic
weights (IUPAC CIAAW 2021, ``elements.csv``)::

    w_e = n_e M_e / Σ_k n_k M_k

A material with ``reported_as`` is reported whole under that name (``graphite``,
``steel``, ``plastics``) instead of by element.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from evchain.data.registry import DataSet
from evchain.errors import DataError

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def parse_formula(formula: str) -> dict[str, float]:
    """Atoms per formula unit: ``"LiNi0.8Mn0.1Co0.1O2"`` -> ``{"Li": 1, "Ni": 0.8, ...}``.

    Raises ``ValueError`` for anything that is not a sequence of element symbols with
    optional (decimal) counts.
    """
    atoms: dict[str, float] = {}
    position = 0
    for match in _TOKEN.finditer(formula):
        if match.start() != position:
            break
        symbol, count = match.group(1), match.group(2)
        atoms[symbol] = atoms.get(symbol, 0.0) + (float(count) if count else 1.0)
        position = match.end()
    if position != len(formula) or not atoms:
        raise ValueError(f"cannot read formula {formula!r}")
    return atoms


def formula_fractions(formula: str, atomic_weight: Mapping[str, float]) -> dict[str, float]:
    """Element mass fractions of a formula [-] (they sum to one)."""
    atoms = parse_formula(formula)
    unknown = sorted(set(atoms) - set(atomic_weight))
    if unknown:
        raise ValueError(f"formula {formula!r}: no atomic weight for {unknown} in elements.csv")
    masses = {e: n * atomic_weight[e] for e, n in atoms.items()}
    total = sum(masses.values())
    return {e: m / total for e, m in masses.items()}


def _composition(material: str, data: DataSet) -> dict[str, float]:
    record = data.table("materials").get(material)
    if record is None:
        raise DataError(f"unknown material {material!r} (materials.toml)")
    weights = {e: r.value("atomic_weight") for e, r in data.table("elements").items()}
    spec = record.meta["composition"]
    where = f"materials.toml [{material}] composition"
    try:
        if isinstance(spec, str):
            return formula_fractions(spec, weights)
        if isinstance(spec, dict) and spec:
            total = float(sum(spec.values()))
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"mass fractions sum to {total:g}, not 1")
            out: dict[str, float] = {}
            for formula, share in spec.items():
                for element, fraction in formula_fractions(formula, weights).items():
                    out[element] = out.get(element, 0.0) + float(share) * fraction
            return out
    except (ValueError, TypeError) as exc:
        raise DataError(f"{where}: {exc}") from None
    raise DataError(f"{where}: write a formula ('LiFePO4') or mass fractions of formulas")


def material_split(material: str, data: DataSet) -> dict[str, float]:
    """How a material's mass is reported: ``{name: share}`` with shares summing to one.

    Elements for materials without ``reported_as``; else the whole mass under that name.
    """
    record = data.table("materials").get(material)
    if record is None:
        raise DataError(f"unknown material {material!r}; known: {', '.join(sorted(data.table('materials')))}")
    reported = record.meta.get("reported_as")
    if reported:
        return {str(reported): 1.0}
    return _composition(material, data)


def element_fractions(material: str, data: DataSet) -> dict[str, float]:
    """Element mass fractions of a material, whatever it is reported as."""
    return _composition(material, data)
