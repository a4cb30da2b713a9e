"""Errors that evchain reports to users.

Every error a user can cause (a bad study file, a bad data row, an impossible
design) is an :class:`EvchainError`. The CLI prints its message and exits with
status 2; it never shows a traceback for these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class EvchainError(Exception):
    """Base class of the errors evchain reports to users.

    ``case``: the row of the case table the error is about, when it is about one case. It is
    shown as "case N: ..." and lets a caller that knows the cases name it better (a study
    file's run names the variant instead).
    """

    def __init__(self, message: str = "", *, case: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.case = case

    def __str__(self) -> str:
        return f"case {self.case}: {self.message}" if self.case is not None else self.message

    def about(self, what: str) -> EvchainError:
        """The same error said of ``what`` (e.g. "study.toml: variant 'a'") instead of its case number."""
        return type(self)(f"{what}: {self.message}")


class DataError(EvchainError):
    """A shipped or user data file is malformed (names the file, row and field)."""


class StudyError(EvchainError):
    """A study file is malformed (names the file, line, field and what is allowed)."""


class ModelError(EvchainError):
    """A model cannot evaluate a case (e.g. a fixed point that does not converge)."""


def did_you_mean(name: str, allowed: Iterable[str], n: int = 3) -> str:
    """A hint naming the closest allowed values to ``name``.

    Returns ``" (did you mean 'a', 'b'?)"`` or ``""`` when nothing is close.
    """
    matches = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=n, cutoff=0.6)
    if not matches:
        return ""
    return " (did you mean " + ", ".join(repr(m) for m in matches) + "?)"


def allowed_list(allowed: Iterable[str], limit: int = 30) -> str:
    """A readable, sorted list of allowed values, cut after ``limit`` entries."""
    items = sorted(str(a) for a in allowed)
    text = ", ".join(items[:limit])
    if len(items) > limit:
        text += f", … ({len(items) - limit} more)"
    return text
