"""The ``netruimte`` command: a thin layer over the library.

Exit codes (DESIGN.md, interface contract v1): 0 success; 1 the problem has no solution, with
the reason; 2 bad input, with a message on stderr naming file, line/field and what was expected.
"""

from __future__ import annotations

import sys

import typer

from netruimte import __version__
from netruimte.cli import audit as _audit
from netruimte.cli import db as _dbcmd
from netruimte.cli import fleet as _fleet
from netruimte.cli import hub as _hub
from netruimte.cli import profile as _profile
from netruimte.cli import serve as _serve
from netruimte.cli import site as _site
from netruimte.cli import users as _users
from netruimte.cli import waitlist as _waitlist
from netruimte.cli import worker as _worker
from netruimte.cli.demo import demo as _demo
from netruimte.errors import InputError, NoSolutionError

__all__ = ["app", "main"]

app = typer.Typer(
    name="netruimte",
    help="netruimte (grid room): living with grid congestion.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(_profile.app, name="profile")
app.add_typer(_site.app, name="site")
app.add_typer(_hub.app, name="hub")
app.command("demo")(_demo)
app.command("serve")(_serve.serve)
app.command("worker")(_worker.worker)
app.add_typer(_users.app, name="users")
app.add_typer(_dbcmd.app, name="db")
app.add_typer(_audit.app, name="audit")
app.add_typer(_waitlist.app, name="waitlist")
app.add_typer(_fleet.app, name="fleet")


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


def main() -> None:
    """Entry point of the console script: run the app and map errors to exit codes.

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
        print(f"error: field '--db': cannot use the database: {exc.orig}", file=sys.stderr)  # type: ignore[attr-defined]
        sys.exit(2)


def _database_unreachable(exc: Exception) -> bool:
    """An SQLAlchemy OperationalError: the database named by --db cannot be opened or reached
    (checked without importing SQLAlchemy for commands that never loaded it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.OperationalError)
