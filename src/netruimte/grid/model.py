"""Stations in a hierarchy, reinforcements over time and headroom at every node.

The grid is a forest of stations: a TenneT region at the top, HV/MV stations below it and,
optionally, MV stations below those (any depth is accepted). Each station has an offtake
capacity and, optionally, a feed-in capacity (MW); a station without ``feedin_mw`` does not
limit feed-in. Existing load is a peak (``load_mw``) or a 15-minute profile of one
representative year (``load_profile_mw``, see :mod:`netruimte.grid.representative`).
Reinforcements add MW from a date on; a reinforcement may carry a delay distribution, used by
Monte Carlo runs only.

Headroom at a node, in one direction, is ``capacity − existing load − granted``, where granted
counts every granted request in the node's subtree (a request loads its own station and every
ancestor).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from netruimte.conventions import FloatArray, IntArray
from netruimte.errors import InputError

__all__ = [
    "DelayDistribution",
    "Direction",
    "Grid",
    "Reinforcement",
    "Station",
    "headroom_over_time",
    "monthly_moments",
    "shift_by_months",
]


CONGESTION_STUDY = ("announced", "study", "result")
"""A station's congestion-study state (Netcode art. 9.9/9.10): announced, study running, result."""


class Direction(StrEnum):
    """Direction of a capacity: offtake (import) or feed-in (export)."""

    OFFTAKE = "offtake"
    FEEDIN = "feed-in"

    @property
    def axis(self) -> int:
        """0 for offtake, 1 for feed-in (the position on the direction axis of arrays)."""
        return 0 if self is Direction.OFFTAKE else 1


_DELAY_KINDS = ("triangular", "uniform", "pert", "fixed")


@dataclass(frozen=True, slots=True)
class DelayDistribution:
    """A reinforcement's delay in months, drawn in Monte Carlo runs only.

    Parameters
    ----------
    distribution
        ``"triangular"`` (min, mode, max), ``"pert"`` (beta-PERT on min, mode, max),
        ``"uniform"`` (min, max) or ``"fixed"`` (``mode_months``, no randomness).
    min_months, mode_months, max_months
        Months of delay; ``min_months <= mode_months <= max_months``. Fractional months are
        allowed (see :func:`shift_by_months`).
    """

    distribution: str
    min_months: float = 0.0
    mode_months: float = 0.0
    max_months: float = 0.0

    def __post_init__(self) -> None:
        if self.distribution not in _DELAY_KINDS:
            raise InputError(
                f"unknown delay distribution {self.distribution!r}; expected one of "
                f"{', '.join(_DELAY_KINDS)}",
                field="delay.distribution",
            )
        values = (self.min_months, self.mode_months, self.max_months)
        if not all(math.isfinite(v) for v in values):
            raise InputError("delay months must be finite numbers", field="delay")
        if self.distribution == "fixed":
            if self.mode_months < 0:
                raise InputError("a fixed delay must be >= 0 months", field="delay.mode_months")
            return
        if self.min_months < 0:
            raise InputError("delay min_months must be >= 0", field="delay.min_months")
        if self.distribution == "uniform":
            if self.max_months < self.min_months:
                raise InputError("delay needs min_months <= max_months", field="delay.max_months")
            return
        if not self.min_months <= self.mode_months <= self.max_months:
            raise InputError(
                "delay needs min_months <= mode_months <= max_months "
                f"(got {self.min_months}, {self.mode_months}, {self.max_months})",
                field="delay",
            )

    def sample(self, rng: np.random.Generator, size: int | None = None) -> FloatArray:
        """Draw ``size`` delays (months) with the injected generator."""
        n = 1 if size is None else size
        lo, mode, hi = self.min_months, self.mode_months, self.max_months
        if self.distribution == "fixed":
            return np.full(n, mode)
        if self.distribution == "uniform":
            return rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)
        if hi <= lo:
            return np.full(n, lo)
        if self.distribution == "triangular":
            return rng.triangular(lo, mode, hi, n)
        # beta-PERT: shape 4 around the mode (Malcolm et al. 1959)
        alpha = 1.0 + 4.0 * (mode - lo) / (hi - lo)
        beta = 1.0 + 4.0 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(alpha, beta, n)

    def mean_months(self) -> float:
        """Expected delay in months."""
        lo, mode, hi = self.min_months, self.mode_months, self.max_months
        if self.distribution == "fixed":
            return mode
        if self.distribution == "uniform":
            return (lo + hi) / 2.0
        if self.distribution == "triangular":
            return (lo + mode + hi) / 3.0
        return (lo + 4.0 * mode + hi) / 6.0


def shift_by_months(day: dt.date, months: float) -> dt.date:
    """``day`` moved by a (fractional) number of months.

    Whole months are calendar months (the day clamped to the month's length); the fraction is
    ``round(fraction × 365.25 / 12)`` days.
    """
    whole = math.floor(months)
    y, m = divmod(day.month - 1 + whole, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    moved = dt.date(year, month, min(day.day, last))
    return moved + dt.timedelta(days=round((months - whole) * 365.25 / 12.0))


def _finite(value: float, name: str, where: str, *, minimum: float | None = 0.0) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise InputError(f"{where}: expected a finite number, got {value!r}", field=name)
    if minimum is not None and value < minimum:
        raise InputError(f"{where}: must be >= {minimum:g}, got {value:g}", field=name)


@dataclass(frozen=True, slots=True)
class Station:
    """A node of the grid: a TenneT region, an HV/MV station or an MV station.

    Parameters
    ----------
    id
        Unique identifier.
    offtake_mw
        Offtake (import) capacity, MW.
    load_mw
        Existing peak offtake already in use or contracted, MW. With a profile and no value
        given, use the profile's maximum.
    name
        Display name.
    parent
        Id of the parent station, or None for a top node.
    feedin_mw
        Feed-in capacity, MW; None means the node does not limit feed-in.
    feedin_load_mw
        Existing peak feed-in, MW.
    load_profile_mw
        Existing offtake per quarter-hour of a representative period (MW), or None.
    feedin_load_profile_mw
        Existing feed-in per quarter-hour of a representative period (MW), or None.
    voltage_kv
        Nominal (upper) voltage of the station, informative. Use it or lose it goes by the
        connection's voltage, not this one.
    connection_kv
        Voltage customers connect at here (kV, default 10); the default of a request's
        ``connection_kv`` (use-it-or-lose-it threshold: 1 MW below 110 kV, 10 MW at or above).
    small_consumer_reserve_mw
        Room the operator reserves for small consumers (MW) before they join the waiting list
        (2026-07-01); None means not modelled: small consumers then draw no queue headroom.
    lat, lon
        Optional WGS84 coordinates (degrees) for the capacity map.
    aggregated
        True for a modelling device that stands for many stations at once (such as the rest of
        a TenneT region): it takes part in the allocation like any node, but reports and maps
        show it apart so it does not squash the real stations.
    """

    id: str
    offtake_mw: float
    load_mw: float = 0.0
    name: str = ""
    parent: str | None = None
    feedin_mw: float | None = None
    feedin_load_mw: float = 0.0
    load_profile_mw: FloatArray | None = field(default=None, compare=False, repr=False)
    feedin_load_profile_mw: FloatArray | None = field(default=None, compare=False, repr=False)
    voltage_kv: float | None = None
    connection_kv: float = 10.0
    small_consumer_reserve_mw: float | None = None
    lat: float | None = None
    lon: float | None = None
    aggregated: bool = False
    congestion_study: str | None = None

    def __post_init__(self) -> None:
        where = f"station {self.id!r}"
        if self.congestion_study is not None and self.congestion_study not in CONGESTION_STUDY:
            raise InputError(
                f"{where}: congestion_study must be one of {', '.join(CONGESTION_STUDY)}, got "
                f"{self.congestion_study!r}",
                field="congestion_study",
            )
        if not isinstance(self.id, str) or not self.id.strip():
            raise InputError("a station needs a non-empty string id", field="id")
        _finite(self.offtake_mw, "offtake_mw", where)
        _finite(self.load_mw, "load_mw", where)
        _finite(self.feedin_load_mw, "feedin_load_mw", where)
        if self.feedin_mw is not None:
            _finite(self.feedin_mw, "feedin_mw", where)
        if self.voltage_kv is not None:
            _finite(self.voltage_kv, "voltage_kv", where)
        _finite(self.connection_kv, "connection_kv", where)
        if self.connection_kv <= 0:
            raise InputError(f"{where}: connection_kv must be > 0", field="connection_kv")
        if self.small_consumer_reserve_mw is not None:
            _finite(self.small_consumer_reserve_mw, "small_consumer_reserve_mw", where)
        for name, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
            value = getattr(self, name)
            if value is not None:
                _finite(value, name, where, minimum=None)
                if not lo <= value <= hi:
                    raise InputError(
                        f"{where}: {name} must be between {lo:g} and {hi:g} degrees", field=name
                    )
        for name in ("load_profile_mw", "feedin_load_profile_mw"):
            profile = getattr(self, name)
            if profile is None:
                continue
            arr = np.array(profile, dtype=np.float64)
            if arr.ndim != 1 or arr.size == 0 or arr.size % 96 != 0:
                raise InputError(
                    f"{where}: a load profile needs whole days of 96 quarter-hours, "
                    f"got {arr.size} values",
                    field=name,
                )
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise InputError(
                    f"{where}: load profile values must be finite and >= 0", field=name
                )
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def display_name(self) -> str:
        """The name, or the id when no name is given."""
        return self.name or self.id

    def capacity_mw(self, direction: Direction) -> float:
        """Capacity in a direction; ``inf`` for feed-in at a node without ``feedin_mw``."""
        if direction is Direction.OFFTAKE:
            return self.offtake_mw
        return math.inf if self.feedin_mw is None else self.feedin_mw

    def peak_load_mw(self, direction: Direction) -> float:
        """Existing peak load in a direction (MW)."""
        return self.load_mw if direction is Direction.OFFTAKE else self.feedin_load_mw

    def load_profile(self, direction: Direction) -> FloatArray | None:
        """Existing load profile in a direction (MW per quarter-hour), or None."""
        if direction is Direction.OFFTAKE:
            return self.load_profile_mw
        return self.feedin_load_profile_mw


@dataclass(frozen=True, slots=True)
class Reinforcement:
    """Capacity added at a station from a date on.

    Parameters
    ----------
    id
        Unique identifier (e.g. ``"ALM-2030"``).
    station
        Id of the station that gets the capacity.
    date
        Planned date; the capacity counts from the first allocation moment on or after it.
    offtake_mw, feedin_mw
        MW added in each direction (>= 0).
    delay
        Optional delay distribution (Monte Carlo only).
    """

    id: str
    station: str
    date: dt.date
    offtake_mw: float = 0.0
    feedin_mw: float = 0.0
    delay: DelayDistribution | None = None

    def __post_init__(self) -> None:
        where = f"reinforcement {self.id!r}"
        if not isinstance(self.id, str) or not self.id.strip():
            raise InputError("a reinforcement needs a non-empty string id", field="id")
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            raise InputError(f"{where}: date must be a calendar date", field="date")
        _finite(self.offtake_mw, "offtake_mw", where)
        _finite(self.feedin_mw, "feedin_mw", where)

    def mw(self, direction: Direction) -> float:
        """MW added in a direction."""
        return self.offtake_mw if direction is Direction.OFFTAKE else self.feedin_mw


def monthly_moments(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """Allocation moments: ``start`` and the first day of every month after it, before ``end``.

    The horizon is half-open: ``end`` itself is not a moment.
    """
    if end <= start:
        raise InputError(f"end {end} must be after start {start}", field="end")
    out = [start]
    year, month = start.year, start.month
    while True:
        month += 1
        if month == 13:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day >= end:
            break
        out.append(day)
    return tuple(out)


@dataclass(frozen=True)
class Grid:
    """Stations, their hierarchy and the reinforcements planned for them.

    Construction validates everything: duplicate ids, unknown parents, cycles, reinforcements
    at unknown stations, feed-in reinforcements at nodes without a feed-in limit, and profile
    lengths (all profiles share one length).
    """

    stations: tuple[Station, ...]
    reinforcements: tuple[Reinforcement, ...] = ()
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _ancestors: IntArray = field(init=False, repr=False, compare=False)
    _order: IntArray = field(init=False, repr=False, compare=False)
    _profile_steps: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stations = tuple(self.stations)
        object.__setattr__(self, "stations", stations)
        object.__setattr__(self, "reinforcements", tuple(self.reinforcements))
        if not stations:
            raise InputError("a grid needs at least one station", field="station")
        index: dict[str, int] = {}
        for i, st in enumerate(stations):
            if st.id in index:
                raise InputError(f"duplicate station id {st.id!r}", field="station.id")
            index[st.id] = i
        n = len(stations)
        parent = np.full(n, -1, dtype=np.int64)
        for i, st in enumerate(stations):
            if st.parent is None:
                continue
            if st.parent not in index:
                raise InputError(
                    f"station {st.id!r} names unknown parent {st.parent!r}", field="parent"
                )
            parent[i] = index[st.parent]
        # depth-first walk up from each node detects cycles and gives the ancestor lists
        chains: list[list[int]] = []
        for i in range(n):
            chain = [i]
            seen = {i}
            j = int(parent[i])
            while j >= 0:
                if j in seen:
                    ring = " -> ".join(stations[k].id for k in [*chain, j])
                    raise InputError(f"cycle in the station hierarchy: {ring}", field="parent")
                chain.append(j)
                seen.add(j)
                j = int(parent[j])
            chains.append(chain)
        depth = max(len(c) for c in chains)
        anc = np.full((n, depth), -1, dtype=np.int64)
        for i, chain in enumerate(chains):
            anc[i, : len(chain)] = chain
        order = np.argsort([len(c) for c in chains], kind="stable")  # top nodes first
        steps = 0
        for st in stations:
            for prof in (st.load_profile_mw, st.feedin_load_profile_mw):
                if prof is None:
                    continue
                if steps and prof.size != steps:
                    raise InputError(
                        f"station {st.id!r}: load profile has {prof.size} values, other "
                        f"profiles have {steps}; all must cover the same representative period",
                        field="load_csv",
                    )
                steps = prof.size
        rids: set[str] = set()
        for rf in self.reinforcements:
            if rf.id in rids:
                raise InputError(f"duplicate reinforcement id {rf.id!r}", field="reinforcement.id")
            rids.add(rf.id)
            if rf.station not in index:
                raise InputError(
                    f"reinforcement {rf.id!r} names unknown station {rf.station!r}",
                    field="station",
                )
            if rf.feedin_mw > 0 and stations[index[rf.station]].feedin_mw is None:
                raise InputError(
                    f"reinforcement {rf.id!r} adds feed-in capacity at {rf.station!r}, which "
                    "has no feedin_mw (it does not limit feed-in); give the station a feedin_mw",
                    field="feedin_mw",
                )
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_ancestors", anc)
        object.__setattr__(self, "_order", order.astype(np.int64))
        object.__setattr__(self, "_profile_steps", steps)

    # -- topology ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.stations)

    @property
    def ids(self) -> tuple[str, ...]:
        """Station ids in the order given."""
        return tuple(st.id for st in self.stations)

    def index(self, station_id: str) -> int:
        """Position of a station; raises InputError for an unknown id."""
        try:
            return self._index[station_id]
        except KeyError:
            raise InputError(f"unknown station {station_id!r}", field="station") from None

    def has(self, station_id: str) -> bool:
        """Whether a station id exists."""
        return station_id in self._index

    def station(self, station_id: str) -> Station:
        """The station with this id."""
        return self.stations[self.index(station_id)]

    @property
    def ancestors(self) -> IntArray:
        """``(n, depth)`` table: each row is the station itself, then its ancestors, -1 padded."""
        return self._ancestors

    def path(self, station_id: str) -> tuple[str, ...]:
        """The station and its ancestors, bottom-up."""
        row = self._ancestors[self.index(station_id)]
        return tuple(self.stations[int(j)].id for j in row if j >= 0)

    @property
    def top_down_order(self) -> IntArray:
        """Station positions ordered so that every parent comes before its children."""
        return self._order

    @property
    def profile_steps(self) -> int:
        """Length of the stations' load profiles (0 when no station has one)."""
        return self._profile_steps

    @property
    def has_profiles(self) -> bool:
        """Whether any station has a load profile."""
        return self._profile_steps > 0

    # -- capacity over time -----------------------------------------------------------------
    def reinforcement_moments(
        self, moments: Sequence[dt.date], delays_months: Sequence[float] | None = None
    ) -> IntArray:
        """Index of the first moment on or after each reinforcement's (delayed) date.

        ``len(moments)`` means "after the horizon".
        """
        days = np.array([m.toordinal() for m in moments], dtype=np.int64)
        out = np.empty(len(self.reinforcements), dtype=np.int64)
        for k, rf in enumerate(self.reinforcements):
            when = rf.date
            if delays_months is not None:
                when = shift_by_months(when, float(delays_months[k]))
            out[k] = int(np.searchsorted(days, when.toordinal(), side="left"))
        return out

    def capacity_mw(
        self,
        moments: Sequence[dt.date],
        *,
        reinforcement_moments: IntArray | None = None,
    ) -> FloatArray:
        """Capacity at every node and moment: array ``(2, n_stations, n_moments)`` in MW.

        Axis 0 is the direction (0 offtake, 1 feed-in); feed-in at a node without
        ``feedin_mw`` is ``inf``.
        """
        n_m = len(moments)
        cap = np.empty((2, len(self.stations), n_m), dtype=np.float64)
        for i, st in enumerate(self.stations):
            cap[0, i, :] = st.offtake_mw
            cap[1, i, :] = math.inf if st.feedin_mw is None else st.feedin_mw
        at = (
            self.reinforcement_moments(moments)
            if reinforcement_moments is None
            else reinforcement_moments
        )
        for k, rf in enumerate(self.reinforcements):
            m = int(at[k])
            if m >= n_m:
                continue
            i = self._index[rf.station]
            cap[0, i, m:] += rf.offtake_mw
            cap[1, i, m:] += rf.feedin_mw
        return cap

    def peak_load_mw(self) -> FloatArray:
        """Existing peak load ``(2, n_stations)`` in MW."""
        out = np.empty((2, len(self.stations)), dtype=np.float64)
        for i, st in enumerate(self.stations):
            out[0, i] = st.load_mw
            out[1, i] = st.feedin_load_mw
        return out

    def subtree_sum(self, per_station: FloatArray) -> FloatArray:
        """Sum a per-station quantity (last axis = stations) over each node's subtree."""
        out = np.zeros_like(per_station)
        for i in range(len(self.stations)):
            for j in self._ancestors[i]:
                if j < 0:
                    break
                out[..., int(j)] += per_station[..., i]
        return out

    def reinforcements_on_path(self, station_id: str) -> tuple[Reinforcement, ...]:
        """Reinforcements at the station or any ancestor, by date."""
        path = set(self.path(station_id))
        found = [rf for rf in self.reinforcements if rf.station in path]
        return tuple(sorted(found, key=lambda rf: (rf.date, rf.id)))


def headroom_over_time(
    grid: Grid,
    moments: Sequence[dt.date],
    direction: Direction | str = Direction.OFFTAKE,
    *,
    granted_mw: FloatArray | None = None,
) -> pd.DataFrame:
    """Headroom at every node and moment, MW: capacity − existing peak load − granted.

    Parameters
    ----------
    grid
        The grid.
    moments
        Allocation moments (see :func:`monthly_moments`).
    direction
        ``"offtake"`` or ``"feed-in"``.
    granted_mw
        Optional ``(n_stations, n_moments)`` MW granted in each node's subtree (e.g. from a
        simulation result); zero when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per moment, one column per station id.
    """
    d = Direction(direction)
    cap = grid.capacity_mw(moments)[d.axis]
    load = grid.peak_load_mw()[d.axis][:, None]
    head = cap - load
    if granted_mw is not None:
        granted = np.asarray(granted_mw, dtype=np.float64)
        if granted.shape != head.shape:
            raise InputError(
                f"granted_mw must have shape {head.shape}, got {granted.shape}", field="granted_mw"
            )
        head = head - granted
    return pd.DataFrame(
        head.T, index=pd.Index(list(moments), name="moment"), columns=list(grid.ids)
    )
