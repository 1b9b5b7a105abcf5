"""Turn a :class:`~netruimte.planner.site.Site` into the plain arrays the engines work on.

Everything here is a pure function of the site: the net demand after PV and full curtailment,
the per-step restriction limit and the occurrences of the shiftable loads (one per load per
local day, cut where the profile starts or ends). The semantics are in ``docs/site-file.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, STEP, FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.planner.site import DailyWindow, Site

__all__ = ["Occurrence", "SiteArrays", "occurrence_reason", "occurrences_of", "site_arrays"]


@dataclass(frozen=True)
class Occurrence:
    """One daily occurrence of a shiftable load's window inside the profile.

    Attributes
    ----------
    load
        Position of the load in ``site.shiftable``.
    day
        The local date the occurrence belongs to (a window that wraps midnight belongs to the
        day it starts).
    start, stop
        Step range ``[start, stop)`` of the occurrence inside the profile.
    gaps
        Steps inside ``[start, stop)`` that are not in the window. Only on the night the
        clocks go back: a window inside the repeated hour (e.g. ``02:15-02:45``) occurs twice.
    full_steps
        Steps of the whole occurrence (differs from ``stop - start`` when the profile cuts it,
        and on DST days).
    energy_kwh
        Energy the load must receive in ``[start, stop)``: ``daily_kwh`` scaled by the share
        of the occurrence's steps that lie inside the profile.
    """

    load: int
    day: dt.date
    start: int
    stop: int
    full_steps: int
    energy_kwh: float
    gaps: tuple[int, ...] = ()

    @property
    def steps(self) -> int:
        """Steps of the occurrence's window inside the profile."""
        return self.stop - self.start - len(self.gaps)

    def window_steps(self) -> IntArray:
        """The steps of the window (``[start, stop)`` without the gaps)."""
        steps = np.arange(self.start, self.stop, dtype=np.int64)
        return steps[~np.isin(steps, self.gaps)] if self.gaps else steps


@dataclass(frozen=True)
class SiteArrays:
    """The numbers of a min-connection problem, one entry per 15-minute step.

    Attributes
    ----------
    load_kw
        Base load (kW), ≥ 0.
    pv_kw
        PV available from the installed kWp (kW), ≥ 0.
    curtail_max_kw
        Largest total reduction of the curtailable loads: ``min(sum max_kw, load)`` (kW).
    net_kw
        ``load_kw - curtail_max_kw - pv_kw``: the demand left when everything curtailable is
        curtailed and all PV is used (kW; negative is a surplus).
    restriction_kw
        Lowest restriction limit in force (kW); ``inf`` outside every restriction window.
    export_kw
        Export limit (kW); ``inf`` when unlimited.
    occurrences
        The shiftable occurrences, ordered by start step.
    missing
        ``(load, day)`` where a load's window does not occur on a day of the profile (it lies
        in the hour skipped when the clocks go forward): no dispatch can deliver its energy.
    """

    load_kw: FloatArray
    pv_kw: FloatArray
    curtail_max_kw: FloatArray
    net_kw: FloatArray
    restriction_kw: FloatArray
    export_kw: float
    occurrences: tuple[Occurrence, ...]
    missing: tuple[tuple[int, dt.date], ...] = ()

    @property
    def steps(self) -> int:
        """Number of steps."""
        return len(self.load_kw)

    def overlapping(self) -> bool:
        """True when occurrences of different loads share a step."""
        ends = 0
        for occ in self.occurrences:
            if occ.start < ends:
                return True
            ends = max(ends, occ.stop)
        return False

    def shiftable_cap_kw(self, max_kw: FloatArray) -> FloatArray:
        """Per step: the sum of ``max_kw[load]`` over the windows the step is in."""
        cap = np.zeros(self.steps)
        for occ in self.occurrences:
            cap[occ.window_steps()] += max_kw[occ.load]
        return cap


def _day_numbers(index: pd.DatetimeIndex) -> IntArray:
    """Local calendar day of each step as days since 1970-01-01."""
    wall = index.tz_localize(None).normalize()
    return np.asarray(wall.values.astype("datetime64[D]").astype(np.int64))


def _occurrence_keys(index: pd.DatetimeIndex, window: DailyWindow) -> IntArray:
    """Per step: the day number of the window occurrence it belongs to, or -1 outside."""
    inside = window.mask(index)
    day = _day_numbers(index)
    if window.wraps:
        minutes = np.asarray(index.hour * 60 + index.minute)
        start = window.start.hour * 60 + window.start.minute
        # The part after midnight belongs to the occurrence that started the evening before.
        day = np.where(minutes >= start, day, day - 1)
    return np.where(inside, day, -1)


def occurrences_of(site: Site) -> tuple[tuple[Occurrence, ...], tuple[tuple[int, dt.date], ...]]:
    """The occurrences of the site's shiftable loads, ordered by start step, and the days on
    which a load's window does not occur at all although the profile covers it.

    The second happens only for a window that lies wholly in the hour skipped when the clocks
    go forward (e.g. ``02:00-02:45``): such a day is infeasible (``(load, day)`` pairs).
    """
    if not site.shiftable:
        return (), ()
    index = site.index
    first_day = pd.Timestamp(index[0].tz_localize(None).normalize())
    last_day = pd.Timestamp(index[-1].tz_localize(None).normalize())
    # A calendar of whole local days around the profile, to count the full occurrences.
    calendar = pd.date_range(
        (first_day - pd.Timedelta(days=1)).tz_localize(index.tz),
        (last_day + pd.Timedelta(days=2)).tz_localize(index.tz),
        freq=STEP,
        inclusive="left",
    )
    origin = int(_day_numbers(calendar)[0])
    # Days on which the profile runs through a forward clock jump.
    wall = index.tz_localize(None)
    jumps = np.flatnonzero(np.asarray((wall[1:] - wall[:-1]) > STEP))
    jump_days = {int(d) for d in _day_numbers(index)[jumps + 1]}
    found: list[Occurrence] = []
    missing: list[tuple[int, dt.date]] = []
    for load_no, load in enumerate(site.shiftable):
        calendar_keys = _occurrence_keys(calendar, load.window)
        full = np.bincount(
            calendar_keys[calendar_keys >= 0] - origin + 1, minlength=len(calendar) // 92 + 3
        )
        keys = _occurrence_keys(index, load.window)
        for day in np.unique(keys[keys >= 0]):
            positions = np.flatnonzero(keys == day)
            start, stop = int(positions[0]), int(positions[-1]) + 1
            gaps: tuple[int, ...] = ()
            if stop - start != len(positions):  # only on the night the clocks go back
                gaps = tuple(int(g) for g in np.setdiff1d(np.arange(start, stop), positions))
            full_steps = int(full[day - origin + 1])
            energy = load.daily_kwh * len(positions) / full_steps
            found.append(
                Occurrence(load_no, _date(int(day)), start, stop, full_steps, float(energy), gaps)
            )
        for day in sorted(jump_days):
            if load.daily_kwh > 0 and full[day - origin + 1] == 0:
                missing.append((load_no, _date(day)))
    found.sort(key=lambda occ: (occ.start, occ.load))
    return tuple(found), tuple(missing)


def _date(day_number: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day_number)


def site_arrays(site: Site) -> SiteArrays:
    """The arrays of a min-connection problem for the site's installed assets.

    Raises
    ------
    InputError
        If the base load is negative somewhere (own generation belongs in ``[pv]``).
    """
    load = site.load_kw.to_numpy(dtype=float)
    if bool((load < 0).any()):
        at = int(np.argmax(load < 0))
        raise InputError(
            f"expected a base load >= 0 kW, got {load[at]:g} kW at "
            f"{site.index[at].isoformat()} (put own generation in [pv])",
            field="load",
        )
    pv = np.zeros_like(load)
    if site.pv is not None and site.pv.kwp > 0:
        pv = site.pv.kw_per_kwp.to_numpy(dtype=float) * site.pv.kwp
    curtail_total = float(sum(c.max_kw for c in site.curtailable))
    curtail = np.minimum(curtail_total, load)
    export = site.connection.export_kw
    occurrences, missing = occurrences_of(site)
    return SiteArrays(
        load_kw=load,
        pv_kw=pv,
        curtail_max_kw=curtail,
        net_kw=load - curtail - pv,
        restriction_kw=site.connection.restriction_kw(site.index),
        export_kw=np.inf if export is None else float(export),
        occurrences=occurrences,
        missing=missing,
    )


def occurrence_reason(
    site: Site, occurrences: tuple[Occurrence, ...], missing: tuple[tuple[int, dt.date], ...]
) -> str | None:
    """A shiftable occurrence that no dispatch can serve, in words; ``None`` if there is none.

    Shared by the fast engine and the LP so that both name the same load, day and shortfall.
    """
    for number, day in missing:
        load = site.shiftable[number]
        return (
            f"shiftable load {load.name!r} needs {load.daily_kwh:g} kWh on {day}, but its "
            f"window {load.window} does not occur that day (the clocks skip that hour)"
        )
    for occ in occurrences:
        load = site.shiftable[occ.load]
        most = load.max_kw * occ.steps * HOURS_PER_STEP
        if most < occ.energy_kwh * (1 - 1e-12) - 1e-9:
            return (
                f"shiftable load {load.name!r} needs {occ.energy_kwh:g} kWh on {occ.day} "
                f"inside its window {load.window}, but {load.max_kw:g} kW for "
                f"{occ.steps * HOURS_PER_STEP:g} h delivers at most {most:g} kWh"
            )
    return None
