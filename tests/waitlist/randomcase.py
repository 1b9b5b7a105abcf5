"""Small random scenarios for the oracle comparison and the property tests (seeded)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import numpy as np

from netruimte.grid import DelayDistribution, Grid, Reinforcement, Station
from netruimte.waitlist import Request, Scenario, UseItOrLoseIt
from netruimte.waitlist.congestion import CongestionContract

TZ = ZoneInfo("Europe/Amsterdam")
POLICIES = ("fcfs", "acm-2024", "acm-2026", "in-force")
FITS = ("first-fit", "strict")
CATEGORIES = ("none", "congestion-reliever", "safety", "basic-needs")


def _mw(rng: np.random.Generator, lo: int, hi: int) -> float:
    """A capacity in whole kW, expressed in MW."""
    return int(rng.integers(lo, hi)) / 1000.0


def random_scenario(seed: int, *, n_requests: int | None = None) -> Scenario:
    """A random scenario with 1-2 regions, 1-5 stations below them, optional MV stations.

    The contract-v2 options (partial offers, minimum offer, accept_partial, small-consumer
    reserves, connection voltages) are drawn from a second generator, so the v1 part of a
    seed's scenario is the same as before they existed (the regression pin relies on it).
    """
    rng = np.random.default_rng(seed)
    rng2 = np.random.default_rng([seed, 2])
    stations: list[Station] = []
    n_regions = int(rng.integers(1, 3))
    for k in range(n_regions):
        cap = _mw(rng, 2000, 12000)
        stations.append(
            Station(
                id=f"REG{k}",
                offtake_mw=cap,
                load_mw=_mw(rng, 0, int(cap * 1000)),
                feedin_mw=_mw(rng, 1000, 8000) if rng.random() < 0.5 else None,
                feedin_load_mw=_mw(rng, 0, 1000),
                voltage_kv=380.0,
            )
        )
    for k in range(int(rng.integers(1, 6))):
        cap = _mw(rng, 500, 6000)
        stations.append(
            Station(
                id=f"ST{k}",
                parent=f"REG{int(rng.integers(0, n_regions))}",
                offtake_mw=cap,
                load_mw=_mw(rng, 0, int(cap * 1000)),
                feedin_mw=_mw(rng, 500, 4000) if rng.random() < 0.5 else None,
                voltage_kv=float(rng.choice([10.0, 150.0])),
            )
        )
    n_st = len(stations) - n_regions
    for k in range(int(rng.integers(0, 3))):
        cap = _mw(rng, 300, 3000)
        stations.append(
            Station(
                id=f"MV{k}",
                parent=f"ST{int(rng.integers(0, n_st))}",
                offtake_mw=cap,
                load_mw=_mw(rng, 0, int(cap * 1000)),
            )
        )
    start = dt.date(
        int(rng.integers(2023, 2027)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    )
    end = dt.date(start.year + int(rng.integers(1, 5)), int(rng.integers(1, 13)), 1)
    if end <= start:
        end = dt.date(start.year + 1, start.month, 1)
    ids = [s.id for s in stations]
    reinforcements = []
    for k in range(int(rng.integers(0, 5))):
        sid = str(rng.choice(ids))
        has_feed = next(s for s in stations if s.id == sid).feedin_mw is not None
        day = start + dt.timedelta(days=int(rng.integers(-60, 365 * 5)))
        delay = None
        if rng.random() < 0.5:
            delay = DelayDistribution("triangular", 0, float(rng.integers(0, 12)), 24)
        reinforcements.append(
            Reinforcement(
                id=f"RF{k}",
                station=sid,
                date=day,
                offtake_mw=_mw(rng, 0, 4000),
                feedin_mw=_mw(rng, 0, 2000) if has_feed else 0.0,
                delay=delay,
            )
        )
    stations = [
        replace(
            st,
            small_consumer_reserve_mw=None if rng2.random() < 0.5 else _mw(rng2, 0, 5000),
            connection_kv=float(rng2.choice([10.0, 20.0, 110.0, 150.0])),
        )
        for st in stations
    ]
    grid = Grid(tuple(stations), tuple(reinforcements))
    requests = []
    n = int(rng.integers(3, 31)) if n_requests is None else n_requests
    base = dt.datetime(start.year - 1, 1, 1, tzinfo=TZ)
    span_days = (end - base.date()).days + 60
    for k in range(n):
        # a few identical submission times so that ties are broken by id
        if k > 0 and rng.random() < 0.15:
            submitted = requests[int(rng.integers(0, k))].submitted
        else:
            submitted = base + dt.timedelta(
                days=int(rng.integers(0, span_days)), hours=int(rng.integers(0, 24))
            )
        cat = str(rng.choice(CATEGORIES))
        kw = float(rng.integers(1, 3000))
        withdrawn = None
        if rng.random() < 0.15:
            withdrawn = submitted.date() + dt.timedelta(days=int(rng.integers(0, 900)))
        used = float(rng.integers(0, int(kw) + 1)) if rng.random() < 0.3 else None
        requests.append(
            Request(
                id=f"R{int(rng.integers(0, 10_000)):04d}-{k}",
                station=str(rng.choice(ids)),
                kw=kw,
                submitted=submitted,
                direction="feed-in" if rng.random() < 0.25 else "offtake",
                category=cat,
                evidence=bool(rng.random() < 0.6),
                small_consumer=bool(rng.random() < 0.2),
                contract_signed=bool(rng.random() < 0.6),
                score=None if rng.random() < 0.3 else float(rng.integers(0, 5)) / 4,
                used_kw=used,
                withdrawn=withdrawn,
                withdraw_per_year=0.2 if rng.random() < 0.3 else None,
            )
        )
    requests = [
        replace(
            r,
            accept_partial=bool(rng2.random() < 0.8),
            connection_kv=None if rng2.random() < 0.7 else float(rng2.choice([10.0, 150.0])),
        )
        for r in requests
    ]
    uioli = None
    if rng.random() < 0.4:
        uioli = UseItOrLoseIt(
            after_months=int(rng.integers(1, 13)),
            unused_mw_below_110kv=float(rng.choice([0.5, 1.0])),
            unused_mw_from_110kv=float(rng.choice([1.0, 10.0])),
        )
    return Scenario(
        name=f"random-{seed}",
        start=start,
        end=end,
        grid=grid,
        requests=tuple(requests),
        policy=str(rng.choice(POLICIES)),
        fit=str(rng.choice(FITS)),
        use_it_or_lose_it=uioli,
        withdraw_per_year=0.1,
        partial_offers=bool(rng2.random() < 0.75),
        min_offer_kw=float(rng2.choice([1.0, 50.0, 250.0])),
    )


def random_cm_scenario(seed: int) -> Scenario:
    """:func:`random_scenario` plus congestion contracts and steered relievers (third stream).

    Contract MW and relief are whole kW and the credits quarters, so the oracle's integer kW
    stay exact.
    """
    sc = random_scenario(seed)
    rng = np.random.default_rng([seed, 3])
    ids = [s.id for s in sc.grid.stations]
    rf_ids = [rf.id for rf in sc.grid.reinforcements]
    span = (sc.end - sc.start).days
    contracts = []
    for k in range(int(rng.integers(0, 4))):
        begin = sc.start + dt.timedelta(days=int(rng.integers(-90, span)))
        until: dt.date | str
        if rf_ids and rng.random() < 0.5:
            until = str(rng.choice(rf_ids))
        else:
            until = begin + dt.timedelta(days=int(rng.integers(1, 3 * 365)))
        kind = str(rng.choice(["cbc-t", "cbc-a", "csc"]))
        contracts.append(
            CongestionContract(
                id=f"CM{k}",
                station=str(rng.choice(ids)),
                kind=kind,  # type: ignore[arg-type]
                mw=_mw(rng, 1, 3000),
                start=begin,
                until=until,
                windows=("16:00-20:00",) if kind == "cbc-t" else (),
                eur_per_mw_year=float(rng.integers(0, 60_000)),
            )
        )
    requests = [
        replace(r, relief_kw=4.0 * int(rng.integers(1, 1000)))
        if r.category.value == "congestion-reliever"
        and r.direction.value == "offtake"
        and not r.small_consumer
        and rng.random() < 0.7
        else r
        for r in sc.requests
    ]
    return replace(
        sc,
        requests=tuple(requests),
        congestion_contracts=tuple(contracts),
        relief_credit=float(rng.choice([0.0, 0.25, 0.5, 1.0])),
    )
