"""Laying a year on another by weekday and holidays (not by position)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.grid.representative import REPRESENTATIVE_CALENDAR_YEAR, to_representative_year
from netruimte.profiles.align import day_map, lay_on_year
from netruimte.profiles.holidays import dutch_holidays

ZONE = "Europe/Amsterdam"


def year_days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=d) for d in range((dt.date(year + 1, 1, 1) - first).days)]


def year_series(year: int) -> pd.Series:
    """Each quarter-hour holds its day's code: weekday (0-6), or 10 + a holiday's number."""
    index = pd.date_range(
        pd.Timestamp(f"{year}-01-01", tz=ZONE), pd.Timestamp(f"{year + 1}-01-01", tz=ZONE),
        freq="15min", inclusive="left",
    )  # fmt: skip
    return pd.Series([code(d) for d in index.tz_localize(None).date], index=index, dtype=float)


NAMES = sorted({name for y in range(2020, 2031) for name in dutch_holidays(y).values()})


def code(day: dt.date) -> float:
    name = dutch_holidays(day.year).get(day)
    return float(10 + NAMES.index(name)) if name else float(day.weekday())


@settings(max_examples=20, deadline=None)
@given(source=st.integers(2015, 2030), target=st.integers(2015, 2030))
def test_every_day_keeps_its_type(source, target):
    src, tgt = year_days(source), year_days(target)
    chosen = day_map(src, tgt)
    holidays = dutch_holidays(target)
    for t, s in enumerate(chosen):
        if tgt[t] in holidays and holidays[tgt[t]] in dutch_holidays(source).values():
            assert dutch_holidays(source)[src[s]] == holidays[tgt[t]]
        elif tgt[t] in holidays:  # Liberation Day only in lustrum years: a Sunday stands in
            assert src[s].weekday() == 6
        else:
            assert src[s].weekday() == tgt[t].weekday() and src[s] not in dutch_holidays(source)
            gap = abs(src[s].timetuple().tm_yday - tgt[t].timetuple().tm_yday)
            assert min(gap, 365 - gap) <= 7  # 3 at most, unless a holiday is in the way


def test_a_year_laid_on_itself_is_unchanged():
    series = year_series(2025)
    pd.testing.assert_series_equal(lay_on_year(series, 2025), series, check_freq=False)


def test_2023_on_leap_2024_by_weekday_and_holiday():
    laid = lay_on_year(year_series(2023), 2024)
    assert len(laid) == 366 * 96  # 35,136 quarter-hours; DST days 92 and 100
    days = laid.groupby(laid.index.tz_localize(None).date)
    assert days.size()[dt.date(2024, 3, 31)] == 92 and days.size()[dt.date(2024, 10, 27)] == 100
    for day, values in days:
        assert (values == code(day)).all(), day
    # By position, 2024-12-25 (a Wednesday, Christmas) would take 2023-12-24, a Sunday.
    assert laid[pd.Timestamp("2024-12-25 12:00", tz=ZONE)] == code(dt.date(2023, 12, 25))


def test_representative_year_agrees_on_day_types_whatever_the_year():
    calendar = year_days(REPRESENTATIVE_CALENDAR_YEAR)
    for year in (2021, 2024, 2025):
        names = set(dutch_holidays(year).values())
        # A holiday the source year lacks (Liberation Day outside lustrum years) takes a Sunday.
        expected = [6.0 if code(d) >= 10 and NAMES[int(code(d)) - 10] not in names else code(d)
                    for d in calendar]  # fmt: skip
        laid = to_representative_year(year_series(year))
        np.testing.assert_array_equal(laid, np.repeat(expected, 96))


def test_values_follow_the_wall_clock():
    index = pd.date_range(
        pd.Timestamp("2023-01-01", tz=ZONE), pd.Timestamp("2024-01-01", tz=ZONE),
        freq="15min", inclusive="left",
    )  # fmt: skip
    hours = pd.Series(np.asarray(index.hour, dtype=float), index=index)
    laid = lay_on_year(hours, 2026)
    assert (laid.to_numpy() == np.asarray(laid.index.hour)).all()
    assert laid.sum() == pytest.approx(hours.sum(), rel=2e-3)  # same hours, other calendar
