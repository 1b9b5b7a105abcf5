"""Frozen results of a waiting-list simulation, serialised to the contract's Result JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from netruimte.conventions import FloatArray
from netruimte.grid.capacity_map import CapacityMapEntry, constraint_colour
from netruimte.grid.model import Direction
from netruimte.waitlist.congestion import ContractOutcome
from netruimte.waitlist.requests import Category, Contract, Status

__all__ = ["Offer", "RequestOutcome", "SimulationResult", "StationOutcome"]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer a request took: on a moment, ``kw`` under ``contract`` (partial or the rest)."""

    on: dt.date
    kw: float
    contract: Contract

    def to_json_dict(self) -> dict[str, Any]:
        """``{on, kw, contract}`` as in the Result JSON."""
        return {"on": self.on.isoformat(), "kw": round(self.kw, 3), "contract": self.contract.value}


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """What happened to one request.

    ``rank`` is the request's position among the requests waiting at its station, in its
    direction, at the last moment it was considered (``ranked_on``), out of ``rank_of``;
    ``ahead_mw`` is the MW of the requests ranked above it there and then. ``binding_station``
    is the node that was full (or, with ``blocked``, the node a strict walk held back).
    ``granted_kw`` is what it holds at the end (partial offers included) and ``offers`` the
    offers it took, in order; ``granted_on`` is the date the whole ``kw`` was met.
    ``expected_on`` is when the planned works on the whole path make room for its rest
    (``expected_works``; ``binding_over_time`` = ``(node, until)`` pairs), None when they do
    not. ``outside_queue`` marks a small consumer connected from reserved room before 2026-07-01.
    """

    id: str
    station: str
    direction: Direction
    kw: float
    contract: Contract
    asked_category: Category
    category: Category
    status: Status
    rank: int | None
    rank_of: int | None
    ranked_on: dt.date | None
    granted_on: dt.date | None
    withdrawn_on: dt.date | None
    released_on: dt.date | None
    ahead_mw: float | None
    binding_station: str | None
    binding_room_mw: float | None
    blocked: bool
    alternatives: tuple[str, ...]
    explanation: str
    granted_kw: float = 0.0
    offers: tuple[Offer, ...] = ()
    expected_on: dt.date | None = None
    expected_works: tuple[str, ...] = ()
    binding_over_time: tuple[tuple[str, dt.date | None], ...] = ()
    outside_queue: bool = False
    granted_p10: dt.date | None = None
    granted_p50: dt.date | None = None
    granted_p90: dt.date | None = None
    withdrawn_share: float | None = None

    def to_json_dict(self, *, with_percentiles: bool = False) -> dict[str, Any]:
        """The contract's request object (percentiles only with Monte Carlo runs)."""
        out: dict[str, Any] = {
            "id": self.id,
            "category": self.category.value,
            "rank": self.rank,
            "granted_on": _iso(self.granted_on),
            "granted_kw": round(self.granted_kw, 3),
            "offers": [o.to_json_dict() for o in self.offers],
            "explanation": self.explanation,
        }
        if with_percentiles:
            out["granted_p10"] = _iso(self.granted_p10)
            out["granted_p50"] = _iso(self.granted_p50)
            out["granted_p90"] = _iso(self.granted_p90)
        return out


@dataclass(frozen=True, slots=True)
class StationOutcome:
    """A node at the end of the horizon (MW; ``allocated`` and ``waiting`` over its subtree).

    ``allocated_mw`` is the contracted kW of granted offtake requests (after any
    use-it-or-lose-it release); ``room_mw`` is the headroom left (the smallest quarter-hour
    headroom in profile mode).
    """

    id: str
    name: str
    parent: str | None
    offtake_mw: float
    allocated_mw: float
    waiting_mw: float
    waiting_count: int
    room_mw: float
    feedin_mw: float | None
    allocated_feedin_mw: float
    waiting_feedin_mw: float
    waiting_feedin_count: int
    room_feedin_mw: float
    alleviation_year: int | None
    alleviation_feedin_year: int | None
    lat: float | None = None
    lon: float | None = None
    congestion_study: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's station object."""
        return {
            "id": self.id,
            "offtake_mw": round(self.offtake_mw, 6),
            "allocated_mw": round(self.allocated_mw, 6),
            "waiting_mw": round(self.waiting_mw, 6),
        }


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of one simulation (or of a Monte Carlo set, with percentiles).

    ``room_mw`` holds the headroom at every node after every moment, shape
    ``(2, n_stations, n_moments)`` (axis 0: offtake, feed-in).
    """

    scenario: str
    policy: str
    fit: str
    capacity: str
    moments: tuple[dt.date, ...]
    requests: tuple[RequestOutcome, ...]
    stations: tuple[StationOutcome, ...]
    room_mw: FloatArray = field(repr=False, compare=False)
    runs: int = 1
    seed: int | None = None
    compare: SimulationResult | None = None
    congestion_contracts: tuple[ContractOutcome, ...] = ()

    def request(self, request_id: str) -> RequestOutcome:
        """The outcome of one request (KeyError when unknown)."""
        for out in self.requests:
            if out.id == request_id:
                return out
        raise KeyError(request_id)

    def to_json_dict(self) -> dict[str, Any]:
        """The contract's Result JSON: policy, fit, requests, stations (and compare)."""
        with_p = self.runs > 1
        out: dict[str, Any] = {
            "policy": self.policy,
            "fit": self.fit,
            "requests": [r.to_json_dict(with_percentiles=with_p) for r in self.requests],
            "stations": [s.to_json_dict() for s in self.stations],
        }
        if self.congestion_contracts:
            out["congestion_contracts"] = [k.to_json_dict() for k in self.congestion_contracts]
        if self.compare is not None:
            inner = self.compare.to_json_dict()
            inner.pop("compare", None)
            out["compare"] = inner
        return out

    def room_frame(self, direction: Direction | str = Direction.OFFTAKE) -> pd.DataFrame:
        """Headroom over time (MW): one row per moment, one column per station."""
        d = Direction(direction)
        return pd.DataFrame(
            self.room_mw[d.axis].T,
            index=pd.Index(list(self.moments), name="moment"),
            columns=[s.id for s in self.stations],
        )

    def capacity_map(self) -> tuple[CapacityMapEntry, ...]:
        """The model's end state in the shape of the capacity map (see grid.capacity_map)."""
        out = []
        for st in self.stations:
            used = st.offtake_mw - st.room_mw
            feed_cap = st.feedin_mw if st.feedin_mw is not None else float("inf")
            feed_used = feed_cap - st.room_feedin_mw if st.feedin_mw is not None else 0.0
            out.append(
                CapacityMapEntry(
                    short_code=st.id,
                    name=st.name,
                    parent=st.parent,
                    demand_available_capacity=st.offtake_mw,
                    demand_quoted_capacity=used,
                    demand_capacity_in_queue=st.waiting_mw,
                    demand_requests_in_queue=st.waiting_count,
                    demand_constraint=constraint_colour(
                        st.offtake_mw,
                        used,
                        st.waiting_mw,
                        st.waiting_count,
                        congestion_study=st.congestion_study,
                    ),
                    demand_alleviation_year=st.alleviation_year,
                    generation_available_capacity=st.feedin_mw,
                    generation_quoted_capacity=feed_used,
                    generation_capacity_in_queue=st.waiting_feedin_mw,
                    generation_requests_in_queue=st.waiting_feedin_count,
                    generation_constraint=constraint_colour(
                        feed_cap,
                        feed_used,
                        st.waiting_feedin_mw,
                        st.waiting_feedin_count,
                        congestion_study=st.congestion_study,
                    ),
                    generation_alleviation_year=st.alleviation_feedin_year,
                    lat=st.lat,
                    lon=st.lon,
                )
            )
        return tuple(out)
