"""The Typer app of ``netruimte``: the root group over :data:`netruimte.cli.COMMANDS`.

Imported for every invocation but ``netruimte --version`` and ``netruimte --help``
(:func:`netruimte.cli.main`). The commands are imported only when invoked; while the root
help is written they are stand-ins carrying their one-line help.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from netruimte import __version__
from netruimte.cli import COMMANDS
from netruimte.errors import InputError, NoSolutionError

__all__ = ["app", "load_command", "run"]


def load_command(name: str) -> Any:
    """The click command of ``name``, importing its module."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    command: Any
    if entry.group:
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyGroup(TyperGroup):
    """The root group: commands from :data:`COMMANDS`, imported when invoked.

    While the root help is written, the commands are stand-ins carrying the one-line help, so
    that ``--help`` imports no command module.
    """

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS) + [n for n in super().list_commands(ctx) if n not in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help)
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="netruimte",
    cls=_LazyGroup,
    help="netruimte (grid room): living with grid congestion.",
    # Plain (click) help at the root: drawing it with rich costs its import, a third of the
    # start-up of ``netruimte --help``; the commands' own help still uses rich.
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"netruimte {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """netruimte (grid room): living with grid congestion."""


def run() -> None:
    """Run the app and map errors to exit codes (:func:`netruimte.cli.main`).

    Bad input never ends in a traceback: an InputError names the file, line and field; a file
    that cannot be read or written (missing, a folder, no permission, an existing file where
    a folder is needed) names the file; input nested too deeply to parse says so. All exit 2.
    """
    try:
        app()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except NoSolutionError as exc:
        print(f"no solution: {exc}", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:  # a path given on the command line or named in an input file
        name = exc.filename if exc.filename is not None else ""
        reason = exc.strerror or type(exc).__name__
        print(f"error: {name}: {reason}" if name else f"error: {reason}", file=sys.stderr)
        sys.exit(2)
    except RecursionError:
        print("error: the input is nested too deeply to read", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:
        if not _database_unreachable(exc):
            raise  # a bug: the traceback is what a maintainer needs
        cause = getattr(exc, "orig", exc)  # the driver's own message
        print(f"error: field '--db': cannot use the database: {cause}", file=sys.stderr)
        sys.exit(2)


def _database_unreachable(exc: Exception) -> bool:
    """An SQLAlchemy OperationalError: the database named by --db cannot be opened or reached
    (checked without importing SQLAlchemy for commands that never loaded it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.OperationalError)
