"""The numeric side of assembling results: kernel arrays read once, facts shared by requests.

A national run has ~22,600 requests on ~300 stations. Reading a numpy array one element at a
time costs about ten times a list's item, and most facts an explanation needs (the works on a
path, the smallest room along it, who was offered room at a node) are the same for every
request at one station in one direction. So :mod:`netruimte.waitlist.explain` reads the arrays
here once, as lists, and asks for the per-path facts once per (station, direction).
"""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np

from netruimte.conventions import IntArray
from netruimte.grid.model import Direction, Reinforcement
from netruimte.waitlist.engine import CompiledScenario
from netruimte.waitlist.kernel_types import WAITING
from netruimte.waitlist.requests import Contract
from netruimte.waitlist.result import StationOutcome
from netruimte.waitlist.run import RawOutcome, profile_alternatives
from netruimte.waitlist.scenario import CapacityMode

__all__ = ["Facts", "OffersAt", "PathFacts", "alternatives", "percentiles", "stations"]

_ALT_NAMES = ("time-block", "tdtr", "non-firm")
_WAYS = (Direction.OFFTAKE, Direction.FEEDIN)

Works = list[tuple[Reinforcement, int]]
"""Works with the moment each counts from (the kernel's, delays included)."""


class Facts:
    """Per-request arrays of a compiled scenario and a kernel run, as Python lists.

    The values are those of the arrays (``tolist`` gives the same floats and ints), so every
    number derived from them is bit for bit what element-wise reads would give.
    """

    def __init__(self, c: CompiledScenario, raw: RawOutcome) -> None:
        self.station: list[int] = c.station.tolist()
        self.direction: list[int] = c.direction.tolist()
        self.start_m: list[int] = c.start_m.tolist()
        self.mw: list[float] = c.mw.tolist()
        self.used_mw: list[float] = c.used_mw.tolist()
        self.sc_node: list[int] = c.sc_node.tolist()
        self.regime_of_moment: list[int] = c.regime_of_moment.tolist()
        self.status: list[int] = raw.walk.status.tolist()
        self.grant_m: list[int] = raw.walk.grant_m.tolist()
        self.withdrawn_m: list[int] = raw.walk.withdrawn_m.tolist()
        self.released_m: list[int] = raw.walk.released_m.tolist()
        self.last_m: list[int] = raw.walk.last_m.tolist()
        self.rank_pos: list[int] = raw.walk.rank_pos.tolist()
        self.ahead_mw: list[float] = raw.walk.ahead_mw.tolist()
        self.fail_node: list[int] = raw.walk.fail_node.tolist()
        self.fail_kind: list[int] = raw.walk.fail_kind.tolist()
        self.granted_mw: list[float] = raw.walk.granted_mw.tolist()
        self.outside: list[bool] = raw.walk.outside.tolist()
        self.alt_used: list[int] = raw.walk.alt_used.tolist()
        # (moment, direction, node) counts; only read at a request's last moment
        self.pending_count: list[list[list[int]]] = raw.walk.pending_count.tolist()


class PathFacts:
    """Facts of a station's path (itself and every node above it), computed once per path.

    ``works(s, d)``: every work on the path that adds capacity in direction ``d``, ordered by
    the moment it counts, then date and id. ``later(s, d)``: those counting after the last
    moment, by date and id. ``room_end(d)``: the room at every node after the last moment.
    """

    def __init__(self, c: CompiledScenario, raw: RawOutcome) -> None:
        grid = c.scenario.grid
        self.anc = c.anc
        self.last = len(c.moments) - 1
        self.rf_node = [grid.index(rf.station) for rf in grid.reinforcements]
        self.rf_m: list[int] = raw.reinforcement_m.tolist()
        self._rf_at: dict[int, list[int]] = {}  # node -> its works (positions)
        for k, node in enumerate(self.rf_node):
            self._rf_at.setdefault(node, []).append(k)
        self.room_hist = raw.walk.room_hist_mw
        self._room_end: list[list[float]] = raw.walk.room_hist_mw[:, :, self.last].tolist()
        self._paths: dict[int, list[int]] = {}
        self._works: dict[tuple[int, int], Works] = {}
        self._later: dict[tuple[int, int], Works] = {}
        self._min_room: dict[tuple[int, int], float] = {}
        self._rfs = grid.reinforcements

    def path(self, s: int) -> list[int]:
        """The nodes from station ``s`` up to its top node."""
        out = self._paths.get(s)
        if out is None:
            out = self._paths[s] = [int(j) for j in self.anc[s] if j >= 0]
        return out

    def works(self, s: int, d: int) -> Works:
        """Works on the path of ``s`` adding capacity in direction ``d``, in moment order."""
        key = (s, d)
        out = self._works.get(key)
        if out is None:
            way = _WAYS[d]
            rfs, rf_m = self._rfs, self.rf_m
            out = sorted(
                (
                    (rfs[k], rf_m[k])
                    for j in self.path(s)
                    for k in self._rf_at.get(j, ())
                    if rfs[k].mw(way) > 0
                ),
                key=lambda x: (x[1], x[0].date, x[0].id),
            )
            self._works[key] = out
        return out

    def later(self, s: int, d: int) -> Works:
        """The works of :meth:`works` that count after the last moment, by date and id."""
        key = (s, d)
        out = self._later.get(key)
        if out is None:
            out = self._later[key] = later_works(self.works(s, d), self.last)
        return out

    def room_end(self, d: int) -> list[float]:
        """Room (MW) at every node after the last moment, direction ``d``."""
        return self._room_end[d]

    def min_room_end(self, s: int, d: int) -> float:
        """The smallest room along the path of ``s`` after the last moment."""
        key = (s, d)
        out = self._min_room.get(key)
        if out is None:
            room = self._room_end[d]
            out = self._min_room[key] = min(room[j] for j in self.path(s))
        return out


def later_works(path_rf: Works, last: int) -> Works:
    """Works counting after moment ``last``, by date and id."""
    return sorted(((rf, j) for rf, j in path_rf if j > last), key=lambda x: (x[0].date, x[0].id))


class OffersAt:
    """Offers made on paths through each node, by (node, direction), in moment order.

    Offers to small consumers served outside the queue are left out. Built in one pass over
    all offers; :meth:`between` then finds a node's offers in a span of moments by binary
    search. Each offer carries the regime in force at its moment and the rank of the request
    it went to under that regime (``pos[regime, request]``), so comparing ranks with another
    request costs one gather from that request's few ranks.
    """

    def __init__(self, c: CompiledScenario, raw: RawOutcome, pos: IntArray) -> None:
        keep = ~raw.walk.outside[raw.offer_r] if raw.offer_r.size else np.zeros(0, dtype=np.bool_)
        r = raw.offer_r[keep]
        m = raw.offer_m[keep]
        nodes = c.anc[c.station[r]]  # (offers, depth): each offer's path, -1 padded
        which = np.repeat(np.arange(r.size), nodes.shape[1])
        flat = nodes.ravel()
        valid = flat >= 0
        which, flat = which[valid], flat[valid]
        key = flat * 2 + c.direction[r][which]
        # by (node, direction), then in the order logged (the kernel logs moment by moment)
        order = np.lexsort((which, key))
        take = which[order]
        self._key: list[int] = key[order].tolist()
        self._m: list[int] = m[take].tolist()
        self.r = r[take]
        self.regime = c.regime_of_moment[m[take]]
        self.rank = pos[self.regime, self.r]

    def between(self, node: int, d: int, first_m: int, last_m: int) -> slice:
        """Where the offers through ``node`` in direction ``d`` in moments ``first..last`` are
        (a slice of :attr:`r`, :attr:`regime` and :attr:`rank`)."""
        key = node * 2 + d
        lo = bisect.bisect_left(self._key, key)
        hi = bisect.bisect_right(self._key, key, lo)
        a = bisect.bisect_left(self._m, first_m, lo, hi)
        return slice(a, bisect.bisect_right(self._m, last_m, a, hi))


def alternatives(c: CompiledScenario, raw: RawOutcome, paths: PathFacts) -> dict[int, str]:
    """What would fit now for firm requests still waiting at the end (docs/rules.md)."""
    reqs = c.scenario.requests
    waiting = np.flatnonzero(
        (raw.walk.status == WAITING)
        & (raw.walk.last_m >= 0)
        & np.array([r.contract is Contract.FIRM for r in reqs], dtype=np.bool_)
    )
    out: dict[int, str] = {}
    if c.mode is CapacityMode.PROFILE:
        flags = profile_alternatives(c, raw, waiting.astype(np.int64)).tolist()
        for k, i in enumerate(waiting.tolist()):
            fit = [_ALT_NAMES[a] for a in range(3) if flags[k][a]]
            if fit:
                out[i] = f"would fit now as {' or '.join(fit)}"
        return out
    station, direction = c.station.tolist(), c.direction.tolist()
    for i in waiting.tolist():
        room = paths.min_room_end(station[i], direction[i])
        if room * 1000 >= 1.0:
            out[i] = f"a firm request of up to {room * 1000:.0f} kW would fit now"
    return out


Percentiles = tuple[dt.date | None, dt.date | None, dt.date | None, float | None]


def percentiles(
    moments: tuple[dt.date, ...], grants: IntArray | None, n_requests: int
) -> list[Percentiles]:
    """P10/P50/P90 grant dates and the withdrawal share of every request (all at once).

    ``grants``: Monte Carlo grant moments, shape ``(runs, n_requests)``, -1 never, -2
    withdrawn in that run. Over the runs a request did not withdraw itself, the q-percentile is
    the ``max(ceil(q n) - 1, 0)``-th smallest grant moment, "never" sorting after every moment;
    None when that is never, or when it withdrew in every run.
    """
    if grants is None:
        return [(None, None, None, None)] * n_requests
    n_m = len(moments)
    n_runs = grants.shape[0]
    withdrawn = grants == -2
    n_out = withdrawn.sum(axis=0)
    stay = n_runs - n_out
    # "never" sorts after every moment and the withdrawn runs after that, out of the way:
    # the first ``stay`` sorted values of a column are the grant moments of its other runs
    keyed = np.where(grants == -1, n_m, grants)
    keyed[withdrawn] = n_m + 1
    keyed.sort(axis=0)
    share = (n_out / n_runs).tolist()
    cols = np.arange(grants.shape[1])
    picks = []
    for q in (0.1, 0.5, 0.9):
        k = np.maximum(np.ceil(q * stay - 1e-9).astype(np.int64) - 1, 0)
        picks.append(keyed[np.minimum(k, n_runs - 1), cols].tolist())
    date = [*moments, None, None]  # n_m: never within the horizon
    out: list[Percentiles] = []
    for i, n in enumerate(stay.tolist()):
        if n == 0:
            out.append((None, None, None, share[i]))
        else:
            out.append((date[picks[0][i]], date[picks[1][i]], date[picks[2][i]], share[i]))
    return out


def stations(c: CompiledScenario, raw: RawOutcome, paths: PathFacts) -> tuple[StationOutcome, ...]:
    """Every node at the end of the horizon (subtree sums; see :class:`StationOutcome`)."""
    grid = c.scenario.grid
    n = len(grid)
    last = len(c.moments) - 1
    held = (
        raw.walk.granted_mw > 0
    ) & ~raw.walk.outside  # small consumers on reserved room excluded
    waiting = (raw.walk.status == WAITING) & (raw.walk.last_m >= 0)
    contracted = np.where(raw.walk.released_m >= 0, c.used_mw, raw.walk.granted_mw)
    rest = c.mw - raw.walk.granted_mw
    own = np.zeros((2, 2, n))  # (allocated | waiting, direction, node)
    count = np.zeros((2, n))
    for d in range(2):
        sel = c.direction == d
        own[0, d] = np.bincount(c.station[sel & held], contracted[sel & held], minlength=n)
        own[1, d] = np.bincount(c.station[sel & waiting], rest[sel & waiting], minlength=n)
        count[d] = np.bincount(c.station[sel & waiting], minlength=n)
    sub = grid.subtree_sum(own).tolist()
    sub_count = grid.subtree_sum(count).tolist()
    # the first year a work after the horizon adds capacity, per node and direction
    first_year: list[dict[int, int]] = [{}, {}]
    for k, rf in enumerate(grid.reinforcements):
        if paths.rf_m[k] <= last:
            continue
        for d, way in enumerate(_WAYS):
            if rf.mw(way) > 0:
                node = paths.rf_node[k]
                year = first_year[d].get(node)
                first_year[d][node] = rf.date.year if year is None else min(year, rf.date.year)
    cap = raw.cap[:, :, last].tolist()
    room = raw.walk.room_hist_mw[:, :, last].tolist()
    out = []
    for i, st in enumerate(grid.stations):
        years: list[int | None] = []
        for d in range(2):
            found = [first_year[d][j] for j in paths.path(i) if j in first_year[d]]
            years.append(min(found) if found else None)
        out.append(
            StationOutcome(
                id=st.id,
                name=st.display_name,
                parent=st.parent,
                offtake_mw=cap[0][i],
                allocated_mw=sub[0][0][i],
                waiting_mw=sub[1][0][i],
                waiting_count=int(sub_count[0][i]),
                room_mw=room[0][i],
                feedin_mw=None if st.feedin_mw is None else cap[1][i],
                allocated_feedin_mw=sub[0][1][i],
                waiting_feedin_mw=sub[1][1][i],
                waiting_feedin_count=int(sub_count[1][i]),
                room_feedin_mw=room[1][i],
                alleviation_year=years[0],
                alleviation_feedin_year=years[1],
                lat=st.lat,
                lon=st.lon,
                congestion_study=st.congestion_study,
            )
        )
    return tuple(out)
