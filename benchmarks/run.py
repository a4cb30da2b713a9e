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

    data, cases = _random_cases(n)
    return _energy_per_s(data, cases, repeat)


def _energy_per_s(data, cases, repeat: int) -> float:
    """Cars through the energy step per second, best of ``repeat`` runs (a shared machine only
    ever slows a run down), after a small call that loads the compiled kernel."""
    from evchain.energy.model import energy_use

    energy_use(cases.take(slice(0, 100)), data, phases=False)  # compile / load cache
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        energy_use(cases, data, phases=False)
        best = min(best, time.perf_counter() - start)
    return cases.n / best


def wltc_regulated_throughput(n: int, repeat: int = 3) -> float:
    """Simulations per second with ``cycle = "wltc"``: each car on the cycle the regulation gives
    it (class, downscaling, capped speed), for random cars of 20-250 kW and 100-180 km/h, so
    that many need their own downscaled or capped trace (the worst case for grouping)."""
    from evchain.data.registry import load_data
    from evchain.study.cases import cases_from_arrays

    data = load_data()
    rng = np.random.default_rng(5)
    cases = cases_from_arrays(data, n, "renault-5-etech-52", cycle="wltc", curb_mass=rng.uniform(900, 2200, n),
                              motor_power=rng.uniform(20, 250, n), max_speed=rng.uniform(100, 180, n))
    return _energy_per_s(data, cases, repeat)


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


def battery_designs_per_s(n: int, repeat: int = 3) -> float:
    """Pack designs with their cost per second (random cells, architectures, sites, sizes)."""
    from evchain.battery import model as bm
    from evchain.data.registry import load_data

    data = load_data()
    ctx = bm.context(data)
    rng = np.random.default_rng(2)
    r = bm.Rows(rng.integers(0, len(ctx.lib.cells), n), rng.integers(0, len(ctx.lib.architectures), n),
                rng.integers(0, len(ctx.countries.codes), n), rng.integers(0, len(ctx.countries.codes), n))
    usable = rng.uniform(20.0, 100.0, n)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        bm.battery_outputs(ctx, r, usable, details=False)
        best = min(best, time.perf_counter() - start)
    return n / best


def closure_seconds(n: int) -> float:
    """Seconds to size ``n`` packs for range targets with the energy model in the loop."""
    from evchain.battery.vehicle import apply_battery
    from evchain.data.registry import load_data
    from evchain.study.cases import cases_from_arrays

    data = load_data()
    rng = np.random.default_rng(3)
    cases = cases_from_arrays(data, n, "renault-twingo-etech", cycle="wltc-class3b",
                              curb_mass=rng.uniform(1100, 1400, n), drag_coefficient=rng.uniform(0.26, 0.34, n))
    cells = np.array(["lfp-prismatic", "nmc811-pouch", "lfp-blade"], dtype=object)
    cases.battery = {
        "cell": cells[rng.integers(0, 3, n)], "architecture": np.full(n, "cell-to-pack", dtype=object),
        "cell_site": np.full(n, "CN", dtype=object), "pack_site": np.full(n, "SI", dtype=object),
        "target_range": rng.uniform(150.0, 450.0, n), "ref_cell": np.full(n, "lfp-prismatic", dtype=object),
        "ref_architecture": np.full(n, "cell-to-pack", dtype=object), "ref_usable": np.full(n, 27.5),
    }
    apply_battery(cases.take(slice(0, 10)), data, details=False)  # compile / load caches
    start = time.perf_counter()
    apply_battery(cases, data, details=False)
    return time.perf_counter() - start


def chain_per_s(n: int, consumption_given: bool, parts: tuple[str, ...] = ("carbon",),
                distinct_lifetimes: bool = False) -> dict[str, float]:
    """The whole chain (battery, vehicle, energy, impact) per second, with the drive cycle or with
    the consumption given; and the peak memory it adds per case. ``parts`` of the impact step:
    life-cycle carbon (issue 4) by default; with "score" and "cost" the issue 5 outputs too.
    ``distinct_lifetimes``: every case its own lifetime distance, so that no two cases share
    their choices and the carbon goes case by case (see evchain.lca.fast)."""
    from evchain.data.registry import load_data
    from evchain.run.sweep import run_cases, sweep_cases

    data = load_data()
    rng = np.random.default_rng(4)
    sites = ["CN", "FR", "HU", "aesc-douai"]
    # ids as a sweep gives them: a few choices and each case's code (design.md §3)
    context = {"use_country": (["FR", "DE", "PL", "ES"], rng.integers(0, 4, n))}
    if consumption_given:
        context["energy_wall_kwh_per_100km"] = rng.uniform(12.0, 18.0, n)
    if distinct_lifetimes:
        context["lifetime_km"] = rng.uniform(150_000.0, 250_000.0, n)
    cases = sweep_cases(data, n, "renault-5-etech-52", "wltc-class3b",
                        {"curb_mass": rng.uniform(1300, 1600, n), "battery_usable": rng.uniform(35, 60, n)},
                        {"cell": (["lfp-prismatic", "nmc811-pouch"], rng.integers(0, 2, n)),
                         "architecture": "cell-to-pack", "cell_site": (sites, rng.integers(0, 4, n)),
                         "pack_site": (sites, rng.integers(0, 4, n))}, context)

    def chain(c):
        return run_cases(c, data, parts=parts, details=False).columns

    chain(cases.take(slice(0, 100)))  # loads the compiled kernel (batches over 64 cars) and the caches
    start = time.perf_counter()
    out = chain(cases)
    first = time.perf_counter() - start
    outputs = sum(v.nbytes for v in out.values() if isinstance(v, np.ndarray) and v.dtype != object)
    del out
    again = []
    for _ in range(3):  # a sweep's later calls: memory the process already holds is reused
        start = time.perf_counter()
        chain(cases)
        again.append(time.perf_counter() - start)
    import tracemalloc  # NumPy reports its buffers to tracemalloc: the call's own peak, outputs included

    tracemalloc.start()
    kept = chain(cases)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del kept
    tag = (("consumption_given" if consumption_given else "with_cycle")
           + ("" if parts == ("carbon",) else "_with_" + "_".join(parts[1:]))
           + ("_distinct_lifetimes" if distinct_lifetimes else ""))
    return {f"chain_{tag}_cars_per_s": n / first,
            f"chain_{tag}_cars_per_s_repeated_median": n / float(np.median(again)),
            f"chain_{tag}_peak_bytes_per_case": peak / n,
            f"chain_{tag}_outputs_bytes_per_case": outputs / n}


def cost_and_score_per_s(n: int) -> float:
    """Car cost (landed, by category) and France's score of ``n`` cases on arrays, one call on fresh
    columns (their factorisation included)."""
    import pandas  # noqa: F401 (imported before timing: the factorisation of large columns uses it)

    from evchain.data.registry import load_data
    from evchain.score.french import ScoreInputs, french_score, transport_kg
    from evchain.sites.cost import CarCostInputs, car_cost

    data = load_data()
    rng = np.random.default_rng(6)
    plants = {"douai": "FR", "novo-mesto": "SI", "bursa": "TR", "shiyan": "CN", "valladolid": "ES"}
    pick = rng.integers(0, len(plants), n)
    site = np.array(list(plants), dtype=object)[pick]
    country = np.array(list(plants.values()), dtype=object)[pick]
    mass = rng.uniform(1200, 1600, n)
    no_battery = mass - rng.uniform(200, 400, n)
    inputs = CarCostInputs(site, country, np.full(n, "FR", dtype=object), no_battery, mass, rng.uniform(4e3, 7e3, n),
                           {}, {}, np.full(n, "", dtype=object), 750.0)
    score = ScoreInputs(0.6 * no_battery, 0.1 * no_battery, no_battery, rng.uniform(30, 60, n), country, country,
                        mass, rng.random(n) > 0.5)
    start = time.perf_counter()
    car_cost(data, inputs)
    french_score(data, score, transport_kg(data, site, country, mass))
    return n / (time.perf_counter() - start)


def plan_seconds() -> float:
    """Solve a plan of 10 programmes x 20 candidate plants x 3 years (2 cell plants each)."""
    from evchain.sites.plan import Option, PlanProblem, solve_plan

    rng = np.random.default_rng(5)
    plants = [f"plant-{i}" for i in range(20)]
    options = tuple(Option(f"prog-{p}", s, cells, float(rng.uniform(10_000, 20_000)), float(rng.uniform(6e3, 15e3)),
                           float(rng.uniform(5e3, 12e3)), 12_000.0, float(rng.uniform(30, 70)), {"FR": 20.0})
                    for p in range(10) for s in plants for cells in ("cells-eu", "cells-cn"))
    demand = {f"prog-{p}": (100_000.0, 120_000.0, 140_000.0) for p in range(10)}
    problem = PlanProblem((2026, 2027, 2028), demand, {s: 120_000.0 for s in plants},
                          {"cells-eu": 40e6, "cells-cn": float("inf")}, options, carbon_cap_kg=3.4e10,
                          local_content_floor=0.5)
    start = time.perf_counter()
    result = solve_plan(problem)
    assert result.status == "optimal", result.binding
    return time.perf_counter() - start


def _command_seconds(args: list[str], repeat: int = 3) -> float:
    exe = str(Path(sys.executable).parent / "evchain")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([exe, *args], cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def _fresh(function: str, *args: object) -> dict[str, float]:
    """``function(*args)`` of this module run in a fresh process (so that its peak memory is its own)."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import run; "
            f"print(json.dumps(run.{function}(*{args!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    n_speed = 20_000 if args.quick else 200_000
    n_batch = 100_000 if args.quick else 1_000_000
    figures: dict[str, float] = {"cores": float(os.cpu_count() or 1)}
    figures["wltc_simulations_per_s_one_core"] = wltc_throughput(n_speed)
    figures["wltc_regulated_cycle_simulations_per_s_one_core"] = wltc_regulated_throughput(n_speed // 2)
    figures.update(batch_memory(n_batch))
    figures["battery_designs_with_cost_per_s_one_core"] = battery_designs_per_s(n_batch)
    n_closure = 20_000 if args.quick else 100_000
    figures[f"battery_range_closure_{n_closure}_cars_s"] = closure_seconds(n_closure)
    n_chain = 100_000 if args.quick else 1_000_000
    figures.update(_fresh("chain_per_s", 20_000 if args.quick else 300_000, False))
    figures.update(_fresh("chain_per_s", n_chain, True))
    figures.update(_fresh("chain_per_s", n_chain, True, ("carbon", "score", "cost")))
    figures.update(_fresh("chain_per_s", n_chain, True, ("carbon",), True))
    figures["cost_and_french_score_cases_per_s_one_core"] = cost_and_score_per_s(n_batch)
    figures["plan_10_programmes_20_sites_3_years_s"] = plan_seconds()
    figures["cli_help_s"] = _command_seconds(["--help"])
    figures["default_study_cold_start_s"] = _command_seconds(["run", "examples/default.toml"])
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:55s} {value:14,.3f}")


if __name__ == "__main__":
    main()
