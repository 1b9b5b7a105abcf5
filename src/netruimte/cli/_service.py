"""Shared option and helper of the service commands: ``--db URL``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from netruimte.storage import Database

__all__ = ["DB_OPTION", "open_db"]

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
