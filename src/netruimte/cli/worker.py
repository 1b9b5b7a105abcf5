"""``netruimte worker``: run the service's jobs in a process of their own.

``netruimte serve`` runs one job worker thread by default, inside the web server's process;
a long site plan or Monte Carlo forecast then shares that process (and Python's GIL) with the
requests. For production, start the server with ``--no-worker`` and one or more
``netruimte worker`` processes on the same database: each claims jobs from the queue
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so the request path never runs a job.
"""

from __future__ import annotations

import typer

from netruimte.cli._service import DB_OPTION, opened_db

__all__ = ["worker"]


def worker(
    db: str | None = DB_OPTION,
    once: bool = typer.Option(
        False, "--once", help="Run the jobs queued now, then exit (instead of waiting for more)."
    ),
    poll_s: float = typer.Option(
        1.0, "--poll", min=0.05, max=60.0, help="Seconds between looks at an empty queue."
    ),
) -> None:
    """Run queued jobs (site plans, forecasts) until stopped (Ctrl-C or SIGTERM)."""
    import signal
    import threading

    from netruimte.jobs.worker import Worker

    with opened_db(db) as database:
        runner = Worker(database, poll_s=poll_s)
        if once:
            runner.recover()
            done = 0
            while runner.run_once():
                done += 1
            typer.echo(f"ran {done} job(s)", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        runner.start()
        typer.echo(f"netruimte worker {runner.name} on {database!r}", err=True)
        stop.wait()
        typer.echo("stopping after the current job", err=True)
        runner.stop(timeout=600.0)
