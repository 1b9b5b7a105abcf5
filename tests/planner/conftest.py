"""Helpers for the planner tests: small sites built directly in pandas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from netruimte.planner import (
    PlanResult,
    PlanStatus,
    Site,
    verify_dispatch,
)

TZ = "Europe/Amsterdam"


def index(n: int, start: str = "2025-01-06 00:00") -> pd.DatetimeIndex:
    """``n`` quarter-hours from local ``start``."""
    return pd.date_range(pd.Timestamp(start).tz_localize(TZ), periods=n, freq="15min")


def series(values: Sequence[float] | np.ndarray, start: str = "2025-01-06 00:00") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=index(len(values), start))


def t(hhmm: str) -> dt.time:
    hours, minutes = hhmm.split(":")
    return dt.time(int(hours), int(minutes))


def assert_feasible(site: Site, result: PlanResult) -> None:
    """The result is optimal and its dispatch passes the independent check."""
    assert result.status is PlanStatus.OPTIMAL, result.reason
    assert result.import_kw is not None
    assert result.dispatch is not None
    assert result.soc_start_kwh is not None
    problems = verify_dispatch(
        site, result.import_kw, result.dispatch, soc_start_kwh=result.soc_start_kwh, tol=1e-6
    )
    assert problems == []
