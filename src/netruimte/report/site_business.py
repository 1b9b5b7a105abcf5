"""The business case of a site plan in words and tables (pure: Plan JSON → report blocks).

Every sentence that compares two numbers is built from them here, so it cannot contradict the
table beside it; the numbers themselves come from :func:`netruimte.planner.cost.business_case`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from netruimte.i18n import Msg, join
from netruimte.report.html import Block, Note, Paragraph, Table

__all__ = ["business_case_blocks", "business_case_sentences", "eur", "years_text"]


def eur(value: Any) -> str:
    """EUR rounded to whole euros with a thousands separator (a message: the separators
    follow the report's language); '–' for ``None``."""
    if value is None:
        return "–"
    number = float(value)
    if number < -0.5:
        return Msg("−€ {eur:,.0f}", eur=abs(number))
    return Msg("€ {eur:,.0f}", eur=abs(number))


def years_text(value: float | None) -> str:
    """A payback time in words: 'never' for ``None``, else years with one decimal."""
    if value is None:
        return Msg("never")
    if value == 0:
        return Msg("at once (no investment)")
    return Msg("{years:,.1f} years", years=value)


def _today(case: Mapping[str, Any]) -> Msg:
    """How the site runs "as today", in words."""
    flexible = int(case.get("flexible_loads") or 0)
    if case.get("invest_in") == "all":
        today = "without the PV and battery of the site file and without planning"
    else:
        today = "without new assets and without planning"
    if flexible > 1:
        today += " (the flexible loads starting when they arrive, no battery use)"
    elif flexible:
        today += " (the flexible load starting when it arrives, no battery use)"
    return Msg(today)


def business_case_sentences(case: Mapping[str, Any], import_kw: float | None) -> list[str]:
    """The business case in sentences (messages), each computed from ``case`` (the Plan
    JSON's ``business_case``) and the plan's connection."""
    base_kw = float(case["baseline_import_kw"])
    base = float(case["baseline_annual_cost_eur"])
    plan = float(case["plan_annual_cost_eur"])
    savings = float(case["annual_savings_eur"])
    invest = float(case["investment_eur"])
    out: list[str] = []
    first = Msg(
        "Run as today {today}, the site needs a connection of {kw:,.1f} kW and pays {eur} a "
        "year in grid tariffs and energy.",
        today=_today(case),
        kw=base_kw,
        eur=eur(base),
    )
    if import_kw is not None:
        if abs(savings) < 0.5:
            change = Msg("the same")
        elif savings > 0:
            change = Msg("{eur} less", eur=eur(savings))
        else:
            change = Msg("{eur} more", eur=eur(-savings))
        first = Msg(
            "{first} With the plan ({kw:,.1f} kW) it pays {eur} a year: {change}.",
            first=first,
            kw=float(import_kw),
            eur=eur(plan),
            change=change,
        )
    out.append(first)
    span = float(case.get("span_years") or 1.0)
    if abs(span - 1.0) > 1e-6:
        out.append(Msg(
            "The profile covers {days:,.0f} days ({span:.2f} years); its costs are scaled to a "
            "year, so the seasons it does not cover are assumed to cost the same.",
            days=span * 365, span=span,
        ))  # fmt: skip
    lifetime = str(case["lifetime_years"])
    if invest > 0:
        payback = case.get("simple_payback_years")
        if payback is None:
            text = "The plan buys assets for {eur} once; the yearly savings never repay that."
        elif payback <= float(case["lifetime_years"]):
            text = "The plan buys assets for {eur} once, which the savings repay in {years}."
        else:
            text = (
                "The plan buys assets for {eur} once, which the savings repay in {years}: "
                "longer than the {lifetime} years the assets are assumed to last."
            )
        kw: dict[str, Any] = {"eur": eur(invest)}
        if "{years}" in text:
            kw["years"] = years_text(payback)
        if "{lifetime}" in text:
            kw["lifetime"] = lifetime
        out.append(Msg(text, **kw))
    else:
        out.append(Msg(
            "The plan buys nothing: it uses what the site already has (its one-off price is "
            "not counted)."
        ))  # fmt: skip
    npv = float(case["npv_eur"])
    rate = float(case["discount_rate"])
    if npv > 0.5:
        verdict = Msg("gains {eur}", eur=eur(abs(npv)))
    elif npv < -0.5:
        verdict = Msg("loses {eur}", eur=eur(abs(npv)))
    else:
        verdict = Msg("neither gains nor loses")
    out.append(Msg(
        "Over {lifetime} years at a discount rate of {rate:.1%}, the plan {verdict} in today's "
        "money (net present value) against running as today.",
        lifetime=lifetime, rate=rate, verdict=verdict,
    ))  # fmt: skip
    waiting = float(case.get("waiting_cost_eur") or 0.0)
    months = float(case.get("wait_months") or 0.0)
    if waiting > 0:
        out.append(Msg(
            "Waiting {months:g} months for the larger connection at {monthly} a month would "
            "cost {cost}; if the plan's connection is available now, that is avoided too (net "
            "present value with it: {npv}).",
            months=months, monthly=eur(case["downtime_eur_per_month"]), cost=eur(waiting),
            npv=eur(case["npv_with_waiting_eur"]),
        ))  # fmt: skip
    elif months > 0:
        out.append(Msg(
            "The larger connection is expected in {months:g} months; with no monthly cost of "
            "waiting given (economics.downtime_eur_per_month), waiting is not priced.",
            months=months,
        ))  # fmt: skip
    return out


def _by_kind(case: Mapping[str, Any]) -> pd.DataFrame:
    base = {line["item"]: line for line in case.get("baseline_cost_breakdown", [])}
    plan = {line["item"]: line for line in case.get("plan_cost_breakdown", [])}
    items = list(base) + [item for item in plan if item not in base]
    rows = []
    years = 1.0
    total_base = sum(float(line["eur"]) for line in base.values())
    if total_base and float(case["baseline_annual_cost_eur"]):
        years = total_base / float(case["baseline_annual_cost_eur"])
    for item in items:
        b = float(base[item]["eur"]) / years if item in base else 0.0
        p = float(plan[item]["eur"]) / years if item in plan else 0.0
        rows.append({"cost a year": item, "today": eur(b), "with the plan": eur(p),
                     "difference": eur(p - b)})  # fmt: skip
    rows.append({
        "cost a year": "total",
        "today": eur(case["baseline_annual_cost_eur"]),
        "with the plan": eur(case["plan_annual_cost_eur"]),
        "difference": eur(float(case["plan_annual_cost_eur"])
                          - float(case["baseline_annual_cost_eur"])),
    })  # fmt: skip
    return pd.DataFrame(rows, dtype=object)  # keeps the messages (not str)


def business_case_blocks(case: Mapping[str, Any], import_kw: float | None) -> list[Block]:
    """The business-case section: sentences, the yearly costs by kind, the key figures."""
    blocks: list[Block] = [Paragraph(join(business_case_sentences(case, import_kw)))]
    blocks.append(Table(_by_kind(case), caption="Yearly grid and energy cost by kind (EUR)"))
    rows = [
        (
            "connection today (own peak, no new assets)",
            Msg("{kw:,.1f} kW", kw=float(case["baseline_import_kw"])),
        ),
        (
            "connection with the plan",
            "–" if import_kw is None else Msg("{kw:,.1f} kW", kw=float(import_kw)),
        ),
        ("investment (one-off)", eur(case["investment_eur"])),
        ("savings a year", eur(case["annual_savings_eur"])),
        ("simple payback", years_text(case["simple_payback_years"])),
        ("discount rate", Msg("{rate:.1%}", rate=float(case["discount_rate"]))),
        ("lifetime", Msg("{n} years", n=str(case["lifetime_years"]))),
        ("net present value", eur(case["npv_eur"])),
    ]
    if float(case.get("wait_months") or 0.0) > 0:
        rows += [
            (
                "months until the larger connection",
                Msg("{months:g}", months=float(case["wait_months"])),
            ),
            ("cost of waiting", eur(case["waiting_cost_eur"])),
            ("net present value with the cost of waiting", eur(case["npv_with_waiting_eur"])),
        ]
    blocks.append(
        Table(pd.DataFrame(rows, columns=["", "value"], dtype=object), caption="Business case")
    )
    blocks.append(
        Note(
            "Both yearly costs use the same tariffs and energy prices of the site file; "
            "'today' prices the site without new assets and without planning on a connection "
            "of its own peak. The costs cover the profile's span and are scaled to a year. "
            "Investment is the one-off price (pv.capex_eur_per_kwp, battery.capex_eur_per_kwh "
            "and battery.capex_eur_per_kw) of the capacity the plan buys; the net present "
            "value discounts the yearly savings at the end of each year of the lifetime "
            "(economics.discount_rate, economics.lifetime_years) and subtracts the investment. "
            "Upkeep, replacement and price changes are not included.",
            kind="assumption",
        )
    )
    return blocks
