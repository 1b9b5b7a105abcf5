"""Start-up of the ``netruimte`` command: what importing it pulls in, and its command table.

A guard, not a timing test (timings are in ``benchmarks/cli_startup.py``): importing
``netruimte.cli`` (which ``--version`` and ``--help`` need) must not import the heavy
libraries, and the one-line helps the root help shows without importing the commands must be
the commands' own.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from netruimte.cli import COMMANDS, load_command

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
            "assert not [m for m in sys.modules if m.startswith('netruimte.cli.')]\n"
        )
        assert _imported_after(code) == []


def test_the_guard_would_see_a_heavy_import() -> None:
    """The probe is real: a module that imports pandas is reported."""
    assert "pandas" in _imported_after("import netruimte.cli.profile")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_root_help_of_every_command_is_its_own(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    own = " ".join((command.help or "").split())
    assert own.startswith(" ".join(COMMANDS[name].help.split()))
