"""``netruimte profile``: look at a metering CSV."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from netruimte.conventions import DEFAULT_TIMEZONE
from netruimte.profiles import read_profile_csv, summarise_profile

__all__ = ["app"]

app = typer.Typer(help="Read and describe 15-minute load profiles.", no_args_is_help=True)


@app.command("inspect")
def inspect(
    file: Path = typer.Argument(..., help="Profile CSV: 'timestamp' plus 'kw' or 'kwh'."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
    timezone: str = typer.Option(
        DEFAULT_TIMEZONE, "--timezone", help="Zone of wall-clock timestamps in the file."
    ),
    resample: bool = typer.Option(
        False,
        "--resample",
        help="Accept another fixed step: coarser steps are spread, finer ones averaged.",
    ),
) -> None:
    """Span, step, days (flagging DST days), energy, peak, base load, load-duration points."""
    kw = read_profile_csv(file, timezone=timezone, resample=resample)
    summary = summarise_profile(kw)
    if as_json:
        document = {"file": str(file), **summary.to_json_dict()}
        typer.echo(json.dumps(document, indent=2))
        return
    dst = ", ".join(f"{d.date} ({d.steps} quarter-hours)" for d in summary.dst_days) or "none"
    whole_year = summary.days in (365, 366) and summary.start.month == 1 and summary.start.day == 1
    energy_label = "annual energy" if whole_year else f"energy over {summary.days} days"
    lines = [
        f"file           {file}",
        f"span           {summary.start.isoformat()} to {summary.end.isoformat()}",
        f"step           {summary.step_minutes} minutes, {summary.steps} values",
        f"days           {summary.days}; DST days: {dst}",
        f"{energy_label:<14} {summary.energy_kwh:,.1f} kWh",
        f"peak           {summary.peak_kw:,.2f} kW at {summary.peak_at.isoformat()}",
        f"mean           {summary.mean_kw:,.2f} kW",
        f"base load      {summary.base_load_kw:,.2f} kW (median of daily minima)",
        "load-duration  "
        + ", ".join(f"{p:g}%: {kw_:,.2f} kW" for p, kw_ in summary.load_duration_kw.items()),
    ]
    typer.echo("\n".join(lines))
