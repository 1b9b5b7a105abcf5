"""Sentences that compare numbers are computed: change the data and the sentence changes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from netruimte.grid.model import Direction, Grid, Station
from netruimte.report.site import ldc_sentence
from netruimte.report.site_business import business_case_sentences
from netruimte.report.waitlist_data import Timeline
from netruimte.report.waitlist_sections import station_sentence, wait_sentence
from netruimte.waitlist import simulate
from netruimte.waitlist.requests import Category, Request, Status
from netruimte.waitlist.scenario import Scenario


def _timeline(prio_wait: int, none_wait: int) -> Timeline:
    """Four offtake requests joining at month 0: two with priority, two without."""
    n_m = 24
    granted = np.array([prio_wait, prio_wait, none_wait, none_wait], dtype=np.int64)
    return Timeline(
        moments=tuple(dt.date(2026 + m // 12, m % 12 + 1, 1) for m in range(n_m)),
        ids=("a", "b", "c", "d"),
        station=np.zeros(4, dtype=np.int64),
        direction=np.full(4, Direction.OFFTAKE.axis, dtype=np.int64),
        mw=np.ones(4),
        category=(Category.SAFETY, Category.SAFETY, Category.NONE, Category.NONE),
        status=(Status.GRANTED,) * 4,
        took_part=np.ones(4, dtype=np.bool_),
        start_m=np.zeros(4, dtype=np.int64),
        end_m=granted.copy(),
        granted_m=granted,
        wait_m=granted.copy(),
        offer_i=np.arange(4, dtype=np.int64),  # each granted whole: one offer at its grant
        offer_m=granted.copy(),
        offer_mw=np.ones(4),
    )


def test_wait_sentence_follows_the_data() -> None:
    less = wait_sentence(_timeline(2, 10))
    assert "within 2 months" in less and "within 10 months" in less
    assert less.endswith("requests with priority wait less.")
    longer = wait_sentence(_timeline(10, 2))
    assert longer.endswith("wait longer here (their stations are fuller).")
    same = wait_sentence(_timeline(8, 8))
    assert same.endswith("both wait as long.") and "longer" not in same and "less" not in same


def _two_stations(load_mw: float) -> Scenario:
    grid = Grid((Station("A", offtake_mw=10.0, load_mw=load_mw, name="Station A"),))
    reqs = tuple(
        Request(f"R{k}", "A", 2000.0, dt.datetime(2025, 1, k + 1, tzinfo=dt.UTC)) for k in range(3)
    )
    return Scenario(name="s", start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 1), grid=grid,
                    requests=reqs)  # fmt: skip


def test_station_sentence_follows_the_data() -> None:
    roomy = _two_stations(2.0)
    full = _two_stations(7.0)
    a = station_sentence(roomy, simulate(roomy), "A")
    b = station_sentence(full, simulate(full), "A")
    assert "existing load takes 2.0 MW" in a and "granted (here and below) 6.0 MW" in a
    assert "No offtake request waits" in a
    # 3 MW free: R0 whole (2 MW), R1 a partial offer of the last 1 MW; R1's rest and R2 wait
    assert "existing load takes 7.0 MW" in b and "granted (here and below) 3.0 MW" in b
    assert "2 offtake requests (3.0 MW) still wait." in b


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2025-01-01", periods=len(values),
                                                  freq="15min", tz="Europe/Amsterdam"))  # fmt: skip


def test_ldc_sentence_follows_the_data() -> None:
    before = _series([10.0, 4.0, 2.0, 0.0])
    shaved = _series([6.0, 6.0, 4.0, 0.0])  # peak cut, energy moved right
    text = ldc_sentence(before, shaved, "before")
    assert "4.0 kW lower than 'before'" in text and "for 0.5 hours further right" in text
    only_lower = ldc_sentence(before, _series([6.0, 4.0, 2.0, 0.0]), "before")
    assert "nowhere is the 'after' curve higher" in only_lower
    assert "higher further right" not in only_lower


def _case(**changes: float | None) -> dict[str, float | int | str | None]:
    case: dict[str, float | int | str | None] = {
        "baseline_import_kw": 300.0, "baseline_annual_cost_eur": 100_000.0,
        "plan_annual_cost_eur": 90_000.0, "investment_eur": 50_000.0,
        "annual_savings_eur": 10_000.0, "simple_payback_years": 5.0, "npv_eur": 53_800.0,
        "discount_rate": 0.05, "lifetime_years": 15, "wait_months": 0.0,
        "downtime_eur_per_month": 0.0, "waiting_cost_eur": 0.0, "npv_with_waiting_eur": 53_800.0,
        "invest_in": "new",
    }  # fmt: skip
    case.update(changes)
    return case


def test_business_case_sentences_follow_the_data() -> None:
    good = " ".join(business_case_sentences(_case(), 150.0))
    assert "€ 10,000 less" in good and "repay in 5.0 years." in good and "gains € 53,800" in good
    bad = " ".join(business_case_sentences(_case(
        plan_annual_cost_eur=105_000.0, annual_savings_eur=-5_000.0, simple_payback_years=None,
        npv_eur=-101_900.0), 150.0))  # fmt: skip
    assert "€ 5,000 more" in bad and "never repay" in bad and "loses € 101,900" in bad
    assert "less" not in bad.split("more")[0].split("pays")[-1]
    slow = " ".join(business_case_sentences(_case(simple_payback_years=20.0), 150.0))
    assert "longer than the 15 years" in slow
    waiting = " ".join(business_case_sentences(
        _case(wait_months=12.0, downtime_eur_per_month=2_000.0, waiting_cost_eur=24_000.0,
              npv_with_waiting_eur=77_800.0), 150.0))  # fmt: skip
    assert "Waiting 12 months" in waiting and "€ 24,000" in waiting and "€ 77,800" in waiting


@pytest.mark.parametrize("savings", [-1.0, 0.0, 1.0])
def test_no_contradictory_pair(savings: float) -> None:
    """The savings sentence and the NPV sentence never pull opposite ways without reason:
    with no investment, a plan that costs more cannot 'gain'."""
    npv = savings * 10.38
    text = " ".join(business_case_sentences(
        _case(investment_eur=0.0, annual_savings_eur=savings, npv_eur=npv,
              plan_annual_cost_eur=100_000.0 - savings, simple_payback_years=None
              if savings <= 0 else 0.0), 100.0))  # fmt: skip
    if savings < 0:
        assert "more." in text and "plan loses" in text and "plan gains" not in text
    elif savings > 0:
        assert "less." in text and "plan gains" in text and "plan loses" not in text
    else:
        assert "the same." in text and "neither gains nor loses" in text


def test_demo_wait_caption_follows_the_data() -> None:
    from netruimte.report.demo import wait_caption

    def table(none: float, safety: float) -> pd.DataFrame:
        return pd.DataFrame({"category_acm": ["none", "none", "safety"],
                             "wait_years_acm": [none, none, safety]})  # fmt: skip

    assert "Every priority category waits less" in wait_caption(table(8.0, 2.0))
    assert "no priority 8.0 years" in wait_caption(table(8.0, 2.0))
    same = wait_caption(table(8.0, 8.0))
    assert "does not shorten" in same and "waits less" not in same
    assert "waits longer" in wait_caption(table(2.0, 8.0))


def test_short_profile_is_said_to_be_scaled() -> None:
    whole = " ".join(business_case_sentences(_case(span_years=1.0), 150.0))
    short = " ".join(business_case_sentences(_case(span_years=0.25), 150.0))
    assert "scaled to a year" not in whole
    assert "The profile covers 91 days (0.25 years)" in short and "scaled to a year" in short


def test_flexible_loads_are_named_only_when_there_are_some() -> None:
    none = " ".join(business_case_sentences(_case(flexible_loads=0), 150.0))
    one = " ".join(business_case_sentences(_case(flexible_loads=1), 150.0))
    assert "flexible" not in none
    assert "(the flexible load starting when it arrives, no battery use)" in one


def test_category_and_yearly_tables_count_partial_offers() -> None:
    """3 MW free at a 10 MW station with 7 MW load: R0 (2 MW) whole, R1 a partial offer of
    1 MW, R2 (2 MW) waits. The tables count the offer as granted and only the rest as waiting."""
    from netruimte.report.waitlist_data import (
        category_summary,
        granted_mw_per_year,
        timeline,
    )

    scenario = _two_stations(7.0)
    result = simulate(scenario)
    tl = timeline(scenario, result)
    row = category_summary(tl).iloc[0]
    assert row["granted"] == 1 and row["waiting"] == 2
    assert row["granted MW"] == pytest.approx(3.0)
    assert row["waiting MW"] == pytest.approx(3.0)  # R1's last 1 MW and R2's 2 MW
    per_year = granted_mw_per_year(tl)
    assert per_year.to_numpy().sum() == pytest.approx(3.0)
    assert per_year.loc[2026, "offtake no priority"] == pytest.approx(3.0)
