"""``netruimte serve``: the web service (API, jobs worker, bundled scenario on first start)."""

from __future__ import annotations

import typer

from netruimte.cli._service import DB_OPTION

__all__ = ["serve"]


def serve(
    db: str | None = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Run the job worker thread in this process."
    ),
    bootstrap: bool = typer.Option(
        True,
        "--bootstrap/--no-bootstrap",
        help="Import the bundled Flevoland scenario when the register is empty.",
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="Addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted (client "
        "address for sign-in limits, https for the Secure cookie); '*' trusts any.",
    ),
) -> None:
    """Serve the dashboard at http://HOST:PORT/ and the API at /api/v1 (OpenAPI at
    /openapi.json).

    On a fresh machine this creates ./netruimte.db (SQLite, WAL), applies the migrations and
    imports the bundled Flevoland scenario. Add users with `netruimte users add`.
    """
    import dataclasses

    import uvicorn

    from netruimte.web.app import create_app
    from netruimte.web.settings import Settings

    settings = dataclasses.replace(Settings.from_env(db), worker=worker, bootstrap=bootstrap)
    typer.echo(f"netruimte: serving {settings.db_url} on http://{host}:{port}", err=True)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
