"""A deliberately simple, slow, independent allocation oracle, written from the rules' text.

Peak capacity mode only, with the contract-v2 rules of docs/rules.md: partial offers (the
largest whole kW that fits along the path, not below ``min_offer_kw``), small consumers outside
the queue before 2026-07-01 served first come first served from the nearest reserve on their
path, use it or lose it by the connection's voltage, congestion contracts (their MW at their
station and above while they count) and steered congestion relievers (no claim;
``relief_credit × relief_kw`` credited at their station and above once granted). It shares no
code with the engine
beyond the input types: it keeps integer kW, recomputes every sum from scratch at every check
and sorts with plain Python tuples. Used to check the engine's grants moment by moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from netruimte.waitlist import Request, Scenario
from netruimte.waitlist.congestion import CongestionContract

SMALL_CONSUMER_DATE = dt.date(2026, 7, 1)


@dataclass
class OracleResult:
    moments: list[dt.date]
    grant: dict[str, int | None]  # request id -> moment index granted (whole)
    offers: dict[str, list[tuple[int, int]]]  # request id -> [(moment index, kW)]
    withdrawn: dict[str, int | None]
    room_kw: list[dict[tuple[str, str], float]]  # per moment: (station, direction) -> kW room


def _moments(start: dt.date, end: dt.date) -> list[dt.date]:
    out = [start]
    d = start
    while True:
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        if d >= end:
            return out
        out.append(d)


def _plus_months(d: dt.date, k: int) -> dt.date:
    total = d.year * 12 + d.month - 1 + k
    y, m = divmod(total, 12)
    day = d.day
    while True:
        try:
            return dt.date(y, m + 1, day)
        except ValueError:
            day -= 1


def _first_on_or_after(moments: list[dt.date], tz: ZoneInfo, when: dt.datetime) -> int | None:
    for i, m in enumerate(moments):
        if dt.datetime(m.year, m.month, m.day, tzinfo=tz) >= when:
            return i
    return None


def _category(r: Request) -> int:
    if r.category.value == "congestion-reliever":
        return 1 if r.contract_signed else 4
    if r.category.value == "safety" and r.evidence and r.direction.value == "offtake":
        return 2
    if r.category.value == "basic-needs" and r.evidence and r.direction.value == "offtake":
        return 3
    return 4


def _rule(policy: str, day: dt.date) -> str:
    if policy != "in-force":
        return policy
    if day >= dt.date(2026, 1, 1):
        return "acm-2026"
    if day >= dt.date(2024, 10, 1):
        return "acm-2024"
    return "fcfs"


def _key(r: Request, rule: str) -> tuple[object, ...]:
    if rule == "fcfs":
        return (r.submitted, r.id)
    cat = _category(r)
    score_key = 0.0
    if cat == 1 and rule == "acm-2026":
        score_key = float("inf") if r.score is None else -r.score
    return (1, cat, score_key, r.submitted, r.id)


def run_oracle(sc: Scenario, policy: str, fit: str) -> OracleResult:
    tz = ZoneInfo(sc.timezone)
    moments = _moments(sc.start, sc.end)
    stations = {s.id: s for s in sc.grid.stations}

    def path(sid: str) -> list[str]:
        out = [sid]
        while stations[out[-1]].parent is not None:
            out.append(str(stations[out[-1]].parent))
        return out

    def kw(x: float) -> int:
        return round(x * 1000)

    def counted(i: int) -> list[str]:
        return [
            rf.id
            for rf in sc.grid.reinforcements
            if any(moments[j] >= rf.date for j in range(i + 1))
        ]

    rf_dates = {rf.id: rf.date for rf in sc.grid.reinforcements}

    def until_date(ctr: CongestionContract) -> dt.date:
        return ctr.until if isinstance(ctr.until, dt.date) else rf_dates[ctr.until]

    def steered(r: Request) -> bool:
        return _category(r) == 1 and r.relief_kw > 0

    start: dict[str, int | None] = {}
    withdraw_at: dict[str, int | None] = {}
    for r in sc.requests:
        when = r.submitted
        if r.needed is not None:
            o = _plus_months(r.needed, -sc.reservation_lead_months)
            when = max(when, dt.datetime(o.year, o.month, o.day, tzinfo=tz))
        start[r.id] = _first_on_or_after(moments, tz, when)
        withdraw_at[r.id] = (
            None
            if r.withdrawn is None
            else _first_on_or_after(
                moments,
                tz,
                dt.datetime(r.withdrawn.year, r.withdrawn.month, r.withdrawn.day, tzinfo=tz),
            )
        )
    grant: dict[str, int | None] = {r.id: None for r in sc.requests}
    offers: dict[str, list[tuple[int, int]]] = {r.id: [] for r in sc.requests}
    served_outside: set[str] = set()
    withdrawn: dict[str, int | None] = {r.id: None for r in sc.requests}
    contract_kw: dict[str, int] = {r.id: kw(r.kw / 1000) for r in sc.requests}
    uiol = sc.use_it_or_lose_it
    room_hist: list[dict[tuple[str, str], float]] = []

    for i, day in enumerate(moments):
        done = set(counted(i))

        def capacity(sid: str, direction: str, done: set[str] = done, day: dt.date = day) -> float:
            st = stations[sid]
            if direction == "offtake":
                base = kw(st.offtake_mw)
                add = sum(
                    kw(rf.offtake_mw)
                    for rf in sc.grid.reinforcements
                    if rf.station == sid and rf.id in done
                )
                # congestion contracts counting today on a path through this node
                add += sum(
                    kw(ctr.mw)
                    for ctr in sc.congestion_contracts
                    if sid in path(ctr.station) and day >= ctr.start and day < until_date(ctr)
                )
                # credited relief of relievers granted so far (this moment's included)
                credit = sum(
                    sc.relief_credit * r.relief_kw
                    for r in sc.requests
                    if steered(r) and grant[r.id] is not None and sid in path(r.station)
                )
                return base + add + credit - kw(st.load_mw)
            if st.feedin_mw is None:
                return float("inf")
            add = sum(
                kw(rf.feedin_mw)
                for rf in sc.grid.reinforcements
                if rf.station == sid and rf.id in done
            )
            return kw(st.feedin_mw) + add - kw(st.feedin_load_mw)

        def holding(r: Request) -> int:
            """kW the request holds in the queue's headroom."""
            if r.id in served_outside:
                return 0  # served from reserved room, not from the queue's headroom
            if steered(r):
                return 0  # a steered reliever charges only where there is room
            if grant[r.id] is not None:
                return contract_kw[r.id]
            return sum(k for _, k in offers[r.id])

        def granted_below(sid: str, direction: str) -> int:
            return sum(
                holding(r)
                for r in sc.requests
                if r.direction.value == direction and sid in path(r.station)
            )

        # use it or lose it: contracts lowered 'after_months' after the grant
        if uiol is not None:
            for r in sc.requests:
                g = grant[r.id]
                if g is None or r.contract.value != "firm" or r.small_consumer or r.used_kw is None:
                    continue
                kv = r.connection_kv or stations[r.station].connection_kv
                threshold_kw = 1000 * (
                    uiol.unused_mw_from_110kv if kv >= 110 else uiol.unused_mw_below_110kv
                )
                unused = kw(r.kw / 1000) - kw(r.used_kw / 1000)
                if unused <= 0:
                    continue
                if not (r.used_kw <= uiol.max_used_share * r.kw or unused >= threshold_kw - 1e-6):
                    continue
                due = _first_on_or_after(
                    moments,
                    tz,
                    dt.datetime(
                        *_plus_months(moments[g], uiol.after_months).timetuple()[:3], tzinfo=tz
                    ),
                )
                if due == i:
                    contract_kw[r.id] = kw(r.used_kw / 1000)
        for r in sc.requests:
            w = withdraw_at[r.id]
            if grant[r.id] is None and withdrawn[r.id] is None and w is not None and w <= i:
                withdrawn[r.id] = i
        pending = [
            r
            for r in sc.requests
            if grant[r.id] is None
            and withdrawn[r.id] is None
            and start[r.id] is not None
            and start[r.id] <= i  # type: ignore[operator]
        ]
        outside = day < SMALL_CONSUMER_DATE
        if outside:
            # small consumers: not in the queue; first come first served from the reserve
            line = sorted(
                (r for r in pending if r.small_consumer), key=lambda r: (r.submitted, r.id)
            )
            waiting_at: set[str] = set()
            for r in line:
                reserve_at = None
                if r.direction.value == "offtake":
                    reserve_at = next(
                        (
                            n
                            for n in path(r.station)
                            if stations[n].small_consumer_reserve_mw is not None
                        ),
                        None,
                    )
                if reserve_at is not None:
                    left = kw(stations[reserve_at].small_consumer_reserve_mw or 0.0) - sum(
                        kw(q.kw / 1000)
                        for q in sc.requests
                        if q.id in served_outside
                        and q.direction.value == "offtake"
                        and next(
                            (
                                n
                                for n in path(q.station)
                                if stations[n].small_consumer_reserve_mw is not None
                            ),
                            None,
                        )
                        == reserve_at
                    )
                    if reserve_at in waiting_at or kw(r.kw / 1000) > left:
                        waiting_at.add(reserve_at)
                        continue
                grant[r.id] = i
                offers[r.id].append((i, kw(r.kw / 1000)))
                served_outside.add(r.id)
            pending = [r for r in pending if not r.small_consumer]
        rule = _rule(policy, day)
        pending.sort(key=lambda r: _key(r, rule))  # type: ignore[arg-type, return-value]
        blocked: set[tuple[str, str]] = set()
        for r in pending:
            d = r.direction.value
            need = kw(r.kw / 1000) - sum(k for _, k in offers[r.id])
            full = [
                n
                for n in path(r.station)
                if not steered(r) and need > capacity(n, d) - granted_below(n, d)
            ]
            if full:
                held = fit == "strict" and any((n, d) in blocked for n in path(r.station))
                if sc.partial_offers and r.accept_partial and not held:
                    room = min(capacity(n, d) - granted_below(n, d) for n in path(r.station))
                    offer = int(max(room, 0))
                    if offer > 0 and offer >= sc.min_offer_kw:
                        offers[r.id].append((i, offer))
                if fit == "strict":
                    blocked.update((n, d) for n in full)
                continue
            if fit == "strict" and any((n, d) in blocked for n in path(r.station)):
                continue
            grant[r.id] = i
            offers[r.id].append((i, need))
        room_hist.append(
            {
                (sid, d): capacity(sid, d) - granted_below(sid, d)
                for sid in stations
                for d in ("offtake", "feed-in")
            }
        )
    return OracleResult(
        moments=moments, grant=grant, offers=offers, withdrawn=withdrawn, room_kw=room_hist
    )
