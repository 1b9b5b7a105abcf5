"""The ``netruimte`` command: a thin layer over the library.

Exit codes (DESIGN.md, interface contract v1): 0 success; 1 the problem has no solution, with
the reason; 2 bad input, with a message on stderr naming file, line/field and what was expected.

Start-up is kept short. This module imports nothing but :mod:`sys` (:mod:`os` for the help):
``netruimte --version`` and ``netruimte --help`` are answered here, without Typer (whose
import is most of the start-up of a command that does nothing); the root help is written
exactly as Typer writes it (:mod:`netruimte.cli._help`, a test compares the two at every
terminal width). Every other invocation goes to the Typer app (:mod:`netruimte.cli._app`), whose
commands live in their own modules and are imported only when invoked (``netruimte profile
inspect`` imports only the profile command and pandas). The root help lists the commands from
:data:`COMMANDS`, whose one-line helps a unit test keeps equal to the commands' own.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs more than this module
if TYPE_CHECKING:
    from typing import Any

    from netruimte.cli._app import app, load_command

__all__ = ["COMMANDS", "LazyCommand", "app", "load_command", "main"]


class LazyCommand:
    """A command imported on first use: ``module:attribute``, a sub-app or a function.

    (A plain class: :mod:`dataclasses` costs more to import than the rest of this module.)
    """

    __slots__ = ("attribute", "group", "help", "module")

    def __init__(self, module: str, attribute: str, help: str, group: bool = True) -> None:
        self.module = module
        self.attribute = attribute
        self.help = help
        self.group = group

    def __repr__(self) -> str:
        return f"LazyCommand({self.module!r}, {self.attribute!r}, group={self.group})"


COMMANDS: dict[str, LazyCommand] = {
    "demo": LazyCommand(
        "netruimte.cli.demo",
        "demo",
        "The main job: the Flevoland scenario end to end (waiting list, ACM framework, smart "
        "tools, slipped works), written as one HTML report plus CSV/JSON of all results.",
        group=False,
    ),
    "serve": LazyCommand(
        "netruimte.cli.serve",
        "serve",
        "Serve the dashboard at http://HOST:PORT/ and the API at /api/v1 (OpenAPI at "
        "/openapi.json).",
        group=False,
    ),
    "worker": LazyCommand(
        "netruimte.cli.worker",
        "worker",
        "Run queued jobs (site plans, forecasts) until stopped (Ctrl-C or SIGTERM).",
        group=False,
    ),
    "profile": LazyCommand(
        "netruimte.cli.profile", "app", "Read and describe 15-minute load profiles."
    ),
    "site": LazyCommand(
        "netruimte.cli.site",
        "app",
        "Plan a business site: the smallest connection, its cost and the request annex.",
    ),
    "hub": LazyCommand(
        "netruimte.cli.hub",
        "app",
        "Plan an energy hub: the smallest joint connection of several sites, or the cheapest.",
    ),
    "users": LazyCommand(
        "netruimte.cli.users", "app", "Add users of the web service and manage their tokens."
    ),
    "db": LazyCommand(
        "netruimte.cli.db", "app", "Database schema migrations (Alembic, shipped in the package)."
    ),
    "audit": LazyCommand("netruimte.cli.audit", "app", "The audit trail of decisions."),
    "waitlist": LazyCommand(
        "netruimte.cli.waitlist", "app", "Waiting lists: who gets grid capacity, when, and why."
    ),
    "fleet": LazyCommand("netruimte.cli.fleet", "app", "Plan fleets of sites on Dask."),
}
"""Every command of ``netruimte``, in the order of the help."""


def main() -> None:
    """Entry point of the console script: run the app and map errors to exit codes.

    ``--version`` and ``--help`` alone are answered without importing Typer; everything else
    runs the Typer app (:func:`netruimte.cli._app.run`).
    """
    args = sys.argv[1:]
    if args == ["--version"]:
        from netruimte import __version__

        sys.stdout.write(f"netruimte {__version__}\n")
        sys.exit(0)
    if args == ["--help"]:
        from netruimte.cli._help import root_help

        sys.stdout.write(root_help())
        sys.exit(0)
    from netruimte.cli._app import run

    run()


def __getattr__(name: str) -> Any:
    """``app`` and ``load_command`` import Typer: loaded on first use."""
    if name in ("app", "load_command"):
        from netruimte.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
