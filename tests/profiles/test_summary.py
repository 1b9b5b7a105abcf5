"""Profile summary figures on a hand-made day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netruimte.conventions import days_index
from netruimte.profiles import load_duration_kw, summarise_profile


def test_hand_made_day():
    index = days_index(pd.Timestamp("2025-01-15"), pd.Timestamp("2025-01-17"))
    values = np.full(192, 10.0)
    values[40] = 100.0  # one quarter-hour peak on day 1 at 10:00
    values[100:110] = 2.0  # day 2 dips to 2 kW
    kw = pd.Series(values, index=index)
    summary = summarise_profile(kw)
    assert summary.days == 2 and summary.steps == 192 and summary.dst_days == ()
    assert summary.peak_kw == 100.0
    assert summary.peak_at == pd.Timestamp("2025-01-15 10:00", tz="Europe/Amsterdam")
    assert summary.energy_kwh == pytest.approx((181 * 10 + 100 + 10 * 2) * 0.25)
    assert summary.base_load_kw == pytest.approx(6.0)  # median of daily minima 10 and 2
    # 1% of 192 is 1.92 -> the 2nd highest value; 50% -> the 96th highest
    assert summary.load_duration_kw[1.0] == 10.0
    assert load_duration_kw(kw, 0.5) == 100.0
    assert summary.load_duration_kw[50.0] == 10.0
    assert summarise_profile(kw).to_json_dict()["peak_at"] == "2025-01-15T10:00:00+01:00"


def test_dst_days_flagged():
    index = days_index(pd.Timestamp("2025-10-25"), pd.Timestamp("2025-10-28"))
    summary = summarise_profile(pd.Series(1.0, index=index))
    assert [(d.date.isoformat(), d.steps) for d in summary.dst_days] == [("2025-10-26", 100)]
