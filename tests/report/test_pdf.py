"""The one-page PDF summary of a site plan, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from netruimte.report.pdf import site_summary_pdf


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


def _demo_summary(acm_2033: int = 60, campus: object = None) -> dict[str, object]:
    def variant(
        key: str, label: str, by_2033: int, mw_years: float, by_2030: int = 10
    ) -> dict[str, object]:
        return {"variant": key, "label": label, "requests": 111, "by_2028": 8,
                "by_2030": by_2030, "by_2033": by_2033, "by_2036": 90, "not_in_horizon": 5,
                "median_wait_years": 6.5, "mw_years_waiting": mw_years}  # fmt: skip

    return {
        "scenario": "Flevoland 2026 (published grid figures, synthetic waiting list)",
        "runs": 100, "seed": 2026,
        "variants": [variant("fcfs", "First come, first served", 50, 900.0),
                     variant("acm", "ACM framework (rule in force)", acm_2033, 800.0),
                     variant("acm-smart", "ACM + smart tools (smaller firm)", 70, 600.0),
                     variant("acm-contracts", "ACM + congestion contracts", 60, 700.0, 12)],
        "instruments": {"room": {"acm-contracts": {"room_mw": 200.0,
                                                   "contracts_eur_per_mw_year": 40000.0}}},
        "campus": [{"variant": "First come, first served", "granted_on": campus},
                   {"variant": "ACM framework (rule in force)", "granted_on": "2035-01-01"}],
        "smart_tools": {"businesses": 86, "requested_mw": 100.0, "firm_mw_with_tools": 75.0},
    }  # fmt: skip


def test_demo_pdf_one_page_and_computed_sentences() -> None:
    from netruimte.report.pdf_demo import demo_summary_pdf

    pages, text = _text(demo_summary_pdf(_demo_summary(), horizon_year=2040))
    flat = text.replace("\n", " ")
    assert pages == 1
    assert "Most requests connected by 2033: ACM + smart tools (smaller firm) (70 of 111)" in flat
    assert "connects 10 more by 2033 than first come, first served" in flat
    assert "First come, first served: not before the horizon (2040)" in flat
    assert "75.0 MW of firm connection instead of 100.0 MW (25% less)" in flat
    # the room sentence, against "acm": +2 before 2030, 800 - 700 MW-years
    assert ("congestion contracts: 200.0 MW of room, +2 connected before 2030, 100 MW-years "
            "less waiting") in flat  # fmt: skip
    assert "40,000 EUR per MW of room per year" in flat
    _, fewer = _text(demo_summary_pdf(_demo_summary(acm_2033=45, campus="2036-07-01"),
                                      horizon_year=2040))  # fmt: skip
    fewer = fewer.replace("\n", " ")
    assert "connects 5 fewer by 2033" in fewer and "First come, first served: 2036-07-01" in fewer
