"""Meter imports, third part: values on a regular grid, gaps filled, quarter-hours, whole days.

Used by :mod:`netruimte.profiles.meter`; the rules are in its docstring and ``docs/profiles.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import STEP, BoolArray, FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.profiles._meter_time import MINUTE_NS
from netruimte.profiles.csv_io import _to_quarter_hours

if TYPE_CHECKING:
    from netruimte.profiles.meter import ImportOptions

__all__ = ["check_grid", "on_grid", "quarter_hours"]

_STEP_NS = int(STEP / pd.Timedelta(1, "ns"))


def on_grid(
    utc: IntArray,
    values: FloatArray,
    step_ns: int,
    lines: npt.NDArray[np.int_],
    opts: ImportOptions,
    source: str,
) -> tuple[FloatArray, tuple[tuple[str, int], ...]]:
    """Values on the regular grid of the step; gaps and empty cells filled when asked."""
    check_grid(utc, step_ns, lines, source)
    offset = utc - utc[0]
    positions = offset // step_ns
    grid = np.full(int(positions[-1]) + 1, np.nan)
    grid[positions] = values
    missing = np.isnan(grid)
    if not missing.any():
        return grid, ()
    runs = _runs(missing)
    zone = opts.site_timezone
    where = tuple(
        (pd.Timestamp(int(utc[0]) + a * step_ns, tz="UTC").tz_convert(zone).isoformat(), n)
        for a, n in runs
    )
    if opts.fill is None:
        empty = int(np.isnan(values).sum())
        rows = int(missing.sum()) - empty
        shown = "; ".join(f"{n} from {at}" for at, n in where[:5])
        raise InputError(
            f"{int(missing.sum())} value(s) missing ({empty} empty cell(s), {rows} missing "
            f"row(s)): {shown}{' ...' if len(where) > 5 else ''}; pass --fill linear, previous "
            "or zero",
            source=source,
            field="--fill",
        )
    series = pd.Series(grid)
    if opts.fill == "linear":
        series = series.interpolate(limit_area="inside").ffill().bfill()
    elif opts.fill == "previous":
        series = series.ffill().bfill()
    else:
        series = series.fillna(0.0)
    return series.to_numpy(dtype=float), where


def check_grid(stamps_ns: IntArray, step_ns: int, lines: npt.NDArray[np.int_], source: str) -> None:
    off_grid = np.flatnonzero((stamps_ns - stamps_ns[0]) % step_ns)
    if off_grid.size:
        at = int(off_grid[0])
        raise InputError(
            f"a stamp off the {step_ns // MINUTE_NS}-minute grid of the first row; "
            "pass --step if the step is another one",
            source=source,
            line=int(lines[at]) if at < len(lines) else None,
            field="--step",
        )


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(a), int(b - a)) for a, b in zip(starts, stops, strict=True)]


def quarter_hours(
    kw: FloatArray,
    first_ns: int,
    step_ns: int,
    lines: npt.NDArray[np.int_],
    opts: ImportOptions,
    source: str,
) -> tuple[pd.Series, int]:
    """Resample to 15 minutes and keep whole local days (trimming when asked)."""
    if not (step_ns % _STEP_NS == 0 or _STEP_NS % step_ns == 0):
        raise InputError(
            f"a {step_ns // MINUTE_NS}-minute step cannot become quarter-hours: it must divide "
            "15 minutes or be a whole multiple of it",
            source=source,
            field="--step",
        )
    trimmed = 0
    if step_ns < _STEP_NS:
        per = _STEP_NS // step_ns
        lead = (-(first_ns % _STEP_NS) // step_ns) % per
        usable = (len(kw) - lead) // per * per
        if (lead or usable != len(kw)) and not opts.trim:
            raise InputError(
                f"{step_ns // MINUTE_NS}-minute values do not fill whole quarter-hours at the "
                "start or end; pass --trim to drop the partial ones",
                source=source,
                field="--trim",
            )
        kw, first_ns = kw[lead : lead + usable], first_ns + lead * step_ns
        lines = lines[: len(kw)] if len(lines) >= len(kw) else np.arange(len(kw))
    step = pd.Timedelta(step_ns, "ns")
    index = pd.DatetimeIndex(first_ns + np.arange(len(kw), dtype=np.int64) * step_ns, tz="UTC")
    series = pd.Series(kw, index=index.tz_convert(opts.site_timezone), name="kw")
    if step != STEP:
        series = _to_quarter_hours(series, step, np.asarray(lines), source=source)
    quarter = series.index
    assert isinstance(quarter, pd.DatetimeIndex)
    midnight = np.flatnonzero(np.asarray(quarter == quarter.normalize()))
    end = quarter[-1] + STEP
    whole_end = end == end.normalize()
    stop = len(quarter) if whole_end else (int(midnight[-1]) if midnight.size else 0)
    begin = int(midnight[0]) if midnight.size else len(quarter)
    if begin != 0 or stop != len(quarter):
        if not opts.trim:
            raise InputError(
                f"partial days: the profile runs from {quarter[0].isoformat()} to "
                f"{end.isoformat()} ({opts.site_timezone}); a profile spans whole local days. "
                f"Pass --trim to drop {begin} quarter-hour(s) at the start and "
                f"{len(quarter) - stop} at the end",
                source=source,
                field="--trim",
            )
        if stop <= begin:
            raise InputError(
                "no whole local day is left after trimming partial days", source=source,
                field="--trim",
            )  # fmt: skip
        trimmed = begin + len(quarter) - stop
        series = series.iloc[begin:stop]
    index_out = pd.DatetimeIndex(series.index, freq="15min", name="timestamp").as_unit("us")
    return pd.Series(series.to_numpy(), index=index_out, name="kw"), trimmed
