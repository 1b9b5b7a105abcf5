"""BDEW standard profiles on a DST-correct local index, scaled exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.profiles import STANDARD_PROFILES, standard_profile


@pytest.mark.parametrize("name", STANDARD_PROFILES)
def test_every_profile_scales_to_the_annual_energy(name):
    kw = standard_profile(name, 100_000, 2025)
    assert len(kw) == 35_040
    assert kw.sum() * 0.25 == pytest.approx(100_000, rel=1e-12)
    assert (kw >= 0).all() if name not in ("P25", "S25") else np.isfinite(kw).all()
    local_days = kw.groupby(kw.index.date).size()
    assert local_days[pd.Timestamp("2025-03-30").date()] == 92
    assert local_days[pd.Timestamp("2025-10-26").date()] == 100


def test_leap_year_has_35136_steps():
    assert len(standard_profile("G0", 1000, 2024)) == 35_136


def test_holiday_counts_as_sunday_g0():
    kw = standard_profile("G0", 1_000_000, 2025)
    christmas = kw["2025-12-25"].to_numpy()  # a Thursday, Dutch public holiday
    sunday = kw["2025-12-21"].to_numpy()
    weekday = kw["2025-12-23"].to_numpy()
    np.testing.assert_allclose(christmas, sunday)
    assert weekday.mean() > 1.5 * sunday.mean()


def test_bakery_g5_works_saturday_mornings():
    kw = standard_profile("G5", 120_000, 2025)
    saturday = kw["2025-02-08"]
    assert saturday.idxmax().hour < 9


def test_case_insensitive_and_errors():
    assert standard_profile("g25", 10, 2025).sum() * 0.25 == pytest.approx(10)
    with pytest.raises(InputError, match="unknown standard profile 'X9'"):
        standard_profile("X9", 10, 2025)
    with pytest.raises(InputError, match="annual kWh > 0"):
        standard_profile("G0", 0, 2025)


def test_other_timezone():
    kw = standard_profile("G0", 1000, 2025, timezone="UTC")
    assert str(kw.index.tz) == "UTC" and len(kw) == 35_040
