"""Throughput and memory figures of evchain (run by hand, never in CI).

    python benchmarks/run.py            # full sizes
    python benchmarks/run.py --quick    # smaller sizes, a few seconds
    python benchmarks/run.py --json     # one JSON object: figure name (with its unit) -> value

Every figure is measured on one core (the kernel is single-threaded); the machine's
core count is reported with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _random_cases(n: int, seed: int = 0):
    from evchain.data.registry import load_data
    from evchain.study.cases import cases_from_arrays

    data = load_data()
    rng = np.random.default_rng(seed)
    cases = cases_from_arrays(
        data, n, "renault-5-etech-52", cycle="wltc-class3b",
        curb_mass=rng.uniform(900, 2200, n), drag_coefficient=rng.uniform(0.22, 0.38, n),
        frontal_area=rng.uniform(1.9, 2.6, n), rolling_resistance=rng.uniform(0.006, 0.011, n),
        motor_power=rng.uniform(60, 250, n), aux_power=rng.uniform(0.1, 1.0, n))
    return data, cases


def wltc_throughput(n: int, repeat: int = 3) -> float:
    """Distinct-vehicle WLTC class 3b simulations per second (kernel plus orchestration),
    best of ``repeat`` runs (a shared machine only ever slows a run down)."""
    from evchain.energy.model import energy_use

    data, cases = _random_cases(n)
    energy_use(cases.take(slice(0, 10)), data, phases=False)  # compile / load cache
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        energy_use(cases, data, phases=False)
        best = min(best, time.perf_counter() - start)
    return n / best


def batch_memory(n: int) -> dict[str, float]:
    """Peak memory of one batch beyond its inputs and outputs, per case."""
    from evchain.energy.model import energy_use

    data, cases = _random_cases(n, seed=1)
    energy_use(cases.take(slice(0, 10)), data, phases=False)
    inputs = sum(v.nbytes for v in cases.columns.values())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    out = energy_use(cases, data, phases=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    outputs = sum(v.nbytes for v in out.values() if isinstance(v, np.ndarray) and v.dtype != object)
    return {f"batch_{n}_cars_s": seconds,
            f"batch_{n}_cars_peak_growth_bytes_per_case": max(peak - before, 0) / n,
            f"batch_{n}_cars_outputs_bytes_per_case": outputs / n,
            f"batch_{n}_cars_inputs_bytes_per_case": inputs / n}


def _command_seconds(args: list[str], repeat: int = 3) -> float:
    exe = str(Path(sys.executable).parent / "evchain")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([exe, *args], cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    n_speed = 20_000 if args.quick else 200_000
    n_batch = 100_000 if args.quick else 1_000_000
    figures: dict[str, float] = {"cores": float(os.cpu_count() or 1)}
    figures["wltc_simulations_per_s_one_core"] = wltc_throughput(n_speed)
    figures.update(batch_memory(n_batch))
    figures["cli_help_s"] = _command_seconds(["--help"])
    figures["default_study_cold_start_s"] = _command_seconds(["run", "examples/default.toml"])
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:55s} {value:14,.3f}")


if __name__ == "__main__":
    main()
