"""Lay a profile measured in one year on another year: by weekday and holidays, on purpose.

Laying a year on another by position puts Mondays on Sundays and Christmas on a working day.
Here every day of the target year takes the day of the source with the same *day type*:

* a Dutch public holiday (:func:`~netruimte.profiles.holidays.dutch_holidays`) takes the same
  holiday of the source (Easter Monday on Easter Monday, wherever Easter falls); when the source
  lacks it, the source Sunday nearest in the calendar;
* any other day takes the source day of the same weekday that is not a holiday, nearest in the
  calendar (at most 3 days away when the source covers the whole year; day of the year, counted
  round the year end).

Values are laid by local wall-clock time (96 quarter-hours a day): the repeated autumn hour of a
source day is averaged, its skipped spring hour takes the quarter-hour before it; on the target's
own clock-change days the skipped hour is left out and the repeated hour repeated. So the
energy of a day is kept up to those hours. Source days may be used twice (and others not at all)
where the calendars differ: a year laid on another keeps its day types, not its exact total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from netruimte.conventions import FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.profiles.holidays import dutch_holidays

__all__ = ["day_map", "lay_on_year", "wall_clock_days"]

STEPS_PER_DAY = 96


def _day_types(days: Sequence[dt.date]) -> tuple[list[str | None], IntArray]:
    holidays: dict[dt.date, str] = {}
    for year in sorted({d.year for d in days}):
        holidays.update(dutch_holidays(year))
    names = [holidays.get(d) for d in days]
    weekdays = np.array([d.weekday() for d in days], dtype=np.int64)
    return names, weekdays


def day_map(source: Sequence[dt.date], target: Sequence[dt.date]) -> IntArray:
    """For every target day, the position in ``source`` of the day laid on it (see module).

    Raises
    ------
    InputError
        If ``source`` is empty.
    """
    if not source:
        raise InputError("no source days to lay on another year", field="profile")
    src_names, src_weekday = _day_types(source)
    tgt_names, tgt_weekday = _day_types(target)
    src_doy = np.array([d.timetuple().tm_yday for d in source], dtype=np.int64)
    tgt_doy = np.array([d.timetuple().tm_yday for d in target], dtype=np.int64)
    src_holiday = np.array([n is not None for n in src_names])
    by_name = {name: i for i, name in enumerate(src_names) if name is not None}
    result = np.empty(len(target), dtype=np.int64)
    for t, name in enumerate(tgt_names):
        if name is not None and name in by_name:
            result[t] = by_name[name]
            continue
        distance = np.abs(src_doy - tgt_doy[t])
        distance = np.minimum(distance, 365 - distance)  # round the year end
        weekday = 6 if name is not None else int(tgt_weekday[t])
        for allowed in (
            (src_weekday == weekday) & ~src_holiday,
            src_weekday == weekday,
            np.ones(len(source), dtype=bool),
        ):
            if allowed.any():
                result[t] = int(np.flatnonzero(allowed)[np.argmin(distance[allowed])])
                break
    return result


def wall_clock_days(series: pd.Series) -> tuple[list[dt.date], FloatArray]:
    """The local days of a tz-aware 15-minute series and its values by wall clock, ``(days, 96)``.

    The repeated autumn hour is averaged; the skipped spring hour takes the quarter-hour before.
    """
    index = series.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InputError("a profile needs a tz-aware DatetimeIndex", field="profile")
    values = series.to_numpy(dtype=np.float64)
    wall = index.tz_localize(None)
    frame = pd.Series(values, index=wall).groupby(level=0).mean()
    days = pd.DatetimeIndex(frame.index).normalize().unique()
    grid = pd.date_range(days[0], days[-1] + pd.Timedelta(days=1), freq="15min", inclusive="left")
    full = frame.reindex(grid).ffill().bfill().to_numpy(dtype=np.float64)
    n_days = len(grid) // STEPS_PER_DAY
    dates = [d.date() for d in pd.date_range(days[0], periods=n_days, freq="D")]
    return dates, full[: n_days * STEPS_PER_DAY].reshape(n_days, STEPS_PER_DAY)


def lay_on_year(series: pd.Series, year: int) -> pd.Series:
    """The series laid on calendar ``year`` (its own zone) by weekday and holidays.

    Parameters
    ----------
    series
        A tz-aware 15-minute series of whole local days (any unit; kW for loads).
    year
        The calendar year to lay it on.

    Returns
    -------
    pandas.Series
        On the 15-minute index of ``year`` in the series' zone, same name.
    """
    days, values = wall_clock_days(series)
    index = series.index
    assert isinstance(index, pd.DatetimeIndex)
    zone = index.tz
    start = pd.Timestamp(year=year, month=1, day=1)
    target_index = pd.date_range(
        start.tz_localize(zone),
        (start + pd.DateOffset(years=1)).tz_localize(zone),
        freq="15min",
        inclusive="left",
    )
    target_days = [d.date() for d in pd.date_range(start, periods=len(target_index) // 96 + 1)]
    target_days = [d for d in target_days if d.year == year]
    chosen = day_map(days, target_days)
    wall = target_index.tz_localize(None)
    day_no = np.asarray((wall.normalize() - start) // pd.Timedelta(days=1), dtype=np.int64)
    quarter = np.asarray(wall.hour * 4 + wall.minute // 15, dtype=np.int64)
    laid = values[chosen[day_no], quarter]
    return pd.Series(
        laid, index=pd.DatetimeIndex(target_index, freq="15min", name=index.name), name=series.name
    )
