"""The command line, run as a user runs it: in a subprocess, from another folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STUDY = ROOT / "examples" / "default.toml"
N_VARIANTS = len(tomllib.loads(DEFAULT_STUDY.read_text(encoding="utf-8"))["variants"])
BAD_STUDY = ('[study]\nname = "bad"\n\n[[variants]]\nid = "a"\nvehicle = "renault-5-etech-52"\n'
             'battery_usable = "52 kg"\n')


def evchain(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m evchain.cli ARGS`` and capture its output."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "evchain.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env, check=False)


def _assert_clean_failure(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error:" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.fixture(scope="module")
def json_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One JSON run of the default study that also writes --out (the slowest call, shared)."""
    out = tmp_path_factory.mktemp("cli") / "results"
    done = evchain("run", DEFAULT_STUDY, "--format", "json", "--out", out, cwd=out.parent)
    assert done.returncode == 0, done.stderr
    return done, out


def test_run_json_prints_one_object_with_provenance_and_cases(json_run) -> None:
    done, _ = json_run
    doc = json.loads(done.stdout)  # one JSON document and nothing else on stdout
    assert isinstance(doc, dict)
    assert doc["evchain_version"]
    assert isinstance(doc["data_version"], str) and len(doc["data_version"]) == 16
    cases = doc["cases"]
    assert [c["id"] for c in cases][:2] == ["r5-douai", "r5-china"]
    assert len(cases) == N_VARIANTS
    for case in cases:
        for key in ("id", "energy_battery_kwh_per_100km", "energy_wall_kwh_per_100km", "range_km"):
            assert key in case, (case.get("id"), key)
        assert 5.0 < case["energy_battery_kwh_per_100km"] < case["energy_wall_kwh_per_100km"] < 40.0
        assert 50.0 < case["range_km"] < 1000.0


def test_run_out_writes_results_json_and_csv(json_run) -> None:
    done, out = json_run
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "results.json"]
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == json.loads(done.stdout)
    rows = _csv_rows((out / "results.csv").read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [c["id"] for c in json.loads(done.stdout)["cases"]]


def _csv_rows(text: str) -> list[dict[str, str]]:
    body = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(body))))


def test_run_csv_parses(tmp_path: Path, json_run) -> None:
    done = evchain("run", DEFAULT_STUDY, "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "# data_version: " in done.stdout
    rows = _csv_rows(done.stdout)
    assert len(rows) == N_VARIANTS
    by_id = {r["id"]: r for r in rows}
    cases = {c["id"]: c for c in json.loads(json_run[0].stdout)["cases"]}
    for cid, case in cases.items():
        for key in ("energy_battery_kwh_per_100km", "energy_wall_kwh_per_100km", "range_km"):
            assert float(by_id[cid][key]) == pytest.approx(case[key], rel=1e-5)


@pytest.mark.parametrize("text", [
    BAD_STUDY,
    '[study]\nname = "bad"\n[[variants]]\nid = "a"\nvehicle = "renault-5-etech52"\n',
    '[study]\nname = "bad\n',
], ids=["bad-unit", "unknown-vehicle", "invalid-toml"])
def test_bad_study_exits_2_with_a_message_and_no_traceback(tmp_path: Path, text: str) -> None:
    study = tmp_path / "bad.toml"
    study.write_text(text, encoding="utf-8")
    done = evchain("run", study, cwd=tmp_path)
    _assert_clean_failure(done)
    assert "bad.toml" in done.stderr


def test_missing_study_file_exits_2(tmp_path: Path) -> None:
    done = evchain("run", tmp_path / "nowhere.toml", cwd=tmp_path)
    _assert_clean_failure(done)
    assert "nowhere.toml" in done.stderr


def test_failing_run_leaves_existing_results_unchanged(tmp_path: Path) -> None:
    study = tmp_path / "bad.toml"
    study.write_text(BAD_STUDY, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    previous = '{"previous": "results"}\n'
    (out / "results.json").write_text(previous, encoding="utf-8")
    done = evchain("run", study, "--format", "json", "--out", out, cwd=tmp_path)
    _assert_clean_failure(done)
    assert (out / "results.json").read_text(encoding="utf-8") == previous
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]  # no results.csv, no temporary file


def test_out_that_is_a_file_exits_2_without_traceback(tmp_path: Path) -> None:
    study = tmp_path / "ok.toml"
    study.write_text('[study]\nname = "ok"\n\n[[variants]]\nid = "a"\nvehicle = "renault-twingo-etech"\n',
                     encoding="utf-8")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    done = evchain("run", study, "--format", "json", "--out", tmp_path / "taken", cwd=tmp_path)
    _assert_clean_failure(done)
    assert "taken" in done.stderr


def test_data_validate(tmp_path: Path) -> None:
    done = evchain("data", "validate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "data OK" in done.stdout


def test_data_validate_rejects_bad_user_data(tmp_path: Path) -> None:
    (tmp_path / "vehicles.csv").write_text(
        "vehicle,field,value,unit,low,high,source,estimate,note\n"
        "renault-5-etech-52,battery_usable,52,kg,,,ap-r5-supertest,,\n", encoding="utf-8")
    done = evchain("data", "validate", "--data", tmp_path, cwd=tmp_path)
    _assert_clean_failure(done)
    assert "vehicles.csv:2" in done.stderr and "battery_usable" in done.stderr


def test_error_messages_are_printed_verbatim(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text('[my-source]\ntitle = "T"\npublisher = "P"\nyear = 2024\n',
                                           encoding="utf-8")
    done = evchain("data", "validate", "--data", tmp_path, cwd=tmp_path)
    _assert_clean_failure(done)
    assert "[my-source]" in done.stderr


def test_data_show_vehicle(tmp_path: Path) -> None:
    done = evchain("data", "show", "renault-5-etech-52", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "curb_mass" in done.stdout
    assert "hoonited-r5" in done.stdout


def test_data_list_cycles(tmp_path: Path) -> None:
    done = evchain("data", "list", "cycles", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wltc-class3b" in done.stdout and "udds" in done.stdout


@pytest.mark.parametrize(("item", "hint"), [
    ("nonsense-id", "evchain data list"),
    ("renault-5-etech52", "did you mean 'renault-5-etech-52'"),
])
def test_data_show_unknown_item_exits_2_with_a_suggestion(tmp_path: Path, item: str, hint: str) -> None:
    done = evchain("data", "show", item, cwd=tmp_path)
    _assert_clean_failure(done)
    assert item in done.stderr and hint in done.stderr


def test_help(tmp_path: Path) -> None:
    done = evchain("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "run" in done.stdout and "data" in done.stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["data", "list", "cells"], "lfp-blade"),
    (["data", "list", "sites"], "aesc-douai"),
    (["data", "show", "lfp-blade"], "gorsch-2025"),
    (["data", "show", "FR"], "labour_cost"),
])
def test_data_list_and_show_cover_the_battery_tables(args, expected):
    result = evchain(*args)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_passport_writes_a_document_that_validates_against_the_battery_pass_schemas(tmp_path):
    from evchain.passport import ASPECTS, validate_passport

    out = tmp_path / "passport.json"
    done = evchain("passport", DEFAULT_STUDY, "--variant", "r5-lfp-ctp", "--out", out)
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    validate_passport({aspect: document[aspect] for aspect in ASPECTS})
    assert document["CarbonFootprintForBatteries"]["batteryCarbonFootprint"] > 0
    assert document["MaterialComposition"]["batteryChemistry"]["shortName"] == "LFP"


def test_passport_for_an_unknown_variant_is_a_clean_error():
    done = evchain("passport", DEFAULT_STUDY, "--variant", "r5-5")
    _assert_clean_failure(done)
    assert "did you mean 'r5-40'" in done.stderr
