"""Readable terminal tables of results and data, with rich."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from evchain.data.registry import DataSet, Value
from evchain.errors import DataError, did_you_mean
from evchain.run.results import BATTERY_COLUMNS, SITE_COLUMNS, TABLE_COLUMNS, Results


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


def _console() -> Console:
    """A console that does not squeeze tables to 80 columns when the output is piped."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=140)


def _cycle_label(case: dict[str, Any]) -> str:
    """The cycle, with the regulation's downscaling (dsc) and capped speed (cap) when applied."""
    label = str(case.get("cycle", "")).replace("wltc-class", "WLTC ")
    f_dsc, cap = case.get("cycle_downscaling_factor"), case.get("cycle_capped_speed_kmh")
    if isinstance(f_dsc, float) and f_dsc > 0.0:
        label += f" dsc {f_dsc:.3f}"
    if isinstance(cap, float) and cap == cap:  # not NaN
        label += f" cap {cap:g}"
    return label


def print_table(results: Results, console: Console | None = None) -> None:
    """Print the main outputs of every case, then the provenance."""
    console = console or _console()
    table = Table(title=results.study, title_justify="left")
    for _, header in TABLE_COLUMNS:
        table.add_column(header, justify="left" if header in ("case", "cycle") else "right", no_wrap=True)
    for case in results.cases():
        case["cycle"] = _cycle_label(case)
        table.add_row(*[_fmt(case.get(name)) for name, _ in TABLE_COLUMNS])
    console.print(table)
    if "pack_mass_kg" in results.columns:
        battery = Table(title="Batteries (cost per kWh of total energy, made where the study says)",
                        title_justify="left")
        for name, header in BATTERY_COLUMNS:
            battery.add_column(header, justify="left" if name in ("id", "battery_cell", "battery_architecture")
                               else "right", no_wrap=True)
        for case in results.cases():
            battery.add_row(*[_fmt(case.get(name)) for name, _ in BATTERY_COLUMNS])
        console.print(battery)
    if "landed_cost_eur" in results.columns:
        sites = Table(title="Where to build (France as the market; life cycle over 200,000 km)", title_justify="left")
        for name, header in SITE_COLUMNS:
            sites.add_column(header, justify="left" if name == "id" else "right", no_wrap=True)
        for case in results.cases():
            row = dict(case)
            for share in ("eu_value_added_share", "france_value_added_share"):
                value = row.get(share)
                row[share] = None if value is None else f"{100 * value:.0f} %"
            sites.add_row(*[_fmt(row.get(name)) for name, _ in SITE_COLUMNS])
        console.print(sites)
    for note in results.notes:
        console.print(f"[yellow]note:[/] {note}")
    prov = results.provenance()
    console.print(f"evchain {prov['evchain_version']} · data {prov['data_version']} · seed {prov['seed']}",
                  style="dim")


def _value_row(name: str, v: Value) -> list[str]:
    low = v.low if v.low is not None else math.nan
    high = v.high if v.high is not None else math.nan
    rng = "" if v.low is None and v.high is None else f"{_fmt(low)} – {_fmt(high)}"
    return [name, _fmt(v.value), v.unit, rng, v.source + (" (estimate)" if v.estimate else ""), v.note]


#: The fields a listing shows first, per table (the rest: evchain data show <id>).
_LIST_FIELDS = {
    "cells": ("specific_energy", "energy_density", "nominal_voltage", "cell_energy", "cycle_life", "usable_share",
              "cathode_active"),
    "pack_architectures": ("non_cell_mass_per_kwh", "volumetric_efficiency", "hardware_cost", "assembly_hours"),
    "countries": ("labour_cost", "vehicle_labour_cost", "electricity_price"),
    "sites": ("hours_per_vehicle", "vehicles_built", "capacity_vehicles", "capacity_gwh", "capacity_tonnes"),
    "regions": ("cell_capex", "utilisation", "cell_yield", "margin", "cell_labour_hours"),
}


def print_listing(data: DataSet, what: str, console: Console | None = None) -> None:
    """List vehicles, parameters, cycles or sources."""
    console = console or _console()
    tables = tuple(sorted(data.tables))
    kinds = ("vehicles", "parameters", "cycles", "sources", *tables)
    if what not in kinds:
        raise DataError(f"cannot list {what!r}" + did_you_mean(what, kinds) + f"; choose one of {kinds}")
    table = Table(title=f"{what} (data version {data.version})", title_justify="left")
    if what == "vehicles":
        for col in ("id", "name", "chemistry", "assembly"):
            table.add_column(col)
        for vid, veh in sorted(data.vehicles.items()):
            table.add_row(vid, veh.meta.get("name", ""), veh.meta.get("chemistry", ""),
                          veh.meta.get("assembly", ""))
    elif what == "parameters":
        for col in ("parameter", "value", "unit", "range", "source", "note"):
            table.add_column(col)
        for name, v in sorted(data.parameters.items()):
            table.add_row(*_value_row(name, v))
    elif what == "cycles":
        for col in ("id", "name", "phases", "source"):
            table.add_column(col)
        for cid, c in sorted(data.cycles.items()):
            table.add_row(cid, c.name, ", ".join(c.phases) or "–", c.source)
    elif what in tables:
        records = data.table(what)
        present = {f for r in records.values() for f in r.values}
        fields = [f for f in _LIST_FIELDS.get(what, ()) if f in present] or sorted(present)[:8]
        for col in ("id", "name", *fields):
            table.add_column(col, overflow="fold")
        for rid, record in records.items():
            table.add_row(rid, str(record.meta.get("name", "")),
                          *[_fmt(record.values[f].value) if f in record.values else "–" for f in fields])
    else:
        for col in ("key", "reference"):
            table.add_column(col)
        for key, s in sorted(data.sources.items()):
            table.add_row(key, _reference(s))
    console.print(table)


def _reference(s: dict[str, Any]) -> str:
    return f"{s.get('authors', '')} ({s.get('year', '')}). {s.get('title', '')}. {s.get('publisher', '')}. " \
           f"{s.get('url', s.get('doi', ''))}"


def print_record(data: DataSet, item: str, console: Console | None = None) -> None:
    """Show a vehicle, parameter, cycle or source with units, ranges and sources."""
    console = console or _console()
    if item in data.vehicles:
        veh = data.vehicles[item]
        console.print(f"[bold]{item}[/]: " + ", ".join(f"{k} = {v}" for k, v in veh.meta.items()))
        table = Table(title_justify="left")
        for col in ("field", "value", "unit", "range", "source", "note"):
            table.add_column(col)
        for name, v in {**veh.values, **veh.published}.items():
            table.add_row(*_value_row(name, v))
        console.print(table)
    elif item in data.parameters:
        table = Table()
        for col in ("parameter", "value", "unit", "range", "source", "note"):
            table.add_column(col)
        table.add_row(*_value_row(item, data.parameters[item]))
        console.print(table)
    elif item in data.cycles:
        c = data.cycles[item]
        console.print(f"[bold]{item}[/]: {c.name}; file {c.path.name}; phases {c.phases}; source {c.source}")
    elif any(item in records for records in data.tables.values()):
        for name, records in data.tables.items():
            if item not in records:
                continue
            record = records[item]
            console.print(f"[bold]{item}[/] ({name}): " + ", ".join(f"{k} = {v}" for k, v in record.meta.items()))
            table = Table(title_justify="left")
            for col in ("field", "value", "unit", "range", "source", "note"):
                table.add_column(col)
            for field_name, v in record.values.items():
                table.add_row(*_value_row(field_name, v))
            console.print(table)
    elif item in data.sources:
        console.print(f"[bold]{item}[/]: {_reference(data.sources[item])}")
        if data.sources[item].get("note"):
            console.print(data.sources[item]["note"])
    else:
        known = [*data.vehicles, *data.parameters, *data.cycles, *data.sources,
                 *(rid for records in data.tables.values() for rid in records)]
        raise DataError(f"nothing called {item!r}" + did_you_mean(item, known)
                        + "; try 'evchain data list vehicles|parameters|cycles|sources|" + "|".join(sorted(data.tables))
                        + "'")
