"""``netruimte hub``: plan an energy hub (several sites behind one group contract).

Thin over :mod:`netruimte.sites.hub_plan`. Exit codes (``docs/cli.md``): 0 a plan; 1 the
hub has no feasible plan (the reason on stderr; with ``--json`` the Hub JSON is still
printed); 2 bad input (the file and key on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from netruimte.errors import NoSolutionError

__all__ = ["app"]

app = typer.Typer(
    help="Plan an energy hub: the smallest joint connection of several sites, or the cheapest.",
    no_args_is_help=True,
)


def _kw(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


@app.command("plan")
def plan(
    hub_file: Path = typer.Argument(..., help="Hub file (TOML, docs/hubs.md)."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Write plan.json, dispatch.csv, import.csv and request.json into this folder.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the Hub JSON on stdout."),
) -> None:
    """Plan the hub with its objective (min-connection or min-cost)."""
    from netruimte.sites.hub_plan import run_hub_plan

    result = run_hub_plan(hub_file, out)
    if as_json:
        typer.echo(json.dumps(result.to_json_dict(), indent=2, allow_nan=False))
    else:
        lines = [
            f"hub            {result.hub.name}",
            f"objective      {result.objective} ({result.method})",
            f"status         {result.status}",
            f"joint import   {_kw(result.import_kw)} kW",
            f"members alone  {_kw(result.sum_member_import_kw)} kW (sum of their own plans)",
            f"diversity gain {_kw(result.diversity_gain_kw)} kW",
        ]
        if result.annual_cost_eur is not None:
            cost = result.annual_cost_eur
            lines.append(f"cost           EUR {cost:,.0f} over the profile's span")
        width = max([6] + [len(m.name) for m in result.members])
        lines.append(f"{'member':<{width}}  {'alone kW':>10}  {'peak in hub kW':>14}")
        for m in result.members:
            alone, peak = _kw(m.import_kw_alone), _kw(m.peak_import_kw)
            lines.append(f"{m.name:<{width}}  {alone:>10}  {peak:>14}")
        typer.echo("\n".join(lines))
    if out is not None:
        typer.echo(f"wrote the hub plan into {out}", err=True)
    if not result.feasible:
        raise NoSolutionError(result.reason or "the hub has no feasible plan")
