"""``netruimte fleet``: plan many sites at once on Dask (``docs/fleet.md``).

``fleet plan FLEET`` reads a folder of site TOML files or one CSV with a site per row, plans
every site as one Dask task (an in-process local cluster by default, or ``--scheduler
tcp://HOST:PORT``), and writes ``results.parquet`` (one row per site) and ``summary.json``
into ``--out``. A progress bar on stderr advances as sites finish; ``--json`` prints the
summary as one JSON document on stdout.

Exit codes: 0 every site planned; 1 some site has no feasible plan (and none failed); 2 bad
input: the fleet itself (nothing is run), or some site failed (the results are still written
and name the site, file, line and column).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

import typer
from rich.console import Console
from rich.table import Table

from netruimte.errors import InputError
from netruimte.planner.site import Objective

__all__ = ["app"]

app = typer.Typer(help="Plan fleets of sites on Dask.", no_args_is_help=True)

_TABLE_ROWS: Final = 30
_PLAIN_WIDTH: Final = 130  # a pipe or file has no width; wide enough for the table


def _objective(text: str | None) -> Objective | None:
    if text is None:
        return None
    try:
        objective = Objective(text)
    except ValueError:
        choices = " or ".join(o.value for o in Objective)
        raise InputError(f"expected {choices}, got {text!r}", field="--objective") from None
    return objective


def _kw(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _print_table(summary: dict[str, Any], rows: list[Any], console: Console) -> None:
    table = Table(
        title=f"fleet {summary['fleet']}",
        caption="before kW: peak of load − PV without battery or flexibility",
    )
    table.add_column("site", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("status", no_wrap=True)
    for column in ("before kW", "import kW", "PV kWp", "batt. kWh", "cost EUR", "s"):
        table.add_column(column, justify="right", no_wrap=True)
    shown = rows if len(rows) <= _TABLE_ROWS else [r for r in rows if r.status != "optimal"]
    for row in shown[:_TABLE_ROWS]:
        cost = "-" if row.annual_cost_eur is None else f"{row.annual_cost_eur:,.0f}"
        table.add_row(
            row.name,
            str(row.status),
            _kw(row.peak_import_before_kw),
            _kw(row.import_kw),
            _kw(row.pv_kwp),
            _kw(row.battery_energy_kwh),
            cost,
            f"{row.seconds:.2f}",
        )
    console.print(table)
    hidden = len(rows) - min(len(shown), _TABLE_ROWS)
    if hidden:
        console.print(f"({hidden} more sites in results.parquet)")
    lines = [
        f"sites          {summary['sites']}: {summary['optimal']} optimal, "
        f"{summary['infeasible']} infeasible, {summary['error']} error",
        f"peak before    {summary['peak_import_before_kw_total']:,.1f} kW (optimal sites)",
        f"import         {summary['import_kw_total']:,.1f} kW (optimal sites)",
        f"cost           EUR {summary['annual_cost_eur_total']:,.0f} (optimal sites)",
        f"ran on         {summary['scheduler']}: {summary['workers']} workers, "
        f"{summary['threads']} threads, {summary['wall_seconds']:.1f} s",
    ]
    console.print("\n".join(lines), highlight=False)
    for problem in summary["problems"]:
        console.print(
            f"{problem['status']}: {problem['name']} ({problem['source']}): {problem['message']}",
            highlight=False,
            soft_wrap=True,
        )


@app.command("plan")
def plan(
    fleet: Path = typer.Argument(
        ..., help="A folder of site TOML files, or a CSV with one site per row (docs/fleet.md)."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Dask scheduler tcp://HOST:PORT; default: an in-process local cluster.",
    ),
    out: Path = typer.Option(
        Path("fleet-results"),
        "--out",
        help="Folder for results.parquet and summary.json (created if missing).",
    ),
    objective: str | None = typer.Option(
        None,
        "--objective",
        help="min-connection | min-cost for every site (default: each site's own objective).",
    ),
    workers: int = typer.Option(
        2, "--workers", help="Worker processes of the local cluster (ignored with --scheduler)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print summary.json on stdout."),
) -> None:
    """Plan every site of a fleet; one row per site, a failing site does not stop the rest."""
    from netruimte.scale.cluster import dask_client, parse_scheduler, terminal_progress
    from netruimte.scale.fleet import SiteRow, SiteStatus, plan_fleet, write_results
    from netruimte.scale.fleet_input import load_fleet
    from netruimte.sites.plan_file import plan_site

    chosen = _objective(objective)
    if scheduler is not None:
        parse_scheduler(scheduler)
    if workers < 1:
        raise InputError(f"expected at least 1 worker, got {workers}", field="--workers")
    sites = load_fleet(fleet)
    with (
        dask_client(scheduler, n_workers=workers) as client,
        terminal_progress(f"planning {len(sites)} sites", len(sites)) as advance,
    ):

        def step(_: SiteRow) -> None:
            advance(1)

        result = plan_fleet(sites, plan_site, objective=chosen, client=client, progress=step)
    write_results(result, out)
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    else:
        console = Console() if sys.stdout.isatty() else Console(width=_PLAIN_WIDTH)
        _print_table(summary, list(result.rows), console)
    typer.echo(f"wrote {out / 'results.parquet'} and {out / 'summary.json'}", err=True)
    # the worst outcome decides the exit code (docs/cli.md): 2 a site failed, 1 one has no plan
    for status, code, words in (
        (SiteStatus.ERROR, 2, "error: {n} of {total} sites failed; see the problems"),
        (SiteStatus.INFEASIBLE, 1, "no solution for {n} of {total} sites; see their reasons"),
    ):
        if n := result.count(status):
            typer.echo(words.format(n=n, total=len(sites)) + " in summary.json", err=True)
            raise typer.Exit(code)
