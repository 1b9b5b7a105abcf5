"""Numbers behind the waiting-list report and the CLI summary (pure, no I/O).

Everything here is derived from a :class:`netruimte.waitlist.SimulationResult` and the
:class:`netruimte.waitlist.Scenario` it came from:

* a per-request :class:`Timeline` (first moment it took part, when it left the queue);
* the queue (MW waiting) at every node after every moment, summed over each node's subtree,
  like ``waiting_mw`` of the Result JSON;
* waiting-time distributions per category with the Kaplan-Meier estimator, so that requests
  still waiting at the end of the horizon (or withdrawn) count for as long as they were seen
  waiting instead of being dropped or counted as never connected;
* the tables written by ``netruimte waitlist simulate --out`` (``requests.csv``,
  ``stations.csv``).

Waiting time is counted in months from the first allocation moment a request took part in
(the start of the horizon for a queue that existed then) to the moment it was granted, as in
the explanations ("after waiting 54 months"). Moments are monthly, so it is the difference of
moment indices.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from netruimte.conventions import BoolArray, FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.grid.model import Direction
from netruimte.waitlist import compile_scenario
from netruimte.waitlist.requests import Category, Status
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = [
    "CATEGORY_ORDER",
    "Timeline",
    "WaitCurve",
    "category_label",
    "category_summary",
    "compare_summary",
    "granted_mw_per_year",
    "group_by_top",
    "kaplan_meier",
    "queue_mw",
    "requests_frame",
    "stations_frame",
    "timeline",
    "top_stations",
    "wait_curves",
]


CATEGORY_ORDER: tuple[Category, ...] = (
    Category.CONGESTION_RELIEVER,
    Category.SAFETY,
    Category.BASIC_NEEDS,
    Category.NONE,
)
"""Categories in ranking order (1, 2, 3, then no priority)."""


def category_label(category: Category) -> str:
    """Plain words with the framework's number, e.g. ``"safety (2)"``."""
    if category is Category.NONE:
        return "no priority"
    return f"{category.label} ({category.number})"


@dataclass(frozen=True)
class Timeline:
    """Per-request moment indices of one result (arrays in the scenario's request order).

    ``took_part`` is False for a request that never took part within the horizon (submitted
    after it, a reservation not yet open, or withdrawn before its first moment). ``end_m`` is
    the moment it left the queue (granted or withdrawn), ``n_moments`` when it was still
    waiting at the end. ``wait_m`` is ``end_m - start_m`` for granted requests, else -1.
    ``offer_i``, ``offer_m``, ``offer_mw``: every offer (partial or the rest), by request
    index, moment index and MW.
    """

    moments: tuple[dt.date, ...]
    ids: tuple[str, ...]
    station: IntArray
    direction: IntArray
    mw: FloatArray
    category: tuple[Category, ...]
    status: tuple[Status, ...]
    took_part: BoolArray
    start_m: IntArray
    end_m: IntArray
    granted_m: IntArray
    wait_m: IntArray
    offer_i: IntArray
    offer_m: IntArray
    offer_mw: FloatArray

    def offered_mw(self) -> FloatArray:
        """MW granted to each request by the end, partial offers included."""
        held = np.zeros(self.mw.size)
        np.add.at(held, self.offer_i, self.offer_mw)
        return held

    @property
    def n_moments(self) -> int:
        """Number of allocation moments."""
        return len(self.moments)

    def mask(self, status: Status) -> BoolArray:
        """Requests that took part and ended in ``status``."""
        return self.took_part & np.array([s is status for s in self.status], dtype=np.bool_)


def _check_pair(scenario: Scenario, result: SimulationResult) -> None:
    if tuple(r.id for r in result.requests) != tuple(r.id for r in scenario.requests):
        raise InputError(
            "the result does not belong to this scenario (request ids differ)", field="result"
        )
    if result.moments != scenario.moments:
        raise InputError("the result does not belong to this scenario (moments differ)")


def timeline(scenario: Scenario, result: SimulationResult) -> Timeline:
    """The :class:`Timeline` of ``result`` (which must come from ``scenario``)."""
    _check_pair(scenario, result)
    start_m = compile_scenario(scenario, policy=result.policy, fit=result.fit).start_m.copy()
    moments = result.moments
    n_m = len(moments)
    index = {m: k for k, m in enumerate(moments)}
    grid = scenario.grid
    n = len(result.requests)
    end_m = np.full(n, n_m, dtype=np.int64)
    granted_m = np.full(n, -1, dtype=np.int64)
    for i, out in enumerate(result.requests):
        if out.granted_on is not None:
            granted_m[i] = end_m[i] = index[out.granted_on]
        elif out.withdrawn_on is not None:
            end_m[i] = index[out.withdrawn_on]
    # small consumers connected outside the queue (before 2026-07-01) have no rank but did
    # take part
    took_part = np.array(
        [out.rank is not None or out.outside_queue for out in result.requests], dtype=np.bool_
    )
    wait_m = np.where(granted_m >= 0, granted_m - start_m, -1).astype(np.int64)
    offers = [(i, index[o.on], o.kw / 1000.0) for i, out in enumerate(result.requests)
              for o in out.offers]  # fmt: skip
    return Timeline(
        moments=moments,
        ids=tuple(out.id for out in result.requests),
        station=np.array([grid.index(out.station) for out in result.requests], dtype=np.int64),
        direction=np.array([out.direction.axis for out in result.requests], dtype=np.int64),
        mw=np.array([out.kw for out in result.requests], dtype=np.float64) / 1000.0,
        category=tuple(out.category for out in result.requests),
        status=tuple(out.status for out in result.requests),
        took_part=took_part,
        start_m=start_m,
        end_m=end_m,
        granted_m=granted_m,
        wait_m=wait_m,
        offer_i=np.array([o[0] for o in offers], dtype=np.int64),
        offer_m=np.array([o[1] for o in offers], dtype=np.int64),
        offer_mw=np.array([o[2] for o in offers], dtype=np.float64),
    )


def queue_mw(
    scenario: Scenario,
    tl: Timeline,
    direction: Direction | str = Direction.OFFTAKE,
    *,
    subtree: bool = True,
) -> pd.DataFrame:
    """MW waiting after each moment's allocation, per node.

    One row per moment, one column per station id. With ``subtree`` (default) a node counts
    the requests at every station below it too, and the last row equals the stations'
    ``waiting_mw`` (offtake) or ``waiting_feedin_mw`` (feed-in); without it each node counts
    only the requests that asked at it, so the columns add up to the total queue.
    """
    d = Direction(direction).axis
    grid = scenario.grid
    n_m = tl.n_moments
    diff = np.zeros((n_m + 1, len(grid)), dtype=np.float64)
    sel = tl.took_part & (tl.direction == d)
    np.add.at(diff, (tl.start_m[sel], tl.station[sel]), tl.mw[sel])
    # every offer (partial or the rest) leaves the queue at its moment; a withdrawal takes
    # what is still waiting then
    on = sel[tl.offer_i]
    np.add.at(diff, (tl.offer_m[on], tl.station[tl.offer_i[on]]), -tl.offer_mw[on])
    held = tl.offered_mw()
    gone = sel & np.array([s is Status.WITHDRAWN for s in tl.status], dtype=np.bool_)
    np.add.at(diff, (tl.end_m[gone], tl.station[gone]), -(tl.mw[gone] - held[gone]))
    own = np.cumsum(diff[:n_m], axis=0)
    own[np.abs(own) < 1e-9] = 0.0  # cumulative sums leave rounding dust where the queue is empty
    return pd.DataFrame(
        grid.subtree_sum(own) if subtree else own,
        index=pd.Index(list(tl.moments), name="moment"),
        columns=list(grid.ids),
    )


def group_by_top(frame: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Sum per-station columns into one column per top-level station (e.g. TenneT region)."""
    grid = scenario.grid
    anc = grid.ancestors
    top = {sid: grid.stations[int(anc[i][anc[i] >= 0][-1])].id for i, sid in enumerate(grid.ids)}
    return frame.T.groupby(frame.columns.map(top), sort=False).sum().T


@dataclass(frozen=True)
class WaitCurve:
    """Kaplan-Meier estimate of the share connected within ``months`` (step function).

    ``connected[k]`` is the estimated share connected within ``months[k]`` months of taking
    part; ``followed`` is the longest time any request of the group was seen (months).
    """

    months: IntArray
    connected: FloatArray
    n: int
    followed: int

    def median_text(self) -> str:
        """The median wait in months, ``"> N"`` when not reached, ``"–"`` for no requests."""
        if self.n == 0:
            return "–"
        hit = np.flatnonzero(self.connected >= 0.5 - 1e-12)
        if hit.size:
            return str(int(self.months[hit[0]]))
        return f"> {self.followed}"


def kaplan_meier(durations: IntArray, observed: BoolArray) -> WaitCurve:
    """Kaplan-Meier estimate from whole-month durations.

    Parameters
    ----------
    durations
        Months until the grant (``observed``) or until the request was last seen waiting
        (censored: still waiting at the end, or last moment before it withdrew).
    observed
        True where the grant was observed.

    Returns
    -------
    WaitCurve
        The share connected at every month from 0 to the longest duration. A censored request
        stays in the risk set at its own duration (it was seen waiting then).
    """
    durations = np.asarray(durations, dtype=np.int64)
    observed = np.asarray(observed, dtype=np.bool_)
    n = int(durations.size)
    if n == 0:
        return WaitCurve(np.zeros(1, dtype=np.int64), np.zeros(1), 0, 0)
    top = int(durations.max())
    months = np.arange(top + 1, dtype=np.int64)
    events = np.bincount(durations[observed], minlength=top + 1).astype(np.float64)
    leaving = np.bincount(durations, minlength=top + 1).astype(np.float64)
    at_risk = n - np.concatenate(([0.0], np.cumsum(leaving)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(at_risk > 0, 1.0 - events / at_risk, 1.0)
    survival = np.cumprod(step).astype(np.float64)
    return WaitCurve(months, np.asarray(1.0 - survival, dtype=np.float64), n, top)


def _durations(tl: Timeline, sel: BoolArray) -> tuple[IntArray, BoolArray]:
    granted = tl.granted_m >= 0
    last_seen = np.where(granted, tl.granted_m, tl.end_m - 1)  # end_m: withdrawal or n_moments
    keep = sel & tl.took_part & (last_seen >= tl.start_m)
    return (last_seen - tl.start_m)[keep].astype(np.int64), granted[keep]


def wait_curves(
    tl: Timeline, direction: Direction | str | None = Direction.OFFTAKE
) -> dict[Category, WaitCurve]:
    """Kaplan-Meier waiting-time curve per category (of one direction, or all with None)."""
    out: dict[Category, WaitCurve] = {}
    base = np.ones(len(tl.ids), dtype=np.bool_)
    if direction is not None:
        base = tl.direction == Direction(direction).axis
    cats = np.array([c.value for c in tl.category])
    for cat in CATEGORY_ORDER:
        out[cat] = kaplan_meier(*_durations(tl, base & (cats == cat.value)))
    return out


def category_summary(tl: Timeline) -> pd.DataFrame:
    """Per category: requests, granted / waiting / withdrawn / not yet taking part, MW, wait.

    ``median wait`` is the Kaplan-Meier median in months (``"> N"`` when fewer than half are
    connected within the N months they were followed).
    """
    cats = np.array([c.value for c in tl.category])
    granted, waiting, withdrawn = (
        tl.mask(Status.GRANTED),
        tl.mask(Status.WAITING),
        tl.mask(Status.WITHDRAWN),
    )
    held = tl.offered_mw()
    rows = []
    for cat in CATEGORY_ORDER:
        sel = cats == cat.value
        if not sel.any():
            continue
        curve = kaplan_meier(*_durations(tl, sel))
        rows.append(
            {
                "category": category_label(cat),
                "requests": int(sel.sum()),
                "granted": int((sel & granted).sum()),
                "waiting": int((sel & waiting).sum()),
                "withdrawn": int((sel & withdrawn).sum()),
                "not yet in the list": int((sel & ~tl.took_part).sum()),
                # partial offers count as granted; only what is still asked waits
                "granted MW": float(held[sel].sum()),
                "waiting MW": float((tl.mw - held)[sel & waiting].sum()),
                "median wait (months)": curve.median_text(),
            }
        )
    return pd.DataFrame(rows)


def granted_mw_per_year(tl: Timeline) -> pd.DataFrame:
    """Granted MW per calendar year of each offer (partial offers in their own year):
    offtake per category, and feed-in."""
    years = sorted({m.year for m in tl.moments})
    cats = np.array([c.value for c in tl.category])[tl.offer_i]
    year_of = np.array([tl.moments[m].year for m in tl.offer_m], dtype=np.int64)
    direction = tl.direction[tl.offer_i]
    data: dict[str, list[float]] = {}
    for cat in CATEGORY_ORDER:
        sel = (cats == cat.value) & (direction == 0)
        data[f"offtake {category_label(cat)}"] = [
            float(tl.offer_mw[sel & (year_of == y)].sum()) for y in years
        ]
    feed = direction == 1
    data["feed-in (all)"] = [float(tl.offer_mw[feed & (year_of == y)].sum()) for y in years]
    return pd.DataFrame(data, index=pd.Index(years, name="year"))


def compare_summary(a: Timeline, b: Timeline, policy_a: str, policy_b: str) -> pd.DataFrame:
    """Per category: connected under each policy, median waits and who is earlier or later.

    ``b − a`` differences are in months, over requests granted under both policies.
    """
    cats = np.array([c.value for c in a.category])
    rows = []
    for cat in CATEGORY_ORDER:
        sel = (cats == cat.value) & a.took_part
        if not sel.any():
            continue
        both = sel & (a.granted_m >= 0) & (b.granted_m >= 0)
        delta = (b.granted_m - a.granted_m)[both]
        rows.append(
            {
                "category": category_label(cat),
                "requests": int(sel.sum()),
                f"granted ({policy_a})": int((sel & (a.granted_m >= 0)).sum()),
                f"granted ({policy_b})": int((sel & (b.granted_m >= 0)).sum()),
                f"median wait ({policy_a})": kaplan_meier(*_durations(a, sel)).median_text(),
                f"median wait ({policy_b})": kaplan_meier(*_durations(b, sel)).median_text(),
                f"sooner under {policy_b}": int((delta < 0).sum()),
                "same date": int((delta == 0).sum()),
                f"later under {policy_b}": int((delta > 0).sum()),
                "median change (months)": (float(np.median(delta)) if delta.size else math.nan),
            }
        )
    return pd.DataFrame(rows)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def requests_frame(scenario: Scenario, result: SimulationResult) -> pd.DataFrame:
    """One row per request and policy (the compare block's rows follow, ``policy`` says which).

    Columns: ``policy, id, applicant, station, direction, kw, contract, asked_category,
    category, status, rank, rank_of, ranked_on, ahead_mw, first_moment, granted_on,
    wait_months, withdrawn_on, released_on, binding_station, binding_room_mw,
    alternatives`` (``|``-separated), with Monte Carlo runs ``granted_p10, granted_p50,
    granted_p90, withdrawn_share``, and ``explanation``.
    """
    frames = []
    for res in (result, result.compare):
        if res is None:
            continue
        tl = timeline(scenario, res)
        n_m = tl.n_moments
        rows = []
        for i, (req, out) in enumerate(zip(scenario.requests, res.requests, strict=True)):
            row: dict[str, object] = {
                "policy": res.policy,
                "id": out.id,
                "applicant": req.applicant,
                "station": out.station,
                "direction": out.direction.value,
                "kw": out.kw,
                "contract": out.contract.value,
                "asked_category": out.asked_category.value,
                "category": out.category.value,
                "status": out.status.value,
                "rank": out.rank,
                "rank_of": out.rank_of,
                "ranked_on": _iso(out.ranked_on),
                "ahead_mw": out.ahead_mw,
                "first_moment": _iso(tl.moments[int(tl.start_m[i])])
                if tl.start_m[i] < n_m
                else None,
                "granted_on": _iso(out.granted_on),
                "wait_months": int(tl.wait_m[i]) if tl.wait_m[i] >= 0 else None,
                "withdrawn_on": _iso(out.withdrawn_on),
                "released_on": _iso(out.released_on),
                "binding_station": out.binding_station,
                "binding_room_mw": out.binding_room_mw,
                "alternatives": " | ".join(out.alternatives) or None,
            }
            if res.runs > 1:
                row["granted_p10"] = _iso(out.granted_p10)
                row["granted_p50"] = _iso(out.granted_p50)
                row["granted_p90"] = _iso(out.granted_p90)
                row["withdrawn_share"] = out.withdrawn_share
            row["explanation"] = out.explanation
            rows.append(row)
        frame = pd.DataFrame(rows)
        for col in ("rank", "rank_of", "wait_months"):
            frame[col] = frame[col].astype("Int64")
        for col in ("ahead_mw", "binding_room_mw"):
            frame[col] = frame[col].astype("float64").round(6)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def stations_frame(result: SimulationResult) -> pd.DataFrame:
    """One row per station and policy at the end of the horizon (MW; subtree sums).

    Columns: ``policy, id, name, parent, offtake_mw, allocated_mw, waiting_mw, waiting_count,
    room_mw, feedin_mw, allocated_feedin_mw, waiting_feedin_mw, waiting_feedin_count,
    room_feedin_mw, alleviation_year, alleviation_feedin_year``. Feed-in capacity and room
    are empty at nodes that do not limit feed-in.
    """
    rows = []
    for res in (result, result.compare):
        if res is None:
            continue
        for st in res.stations:
            rows.append(
                {
                    "policy": res.policy,
                    "id": st.id,
                    "name": st.name,
                    "parent": st.parent,
                    "offtake_mw": st.offtake_mw,
                    "allocated_mw": st.allocated_mw,
                    "waiting_mw": st.waiting_mw,
                    "waiting_count": st.waiting_count,
                    "room_mw": st.room_mw,
                    "feedin_mw": st.feedin_mw,
                    "allocated_feedin_mw": st.allocated_feedin_mw,
                    "waiting_feedin_mw": st.waiting_feedin_mw,
                    "waiting_feedin_count": st.waiting_feedin_count,
                    "room_feedin_mw": st.room_feedin_mw
                    if math.isfinite(st.room_feedin_mw)
                    else None,
                    "alleviation_year": st.alleviation_year,
                    "alleviation_feedin_year": st.alleviation_feedin_year,
                }
            )
    frame = pd.DataFrame(rows)
    for col in ("alleviation_year", "alleviation_feedin_year"):
        frame[col] = frame[col].astype("Int64")
    mw = [c for c in frame.columns if c.endswith("_mw")]
    frame[mw] = frame[mw].astype("float64").round(6)
    return frame


def top_stations(frame: pd.DataFrame, limit: int, *, prefer: Sequence[str] = ()) -> list[str]:
    """Up to ``limit`` column names of ``frame`` with the largest maximum (ties by order)."""
    peak = frame.max(axis=0)
    chosen = [c for c in prefer if c in frame.columns][:limit]
    for col in peak.sort_values(ascending=False, kind="stable").index:
        if len(chosen) >= limit:
            break
        if col not in chosen and peak[col] > 0:
            chosen.append(str(col))
    return chosen
