"""The one-page PDF summary of a site plan, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from netruimte.report.pdf import site_summary_pdf

pypdf = pytest.importorskip("pypdf")


def _plan(**case_changes: object) -> dict[str, object]:
    case: dict[str, object] = {
        "baseline_import_kw": 374.47, "baseline_annual_cost_eur": 209_952.4,
        "plan_annual_cost_eur": 198_277.2, "investment_eur": 145_200.0,
        "annual_savings_eur": 11_675.2, "simple_payback_years": 12.44, "npv_eur": -24_015.3,
        "discount_rate": 0.05, "lifetime_years": 15, "wait_months": 24.0,
        "downtime_eur_per_month": 3_000.0, "waiting_cost_eur": 72_000.0,
        "npv_with_waiting_eur": 47_984.7, "invest_in": "all",
    }  # fmt: skip
    case.update(case_changes)
    return {"status": "optimal", "objective": "min-connection", "import_kw": 132.09,
            "pv_kwp": 0.0, "battery_energy_kwh": 400.0, "battery_power_kw": 200.0,
            "business_case": case}  # fmt: skip


def _text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_one_page_with_the_key_numbers() -> None:
    data = site_summary_pdf(_plan(), site_name="Distributiecentrum Flevopolder (example)",
                            span="the year 2025",
                            generated_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))  # fmt: skip
    assert data.startswith(b"%PDF-")
    pages, text = _text(data)
    assert pages == 1
    for needle in ("Distributiecentrum Flevopolder (example)", "374.5 kW", "132.1 kW",
                   "EUR 209,952", "EUR 198,277", "EUR 11,675", "EUR 145,200", "12.4 years",
                   "-EUR 24,015", "EUR 72,000", "2026-01-02 03:04 UTC"):  # fmt: skip
        assert needle in text, needle


def test_summary_follows_the_data() -> None:
    _, good = _text(site_summary_pdf(_plan(npv_eur=50_000.0), site_name="x", span="y"))
    _, bad = _text(site_summary_pdf(_plan(simple_payback_years=None, annual_savings_eur=-10.0,
                                          plan_annual_cost_eur=209_962.4), site_name="x",
                                    span="y"))  # fmt: skip
    assert "plan gains EUR 50,000" in good.replace("\n", " ")
    assert "never" in bad and "EUR 10 more" in bad.replace("\n", " ")


def test_long_names_stay_on_one_page() -> None:
    name = "Bedrijventerrein " + "Heel Lange Naam " * 6
    pages, _ = _text(site_summary_pdf(_plan(), site_name=name, span="2025-01-06 to 2025-03-01"))
    assert pages == 1


def test_infeasible_plan_has_no_summary() -> None:
    with pytest.raises(ValueError, match="feasible"):
        site_summary_pdf({"status": "infeasible", "business_case": None}, site_name="x",
                         span="y")  # fmt: skip
