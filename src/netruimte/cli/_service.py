"""Shared option and helpers of the service commands: ``--db URL``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from netruimte.storage import Database

__all__ = ["DB_OPTION", "open_db", "opened_db"]

DB_OPTION = typer.Option(
    None,
    "--db",
    help=(
        "Database URL: an SQLite file (sqlite:///path.db or a plain path) or "
        "postgresql+psycopg://USER@HOST:PORT/DB. Default: $NETRUIMTE_DB, else ./netruimte.db."
    ),
)


def open_db(url: str | None, *, migrate: bool = True) -> Database:
    """The database (with migrations applied unless ``migrate`` is False)."""
    from netruimte.storage import Database, resolve_db_url, upgrade

    db = Database(resolve_db_url(url))
    if migrate:
        upgrade(db)
    return db


@contextmanager
def opened_db(url: str | None, *, migrate: bool = True) -> Iterator[Database]:
    """:func:`open_db` for the length of a ``with`` block, disposed of (connections closed)
    at its end, also when the command fails."""
    db = open_db(url, migrate=migrate)
    try:
        yield db
    finally:
        db.dispose()
