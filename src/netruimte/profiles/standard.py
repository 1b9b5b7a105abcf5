"""BDEW standard load profiles from :mod:`demandlib`, on a DST-correct local 15-minute index.

Two generations are available:

* the 1999 profiles ``H0``, ``G0``–``G6`` and ``L0``–``L2``: one 96-value day per season
  (winter 1 Nov–20 Mar, summer 15 May–14 Sep, transition otherwise) and day type
  (weekday, Saturday, Sunday/holiday), read from demandlib's data file; ``H0`` is dynamised
  with the BDEW fourth-order polynomial, as the BDEW method prescribes;
* the 2025 profiles ``G25``, ``H25``, ``L25``, ``P25``, ``S25`` computed by demandlib itself.

Both are looked up by local wall-clock time, so the spring DST day has 92 quarter-hours and the
autumn day 100 (the repeated hour repeats the profile values). Dutch public holidays
(:func:`netruimte.profiles.holidays.dutch_holidays`) count as Sundays. The result is scaled so
that its energy over the year equals ``annual_kwh`` exactly.

These are German profiles: no package ships the Dutch NEDU profiles (docs/sources.md [demandlib]),
so they are a stand-in for a measured profile, and the reports say so.

References
----------
BDEW, "Repräsentative VDEW-Lastprofile" (1999) and "Standardlastprofile Strom" (2025);
demandlib (MIT), https://github.com/oemof/demandlib.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE, HOURS_PER_STEP, FloatArray, year_index
from netruimte.errors import InputError
from netruimte.profiles.holidays import dutch_holidays

__all__ = ["STANDARD_PROFILES", "standard_profile"]

_PROFILES_1999: Final = ("H0", "G0", "G1", "G2", "G3", "G4", "G5", "G6", "L0", "L1", "L2")
_PROFILES_2025: Final = ("G25", "H25", "L25", "P25", "S25")
STANDARD_PROFILES: Final = _PROFILES_1999 + _PROFILES_2025
"""Names accepted by :func:`standard_profile`."""

_SEASON_ORDER: Final = ("winter", "transition", "summer")


def standard_profile(
    name: str,
    annual_kwh: float,
    year: int,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> pd.Series:
    """A BDEW standard load profile scaled to ``annual_kwh`` over calendar ``year``.

    Parameters
    ----------
    name
        One of :data:`STANDARD_PROFILES` (case-insensitive).
    annual_kwh
        Energy over the year (kWh), > 0.
    year
        Calendar year (sets weekdays, holidays and DST days).
    timezone
        Local zone of the site.

    Returns
    -------
    pandas.Series
        Average kW per 15-minute interval on the year's local index.
    """
    key = name.strip().upper()
    if key not in STANDARD_PROFILES:
        raise InputError(
            f"unknown standard profile {name!r}; expected one of {', '.join(STANDARD_PROFILES)}",
            field="profile",
        )
    if not np.isfinite(annual_kwh) or annual_kwh <= 0:
        raise InputError(f"expected annual kWh > 0, got {annual_kwh!r}", field="annual_kwh")
    index = year_index(year, timezone)
    holidays = dutch_holidays(year)
    shape = (
        _shape_2025(key, index, holidays)
        if key in _PROFILES_2025
        else _shape_1999(key, index, holidays)
    )
    kw = shape * (annual_kwh / (shape.sum() * HOURS_PER_STEP))
    return pd.Series(kw, index=index, name="kw")


def _shape_2025(key: str, index: pd.DatetimeIndex, holidays: dict[dt.date, str]) -> FloatArray:
    from demandlib import bdew

    profile_class = getattr(bdew, key)
    with warnings.catch_warnings():
        # demandlib 0.2 uses pandas idioms that newer pandas deprecates; harmless here.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        values = profile_class(index, holidays=holidays)
    return np.asarray(values, dtype=float)


@functools.cache
def _table_1999() -> pd.DataFrame:
    import demandlib.bdew

    data_file = Path(demandlib.bdew.__file__).parent / "bdew_data" / "selp_series.csv"
    return pd.read_csv(data_file, index_col=0)


def _season_codes(dates: pd.DatetimeIndex) -> npt.NDArray[np.int_]:
    month_day = np.asarray(dates.month * 100 + dates.day)
    winter = (month_day >= 1101) | (month_day <= 320)
    summer = (month_day >= 515) & (month_day <= 914)
    return np.where(winter, 0, np.where(summer, 2, 1))


def _shape_1999(key: str, index: pd.DatetimeIndex, holidays: dict[dt.date, str]) -> FloatArray:
    table = _table_1999()
    column = key.lower()
    # lookup[season, weekday-1, quarter-hour of the day]
    lookup = np.empty((3, 7, 96))
    for s, season in enumerate(_SEASON_ORDER):
        rows = table[table["period"] == season]
        for weekday in range(1, 8):
            lookup[s, weekday - 1] = rows.loc[rows["weekday"] == weekday, column].to_numpy()
    local_dates = pd.DatetimeIndex(index.tz_localize(None).normalize())
    weekday_idx = np.asarray(local_dates.day_of_week)  # Monday = 0
    is_holiday = np.isin(local_dates.date, np.array(list(holidays), dtype=object))
    weekday_idx = np.where(is_holiday, 6, weekday_idx)
    quarter = np.asarray(index.hour * 4 + index.minute // 15)
    shape = lookup[_season_codes(local_dates), weekday_idx, quarter]
    if key == "H0":
        day = np.asarray(local_dates.day_of_year, dtype=float)
        # BDEW dynamisation polynomial for H0 (coefficient as normalised in demandlib).
        shape = shape * (
            -3.916649251e-10 * day**4 + 3.2e-7 * day**3 - 7.02e-5 * day**2 + 2.1e-3 * day + 1.24
        )
    return np.asarray(shape, dtype=float)
