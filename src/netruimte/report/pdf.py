"""A printable one-page PDF summary of a site plan, for a board (pure: Plan JSON → bytes).

Rendered offline with fpdf2 (pure Python, LGPL-3.0; https://py-pdf.github.io/fpdf2/) and its
built-in Helvetica, so no font file or network is needed. The built-in fonts cover Latin-1
only: amounts are written "EUR 1,234" and a minus sign as "-". The sentences are the same as
the HTML report's (:func:`netruimte.report.site_business.business_case_sentences`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from netruimte.i18n import Msg, fmt_datetime, gettext, join
from netruimte.report.site_business import business_case_sentences, eur, years_text

__all__ = [
    "draw_bars",
    "finish_page",
    "footnote",
    "latin_text",
    "section",
    "site_summary_pdf",
    "start_page",
]

_NAVY = (18, 53, 91)
_GREY = (138, 148, 160)
_RED = (192, 57, 43)
_WIDTH_MM = 180.0  # A4 minus 15 mm margins


def latin_text(text: str) -> str:
    """Text the built-in PDF fonts can show (Latin-1): € → EUR, − → -, other marks simplified."""
    table = {"€ ": "EUR ", "€": "EUR", "−": "-", "–": "-", "—": "-", "≤": "<=", "≥": ">=",
             "×": "x", "\u00a0": " ", "\u2011": "-", "’": "'", "“": '"', "”": '"'}  # fmt: skip
    for old, new in table.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def draw_bars(pdf: Any, x: float, y: float, w: float, h: float,
          items: Sequence[tuple[str, float, tuple[int, int, int]]], unit: str,
          digits: int = 1, lang: str = "en") -> None:  # fmt: skip
    """Horizontal bars with labels and values (a chart drawn with rectangles); labels and
    unit are message ids in ``lang``, numbers written per locale."""
    top = max((v for _, v, _ in items), default=0.0) or 1.0
    row = h / max(len(items), 1)
    label_w = 62.0
    for k, (label, value, colour) in enumerate(items):
        yy = y + k * row
        pdf.set_xy(x, yy + row * 0.15)
        pdf.set_font("Helvetica", size=9)
        pdf.set_text_color(30, 39, 51)
        pdf.cell(label_w, row * 0.7, latin_text(gettext(lang, label)))
        length = max(0.0, (w - label_w - 28.0) * value / top)
        pdf.set_fill_color(*colour)
        pdf.rect(x + label_w, yy + row * 0.2, length, row * 0.6, style="F")
        pdf.set_xy(x + label_w + length + 1.5, yy + row * 0.15)
        amount = gettext(lang, f"{{value:,.{digits}f}} {{unit}}", value=value, unit=Msg(unit))
        pdf.cell(26.0, row * 0.7, latin_text(amount))


def site_summary_pdf(
    plan: Mapping[str, Any],
    *,
    site_name: str,
    span: str,
    generated_at: dt.datetime | None = None,
    lang: str = "en",
) -> bytes:
    """The one-page summary of a feasible plan with a business case.

    Parameters
    ----------
    plan
        The Plan JSON (with ``business_case``).
    site_name, span
        The site's name and the period planned, in words.
    generated_at
        Stamp in the footer (default: now, UTC).
    lang
        ``en`` or ``nl``: every text a message id of :mod:`netruimte.i18n`, numbers and the
        stamp per locale (``span`` may be a :class:`~netruimte.i18n.Msg`).

    Returns
    -------
    bytes
        A one-page A4 PDF.

    Raises
    ------
    ValueError
        For an infeasible plan or one without a business case (nothing to summarise).
    """
    case = plan.get("business_case")
    if plan.get("status") != "optimal" or case is None:
        raise ValueError("only a feasible plan with a business case has a one-page summary")

    def t(msgid: str, **kw: Any) -> str:
        return latin_text(gettext(lang, msgid, **kw))

    pdf, stamp = start_page(
        t("Site plan summary: {name}", name=site_name),
        t("Site plan: {name}", name=site_name),
        t("Objective {objective} - {span} - summary for the board",
          objective=plan["objective"], span=span),
        heading_pt=16, generated_at=generated_at, lang=lang,
    )  # fmt: skip
    section(pdf, 36, t("The decision in numbers"))
    pdf.set_xy(15, 44)
    pdf.set_font("Helvetica", size=10)
    text = join(business_case_sentences(case, plan.get("import_kw"))).in_language(lang)
    pdf.multi_cell(_WIDTH_MM, 5, latin_text(text))

    y = pdf.get_y() + 4
    section(pdf, y, t("Grid connection"))
    draw_bars(pdf, 15, y + 8, _WIDTH_MM, 20, [
        ("today (own peak, no new assets)", float(case["baseline_import_kw"]), _GREY),
        ("with the plan", float(plan["import_kw"]), _NAVY),
    ], "kW", lang=lang)  # fmt: skip
    y += 32
    section(pdf, y, t("Yearly grid and energy cost"))
    draw_bars(pdf, 15, y + 8, _WIDTH_MM, 20, [
        ("today", float(case["baseline_annual_cost_eur"]) / 1000.0, _GREY),
        ("with the plan", float(case["plan_annual_cost_eur"]) / 1000.0, _NAVY),
    ], "thousand EUR", lang=lang)  # fmt: skip

    y += 34
    section(pdf, y, t("Key figures"))
    rows = [
        ("Connection today (own peak, no new assets)",
         Msg("{kw:,.1f} kW", kw=float(case["baseline_import_kw"]))),
        ("Connection with the plan", Msg("{kw:,.1f} kW", kw=float(plan["import_kw"]))),
        ("PV / battery of the plan", Msg("{kwp:,.0f} kWp / {kwh:,.0f} kWh, {kw:,.0f} kW",
         kwp=float(plan.get("pv_kwp") or 0), kwh=float(plan.get("battery_energy_kwh") or 0),
         kw=float(plan.get("battery_power_kw") or 0))),
        ("Grid and energy cost a year today", eur(case["baseline_annual_cost_eur"])),
        ("Grid and energy cost a year with the plan", eur(case["plan_annual_cost_eur"])),
        ("Savings a year", eur(case["annual_savings_eur"])),
        ("Investment (one-off)", eur(case["investment_eur"])),
        ("Simple payback", years_text(case["simple_payback_years"])),
        (Msg("Net present value ({years} years at {rate:.1%})",
             years=str(case["lifetime_years"]), rate=float(case["discount_rate"])),
         eur(case["npv_eur"])),
    ]  # fmt: skip
    if float(case.get("wait_months") or 0) > 0:
        rows.append((Msg("Cost of waiting {months:g} months", months=float(case["wait_months"])),
                     eur(case["waiting_cost_eur"])))  # fmt: skip
    pdf.set_font("Helvetica", size=10)
    yy = y + 8
    for k, (label, value) in enumerate(rows):
        if k % 2 == 0:
            pdf.set_fill_color(238, 241, 245)
            pdf.rect(15, yy, _WIDTH_MM, 6.5, style="F")
        pdf.set_xy(17, yy + 0.5)
        pdf.cell(120, 5.5, t(label))
        pdf.set_xy(137, yy + 0.5)
        pdf.cell(56, 5.5, t(value), align="R")
        yy += 6.5

    footnote(pdf, yy + 4, t(
        "How it is computed: both yearly costs use the same tariffs and energy prices of the "
        "site file (the user's input, not a published tariff); 'today' is the site without new "
        "assets and without planning on a connection of its own peak. Investment is the "
        "one-off price of what the plan buys; the net present value discounts the yearly "
        "savings over the lifetime and subtracts it. Upkeep, replacement and price changes are "
        "not included. The plan assumes the year's load is known in advance: real operation "
        "needs some margin. Details, charts and the request for the grid operator are in "
        "report.html."
    ))  # fmt: skip
    return finish_page(pdf, stamp, lang)


def start_page(
    title: str,
    heading: str,
    subtitle: str,
    *,
    heading_pt: float,
    generated_at: dt.datetime | None,
    lang: str,
) -> tuple[Any, str]:
    """A new A4 page (an ``fpdf.FPDF``) with the navy band every one-page summary starts with,
    and the footer's stamp (``generated_at``, default now, UTC, written per locale).

    ``title`` (the document's metadata), ``heading`` and ``subtitle`` are texts already in
    the page's language; the body below the band starts at y = 36 mm in the body colour.
    """
    from fpdf import FPDF

    when = generated_at or dt.datetime.now(dt.UTC)
    stamp = when.strftime("%Y-%m-%d %H:%M UTC") if lang == "en" else fmt_datetime(lang, when)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.set_title(title)
    pdf.set_creator("netruimte")
    pdf.add_page()
    pdf.set_fill_color(*_NAVY)
    pdf.rect(0, 0, 210, 30, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(15, 8)
    pdf.set_font("Helvetica", "B", heading_pt)
    pdf.cell(_WIDTH_MM, 8, heading)
    pdf.set_xy(15, 17)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(_WIDTH_MM, 6, subtitle)
    pdf.set_text_color(30, 39, 51)
    return pdf, stamp


def section(pdf: Any, y: float, title: str) -> None:
    """A section heading (a text in the page's language) at ``y`` mm."""
    pdf.set_xy(15, y)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(_WIDTH_MM, 7, title)


def footnote(pdf: Any, y: float, text: str) -> None:
    """The small grey note under a summary (a text in the page's language) at ``y`` mm."""
    pdf.set_xy(15, y)
    pdf.set_font("Helvetica", "I", 8.5)
    pdf.set_text_color(86, 97, 109)
    pdf.multi_cell(_WIDTH_MM, 4, text)


def finish_page(pdf: Any, stamp: str, lang: str = "en") -> bytes:
    """The footer every one-page summary ends with; refuses a summary that ran over a page."""
    pdf.set_xy(15, 285)
    pdf.set_font("Helvetica", size=7.5)
    footer = gettext(lang, "Made with netruimte on {stamp}. Rendered offline.", stamp=stamp)
    pdf.cell(_WIDTH_MM, 4, latin_text(footer), align="C")
    if pdf.page_no() != 1:  # pragma: no cover - the layout above is fixed
        raise RuntimeError("the summary ran over one page")
    return bytes(pdf.output())
