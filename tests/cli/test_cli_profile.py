"""The ``netruimte`` command: version, profile inspect, exit codes, help on every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from netruimte import __version__
from netruimte.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples" / "profiles"
runner = CliRunner()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point, so exit-code mapping is tested too."""
    return subprocess.run(
        [sys.executable, "-m", "netruimte", *args], capture_output=True, text=True, check=False
    )


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"netruimte {__version__}"


def test_inspect_real_g25_year_json():
    result = run("profile", "inspect", str(EXAMPLES / "office-g25-2025.csv"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["days"] == 365 and doc["steps"] == 35_040
    assert [d["steps"] for d in doc["dst_days"]] == [92, 100]
    assert doc["energy_kwh"] == pytest.approx(850_000, abs=1.0)
    assert doc["peak_at"] == "2025-01-02T10:15:00+01:00"
    assert [p["percent_of_time"] for p in doc["load_duration_kw"]] == [1.0, 5.0, 15.0, 50.0]


def test_inspect_dutch_export_text():
    result = run("profile", "inspect", str(EXAMPLES / "bakkerij-g5-2025-nl.csv"))
    assert result.returncode == 0, result.stderr
    assert "2025-03-30 (92 quarter-hours)" in result.stdout
    assert "2025-10-26 (100 quarter-hours)" in result.stdout
    assert "annual energy" in result.stdout


def test_malformed_file_exits_2_naming_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    rows = ["timestamp;kw"] + [
        f"2025-01-15 {h:02d}:{m:02d};1,0" for h in range(24) for m in (0, 15, 30, 45)
    ]
    rows[50] = "2025-01-15 12:15;n.v.t."
    bad.write_text("\n".join(rows) + "\n")
    result = run("profile", "inspect", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "line 51" in result.stderr and "bad.csv" in result.stderr and "kw" in result.stderr


def test_usage_error_exits_2():
    assert run("profile", "inspect").returncode == 2


def _walk(command: click.Command, path: str = "netruimte"):
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from _walk(sub, f"{path} {name}")


def test_every_command_has_help_text():
    root = typer.main.get_command(app)
    commands = list(_walk(root))
    assert len(commands) >= 3
    for path, command in commands:
        assert command.help and command.help.strip(), f"{path} has no help text"
        result = runner.invoke(app, [*path.split()[1:], "--help"])
        assert result.exit_code == 0, path
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option" and param.name != "help":
                assert param.help, f"{path} option {param.name} has no help text"
