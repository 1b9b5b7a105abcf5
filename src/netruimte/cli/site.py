"""``netruimte site``: plan a business site and show its battery/connection trade-off.

Thin over :mod:`netruimte.sites.plan_file`. Exit codes (``docs/cli.md``): 0 a plan; 1 the
site has no feasible plan (the reason on stderr; with ``--json`` the Plan JSON is still
printed); 2 bad input (the file and key on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from netruimte.errors import NoSolutionError
from netruimte.i18n import check_language

__all__ = ["app"]

app = typer.Typer(
    help="Plan a business site: the smallest connection, its cost and the request annex.",
    no_args_is_help=True,
)


_SITE_FILE = typer.Argument(..., help="Site file (TOML, docs/site-file.md).")


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2, allow_nan=False)


def _kw(value: float | None) -> str:
    return "none" if value is None else f"{value:,.2f} kW"


@app.command("plan")
def plan(
    site_file: Path = _SITE_FILE,
    out: Path | None = typer.Option(
        None,
        "--out",
        help=(
            "Write plan.json, dispatch.csv, request.json, import.csv, report.html and the "
            "one-page summary.pdf into this folder (created if missing)."
        ),
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the Plan JSON on stdout."),
    lang: str = typer.Option(
        "en",
        "--lang",
        help="Language of report.html and summary.pdf: en (default) or nl; the JSON stays English.",
    ),
) -> None:
    """Plan the site with its objective (min-connection or min-cost)."""
    from netruimte.sites.plan_file import run_site_plan

    check_language(lang, "--lang")
    result = run_site_plan(site_file, out, lang=lang)
    if as_json:
        typer.echo(_dumps(result.to_json_dict()))
    else:
        cost = result.annual_cost_eur
        case = result.business
        lines = [
            f"site           {result.site.name}",
            f"objective      {result.objective}",
            f"status         {result.status}",
            f"import         {_kw(result.import_kw)}",
        ]
        if case is not None and result.site.shiftable:
            lines.append(
                f"peak unplanned {_kw(case.baseline_import_kw)} (flexible loads on arrival, "
                "no battery)"
            )
        lines += [
            f"peak load − PV {_kw(result.peak_import_before_kw)} (base load only, no battery or "
            "flexibility)",
            f"peak planned   {_kw(result.peak_import_after_kw)}",
            f"export         {_kw(result.export_kw)}",
            f"PV             {result.pv_kwp:,.1f} kWp",
            f"battery        {result.battery_energy_kwh:,.1f} kWh / "
            f"{result.battery_power_kw:,.1f} kW",
            "cost           "
            + ("none" if cost is None else f"EUR {cost:,.0f} over the profile's span"),
        ]
        if result.lower_bound_eur is not None and result.gap is not None:
            lines.append(
                f"optimum        at least EUR {result.lower_bound_eur:,.0f}: the plan is "
                f"within {result.gap:.3%} of it (proven)"
            )
        if case is not None:
            payback = case.simple_payback_years
            lines += [
                f"a year today   EUR {case.baseline_annual_cost_eur:,.0f} at "
                f"{_kw(case.baseline_import_kw)} (no new assets, no planning)",
                f"a year planned EUR {case.plan_annual_cost_eur:,.0f} (tariffs and energy)",
                f"savings        EUR {case.annual_savings_eur:,.0f} a year",
                f"investment     EUR {case.investment_eur:,.0f} one-off",
                "payback        "
                + (
                    "never"
                    if payback is None
                    else "none needed (no investment)"
                    if case.investment_eur == 0
                    else f"{payback:,.1f} years"
                ),
                f"NPV            EUR {case.npv_eur:,.0f} ({case.lifetime_years} years at "
                f"{case.discount_rate:.1%})",
            ]
        typer.echo("\n".join(lines))
    if out is not None:
        typer.echo(f"wrote the plan into {out}", err=True)
    if not result.feasible:
        raise NoSolutionError(result.reason or "the site has no feasible plan")


@app.command("curve")
def curve(
    site_file: Path = _SITE_FILE,
    battery_kwh: str | None = typer.Option(
        None,
        "--battery-kwh",
        help=(
            "Battery energies START:STOP:STEP in kWh (STOP included when on the grid). "
            "Default: 11 points from 0 to a round number at least twice the installed battery "
            "and at least peak(load − PV) / c-rate."
        ),
    ),
    c_rate: float = typer.Option(
        0.5, "--c-rate", help="Battery power per kWh of energy (1/h); 0.5 is a two-hour battery."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the Curve JSON on stdout."),
) -> None:
    """The smallest connection for each battery size (installed PV and flexibility kept)."""
    from netruimte.sites.plan_file import run_site_curve

    site, points = run_site_curve(site_file, battery_kwh, c_rate)
    if as_json:
        typer.echo(_dumps([p.to_dict() for p in points]))
        return
    lines = [
        f"{site.name}: smallest import connection by battery size (c-rate {c_rate:g}/h)",
        f"{'battery kWh':>12}  {'battery kW':>10}  {'import kW':>10}",
    ]
    for p in points:
        kw = "-" if p.import_kw is None else f"{p.import_kw:,.2f}"
        lines.append(f"{p.battery_energy_kwh:>12,.1f}  {p.battery_power_kw:>10,.1f}  {kw:>10}")
    if any(p.import_kw is None for p in points):
        lines.append("-: no import limit works with that battery (see 'site plan' for why)")
    typer.echo("\n".join(lines))
