"""PV from pvlib over the Essen test reference year, and clear sky."""

from __future__ import annotations

import numpy as np
import pytest

from netruimte.errors import InputError
from netruimte.profiles import pv_profile

ALMERE = (52.37, 5.21)


@pytest.fixture(scope="module")
def south_30():
    return pv_profile(1.0, *ALMERE, 30, 180, 2025)


def test_annual_yield_is_plausible_for_the_netherlands(south_30):
    # A loose plausibility band around the Dutch rule of thumb (docs/profiles.md).
    yield_kwh_per_kwp = south_30.sum() * 0.25
    assert 800 < yield_kwh_per_kwp < 1000
    assert len(south_30) == 35_040
    assert south_30.max() <= 1.0
    assert (south_30 >= 0).all()


def test_dark_at_night_and_summer_peaks_near_solar_noon(south_30):
    night = south_30[(south_30.index.hour < 4) | (south_30.index.hour >= 23)]
    assert (night == 0).all()
    june = south_30["2025-06"]
    by_hour = june.groupby(june.index.hour).mean()
    assert by_hour.idxmax() in (13, 14)  # solar noon is ~13:40 CEST at 5.2 E


def test_scales_linearly_and_zero_kwp(south_30):
    np.testing.assert_allclose(pv_profile(250.0, *ALMERE, 30, 180, 2025), 250 * south_30)
    assert (pv_profile(0.0, *ALMERE, 30, 180, 2025) == 0).all()


def test_clear_sky_bounds_the_weather_year(south_30):
    clear = pv_profile(1.0, *ALMERE, 30, 180, 2025, weather="clear-sky")
    monthly_clear = clear.resample("MS").sum()
    monthly_try = south_30.resample("MS").sum()
    assert (monthly_clear > monthly_try).all()


def test_north_facing_yields_less(south_30):
    north = pv_profile(1.0, *ALMERE, 30, 0, 2025)
    assert north.sum() < 0.8 * south_30.sum()


def test_leap_year():
    assert len(pv_profile(1.0, *ALMERE, 30, 180, 2024)) == 35_136


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kwp": -1}, "kwp"),
        ({"latitude": 95}, "latitude"),
        ({"tilt_deg": 120}, "tilt_deg"),
        ({"azimuth_deg": 400}, "azimuth_deg"),
    ],
)
def test_errors_name_the_field(kwargs, field):
    args = {"kwp": 1.0, "latitude": 52.0, "longitude": 5.0, "tilt_deg": 30, "azimuth_deg": 180}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        pv_profile(**args, year=2025)
    assert info.value.field == field
