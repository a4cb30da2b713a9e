"""The ``evchain`` command line: run studies and inspect the data.

Heavy modules are imported inside the commands, so ``evchain --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from evchain._version import __version__
from evchain.errors import EvchainError

app = typer.Typer(help="evchain: energy, battery, cost, carbon and compliance of electric-car programmes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help="List, show and validate the data (every value has a unit and a source).",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")

DataOption = Annotated[list[Path] | None, typer.Option("--data", help="user data folder (repeatable)")]


class Format(str, Enum):
    """Output formats of ``evchain run``."""

    table = "table"
    json = "json"
    csv = "csv"


def _fail(exc: Exception) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(exc))}",
                                                                markup=True)
    raise typer.Exit(2)


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves the old file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _version(value: bool) -> None:
    if value:
        typer.echo(f"evchain {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="print the version and exit")] = False) -> None:
    """evchain command line."""


def _study_with_variant(study: Path, variant: str, data: list[Path] | None) -> tuple[Any, list[str]]:
    """The loaded study and its variant ids; a clear error when ``variant`` is not one of them."""
    from evchain.errors import StudyError, did_you_mean
    from evchain.study.load import load_study

    loaded = load_study(study, data or ())
    ids = [v.id for v in loaded.variants]
    if variant not in ids:
        raise StudyError(f"{study}: no variant {variant!r}" + did_you_mean(variant, ids)
                         + f"; variants: {', '.join(ids)}")
    return loaded, ids


@app.command()
def run(study: Annotated[Path, typer.Argument(help="study file (TOML)")],
        format: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
        data: DataOption = None,
        out: Annotated[Path | None, typer.Option("--out", help="also write results.json and "
                                                 "results.csv to this folder")] = None) -> None:
    """Evaluate every variant of STUDY and print the results."""
    try:
        from evchain.run.evaluate import evaluate
        from evchain.study.load import load_study

        results = evaluate(load_study(study, data or ()))
        if out is not None:
            try:
                _write_atomic(out / "results.json", results.to_json())
                _write_atomic(out / "results.csv", results.to_csv())
            except OSError as exc:
                raise EvchainError(f"cannot write results to {out}: {exc}") from None
        if format is Format.json:
            typer.echo(results.to_json())
        elif format is Format.csv:
            typer.echo(results.to_csv(), nl=False)
        else:
            from evchain.report.table import print_table

            print_table(results)
    except EvchainError as exc:
        _fail(exc)


@app.command()
def passport(study: Annotated[Path, typer.Argument(help="study file (TOML)")],
             variant: Annotated[str, typer.Option("--variant", "-v", help="the variant whose battery to describe")],
             out: Annotated[Path | None, typer.Option("--out", help="write the passport JSON to this file")] = None,
             manufacturer: Annotated[str, typer.Option(help="battery manufacturer named in the passport")] =
             "unspecified manufacturer",
             data: DataOption = None) -> None:
    """Write the EU battery passport (carbon footprint, material composition, circularity,
    performance; Battery Pass v1.2 schemas) of one variant's battery, validated, as JSON."""
    try:
        import json

        from evchain.errors import StudyError
        from evchain.passport import build_passport, validate_passport
        from evchain.run.evaluate import evaluate

        loaded, ids = _study_with_variant(study, variant, data)
        spec = loaded.variants[ids.index(variant)]
        if spec.battery is None:
            raise StudyError(f"{study}: variant {variant!r} has no battery (its vehicle has no battery data and the "
                             "variant gives no battery table), so it has no passport")
        results = evaluate(loaded)
        case = results.cases()[ids.index(variant)]
        if case.get("battery_feasible") is False:
            raise StudyError(f"{study}: variant {variant!r}: its range target cannot be met, so there is no battery")
        document = build_passport({**case, "evchain_version": results.evchain_version,
                                   "data_version": results.data_version}, manufacturer=manufacturer,
                                  model=str(case.get("battery_cell")))
        validate_passport(document)
        text = json.dumps({"evchain_version": results.evchain_version, "data_version": results.data_version,
                           "variant": variant, **document}, indent=2, ensure_ascii=False)
        if out is not None:
            try:
                _write_atomic(out, text + "\n")
            except OSError as exc:
                raise EvchainError(f"cannot write the passport to {out}: {exc}") from None
        else:
            typer.echo(text)
    except EvchainError as exc:
        _fail(exc)


@app.command()
def plan(study: Annotated[Path, typer.Argument(help="study file (TOML) with a [plan] table")],
         format: Annotated[Format, typer.Option("--format", "-f", help="output format (table or json)")] = Format.table,
         data: DataOption = None) -> None:
    """Allocate each programme's yearly volume across candidate plants and cell plants at the least
    landed cost, under capacities, an optional carbon cap and an optional local-content floor."""
    try:
        import json
        from dataclasses import asdict

        from evchain.sites.planning import plan_study
        from evchain.study.load import load_study

        loaded = load_study(study, data or ())
        result = plan_study(loaded)
        if result.status == "infeasible":
            raise EvchainError(f"{study}: the plan is infeasible: {result.binding}")
        if format is Format.json:
            typer.echo(json.dumps({"evchain_version": __version__, "data_version": loaded.data.version,
                                   **asdict(result)}, indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        console = Console() if Console().is_terminal else Console(width=140)
        console.print(f"[bold]{loaded.name}[/]: plan {result.status}, landed cost {result.cost_eur:,.0f} EUR, "
                      f"life-cycle GWP {result.gwp_kgco2e / 1e6:,.1f} kt CO2e, EU value added "
                      f"{result.eu_value_added_share:.0%} (solved in {result.seconds:.2f} s)")
        table = Table(title="allocation", title_justify="left")
        for col in ("programme", "year", "plant", "cells", "cars", "landed EUR/car"):
            table.add_column(col, justify="right" if col in ("cars", "landed EUR/car", "year") else "left")
        for row in result.allocation:
            table.add_row(row["programme"], str(row["year"]), row["plant"], row["cell_plant"], f"{row['cars']:,.0f}",
                          f"{row['landed_cost_eur']:,.0f}")
        console.print(table)
        from rich.markup import escape

        for price in result.shadow_prices:
            console.print(escape(f"binding: {price['constraint']}: shadow price {price['shadow_price']:,.4g} "
                                 f"{price['unit']}"))
        hours = ", ".join(f"{k} {v / 1e6:,.2f}" for k, v in sorted(result.labour_hours_by_country.items(),
                                                                     key=lambda kv: -kv[1]))
        console.print(f"labour (million hours): {hours}")
        console.print(f"evchain {__version__} · data {loaded.data.version}", style="dim")
    except EvchainError as exc:
        _fail(exc)


@app.command()
def inventory(study: Annotated[Path, typer.Argument(help="study file (TOML)")],
              variant: Annotated[str, typer.Option("--variant", "-v", help="the variant whose car to export")],
              out: Annotated[Path | None, typer.Option("--out", help="write the JSON to this file")] = None,
              data: DataOption = None) -> None:
    """Export one variant's inventory (car, use, battery end of life) as Brightway datasets (JSON),
    for LCA practitioners to link to their own background database."""
    try:
        import json

        from evchain.battery.choice import site_country
        from evchain.errors import StudyError
        from evchain.lca.export import brightway_datasets
        from evchain.run.evaluate import evaluate

        loaded, ids = _study_with_variant(study, variant, data)
        spec = loaded.variants[ids.index(variant)]
        case = evaluate(loaded).cases()[ids.index(variant)]
        if spec.battery is None or case.get("gwp_total_kgco2e") is None:
            raise StudyError(f"{study}: variant {variant!r} has no life-cycle result (no battery, or an unmet "
                             "range target), so there is no inventory to export")
        vehicle = loaded.data.vehicles[spec.vehicle]
        motor = str(vehicle.meta.get("motor", ""))
        sites = case.get("cell_site"), case.get("pack_site"), spec.context.get("assembly_site",
                                                                               vehicle.meta.get("assembly_site"))
        cell, pack, plant = (site_country(loaded.data, str(s)) for s in sites)
        datasets = brightway_datasets(
            case, loaded.data, curb_mass_kg=case["curb_mass_kg"], motor_kw=case["motor_power_kw"],
            wound_rotor="EESM" in motor or "wound" in motor, segment=str(vehicle.meta.get("segment", "B")),
            cell_country=cell, pack_country=pack, plant_country=plant, use_country=str(case["use_country"]),
            lifetime_km=case["lifetime_km"])
        text = json.dumps(datasets, indent=2, ensure_ascii=False)
        if out is not None:
            try:
                _write_atomic(out, text + "\n")
            except OSError as exc:
                raise EvchainError(f"cannot write the inventory to {out}: {exc}") from None
        else:
            typer.echo(text)
    except EvchainError as exc:
        _fail(exc)


@data_app.command("list")
def data_list(what: Annotated[str, typer.Argument(
        help="vehicles, parameters, cycles, sources, cells, pack_architectures, materials, material_prices, "
             "countries, regions, sites or elements")] = "vehicles",
              data: DataOption = None) -> None:
    """List vehicles, parameters, cycles or sources."""
    try:
        from evchain.data.registry import load_data
        from evchain.report.table import print_listing

        print_listing(load_data(data or ()), what)
    except EvchainError as exc:
        _fail(exc)


@data_app.command("show")
def data_show(item: Annotated[str, typer.Argument(
        help="a vehicle id, parameter name, cycle id, source key, cell, architecture, country, site, ...")],
              data: DataOption = None) -> None:
    """Show one record with every value's unit, range and source."""
    try:
        from evchain.data.registry import load_data
        from evchain.report.table import print_record

        print_record(load_data(data or ()), item)
    except EvchainError as exc:
        _fail(exc)


@data_app.command("sources")
def data_sources(data: DataOption = None) -> None:
    """List every source with its full reference."""
    data_list("sources", data)


@data_app.command("validate")
def data_validate(data: DataOption = None) -> None:
    """Check every data file: units, ranges, sources; exit 2 on any problem."""
    try:
        from evchain.data.registry import load_data_uncached

        ds = load_data_uncached(tuple(data or ()))
        unused = sorted(set(ds.sources) - set(ds.used_sources))
        typer.echo(f"data OK: {ds.rows} values, {len(ds.vehicles)} vehicles, {len(ds.cycles)} cycles, "
                   f"{len(ds.sources)} sources; data version {ds.version}")
        if unused:
            typer.echo(f"note: sources cited by no value: {', '.join(unused)}")
    except EvchainError as exc:
        _fail(exc)


def main() -> None:
    """Entry point of the ``evchain`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
