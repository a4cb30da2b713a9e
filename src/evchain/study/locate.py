"""Find the line of a key in a TOML text, so that errors can name it.

tomllib does not keep positions; this scanner is enough for the study files evchain
reads (tables, arrays of tables and ``key = value`` lines).
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


def locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """1-based line of ``path`` (e.g. ``("variants", 2, "curb_mass")``), or None.

    Falls back to the line of the enclosing table when the key itself is not found.
    """
    if not path:
        return None
    lines = text.splitlines()
    table, index, key = _split(path)
    start, end = _table_span(lines, table, index)
    if start is None:
        return _top_key(lines, str(path[0]))
    if key is not None:
        for i in range(start + 1, end):
            match = _KEY.match(lines[i])
            if match and match.group(1).strip("\"'") == key:
                return i + 1
    return start + 1


def _split(path: tuple[str | int, ...]) -> tuple[str, int, str | None]:
    table = str(path[0])
    if len(path) > 1 and isinstance(path[1], int):
        return table, path[1], str(path[2]) if len(path) > 2 else None
    return table, 0, str(path[1]) if len(path) > 1 else None


def _table_span(lines: list[str], table: str, index: int) -> tuple[int | None, int]:
    seen = -1
    start = None
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        if start is not None:
            return start, i
        if match.group(2).strip().strip("\"'") == table:
            seen += 1
            if seen == index:
                start = i
    return start, len(lines)


def _top_key(lines: list[str], key: str) -> int | None:
    for i, line in enumerate(lines):
        if _HEADER.match(line):
            return None
        match = _KEY.match(line)
        if match and match.group(1).strip("\"'") == key:
            return i + 1
    return None
