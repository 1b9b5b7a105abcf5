"""A printable one-page PDF summary of the Flevoland demo, for a council (pure: the demo's
``summary.json`` document → bytes), rendered offline like :mod:`netruimte.report.pdf`.

Every sentence is computed from the summary: which variant connects the most Flevoland
requests by 2033, how the framework compares with first come, first served, and when the High
Tech Campus is connected in each variant ("not before the horizon (YEAR)" when it is not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from netruimte.i18n import Msg, gettext, join
from netruimte.report.pdf import (
    draw_bars,
    finish_page,
    footnote,
    latin_text,
    section,
    start_page,
)

__all__ = ["demo_sentences", "demo_summary_pdf"]

_NAVY = (18, 53, 91)
_GREY = (138, 148, 160)
_WIDTH_MM = 180.0


def _when(value: Any, horizon_year: int) -> str:
    if value is None or value != value:  # None or NaN
        return Msg("not before the horizon ({year})", year=str(horizon_year))
    return Msg("{day}", day=dt.date.fromisoformat(str(value)[:10]))


def demo_sentences(summary: Mapping[str, Any], horizon_year: int) -> list[str]:
    """The demo's findings in sentences (messages), each computed from ``summary``."""
    variants: Sequence[Mapping[str, Any]] = summary["variants"]
    total = int(variants[0]["requests"]) if variants else 0
    out: list[str] = [
        Msg(
            "{total} Flevoland requests wait for grid capacity (synthetic waiting list on "
            "published grid figures). Each variant below is the same list under other rules or "
            "tools.",
            total=total,
        )
    ]
    best = max(variants, key=lambda v: (int(v["by_2033"]), -float(v["mw_years_waiting"])))
    out.append(Msg("Most requests connected by 2033: {label} ({n} of {total}).",
                   label=Msg(str(best["label"])), n=int(best["by_2033"]), total=total))  # fmt: skip
    by_key = {v["variant"]: v for v in variants}
    if "fcfs" in by_key and "acm" in by_key:
        fcfs, acm = by_key["fcfs"], by_key["acm"]
        diff = int(acm["by_2033"]) - int(fcfs["by_2033"])
        mw = float(fcfs["mw_years_waiting"]) - float(acm["mw_years_waiting"])
        if diff == 0:
            text = Msg("The ACM framework connects as many by 2033 as first come, first served")
        elif diff > 0:
            text = Msg("The ACM framework connects {n} more by 2033 than first come, first "
                       "served", n=abs(diff))  # fmt: skip
        else:
            text = Msg("The ACM framework connects {n} fewer by 2033 than first come, first "
                       "served", n=abs(diff))  # fmt: skip
        if abs(mw) >= 0.5:
            out.append(Msg(
                "{text} and the MW-years of waiting are {mw:,.0f} fewer."
                if mw > 0
                else "{text} and the MW-years of waiting are {mw:,.0f} more.",
                text=text, mw=abs(mw),
            ))  # fmt: skip
        else:
            out.append(Msg("{text} with the same MW-years of waiting.", text=text))
    campus = summary.get("campus") or []
    if campus:
        parts = [
            Msg("{variant}: {when}", variant=Msg(str(c["variant"])),
                when=_when(c.get("granted_on"), horizon_year))
            for c in campus
        ]  # fmt: skip
        out.append(Msg("High Tech Campus Almere connected - {parts}.", parts=join(parts, "; ")))
    out += _room_sentences(summary, by_key)
    tools = summary.get("smart_tools") or {}
    if tools.get("businesses"):
        req, firm = float(tools["requested_mw"]), float(tools["firm_mw_with_tools"])
        if req > 0:
            out.append(Msg(
                "With PV, a battery and flexible use, the {n} waiting businesses would need "
                "{firm:,.1f} MW of firm connection instead of {req:,.1f} MW ({share:.0%} less), "
                "with tools sized at the least cost under example tariffs.",
                n=int(tools["businesses"]), firm=firm, req=req, share=(req - firm) / req,
            ))  # fmt: skip
    return out


def _room_sentences(
    summary: Mapping[str, Any], by_key: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """What congestion contracts, relievers and the hub change, from the summary."""
    inst = summary.get("instruments") or {}
    room = inst.get("room") or {}
    acm = by_key.get("acm")
    if acm is None or not room:
        return []
    parts = []
    for key, what in (("acm-contracts", "congestion contracts"),
                      ("acm-relievers", "relievers that relieve"),
                      ("acm-hub", "an energy hub")):  # fmt: skip
        if key in room and key in by_key:
            row = by_key[key]
            saved = float(acm["mw_years_waiting"]) - float(row["mw_years_waiting"])
            parts.append(Msg(
                "{what}: {mw:,.1f} MW of room, {n} connected before 2030, {saved:,.0f} MW-years "
                "less waiting",
                what=Msg(what), mw=float(room[key]["room_mw"]),
                n=f"{int(row['by_2030']) - int(acm['by_2030']):+d}", saved=saved,
            ))  # fmt: skip
    if not parts:
        return []
    text = Msg("Room before reinforcement, against the ACM framework: {parts}.",
               parts=join(parts, "; "))  # fmt: skip
    eur = (room.get("acm-contracts") or {}).get("contracts_eur_per_mw_year")
    if eur is not None:
        text = Msg("{text} The contracts cost {eur:,.0f} EUR per MW of room per year (assumed).",
                   text=text, eur=float(eur))  # fmt: skip
    return [text]


def demo_summary_pdf(
    summary: Mapping[str, Any],
    *,
    horizon_year: int,
    generated_at: dt.datetime | None = None,
    lang: str = "en",
) -> bytes:
    """The one-page council summary of the demo (A4).

    Parameters
    ----------
    summary
        The demo's ``summary.json`` document (``variants``, ``campus``, ``smart_tools``).
    horizon_year
        The last year simulated (for "not before the horizon (YEAR)").
    generated_at
        Stamp in the footer (default: now, UTC).
    lang
        ``en`` or ``nl``: texts through :mod:`netruimte.i18n`, numbers and dates per locale.
    """

    def t(msgid: str, **kw: Any) -> str:
        return latin_text(gettext(lang, msgid, **kw))

    pdf, stamp = start_page(
        t("Flevoland waiting list: summary"),
        t(str(summary.get("scenario", "Waiting list"))),
        t("Summary for the council - {runs} Monte Carlo runs, seed {seed} - SYNTHETIC requests, "
          "not a forecast", runs=summary.get("runs", 1), seed=summary.get("seed")),
        heading_pt=15, generated_at=generated_at, lang=lang,
    )  # fmt: skip
    section(pdf, 36, t("Findings"))
    pdf.set_xy(15, 44)
    pdf.set_font("Helvetica", size=10)
    for sentence in demo_sentences(summary, horizon_year):
        pdf.set_x(15)
        pdf.multi_cell(_WIDTH_MM, 5, latin_text("- " + gettext(lang, sentence)))
        pdf.ln(1)
    variants: Sequence[Mapping[str, Any]] = summary["variants"]
    y = pdf.get_y() + 3
    section(pdf, y, t("Requests connected by 2033, per variant"))
    bar_mm = 7.0 if len(variants) <= 6 else 5.0
    draw_bars(pdf, 15, y + 8, _WIDTH_MM, bar_mm * len(variants),
              [(str(v["label"]), float(v["by_2033"]), _NAVY if k else _GREY)
               for k, v in enumerate(variants)], "requests", digits=0, lang=lang)  # fmt: skip
    y += 12 + bar_mm * len(variants)
    section(pdf, y, t("Per variant"))
    heads = ["variant", "by 2028", "by 2030", "by 2033", "by 2036", "not in horizon",
             "median wait", "MW-years waiting"]  # fmt: skip
    widths = [56, 13, 13, 13, 13, 22, 22, 28]
    yy = y + 8
    pdf.set_font("Helvetica", "B", 8.5)
    x = 15.0
    for head, w in zip(heads, widths, strict=True):
        pdf.set_xy(x, yy)
        pdf.cell(w, 5, t(head), align="L" if head == "variant" else "R")
        x += w
    pdf.set_font("Helvetica", size=8.5)
    for k, v in enumerate(variants):
        yy += 6
        if k % 2 == 0:
            pdf.set_fill_color(238, 241, 245)
            pdf.rect(15, yy - 0.5, _WIDTH_MM, 6, style="F")
        wait = v.get("median_wait_years")
        cells = [str(v["label"]), str(v["by_2028"]), str(v["by_2030"]), str(v["by_2033"]),
                 str(v["by_2036"]),
                 str(v["not_in_horizon"]),
                 Msg("none connected") if wait is None
                 else Msg("{years:.1f} years", years=float(wait)),
                 Msg("{mw:,.0f}", mw=float(v["mw_years_waiting"]))]  # fmt: skip
        x = 15.0
        for j, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            pdf.set_xy(x, yy)
            if j == 0:
                text = gettext(lang, Msg(cell))  # a variant's label
            elif isinstance(cell, Msg):
                text = cell.in_language(lang)
            else:
                text = cell  # a count: a plain integer
            pdf.cell(w, 5, latin_text(text), align="L" if j == 0 else "R")
            x += w
    footnote(pdf, yy + 10, t(
        "The stations, capacities and loads are published figures; the waiting list is "
        "synthetic (made-up requests of plausible kinds), so read the numbers as what the rules "
        "do, not as a forecast. 'Not in horizon': not connected before the end of "
        "{year}. Details, charts and every request's explanation are in report.html.",
        year=str(horizon_year),
    ))  # fmt: skip
    return finish_page(pdf, stamp, lang)
