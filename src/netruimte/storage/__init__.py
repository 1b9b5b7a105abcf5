"""Storage: SQLAlchemy tables, transactions with row locks, and Alembic migrations.

The default database is an SQLite file (``./netruimte.db``; WAL, no set-up); production uses
PostgreSQL (``postgresql+psycopg://USER@HOST:PORT/DB``). See ``docs/service.md``.
"""

from __future__ import annotations

from netruimte.storage.database import (
    DEFAULT_DB_URL,
    Database,
    get_row,
    next_position,
    normalise_db_url,
    resolve_db_url,
)
from netruimte.storage.migrate import current_revision, head_revision, upgrade

__all__ = [
    "DEFAULT_DB_URL",
    "Database",
    "current_revision",
    "get_row",
    "head_revision",
    "next_position",
    "normalise_db_url",
    "resolve_db_url",
    "upgrade",
]
