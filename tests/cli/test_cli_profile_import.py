"""``netruimte profile import``: writes the canonical CSV, reports what it assumed (text and
JSON), and exits 2 with the flag that resolves an ambiguity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netruimte.profiles import read_profile_csv

FILES = Path(__file__).parents[1] / "profiles" / "meter_files"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netruimte", "profile", "import", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_json_report_and_canonical_file(tmp_path):
    out = tmp_path / "load.csv"
    result = run(str(FILES / "thousands.csv"), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["out"] == str(out) and doc["steps"] == 192 and doc["days"] == 2
    names = {a["name"]: a for a in doc["assumptions"]}
    assert names["thousands separator"]["value"] == "."
    assert names["unit"] == {
        "name": "unit", "value": "W", "how": "detected", "note": "average power, from the header"
    }  # fmt: skip
    kw = read_profile_csv(out)
    assert kw.sum() * 0.25 == pytest.approx(doc["energy_kwh"])
    assert kw.max() == pytest.approx(doc["peak_kw"])


def test_import_text_report_names_fill_and_places(tmp_path):
    result = run(str(FILES / "gaps.csv"), "--out", str(tmp_path / "x.csv"), "--fill", "linear")
    assert result.returncode == 0, result.stderr
    assert "filled             2 value(s), linear" in result.stdout
    assert "2025-01-15T02:30:00+01:00" in result.stdout


@pytest.mark.parametrize(
    ("name", "flag"),
    [("gaps.csv", "--fill"), ("station_utc_days.csv", "--trim"), ("no_timestamps.csv", "--start")],
)
def test_refusal_exits_2_naming_the_flag_and_writes_nothing(tmp_path, name, flag):
    out = tmp_path / "out.csv"
    result = run(str(FILES / name), "--out", str(out))
    assert result.returncode == 2
    assert f"field '{flag}'" in result.stderr
    assert not out.exists()


def test_bad_choice_exits_2(tmp_path):
    result = run(str(FILES / "net.csv"), "--out", str(tmp_path / "o.csv"), "--fill", "mean")
    assert result.returncode == 2
    assert "--fill" in result.stderr


def test_a_whole_file_ambiguity_names_the_file_and_the_flag(tmp_path):
    src = FILES / "no_timestamps.csv"
    result = run(str(src), "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert str(src) in result.stderr and "'--start'" in result.stderr
    assert not (tmp_path / "o.csv").exists()
