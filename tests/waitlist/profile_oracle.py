"""A simple, slow, independent profile-mode allocation (numpy vectors, recomputed sums).

Semantics as documented in docs/rules.md ("Profile-based fit"): quarter-hour headroom at nodes
with a load profile, peak headroom elsewhere; claims per transport right. Partial offers
(docs/rules.md, "Partial offers"; firm and time-block rights): a request whose claim ``c`` does
not fit is offered the largest flat cap ``k`` — in whole kW, rounded down, at least
``min_offer_kw`` and less than what it still needs — such that ``min(c, k)`` fits at every node
of its path; having been offered ``g`` MW, what it still has to fit is ``max(c - g, 0)``.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np

from netruimte.grid.representative import DEFAULT_TIME_BLOCKS, block_mask
from netruimte.waitlist import Request, Scenario
from tests.waitlist.oracle import (
    SMALL_CONSUMER_DATE,
    _first_on_or_after,
    _key,
    _moments,
    _plus_months,
    _rule,
)

EPS = 1e-9


def _base(r: Request, steps: int, kw_mw: float) -> np.ndarray:
    if r.profile_kw is None:
        return np.full(steps, kw_mw)
    return np.minimum(r.profile_kw / 1000.0, kw_mw)


def run_profile_oracle(sc: Scenario, policy: str, fit: str) -> dict[str, int | None]:
    """Request id -> moment granted whole (None: not within the horizon)."""
    return profile_oracle(sc, policy, fit)[0]


def profile_oracle(
    sc: Scenario, policy: str, fit: str
) -> tuple[dict[str, int | None], dict[str, list[tuple[int, int]]]]:
    """Grants (request id -> moment granted whole) and offers (request id -> [(moment, kW)]:
    partial offers and the last part of a whole grant, as the engine logs them)."""
    tz = ZoneInfo(sc.timezone)
    moments = _moments(sc.start, sc.end)
    st = {s.id: s for s in sc.grid.stations}
    steps = sc.grid.profile_steps or next(
        (r.profile_kw.size for r in sc.requests if r.profile_kw is not None), 96
    )
    tdtr_max = int(np.floor(sc.tdtr_max_restricted_share * steps + 1e-9))
    nonfirm_max = int(np.floor((1 - sc.nonfirm_min_share) * steps + 1e-9))

    def path(sid: str) -> list[str]:
        out = [sid]
        while st[out[-1]].parent is not None:
            out.append(str(st[out[-1]].parent))
        return out

    claims: dict[str, np.ndarray] = {}
    grant: dict[str, int | None] = {r.id: None for r in sc.requests}
    offers: dict[str, list[tuple[int, int]]] = {r.id: [] for r in sc.requests}
    gone: set[str] = set()
    start = {r.id: _first_on_or_after(moments, tz, r.submitted) for r in sc.requests}
    for i, day in enumerate(moments):

        def cap(sid: str, d: str, i: int = i) -> float:
            s = st[sid]
            base = (
                s.offtake_mw if d == "offtake" else (np.inf if s.feedin_mw is None else s.feedin_mw)
            )
            seen = moments[: i + 1]
            for rf in sc.grid.reinforcements:
                if rf.station == sid and any(m >= rf.date for m in seen):
                    base += rf.offtake_mw if d == "offtake" else rf.feedin_mw
            return base

        def room(sid: str, d: str) -> np.ndarray:
            s = st[sid]
            prof = s.load_profile_mw if d == "offtake" else s.feedin_load_profile_mw
            below = [
                r
                for r in sc.requests
                if r.id in claims and r.direction.value == d and sid in path(r.station)
            ]
            if prof is not None:
                used = prof + sum((claims[r.id] for r in below), np.zeros(steps))
                return cap(sid, d) - used
            peak = s.load_mw if d == "offtake" else s.feedin_load_mw
            used_flat = peak + sum(float(claims[r.id].max()) for r in below)
            return np.full(steps, cap(sid, d) - used_flat)

        uiol = sc.use_it_or_lose_it
        if uiol is not None:
            for r in sc.requests:
                g = grant[r.id]
                if g is None or r.contract.value != "firm" or r.small_consumer or r.used_kw is None:
                    continue
                unused = (r.kw - r.used_kw) / 1000
                kv = r.connection_kv or st[r.station].connection_kv
                thr = uiol.unused_mw_from_110kv if kv >= 110 else uiol.unused_mw_below_110kv
                if unused <= 0 or not (
                    r.used_kw <= uiol.max_used_share * r.kw or unused >= thr - 1e-12
                ):
                    continue
                when = _plus_months(moments[g], uiol.after_months)
                due = _first_on_or_after(
                    moments, tz, dt.datetime(when.year, when.month, when.day, tzinfo=tz)
                )
                if due == i:
                    claims[r.id] = _base(r, steps, r.used_kw / 1000)
        for r in sc.requests:
            if r.withdrawn is not None and grant[r.id] is None and r.id not in gone:
                w = _first_on_or_after(
                    moments,
                    tz,
                    dt.datetime(r.withdrawn.year, r.withdrawn.month, r.withdrawn.day, tzinfo=tz),
                )
                if w is not None and w <= i:
                    gone.add(r.id)
        rule = _rule(policy, day)
        pending = [
            r
            for r in sc.requests
            if grant[r.id] is None
            and r.id not in gone
            and start[r.id] is not None
            and start[r.id] <= i
        ]  # type: ignore[operator]
        if day < SMALL_CONSUMER_DATE:
            # outside the queue; these scenarios set no reserve, so they draw no headroom
            assert all(s.small_consumer_reserve_mw is None for s in st.values())
            for r in pending:
                if r.small_consumer:
                    grant[r.id] = i
                    offers[r.id].append((i, round(r.kw)))
            pending = [r for r in pending if not r.small_consumer]
        pending.sort(key=lambda r: _key(r, rule))  # type: ignore[arg-type, return-value]
        blocked: set[tuple[str, str]] = set()
        for r in pending:
            d = r.direction.value
            c = _base(r, steps, r.kw / 1000)
            kind = r.contract.value
            if kind == "time-block":
                # restricted outside the capacity blocks
                mask = ~block_mask(list(r.capacity_blocks or DEFAULT_TIME_BLOCKS), steps)
                c = np.where(mask, np.minimum(c, r.restricted_kw / 1000), c)
            got_mw = sum(k for _, k in offers[r.id]) / 1000
            if got_mw > 0:
                c = np.maximum(c - got_mw, 0.0)  # what is still to fit above the offers
            rooms = {n: room(n, d) for n in path(r.station)}
            over = {n: (c > 0) & (c > rooms[n] + EPS) for n in rooms}
            if kind in ("firm", "time-block"):
                full = [n for n in path(r.station) if over[n].any()]
            else:
                limit = tdtr_max if kind == "tdtr" else nonfirm_max
                full = [n for n in path(r.station) if over[n].sum() > limit]
                union = np.zeros(steps, dtype=bool)
                for n in rooms:
                    union |= over[n]
                if not full and union.sum() > limit:
                    full = [r.station]
                if not full and kind == "tdtr":
                    c = np.where(union, np.minimum(c, r.restricted_kw / 1000), c)
                    if r.restricted_kw > 0:
                        full = [
                            n for n in path(r.station) if (c[union] > rooms[n][union] + EPS).any()
                        ]
                if not full and kind == "non-firm":
                    c = np.zeros(steps)
            if full:
                held = fit == "strict" and any((n, d) in blocked for n in path(r.station))
                if (
                    kind in ("firm", "time-block")
                    and sc.partial_offers
                    and r.accept_partial
                    and not held
                ):
                    # the largest flat cap k with min(c, k) under the room in every
                    # quarter-hour at every node: the least room where c does not fit
                    k = min(
                        (float(rooms[n][t]) for n in rooms for t in np.flatnonzero(c > rooms[n])),
                        default=np.inf,
                    )
                    offer_kw = math.floor(k * 1000 + 1e-6) if 0 < k < np.inf else 0
                    rest_mw = r.kw / 1000 - got_mw
                    if 0 < offer_kw / 1000 < rest_mw and offer_kw >= sc.min_offer_kw - 1e-6:
                        offers[r.id].append((i, offer_kw))
                        piece = np.minimum(c, offer_kw / 1000)
                        claims[r.id] = claims.get(r.id, np.zeros(steps)) + piece
                if fit == "strict":
                    blocked.update((n, d) for n in full)
                continue
            if fit == "strict" and any((n, d) in blocked for n in path(r.station)):
                continue
            grant[r.id] = i
            offers[r.id].append((i, round(r.kw - got_mw * 1000)))
            claims[r.id] = claims.get(r.id, np.zeros(steps)) + c
    return grant, offers
