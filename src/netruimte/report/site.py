"""The site-plan report: what a business hands to its grid operator (pure: plan + site → Report).

:func:`site_plan_report` turns a site, its Plan JSON (``netruimte site plan --json``, with the
``cost_breakdown`` extension) and the dispatch into a :class:`~netruimte.report.html.Report`:
a summary in words, the load-duration curve before and after, the peak week with the battery's
state of charge, the monthly peaks, the trade-off curve, the cost breakdown, the request and
the assumptions. Nothing is computed here that changes the plan; the "before" series are
recomputed from the site for the figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from netruimte.conventions import HOURS_PER_STEP
from netruimte.i18n import Msg, join
from netruimte.planner.cost import baseline_dispatch
from netruimte.planner.curve import CurvePoint
from netruimte.planner.site import Site
from netruimte.report.html import Block, Note, Paragraph, Report, Section, Table
from netruimte.report.site_business import business_case_blocks
from netruimte.report.site_figures import (
    curve_figure,
    ldc_figure,
    ldc_sentence,
    monthly_figure,
    peak_week_figure,
)

__all__ = [
    "SiteSources",
    "before_import_kw",
    "ldc_sentence",
    "period_text",
    "site_plan_report",
    "unmanaged_import_kw",
]


@dataclass(frozen=True)
class SiteSources:
    """Where the site's data come from, in words (for the assumptions section)."""

    file: str
    load: str
    pv: str | None = None
    energy_prices: str = "a flat energy price"


def before_import_kw(site: Site) -> pd.Series:
    """Import without battery or flexibility: base load − installed PV, at least 0 (kW)."""
    before = site.load_kw.astype(float)
    if site.pv is not None and site.pv.kwp > 0:
        before = before - site.pv.kwp * site.pv.kw_per_kwp
    return before.clip(lower=0.0).rename("kw")


def unmanaged_import_kw(site: Site) -> pd.Series | None:
    """Import when every shiftable load runs at full power from the start of its window until
    it has its energy (no planning), without battery or curtailment (kW); ``None`` without
    shiftable loads."""
    if not site.shiftable:
        return None
    return baseline_dispatch(site)["import_kw"].rename("kw")


def _kw(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return Msg("{kw:,.2f} kW" if digits == 2 else "{kw:,.1f} kW", kw=float(value))


def _eur(value: Any) -> str:
    return "–" if value is None else Msg("€ {eur:,.0f}", eur=float(value))


def period_text(site: Site) -> str:
    """The period planned in words ("the year 2025", or first to last day)."""
    index = site.index
    days = len(index) * HOURS_PER_STEP / 24
    first, last = index[0], index[-1]
    whole_start = first.month == 1 and first.day == 1 and first.hour == 0
    if whole_start and last.year == first.year and last.month == 12 and last.day == 31:
        return Msg("the year {year}", year=str(first.year))
    return Msg(
        "{first} to {last} ({days:,.0f} days)",
        first=first.date(),
        last=last.date(),
        days=days,
    )


def _cost_table(lines: Sequence[Mapping[str, Any]], total: Any) -> Table:
    rows = []
    for line in lines:
        price = line.get("price")
        unit = line.get("unit", "")
        rows.append(
            {
                "item": line["item"],
                "quantity": Msg("{q:,.1f} {unit}", q=float(line["quantity"]), unit=Msg(unit))
                if unit
                else Msg("{q:,.1f}", q=float(line["quantity"])),
                "price": "–"
                if price is None
                else Msg("{p:,.4g} {unit}", p=float(price), unit=Msg(line["price_unit"])),
                "EUR": Msg("{eur:,.0f}", eur=float(line["eur"])),
            }
        )
    rows.append(
        {"item": "total", "quantity": "", "price": "", "EUR": Msg("{eur:,.0f}", eur=float(total))}
    )
    return Table(pd.DataFrame(rows, dtype=object), caption="Cost over the period (EUR)")


def _and(parts: Sequence[str]) -> str:
    """Parts of a list in words: "a", "a and b", "a, b and c" (each part a message)."""
    if len(parts) == 1:
        return parts[0]
    return Msg("{rest} and {last}", rest=join(parts[:-1], ", "), last=parts[-1])


def _names(items: Sequence[Any]) -> str:
    return _and([Msg("'{name}'", name=item.name) for item in items])


def _assets(site: Site, plan: Mapping[str, Any]) -> str:
    """What the plan uses, in words."""
    battery = float(plan.get("battery_energy_kwh") or 0.0)
    power = float(plan.get("battery_power_kw") or 0.0)
    pv = float(plan.get("pv_kwp") or 0.0)
    new_pv = float(plan.get("added_pv_kwp") or 0.0)
    new_kwh = float(plan.get("added_battery_energy_kwh") or 0.0)
    assets: list[str] = []
    if battery > 0:
        text = "a battery of {kwh:,.0f} kWh / {kw:,.0f} kW"
        if new_kwh > 0:
            text += " (new)" if new_kwh >= battery - 1e-9 else " ({new:,.0f} kWh new)"
        assets.append(Msg(text, kwh=battery, kw=power, **({"new": new_kwh} if "{new" in text
                                                           else {})))  # fmt: skip
    elif plan["status"] != "optimal":
        assets.append(Msg("no battery"))
    if pv > 0:
        text = "{kwp:,.0f} kWp of PV"
        if new_pv > 0:
            text += " (all new)" if new_pv >= pv - 1e-9 else " ({new:,.0f} kWp of it new)"
        assets.append(Msg(text, kwp=pv, **({"new": new_pv} if "{new" in text else {})))
    if site.shiftable:
        assets.append(
            Msg("the flexible loads {names}", names=_names(site.shiftable))
            if len(site.shiftable) > 1
            else Msg("the flexible load {names}", names=_names(site.shiftable))
        )
    if site.curtailable:
        assets.append(
            Msg("the curtailable loads {names}", names=_names(site.curtailable))
            if len(site.curtailable) > 1
            else Msg("the curtailable load {names}", names=_names(site.curtailable))
        )
    if not assets:
        return Msg("no battery, PV or flexible loads")
    return _and(assets)


def _summary(site: Site, plan: Mapping[str, Any], unmanaged: pd.Series | None) -> list[Block]:
    blocks: list[Block] = []
    before = plan.get("peak_import_before_kw")
    after = plan.get("import_kw")
    battery = float(plan.get("battery_energy_kwh") or 0.0)
    power = float(plan.get("battery_power_kw") or 0.0)
    pv = float(plan.get("pv_kwp") or 0.0)
    what = _assets(site, plan)
    if plan["status"] != "optimal":
        blocks.append(Note(Msg("No plan: {reason}", reason=str(plan.get("reason"))),
                           kind="warning"))  # fmt: skip
        blocks.append(Paragraph(Msg(
            "With {what}, no import connection lets {name} run through {period}. The "
            "trade-off curve below shows whether a larger battery helps.",
            what=what, name=site.name, period=period_text(site),
        )))  # fmt: skip
        return blocks
    objective = plan["objective"]
    parts: list[str] = []
    if objective == "min-connection":
        first = "With {what}, {name} can run through {period} on an import connection of {kw}"
    else:
        first = (
            "The lowest-cost plan for {name} over {period} uses {what} and an import "
            "connection of {kw}"
        )
    reference = float(before or 0.0)
    if unmanaged is None:
        second = Msg(
            "Without battery or flexibility its highest quarter-hour import (load minus PV) "
            "is {before}",
            before=_kw(before),
        )
    else:
        reference = float(unmanaged.max())
        second = Msg(
            "Its base load minus PV peaks at {before}; if the flexible loads simply started "
            "at the beginning of their windows (no planning, no battery), the peak would be "
            "{reference}"
            if pv > 0
            else "Its base load peaks at {before}; if the flexible loads simply started "
            "at the beginning of their windows (no planning, no battery), the peak would be "
            "{reference}",
            before=_kw(before),
            reference=_kw(reference),
        )
    parts.append(Msg(first + ".", what=what, name=site.name, period=period_text(site),
                     kw=_kw(after)))  # fmt: skip
    if after is not None and reference > float(after):
        cut = reference - float(after)
        parts.append(Msg("{before}: the plan needs {kw:,.1f} kW ({share:.0%}) less.",
                         before=second, kw=cut, share=cut / reference))  # fmt: skip
    else:
        parts.append(Msg("{before}.", before=second))
    restrictions = site.connection.restrictions
    if restrictions:
        levels = [
            Msg("{kw:,.0f} kW in {windows}", kw=r.import_kw,
                windows=", ".join(str(w) for w in r.windows))
            for r in restrictions
        ]  # fmt: skip
        parts.append(Msg(
            "The import stays at or below {levels} (the restriction windows).",
            levels=join(levels, "; "),
        ))  # fmt: skip
    case = plan.get("business_case")
    if case is not None:
        annualised = sum(
            float(line["eur"]) for line in plan.get("cost_breakdown") or []
            if "annualised" in line["item"]
        )  # fmt: skip
        if annualised > 0.5:
            parts.append(Msg(
                "At this connection grid tariffs and energy cost {cost} a year (with the "
                "tariffs of the site file), plus {invest} of annualised investment in the "
                "plan's new assets.",
                cost=_eur(case["plan_annual_cost_eur"]), invest=_eur(annualised),
            ))  # fmt: skip
        else:
            parts.append(Msg(
                "At this connection grid tariffs and energy cost {cost} a year (with the "
                "tariffs of the site file).",
                cost=_eur(case["plan_annual_cost_eur"]),
            ))  # fmt: skip
    blocks.append(Paragraph(join(parts)))
    rows = [
        ("peak import before (load − PV, no battery or flexibility)", _kw(before)),
    ]
    if unmanaged is not None:
        rows.append(("peak import without planning (flexible loads on arrival)",
                     _kw(float(unmanaged.max()))))  # fmt: skip
    rows += [
        ("import connection of this plan", _kw(after)),
        ("peak import after (planned)", _kw(plan.get("peak_import_after_kw"))),
        ("export (feed-in) limit", _kw(plan.get("export_kw"))),
        ("PV", Msg("{kwp:,.0f} kWp", kwp=pv)),
        ("battery", Msg("{kwh:,.0f} kWh / {kw:,.0f} kW", kwh=battery, kw=power)),
        (
            "cost over the period (tariffs, energy and any annualised investment)",
            _eur(plan.get("annual_cost_eur")),
        ),
    ]
    bound, gap = plan.get("lower_bound_eur"), plan.get("gap")
    if bound is not None and gap is not None:  # min-cost: how far from the optimum at most
        rows.append(
            (
                "least cost possible (proven lower bound)",
                Msg("€ {eur:,.0f}: the plan is within {gap:.3%} of it", eur=bound, gap=gap),
            )
        )
    blocks.append(
        Table(pd.DataFrame(rows, columns=["", "value"], dtype=object), caption="The plan")
    )
    return blocks


def _assumptions(site: Site, plan: Mapping[str, Any], sources: SiteSources | None) -> list[Block]:
    blocks: list[Block] = []
    if sources is not None:
        lines = [
            Msg("Site file: {file}.", file=sources.file),
            Msg("Base load: {load}.", load=Msg(sources.load)),
        ]
        if sources.pv is not None:
            lines.append(Msg("PV: {pv}.", pv=Msg(sources.pv)))
        lines.append(Msg("Energy price: {price}.", price=Msg(sources.energy_prices)))
        blocks.append(Note(join(lines, "\n\n"), kind="source"))
    blocks.append(Note(
        "Tariffs and prices are the user's input (from the site file), not published tariffs "
        "of a grid operator; the example sites use example values.", kind="assumption",
    ))  # fmt: skip
    if plan["objective"] == "min-connection":
        blocks.append(Note(
            "'min-connection' is the smallest import connection (kW, the same every quarter-hour) "
            "with which the site can run through the whole period using only what it already "
            "has: the installed PV and battery and the flexible loads of the site file. It "
            "assumes the whole period's load and PV are known in advance (perfect foresight): "
            "real operation needs forecasts and some margin above this number. The cost shown "
            "is the cost of running at that connection; it contains no investment.",
            kind="assumption",
        ))  # fmt: skip
    else:
        blocks.append(Note(
            "'min-cost' chooses new PV and battery (up to the limits of the site file) and the "
            "contracted import so that annualised investment, grid tariffs and energy together "
            "cost the least over the period, with perfect foresight of load and PV.",
            kind="assumption",
        ))  # fmt: skip
    bat = site.battery
    eff = bat.roundtrip_efficiency if bat is not None else 0.9
    blocks.append(Note(Msg(
        "Time: 15-minute averages in local time (Europe/Amsterdam unless the site file says "
        "otherwise). Battery: {eff:.0%} round-trip efficiency, split evenly over charging and "
        "discharging; it ends the period at least as full as it started. PV may always be "
        "curtailed; exports above the feed-in limit are curtailed. A restriction window "
        "(alternative transport right) lowers the import limit in those hours every day.",
        eff=eff), kind="assumption",
    ))  # fmt: skip
    return blocks


def _request_section(
    site: Site, plan: Mapping[str, Any], request: Mapping[str, Any] | None
) -> Section:
    asked = request.get("request", {}) if request is not None else {}
    rows = [("requested import (offtake)", _kw(asked.get("kw", plan["import_kw"]), 2))]
    if site.connection.restrictions:
        rows.append(("transport right", "time-block (blokstroom)"))
        for r in site.connection.restrictions:
            level = min(float(plan["import_kw"]), r.import_kw)
            rows.append((Msg("restricted in {windows}",
                             windows=", ".join(str(w) for w in r.windows)),
                         _kw(level, 2)))  # fmt: skip
    else:
        rows.append(("transport right", "firm (24/7)"))
    rows.append(("feed-in (export)", _kw(plan.get("export_kw"), 2)))
    return Section(
        "For the grid operator: the request",
        [
            Paragraph(
                "The plan can be handed in with a connection request. request.json states "
                "what is asked for (in the same keys as a waiting-list request); import.csv is "
                "the expected import of every quarter-hour of the period (a profile CSV: "
                "timestamp, kw), so the operator can check it against the room on the station "
                "hour by hour instead of assuming the full connection is used all the time."
            ),
            Table(pd.DataFrame(rows, columns=["", "value"], dtype=object), caption="Request"),
        ],
    )


def site_plan_report(
    site: Site,
    plan: Mapping[str, Any],
    dispatch: pd.DataFrame | None,
    *,
    curve: Sequence[CurvePoint] = (),
    sources: SiteSources | None = None,
    request: Mapping[str, Any] | None = None,
) -> Report:
    """The site-plan report.

    Parameters
    ----------
    site
        The planned site.
    plan
        The Plan JSON (``status``, ``objective``, ``import_kw``, ...; optionally
        ``cost_breakdown``: a list of ``{item, quantity, unit, price, price_unit, eur}``).
    dispatch
        The planned dispatch (columns of :func:`netruimte.planner.dispatch_frame`), or ``None``
        when infeasible.
    curve
        Trade-off curve points to plot (none: no curve section).
    sources
        Where the data come from (for the assumptions).
    request
        The request annex (``request.json``), whose requested kW the report shows; without it
        the plan's ``import_kw``.
    """
    feasible = plan["status"] == "optimal" and dispatch is not None
    import_kw = plan.get("import_kw") if feasible else None
    before = before_import_kw(site)
    unmanaged = unmanaged_import_kw(site)
    sections = [Section("Summary", _summary(site, plan, unmanaged))]
    sections.append(
        Section(
            "How the connection is used",
            [ldc_figure(before, unmanaged, dispatch if feasible else None, import_kw)],
        )
    )
    if feasible:
        assert dispatch is not None
        reference = unmanaged if unmanaged is not None else before
        just_in_time = plan["objective"] == "min-connection"
        figure, _ = peak_week_figure(
            site,
            reference,
            dispatch,
            has_flex=unmanaged is not None,
            just_in_time=just_in_time,
            plan_pv_kwp=float(plan.get("pv_kwp") or 0.0),
        )
        heading = "The peak week" if len(site.index) >= 7 * 92 else "The peak days"
        sections.append(Section(heading, [figure]))
    monthly, _ = monthly_figure(before, unmanaged, dispatch if feasible else None, import_kw)
    sections.append(Section("Monthly peaks", [monthly]))
    if curve:
        sections.append(Section("Battery size and connection", [curve_figure(curve, plan)]))
    lines = plan.get("cost_breakdown") or []
    if feasible and lines:
        sections.append(
            Section(
                "Cost",
                [
                    _cost_table(lines, plan.get("annual_cost_eur")),
                    Paragraph(
                        "Contracted capacity is charged per kW per year and the monthly peak per "
                        "kW per month, both pro rata for the part of each year or month the "
                        "period covers; energy per kWh imported; feed-in is income."
                    ),
                ],
            )
        )
    case = plan.get("business_case")
    if feasible and case is not None:
        sections.insert(1, Section("Business case", business_case_blocks(case, import_kw)))
    if feasible:
        sections.append(_request_section(site, plan, request))
    sections.append(Section("Assumptions and data", _assumptions(site, plan, sources)))
    subtitle = Msg("Objective {objective} · {period}", objective=plan["objective"],
                   period=period_text(site))  # fmt: skip
    title = Msg("Site plan: {name}", name=site.name)
    return Report(title=title, sections=sections, subtitle=subtitle)
