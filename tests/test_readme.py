"""The README's sweep example runs as written (with fewer cases)."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_sweep_example_runs_and_gives_one_row_per_case():
    text = README.read_text(encoding="utf-8")
    block = text.split("### Sweeps: a million designs from arrays")[1].split("```python")[1].split("```")[0]
    assert "n, rng = 1_000_000," in block
    scope: dict = {}
    exec(block.replace("n, rng = 1_000_000,", "n, rng = 2_000,"), scope)
    df = scope["df"]
    assert len(df) == 2_000
    assert (df["gwp_total_kgco2e"] > df["gwp_use_kgco2e"]).all()
    assert set(df["use_country"]) == {"FR", "DE", "PL"}
