"""``netruimte db``: database migrations."""

from __future__ import annotations

import typer

from netruimte.cli._service import DB_OPTION, opened_db

__all__ = ["app"]

app = typer.Typer(
    help="Database schema migrations (Alembic, shipped in the package).", no_args_is_help=True
)


@app.command("upgrade")
def upgrade_cmd(db: str | None = DB_OPTION) -> None:
    """Apply the migrations up to the newest revision (creates an SQLite file if needed)."""
    from netruimte.storage import upgrade

    with opened_db(db, migrate=False) as database:
        revision = upgrade(database)
    typer.echo(f"database at revision {revision}")


@app.command("current")
def current_cmd(db: str | None = DB_OPTION) -> None:
    """Print the database's revision and the newest one this version ships."""
    from netruimte.storage import current_revision, head_revision

    with opened_db(db, migrate=False) as database:
        current = current_revision(database)
    typer.echo(f"current {current or '(empty database)'}; newest {head_revision()}")
