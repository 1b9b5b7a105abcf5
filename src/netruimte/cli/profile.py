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


@app.command("import")
def import_(
    src: Path = typer.Argument(..., help="Meter export: CSV (any separator) or .xlsx."),
    out: Path = typer.Option(..., "--out", help="Where to write the canonical profile CSV."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
    start: str | None = typer.Option(
        None, "--start", help="Start of the first value (ISO), for files without timestamps."
    ),
    step: int | None = typer.Option(None, "--step", help="Minutes per value."),
    fill: str | None = typer.Option(
        None, "--fill", help="Fill gaps and empty cells: linear, previous or zero."
    ),
    trim: bool = typer.Option(False, "--trim", help="Drop partial first and last days."),
    column: str | None = typer.Option(None, "--column", help="The value column (name or number)."),
    unit: str | None = typer.Option(
        None, "--unit", help="Unit of the values: W, kW, MW, or Wh, kWh, MWh per interval."
    ),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="Clock of stamps without offset: a zone (wall time) or a fixed offset (+01:00).",
    ),
    label: str | None = typer.Option(
        None, "--label", help="Stamps mark the interval's start or end."
    ),
    decimal: str | None = typer.Option(None, "--decimal", help="Decimal mark: ',' or '.'."),
    date_order: str | None = typer.Option(
        None, "--date-order", help="Order of 01/02/2025: dmy or mdy."
    ),
    site_timezone: str = typer.Option(
        DEFAULT_TIMEZONE, "--site-timezone", help="Zone of the written profile."
    ),
) -> None:
    """Read a meter export as users have it and write a canonical 15-minute kW profile CSV.

    What the file settles is detected and reported; what it cannot is refused with the option
    that settles it (exit 2).
    """
    from netruimte.profiles.csv_io import write_profile_csv
    from netruimte.profiles.meter import ImportOptions, import_meter

    options = ImportOptions(
        start=start, step_minutes=step, fill=fill, trim=trim, column=column, unit=unit,
        timezone=timezone, label=label, decimal=decimal, date_order=date_order,
        site_timezone=site_timezone,
    )  # fmt: skip
    result = import_meter(src, options)
    write_profile_csv(result.kw, out)
    report = result.to_json_dict()
    if as_json:
        typer.echo(json.dumps({**report, "out": str(out)}, indent=2))
        return
    lines = [
        f"wrote {out}: {report['steps']} quarter-hours, {report['days']} days, "
        f"{report['start']} to {report['end']}",
        f"energy {report['energy_kwh']:,.1f} kWh, peak {report['peak_kw']:,.2f} kW"
        + (f", feed-in {report['export_kwh']:,.1f} kWh (a net profile)" if report["net"] else ""),
    ]
    for item in report["assumptions"]:
        note = f" ({item['note']})" if item["note"] else ""
        lines.append(f"  {item['name']:<18} {item['value']} [{item['how']}]{note}")
    filled = report["filled"]
    if filled["count"]:
        where = "; ".join(f"{w['values']} from {w['from']}" for w in filled["where"][:10])
        lines.append(
            f"  filled             {filled['count']} value(s), {filled['method']}: {where}"
        )
    typer.echo("\n".join(lines))
