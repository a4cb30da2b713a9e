"""Categorical columns: factorisations carried through mapping, subsets and merges stay true."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evchain.arrays import coded, factorize, full, map_values, subset, where

WORDS = ["FR", "DE", "CN", "douai", "SI"]


def _check(values: np.ndarray) -> None:
    uniques, codes = factorize(values)
    assert [uniques[c] for c in codes] == values.tolist()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, len(WORDS) - 1), min_size=600, max_size=900), st.data())
def test_carried_factorisations_describe_their_arrays(codes, draw):
    values = coded(WORDS, np.array(codes))
    _check(values)
    mapped = map_values(values, lambda v: v.lower()[:1])  # several values map to one: uniques repeat
    _check(mapped)
    assert mapped.tolist() == [w.lower()[:1] for w in values.tolist()]
    index = np.array(draw.draw(st.lists(st.integers(0, len(codes) - 1), min_size=len(codes) - 1,
                                        max_size=len(codes) - 1)))
    part = subset(values, index)
    _check(part)
    mask = np.arange(len(codes)) % 3 == 0
    merged = where(mask, values, full(len(codes), "EU"))
    _check(merged)
    assert merged.tolist() == np.where(mask, values, "EU").tolist()


def test_ids_of_equal_values_are_equal_whatever_their_factorisation():
    from evchain.arrays import ids

    a = map_values(coded(WORDS, np.arange(1000) % 5), lambda v: "X" if v in ("FR", "DE") else v)
    b = np.array(a.tolist(), dtype=object)  # same values, fresh factorisation
    assert np.array_equal(ids(a), ids(b))


def test_missing_values_map_as_none_in_large_columns():
    from evchain.arrays import present

    values = np.array(["lfp", None] * 20_000, dtype=object)  # large: factorised by pandas
    assert present(values).tolist() == [True, False] * 20_000
    assert map_values(values, lambda v: "none" if v is None else v).tolist() == ["lfp", "none"] * 20_000


def test_a_column_with_a_cached_factorisation_cannot_change_in_place():
    import pytest

    values = coded(WORDS, np.arange(2000) % 5)
    with pytest.raises(ValueError, match="read-only"):
        values[0] = "CN"
    changed = values.copy()
    changed[0] = "CN"
    _check(changed)


def test_a_subset_maps_only_the_values_it_holds():
    values = coded(["a", "b", None], np.arange(3000) % 3)
    part = subset(values, np.flatnonzero(np.arange(3000) % 3 != 2))
    assert map_values(part, str.upper).tolist() == ["A", "B"] * 1000  # None is not among its values


def test_block_columns_fill_what_the_blocks_cover_and_mark_the_rest_missing():
    from evchain.arrays import BlockColumns

    n = 1200
    where_a, where_b = np.arange(0, 600), np.array([700, 650, 1100])
    for covered in (False, True):
        writer = BlockColumns(n, covered=covered)
        blocks = [where_a, where_b] if not covered else [np.arange(0, 600), np.arange(600, n)]
        for at in blocks:
            writer.put("x", at, at * 2.0)
            writer.put("id", at, coded(WORDS, at % 5))
            writer.put("flag", at, at % 2 == 0)
            writer.put("info", at, np.array([{"k": int(i)} for i in at], dtype=object))
        out = writer.columns()
        covered_at = np.concatenate(blocks)
        assert out["x"][covered_at].tolist() == (covered_at * 2.0).tolist()
        assert out["id"][covered_at].tolist() == [WORDS[i % 5] for i in covered_at]
        assert out["flag"][covered_at].tolist() == (covered_at % 2 == 0).tolist()
        assert [d["k"] for d in out["info"][covered_at]] == covered_at.tolist()
        _check(out["id"])
        if not covered:
            rest = np.setdiff1d(np.arange(n), covered_at)
            assert np.isnan(out["x"][rest]).all()
            assert all(v is None for v in out["id"][rest]) and all(v is None for v in out["flag"][rest])
        else:
            assert out["flag"].dtype == bool


def test_a_changed_index_or_column_never_returns_a_remembered_subset():
    values = np.arange(100.0)
    index = np.array([5, 3, 9])
    assert subset(values, index).tolist() == [5.0, 3.0, 9.0]
    index[0] = 7  # a writable index may change: nothing remembered about it
    assert subset(values, index).tolist() == [7.0, 3.0, 9.0]
    frozen = np.array([1, 2, 4])
    frozen.flags.writeable = False
    assert subset(values, frozen).tolist() == [1.0, 2.0, 4.0]
    values[1] = -1.0  # a writable column: its gathered subsets are not remembered either
    assert subset(values, frozen).tolist() == [-1.0, 2.0, 4.0]
