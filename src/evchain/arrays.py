"""Categorical columns (ids held in object arrays) mapped without a Python step per case.

A case table holds ids (vehicle, cell, site, country) as object arrays. Mapping each element
through Python costs about a microsecond per case; factorising first (a few distinct values)
and mapping the distinct values keeps a million cases to milliseconds. Factorisations are
cached per array and carried to the arrays made from it (:func:`coded`, :func:`full`,
:func:`map_values`, :func:`subset`, :func:`where`), so a column is hashed
at most once; an array whose codes are cached becomes read-only (copy it to change it).
:func:`blocks` cuts a step's cases into read-only pieces whose subsets are remembered, and
:class:`BlockColumns` writes the pieces' outputs into whole columns.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Above this many elements, pandas' hash-based factorize (C) is used instead of a dict loop.
_PANDAS_FROM = 20_000

#: From this many elements on, factorisations are cached (and carried to arrays derived by mapping).
_CACHE_FROM = 512

#: Factorisations of large arrays still alive, by id (entries drop when their array is freed):
#: the steps of a run map the same columns many times.
_FACTORS: dict[int, tuple[Any, list[Any], np.ndarray]] = {}


def factorize(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """Values and each element's index among them (distinct unless carried from a mapping, see
    ``_remember``: a value may then repeat)."""
    key = id(values)
    hit = _FACTORS.get(key)
    if hit is not None and hit[0]() is values:
        return hit[1], hit[2]
    uniques, codes = _factorize(values)
    _remember(values, uniques, codes)
    return uniques, codes


def _remember(values: np.ndarray, uniques: list[Any], codes: np.ndarray) -> None:
    """Cache a factorisation of a large array (``uniques`` may repeat a value: consumers only need
    ``values[i] == uniques[codes[i]]``). The array becomes read-only: copy it to change it."""
    if values.shape[0] < _CACHE_FROM:
        return
    key = id(values)
    with contextlib.suppress(TypeError):  # not weak-referenceable: no cache
        _FACTORS[key] = (weakref.ref(values, lambda _: _FACTORS.pop(key, None)), uniques, codes)
        values.flags.writeable = False  # a change in place would leave the cached codes stale: refuse it


def _cached(values: np.ndarray) -> tuple[list[Any], np.ndarray] | None:
    hit = _FACTORS.get(id(values))
    if hit is not None and hit[0]() is values:
        return hit[1], hit[2]
    return None


def _factorize(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    if values.shape[0] >= _PANDAS_FROM:
        import pandas as pd

        codes, found = pd.factorize(values, sort=False)
        uniques = list(found)
        codes = codes.astype(np.int64, copy=False)
        missing = codes < 0  # pandas codes None (and NaN) as -1: keep it as a value of its own, None
        if missing.any():
            codes[missing] = len(uniques)
            uniques.append(None)
        return uniques, codes
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values.tolist()), dtype=np.int64,
                        count=values.shape[0])
    return list(index), codes


def map_values(values: np.ndarray, function: Callable[[Any], Any], dtype: Any = object) -> np.ndarray:
    """``function`` applied to each element, computed once per distinct value."""
    uniques, codes = factorize(values if values.dtype == object else np.asarray(values, dtype=object))
    mapped = np.array([function(u) for u in uniques], dtype=dtype)
    if not len(uniques):
        return np.empty(0, dtype=dtype)
    out = mapped[codes]
    if out.dtype == object:
        _remember(out, mapped.tolist(), codes)  # so that mapping the result again skips hashing
    return out


def rows_of(values: np.ndarray, lookup: dict[Any, int], on_missing: Callable[[Any], Exception]) -> np.ndarray:
    """Row of each element in ``lookup``; ``on_missing(value)`` builds the error for an unknown one."""
    def row(value: Any) -> int:
        if value not in lookup:
            raise on_missing(value)
        return lookup[value]

    return map_values(values, row, dtype=np.int64)


def subset(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]`` (treat as read-only): ``values`` itself when ``index`` selects every element
    in order (so that cached factorisations of the whole column keep applying), a view when it is a
    run of consecutive elements."""
    if index.shape[0] == values.shape[0]:
        return values
    if index.flags.writeable:  # an index that may change in place: nothing remembered about it
        return _subset(values, index)
    key = (id(values), id(index))
    hit_subset = _SUBSETS.get(key)
    if hit_subset is not None and hit_subset[0]() is values and hit_subset[1]() is index:
        return hit_subset[2]  # type: ignore[no-any-return]
    out = _subset(values, index)
    if values.flags.writeable and out.base is not values:
        return out  # a copy of an array that may change in place: not remembered
    with contextlib.suppress(TypeError):  # entries go when the index or the array does

        def drop(_: Any) -> None:
            _SUBSETS.pop(key, None)

        _SUBSETS[key] = (weakref.ref(values, drop), weakref.ref(index, drop), out)
    return out


#: Recent subsets by (array, index) identity, for read-only indices (a block's, see
#: :func:`blocks`): a block's columns are taken several times.
_SUBSETS: dict[tuple[int, int], tuple[Any, Any, np.ndarray]] = {}


def _subset(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    run = _run(index)
    out = values[run] if run is not None else values[index]  # a block of consecutive cases: a view
    hit = _cached(values) if values.dtype == object else None
    if hit is not None:
        _remember(out, *_compact(hit[0], hit[1][run if run is not None else index]))
    return out


#: The last index checked by :func:`_run` and its answer (a block's index is subset many times).
_LAST_RUN: list[Any] = [None, None]


def _run(index: np.ndarray) -> slice | None:
    """``index`` as a slice when it is a run of consecutive integers."""
    ref, answer = _LAST_RUN
    if ref is not None and ref() is index and not index.flags.writeable:
        return answer  # type: ignore[no-any-return]
    answer = None
    if (index.size and index.dtype.kind in "iu" and int(index[-1]) - int(index[0]) + 1 == index.size
            and (index.size == 1 or (np.diff(index) == 1).all())):
        answer = slice(int(index[0]), int(index[-1]) + 1)
    with contextlib.suppress(TypeError):
        _LAST_RUN[:] = [weakref.ref(index), answer]
    return answer


def _compact(uniques: list[Any], codes: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """Drop the values no element uses (a mapping then never sees a value the array lacks)."""
    used = np.bincount(codes, minlength=len(uniques)) > 0
    if used.all():
        return uniques, codes
    new = np.cumsum(used) - 1
    return [u for u, keep in zip(uniques, used, strict=True) if keep], new[codes]


def coded(categories: np.ndarray | Sequence[Any], codes: np.ndarray) -> np.ndarray:
    """``categories[codes]`` as an object array whose factorisation is known (no hashing later):
    how sweeps build categorical columns of many cases from a few choices."""
    values = np.empty(len(categories), dtype=object)
    values[:] = list(categories)  # element by element: categories may be tuples or None
    codes = np.asarray(codes, dtype=np.int64)
    out = values[codes]
    _remember(out, values.tolist(), codes)  # a choice no case uses stays among the values: harmless here
    return out


def full(n: int, value: Any) -> np.ndarray:
    """An object array of ``n`` times ``value``, its factorisation known."""
    out = np.full(n, value, dtype=object)
    _remember(out, [value], np.zeros(n, dtype=np.int64))
    return out


def where(mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.where(mask, a, b)`` for object arrays of ids, its factorisation carried from ``a`` and ``b``."""
    out = np.where(mask, a, b)
    if out.shape[0] >= _CACHE_FROM:
        ua, ca = factorize(a)
        ub, cb = factorize(b)
        _remember(out, *_compact(list(ua) + list(ub), np.where(mask, ca, cb + len(ua))))
    return out


#: A stable integer for every id seen (countries, regions, sites), so that columns of ids
#: compare as integers rather than Python objects.
_VOCABULARY: dict[Any, int] = {}


def ids(values: np.ndarray) -> np.ndarray:
    """A stable integer per distinct value (equal values, equal integers), computed per distinct value."""
    return map_values(values, lambda v: _VOCABULARY.setdefault(v, len(_VOCABULARY)), np.int64)


def blocks(index: np.ndarray, size: int) -> list[np.ndarray]:
    """``index`` in read-only pieces of at most ``size`` (at least one, maybe empty): the blocks of a
    step, whose subsets :func:`subset` may then remember."""
    out = []
    for first in range(0, max(index.size, 1), size):
        block = index[first:first + size]
        block.flags.writeable = False
        out.append(block)
    return out


def take2(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``table[rows, cols]`` for a small 2-D table, through its flat view (NumPy's 2-D fancy
    indexing costs about four times as much per element)."""
    return table.ravel().take(rows * table.shape[1] + cols)


def present(values: np.ndarray) -> np.ndarray:
    """Where an object column holds a value (not None), per distinct value."""
    if values.dtype != object:
        return np.ones(values.shape, dtype=bool)
    return map_values(values, lambda v: v is not None, bool)


class BlockColumns:
    """Output columns over ``n`` cases, filled block by block as the blocks are computed (each
    block's arrays are then freed, so memory holds the outputs and one block).

    Cases no block covers are NaN (floats) or None (everything else: integers and booleans
    then become object columns). Object columns of hashable values are gathered once at the
    end from their distinct values, their factorisation known.
    """

    def __init__(self, n: int, covered: bool):
        self.n = n
        self.covered = covered  #: True when the blocks cover every case
        self._arrays: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[dict[Any, int], list[Any], np.ndarray]] = {}

    def put(self, name: str, where: np.ndarray, values: np.ndarray) -> None:
        """Write the block ``values`` at the cases ``where`` (indices)."""
        run = _run(where)
        at: slice | np.ndarray = run if run is not None else where
        if name in self._codes:
            self._put_codes(name, at, values)
            return
        column = self._arrays.get(name)
        if column is None:
            if values.dtype == object and self._hashable(name, values, at):
                return
            if values.dtype != object and (self.covered or values.dtype.kind == "f"):
                column = np.empty(self.n, dtype=values.dtype) if self.covered else np.full(self.n, np.nan)
            else:
                column = np.full(self.n, None, dtype=object)
            self._arrays[name] = column
        column[at] = values

    def _hashable(self, name: str, values: np.ndarray, at: slice | np.ndarray) -> bool:
        try:
            factorize(values)
        except TypeError:  # one dict per case: a plain object column
            return False
        self._codes[name] = ({}, [], np.full(self.n, -1, dtype=np.int64))
        self._put_codes(name, at, values)
        return True

    def _put_codes(self, name: str, at: slice | np.ndarray, values: np.ndarray) -> None:
        index, uniques, codes = self._codes[name]
        block_uniques, block_codes = factorize(values)
        remap = np.array([index.setdefault(u, len(index)) for u in block_uniques], dtype=np.int64)
        uniques.extend(list(index)[len(uniques):])
        codes[at] = remap.take(block_codes) if remap.size else block_codes

    def columns(self) -> dict[str, np.ndarray]:
        """The finished columns."""
        out = dict(self._arrays)
        for name, (_, uniques, codes) in self._codes.items():
            if not self.covered and (codes < 0).any():
                codes = np.where(codes < 0, len(uniques), codes)
                out[name] = coded([*uniques, None], codes)
            else:
                out[name] = coded(uniques, codes)
        return out
