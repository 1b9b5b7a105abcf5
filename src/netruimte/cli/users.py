"""``netruimte users``: operators and applicants of the web service, and their API tokens."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from netruimte.cli._service import DB_OPTION, opened_db
from netruimte.errors import InputError

if TYPE_CHECKING:
    from netruimte.storage import Database

__all__ = ["app"]

app = typer.Typer(
    help="Add users of the web service and manage their tokens.", no_args_is_help=True
)


@contextmanager
def _users_db(db: str | None) -> Iterator[Database]:
    """The database for a change to a user; the service's refusal (an unknown user, a bad
    name or role) is an input error naming the user (exit 2)."""
    from netruimte.errors import ServiceError

    with opened_db(db) as database:
        try:
            yield database
        except ServiceError as exc:
            raise InputError(exc.message, field="name") from None


@app.command("add")
def add(
    name: str = typer.Argument(..., help="User name (letters, digits, space, . _ @ -)."),
    role: str = typer.Option(..., "--role", help="operator | applicant"),
    days: int = typer.Option(365, "--days", help="Days the token works (1-3650)."),
    db: str | None = DB_OPTION,
) -> None:
    """Add a user and print its API token once (only a hash is stored)."""
    from netruimte.access.auth import add_user

    with _users_db(db) as database:
        principal, token = add_user(database, name, role, days=days)
    typer.echo(
        f"added {principal.role.value} {principal.name!r}; the token is shown once:", err=True
    )
    typer.echo(token)


@app.command("token")
def token(
    name: str = typer.Argument(..., help="User name."),
    days: int = typer.Option(365, "--days", help="Days the new token works (1-3650)."),
    db: str | None = DB_OPTION,
) -> None:
    """Give a user a new token (the old one and their browser sign-ins stop working) and
    print it once."""
    from netruimte.access.auth import rotate_token

    with _users_db(db) as database:
        new = rotate_token(database, name, days=days)
    typer.echo(new)


@app.command("list")
def list_(
    db: str | None = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """List users and roles (tokens are never shown again)."""
    from netruimte.access.auth import list_users

    with opened_db(db) as database:
        users = list_users(database)
    if as_json:
        typer.echo(json.dumps([{"name": u.name, "role": u.role.value} for u in users]))
        return
    for u in users:
        typer.echo(f"{u.role.value:<10} {u.name}")


def _change_user(change: Callable[[Database, str], object], name: str, db: str | None) -> None:
    """Apply ``change`` to user ``name``."""
    with _users_db(db) as database:
        change(database, name)


@app.command("revoke")
def revoke(
    name: str = typer.Argument(..., help="User name."),
    db: str | None = DB_OPTION,
) -> None:
    """End a user's access now: the token and every browser sign-in stop working
    (`users token NAME` gives a new token)."""
    from netruimte.access.auth import revoke_user

    _change_user(revoke_user, name, db)
    typer.echo(f"revoked the token and sign-ins of {name!r}", err=True)


@app.command("remove")
def remove(
    name: str = typer.Argument(..., help="User name."),
    db: str | None = DB_OPTION,
) -> None:
    """Remove a user (their requests, plans and jobs stay, without an owner; the audit trail
    keeps the name)."""
    from netruimte.access.auth import remove_user

    _change_user(remove_user, name, db)
    typer.echo(f"removed user {name!r}", err=True)
