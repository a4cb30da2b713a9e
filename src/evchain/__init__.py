"""evchain: an open model of the electric-vehicle value chain.

Typical use::

    import evchain
    study = evchain.load_study("examples/default.toml")
    results = evchain.evaluate(study)
    results.to_pandas()
    evchain.sweep(1_000_000, "renault-5-etech-52", curb_mass=...)   # arrays: see evchain.run.sweep

Nothing is read or configured at import; data are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evchain._version import __version__
from evchain.errors import DataError, EvchainError, ModelError, StudyError

if TYPE_CHECKING:  # pragma: no cover
    from evchain.run.evaluate import evaluate
    from evchain.run.sweep import sweep
    from evchain.study.load import load_study

__all__ = ["DataError", "EvchainError", "ModelError", "StudyError", "__version__", "evaluate",
           "load_study", "sweep"]


def __getattr__(name: str) -> Any:
    """Import the API lazily, so that ``import evchain`` (and the CLI) start fast."""
    if name == "load_study":
        from evchain.study.load import load_study

        return load_study
    if name == "evaluate":
        from evchain.run.evaluate import evaluate

        return evaluate
    if name == "sweep":
        from evchain.run.sweep import sweep

        return sweep
    raise AttributeError(f"module 'evchain' has no attribute {name!r}")
