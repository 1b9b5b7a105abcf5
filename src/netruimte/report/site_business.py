"""The business case of a site plan in words and tables (pure: Plan JSON → report blocks).

Every sentence that compares two numbers is built from them here, so it cannot contradict the
table beside it; the numbers themselves come from :func:`netruimte.planner.cost.business_case`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from netruimte.report.html import Block, Note, Paragraph, Table

__all__ = ["business_case_blocks", "business_case_sentences", "eur", "years_text"]


def eur(value: Any) -> str:
    """EUR rounded to whole euros with a thousands separator; '–' for ``None``."""
    if value is None:
        return "–"
    number = float(value)
    sign = "−" if number < -0.5 else ""
    return f"{sign}€ {abs(number):,.0f}"


def years_text(value: float | None) -> str:
    """A payback time in words: 'never' for ``None``, else years with one decimal."""
    if value is None:
        return "never"
    if value == 0:
        return "at once (no investment)"
    return f"{value:,.1f} years"


def business_case_sentences(case: Mapping[str, Any], import_kw: float | None) -> list[str]:
    """The business case in sentences, each computed from ``case`` (the Plan JSON's
    ``business_case``) and the plan's connection."""
    base_kw = float(case["baseline_import_kw"])
    base = float(case["baseline_annual_cost_eur"])
    plan = float(case["plan_annual_cost_eur"])
    savings = float(case["annual_savings_eur"])
    invest = float(case["investment_eur"])
    out = []
    flexible = int(case.get("flexible_loads") or 0)
    today = "without new assets and without planning"
    if case.get("invest_in") == "all":
        today = "without the PV and battery of the site file and without planning"
    if flexible:
        loads, arrive = ("loads", "they arrive") if flexible > 1 else ("load", "it arrives")
        today += f" (the flexible {loads} starting when {arrive}, no battery use)"
    first = (
        f"Run as today {today}, the site needs a connection of {base_kw:,.1f} kW and pays "
        f"{eur(base)} a year in grid tariffs and energy."
    )
    if import_kw is not None:
        first += f" With the plan ({float(import_kw):,.1f} kW) it pays {eur(plan)} a year"
        if abs(savings) < 0.5:
            first += ": the same."
        elif savings > 0:
            first += f": {eur(savings)} less."
        else:
            first += f": {eur(-savings)} more."
    out.append(first)
    span = float(case.get("span_years") or 1.0)
    if abs(span - 1.0) > 1e-6:
        out.append(
            f"The profile covers {span * 365:,.0f} days ({span:.2f} years); its costs are "
            "scaled to a year, so the seasons it does not cover are assumed to cost the same."
        )
    if invest > 0:
        text = f"The plan buys assets for {eur(invest)} once"
        payback = case.get("simple_payback_years")
        if payback is None:
            text += "; the yearly savings never repay that."
        elif payback <= float(case["lifetime_years"]):
            text += f", which the savings repay in {years_text(payback)}."
        else:
            text += (
                f", which the savings repay in {years_text(payback)}: longer than the "
                f"{case['lifetime_years']} years the assets are assumed to last."
            )
        out.append(text)
    else:
        out.append(
            "The plan buys nothing: it uses what the site already has (its one-off price is "
            "not counted)."
        )
    npv = float(case["npv_eur"])
    verdict = "gains" if npv > 0.5 else ("loses" if npv < -0.5 else "neither gains nor loses")
    amount = f" {eur(abs(npv))}" if abs(npv) >= 0.5 else ""
    out.append(
        f"Over {case['lifetime_years']} years at a discount rate of "
        f"{float(case['discount_rate']):.1%}, the plan {verdict}{amount} in today's money "
        "(net present value) against running as today."
    )
    waiting = float(case.get("waiting_cost_eur") or 0.0)
    months = float(case.get("wait_months") or 0.0)
    if waiting > 0:
        out.append(
            f"Waiting {months:g} months for the larger connection at "
            f"{eur(case['downtime_eur_per_month'])} a month would cost {eur(waiting)}; if the "
            f"plan's connection is available now, that is avoided too (net present value with "
            f"it: {eur(case['npv_with_waiting_eur'])})."
        )
    elif months > 0:
        out.append(
            f"The larger connection is expected in {months:g} months; with no monthly cost of "
            "waiting given (economics.downtime_eur_per_month), waiting is not priced."
        )
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
    return pd.DataFrame(rows)


def business_case_blocks(case: Mapping[str, Any], import_kw: float | None) -> list[Block]:
    """The business-case section: sentences, the yearly costs by kind, the key figures."""
    blocks: list[Block] = [Paragraph(" ".join(business_case_sentences(case, import_kw)))]
    blocks.append(Table(_by_kind(case), caption="Yearly grid and energy cost by kind (EUR)"))
    rows = [
        ("connection today (own peak, no new assets)", f"{case['baseline_import_kw']:,.1f} kW"),
        ("connection with the plan", "–" if import_kw is None else f"{import_kw:,.1f} kW"),
        ("investment (one-off)", eur(case["investment_eur"])),
        ("savings a year", eur(case["annual_savings_eur"])),
        ("simple payback", years_text(case["simple_payback_years"])),
        ("discount rate", f"{float(case['discount_rate']):.1%}"),
        ("lifetime", f"{case['lifetime_years']} years"),
        ("net present value", eur(case["npv_eur"])),
    ]
    if float(case.get("wait_months") or 0.0) > 0:
        rows += [
            ("months until the larger connection", f"{float(case['wait_months']):g}"),
            ("cost of waiting", eur(case["waiting_cost_eur"])),
            ("net present value with the cost of waiting", eur(case["npv_with_waiting_eur"])),
        ]
    blocks.append(Table(pd.DataFrame(rows, columns=["", "value"]), caption="Business case"))
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
