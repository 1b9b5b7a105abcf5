"""Start-up of the ``netruimte`` command: what importing it pulls in, and its command table.

A guard, not a timing test (timings are in ``benchmarks/cli_startup.py``): importing
``netruimte.cli`` must not import the heavy libraries; ``--version`` and ``--help`` must not
import Typer or any command; the root help they write without Typer must be the one Typer
writes, at every width; and the one-line helps the root help shows without importing the
commands must be the commands' own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from netruimte import __version__
from netruimte.cli import COMMANDS, _help, app, load_command

HEAVY = ("numba", "numpy", "pandas", "scipy", "highspy", "sqlalchemy", "fastapi", "rich")


def _imported_after(code: str) -> list[str]:
    probe = (
        "import sys\n"
        f"{code}\n"
        "import json\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _imported_after("import netruimte.cli") == []


def test_version_and_help_import_no_command_module() -> None:
    for argv in (["--version"], ["--help"]):
        code = (
            "from typer.testing import CliRunner\n"
            "from netruimte.cli import app\n"
            f"result = CliRunner().invoke(app, {argv!r})\n"
            "assert result.exit_code == 0, result.output\n"
            "assert not [m for m in sys.modules if m.startswith('netruimte.cli.')\n"
            "            and m not in ('netruimte.cli._app', 'netruimte.cli._help')]\n"
        )
        assert _imported_after(code) == []


def test_version_and_help_of_the_console_script_import_no_typer() -> None:
    for argv in (["--version"], ["--help"]):
        code = (
            f"sys.argv = ['netruimte', *{argv!r}]\n"
            "from netruimte.cli import main\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as stop:\n"
            "    assert stop.code == 0, stop.code\n"
            "assert not [m for m in sys.modules if m.startswith('netruimte.cli.')\n"
            "            and m != 'netruimte.cli._help']\n"
            "assert 'typer' not in sys.modules\n"
        )
        assert _imported_after(code) == []


def test_the_console_script_answers_version_and_help() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "netruimte", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert version.returncode == 0
    assert version.stdout == f"netruimte {__version__}\n"
    shown = subprocess.run(
        [sys.executable, "-m", "netruimte", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "64"},
    )
    assert shown.returncode == 0
    assert shown.stdout == _typer_help(62, "python -m netruimte")


def _typer_help(width: int, program: str) -> str:
    """The root help as Typer writes it at a formatter width."""
    group = typer.main.get_command(app)
    context = group.make_context(program, [], resilient_parsing=True, terminal_width=width)
    return group.get_help(context) + "\n"


@pytest.mark.parametrize("program", ["netruimte", "python -m netruimte"])
def test_the_root_help_without_typer_is_typers_at_every_width(program: str) -> None:
    for width in range(50, 79):  # click's help width: min(terminal, 80) - 2, at least 50
        assert _help.root_help(width, program) == _typer_help(width, program), width


def test_the_root_summary_is_the_apps() -> None:
    assert app.info.help == _help.SUMMARY


def test_the_help_width_follows_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    for columns, width in (("100", 78), ("70", 68), ("30", 50)):
        monkeypatch.setenv("COLUMNS", columns)
        assert _help._width() == width


def test_help_and_version_through_typer_are_the_same() -> None:
    """The Typer app still answers both (``CliRunner`` and every other invocation use it)."""
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"netruimte {__version__}\n"
    result = CliRunner().invoke(app, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    assert result.output == _help.root_help(80, "netruimte")  # the width as given


def test_the_guard_would_see_a_heavy_import() -> None:
    """The probe is real: a module that imports pandas is reported."""
    assert "pandas" in _imported_after("import netruimte.cli.profile")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_root_help_of_every_command_is_its_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    own = " ".join((command.help or "").split())
    assert own.startswith(" ".join(COMMANDS[name].help.split()))
