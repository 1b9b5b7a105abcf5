"""Schema migrations: ``netruimte db upgrade`` and friends, on top of Alembic.

The revision scripts ship inside the package (``netruimte/storage/migrations``), so an
installed netruimte can upgrade any database it is pointed at; no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from netruimte.storage.database import Database

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]


def alembic_config(db: Database | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (and at ``db`` when given)."""
    config = Config()
    config.set_main_option("script_location", "netruimte.storage:migrations")
    if db is not None:
        url = db.engine.url.render_as_string(hide_password=False)
        # the config is a ConfigParser: a '%' (an escaped '#' in a file name) must be doubled
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of netruimte."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found in netruimte.storage.migrations")
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> str:
    """Apply the migrations up to ``revision``; returns the revision the database is at."""
    config = alembic_config(db)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    current = current_revision(db)
    if current is None:
        raise RuntimeError("migration left no revision in the database")
    return current
