"""Figures that describe a load profile: span, energy, peak, base load, load-duration curve."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, STEP, STEPS_PER_DAY_NOMINAL

__all__ = ["LDC_PERCENTS", "ProfileSummary", "load_duration_kw", "summarise_profile"]

LDC_PERCENTS: Final = (1.0, 5.0, 15.0, 50.0)
"""Shares of time (%) at which :func:`summarise_profile` reads the load-duration curve."""


@dataclass(frozen=True)
class DstDay:
    """A local day with other than 96 quarter-hours (a daylight-saving transition)."""

    date: dt.date
    steps: int


@dataclass(frozen=True)
class ProfileSummary:
    """What ``netruimte profile inspect`` reports. Energy figures are for the span given."""

    start: pd.Timestamp
    end: pd.Timestamp
    step_minutes: int
    days: int
    steps: int
    dst_days: tuple[DstDay, ...]
    energy_kwh: float
    peak_kw: float
    peak_at: pd.Timestamp
    base_load_kw: float
    mean_kw: float
    load_duration_kw: dict[float, float]

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (ISO timestamps, dates as YYYY-MM-DD)."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        data["peak_at"] = self.peak_at.isoformat()
        data["dst_days"] = [{"date": d.date.isoformat(), "steps": d.steps} for d in self.dst_days]
        data["load_duration_kw"] = [
            {"percent_of_time": p, "kw": kw} for p, kw in self.load_duration_kw.items()
        ]
        return data


def load_duration_kw(kw: pd.Series, percent_of_time: float) -> float:
    """The load (kW) reached or exceeded in ``percent_of_time`` % of the quarter-hours.

    With ``n`` values sorted from high to low this is the value at position
    ``ceil(p/100 · n)`` (1-based): at 0 < p ≤ 100 it is always one of the measured values.
    """
    if not 0 < percent_of_time <= 100:
        raise ValueError(f"percent_of_time must be in (0, 100], got {percent_of_time}")
    values = np.sort(kw.to_numpy(dtype=float))[::-1]
    position = math.ceil(percent_of_time / 100 * len(values))
    return float(values[position - 1])


def summarise_profile(kw: pd.Series) -> ProfileSummary:
    """Summarise a 15-minute kW profile spanning whole local days.

    Base load is the median over the days of each day's lowest quarter-hour: on a typical day
    the load does not drop below it.
    """
    index = kw.index
    assert isinstance(index, pd.DatetimeIndex)
    local_dates = pd.Series(index.tz_localize(None).normalize(), index=index)
    per_day = local_dates.value_counts().sort_index()
    day_starts = pd.DatetimeIndex(per_day.index)
    dst_days = tuple(
        DstDay(day.date(), int(count))
        for day, count in zip(day_starts, per_day.to_numpy(), strict=True)
        if count != STEPS_PER_DAY_NOMINAL
    )
    daily_min = kw.groupby(local_dates.to_numpy()).min()
    peak_position = int(np.argmax(kw.to_numpy()))
    return ProfileSummary(
        start=index[0],
        end=index[-1] + STEP,
        step_minutes=int(STEP / pd.Timedelta(minutes=1)),
        days=len(per_day),
        steps=len(kw),
        dst_days=dst_days,
        energy_kwh=float(kw.sum() * HOURS_PER_STEP),
        peak_kw=float(kw.iloc[peak_position]),
        peak_at=index[peak_position],
        base_load_kw=float(daily_min.median()),
        mean_kw=float(kw.mean()),
        load_duration_kw={p: load_duration_kw(kw, p) for p in LDC_PERCENTS},
    )
