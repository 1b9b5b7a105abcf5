"""Plain-language explanations and the assembly of results from kernel arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netruimte.grid.model import Direction, Reinforcement
from netruimte.waitlist import kernels
from netruimte.waitlist.congestion_result import contract_outcomes
from netruimte.waitlist.engine import (
    KIND_CONTRACT,
    CompiledScenario,
    RawOutcome,
    profile_alternatives,
)
from netruimte.waitlist.requests import Category, Contract, Request, Status
from netruimte.waitlist.result import Offer, RequestOutcome, SimulationResult, StationOutcome
from netruimte.waitlist.rules import eligibility_text, function_note
from netruimte.waitlist.scenario import CapacityMode

__all__ = ["Expectation", "build_result", "expectation", "explain"]

_STATUS = {kernels.WAITING: Status.WAITING, kernels.GRANTED: Status.GRANTED}
_ALT_NAMES = ("time-block", "tdtr", "non-firm")


def _mw(value: float) -> str:
    # kW resolution everywhere, so two numbers on one line never contradict each other
    # ("1.0 MW left, you need 1.0 MW" when 0.96 MW is left)
    return f"{value:,.3f}"


@dataclass(frozen=True)
class Expectation:
    """When room for a waiting request's rest is expected from the works on its whole path.

    ``binding`` is the binding node over time: ``(node id, until)`` pairs, ``until`` being the
    date of the work that lifts it (None: nothing planned lifts it). ``works`` are the ids of
    the works the request needs, in date order; ``on`` the date of the last of them (None when
    the planned works never make room).
    """

    on: dt.date | None
    works: tuple[str, ...]
    binding: tuple[tuple[str, dt.date | None], ...]


def expectation(
    c: CompiledScenario,
    raw: RawOutcome,
    i: int,
    path_rf: list[tuple[Reinforcement, int]] | None = None,
) -> Expectation:
    """Room for request ``i``'s rest from every later work on its path (end state; pure).

    Every node of the path must have room for the rest at once: the date is that of the work
    after which the last short node has enough, whether it is local or upstream. Requests
    ranked ahead of it are not subtracted (the explanation says so). ``path_rf`` (the works on
    its path in its direction, with the moment each counts from) saves the search.
    """
    grid = c.scenario.grid
    last = len(c.moments) - 1
    s, d = int(c.station[i]), int(c.direction[i])
    need = float(c.mw[i] - raw.granted_mw[i])
    path = [int(j) for j in c.anc[s] if j >= 0]
    room = {j: float(raw.room_hist[d, j, last]) for j in path}
    way = Direction.OFFTAKE if d == 0 else Direction.FEEDIN
    if path_rf is None:
        path_rf = [
            (rf, int(raw.reinforcement_m[k]))
            for k, rf in enumerate(grid.reinforcements)
            if grid.index(rf.station) in room and rf.mw(way) > 0
        ]
    later = sorted(((rf, j) for rf, j in path_rf if j > last), key=lambda x: (x[0].date, x[0].id))

    def short() -> list[int]:
        return [j for j in path if need > room[j] + kernels.EPS_MW]

    def worst(nodes: list[int]) -> int:
        return min(nodes, key=lambda j: (room[j] - need, path.index(j)))

    binding: list[tuple[str, dt.date | None]] = []
    works: list[str] = []
    lacking = short()
    if not lacking:
        return Expectation(on=c.moments[last], works=(), binding=())
    current = worst(lacking)
    for rf, _k in later:
        j = grid.index(rf.station)
        room[j] += rf.mw(way)
        if j in lacking:
            works.append(rf.id)
        lacking = short()
        if not lacking:
            binding.append((grid.stations[current].id, rf.date))
            return Expectation(on=rf.date, works=tuple(works), binding=tuple(binding))
        now = worst(lacking)
        if now != current:
            binding.append((grid.stations[current].id, rf.date))
            current = now
    binding.append((grid.stations[current].id, None))
    return Expectation(on=None, works=tuple(works), binding=tuple(binding))


def _expectation_text(exp: Expectation, names: dict[str, str]) -> str:
    if exp.on is None:
        node = exp.binding[-1][0] if exp.binding else "its path"
        return f"no planned work makes room for you: {names.get(node, node)} stays short"
    chain = ", then ".join(f"{names.get(node, node)} until {until}" for node, until in exp.binding)
    works = " and ".join(exp.works)
    return (
        f"room for your kW expected on {exp.on} after {works} (binding node over time: "
        f"{chain}; requests ranked ahead of you come first)"
    )


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _head(req: Request, c: CompiledScenario, m: int) -> str:
    regime = c.regimes[int(c.regime_of_moment[m])]
    if not regime.rule.uses_categories:
        asked = "" if req.category is Category.NONE else f" (asked for {req.category.label})"
        return f"first come, first served{asked}"
    return eligibility_text(req)


def _offers_text(offers: list[Offer]) -> str:
    parts = [f"{o.kw:,.0f} kW on {o.on}" for o in offers]
    return "partial offers taken: " + ", ".join(parts) if parts else ""


_CAT_LABEL = {cat.number: cat.label for cat in Category}


class _Ahead:
    """Who went ahead of a request at a node: offers made there to higher-ranked requests."""

    def __init__(self, c: CompiledScenario, raw: RawOutcome) -> None:
        n = c.n_requests
        self.pos = np.empty((len(c.regimes), n), dtype=np.int64)
        for g in range(len(c.regimes)):
            self.pos[g, c.orders[g]] = np.arange(n)
        keep = ~raw.outside[raw.offer_r] if raw.offer_r.size else np.zeros(0, dtype=np.bool_)
        self.r = raw.offer_r[keep]
        self.m = raw.offer_m[keep]
        self.c = c
        self.raw = raw
        self.by_node: dict[
            tuple[int, int], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
        ] = {}
        self.cat = np.array([cat.number for cat in c.categories], dtype=np.int64)
        self.display = {st.id: st.display_name for st in c.scenario.grid.stations}

    def _at(self, node: int, d: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Offers on paths through ``node`` in direction ``d``: requests and moments.

        The kernel logs offers moment by moment, so the moments come out sorted.
        """
        key = (node, d)
        if key not in self.by_node:
            c = self.c
            on_path = (c.anc[c.station[self.r]] == node).any(axis=1) & (c.direction[self.r] == d)
            sel = np.flatnonzero(on_path)
            self.by_node[key] = (self.r[sel], self.m[sel])
        return self.by_node[key]

    def text(self, i: int, node: int, names: list[str]) -> str:
        c = self.c
        d = int(c.direction[i])
        r_all, m_all = self._at(node, d)
        lo = int(np.searchsorted(m_all, c.start_m[i], side="left"))
        hi = int(np.searchsorted(m_all, self.raw.last_m[i], side="right"))
        r, m = r_all[lo:hi], m_all[lo:hi]
        g = c.regime_of_moment[m]
        ahead = (self.pos[g, r] < self.pos[g, i]) & (r != i)
        who = np.unique(r[ahead])
        if who.size == 0:
            return f"nobody ranked above you was offered room at {names[node]} while you waited"
        counts = np.bincount(self.cat[who], minlength=5)
        cats = {_CAT_LABEL[k]: int(counts[k]) for k in range(1, 5) if counts[k]}
        partial = int(np.sum(self.raw.status[who] != kernels.GRANTED))
        kinds = ", ".join(f"{v} {k}" for k, v in sorted(cats.items()))
        tail = (
            f", {partial} of them still waiting for the rest of a partial offer" if partial else ""
        )
        return (
            f"went ahead of you at {names[node]}: {who.size} higher-ranked request(s) "
            f"({kinds}){tail}"
        )


def _line(
    req: Request,
    i: int,
    c: CompiledScenario,
    raw: RawOutcome,
    alts: tuple[str, ...],
    names: list[str],
    path_rf: list[tuple[Reinforcement, int]],
    ahead: _Ahead,
    exp: Expectation | None,
    offers: list[Offer],
) -> str:
    moments = c.moments
    n_m = len(moments)
    last = int(raw.last_m[i])
    parts: list[str] = []
    status = int(raw.status[i])
    if raw.outside[i]:
        reserve = int(c.sc_node[i])
        where = (
            f"from the room reserved for small consumers at {names[reserve]}"
            if reserve >= 0
            else "drawing no room from the waiting list"
        )
        return (
            f"small consumer (up to 3x80 A): connected on {moments[int(raw.grant_m[i])]} outside "
            f"the waiting list, {where} (small consumers join the list from 2026-07-01)"
        )
    if last < 0:
        if status == kernels.WITHDRAWN:
            return f"withdrawn on {moments[int(raw.withdrawn_m[i])]} before it took part"
        if req.needed is not None and int(c.start_m[i]) < n_m:
            opens = moments[int(c.start_m[i])]
            return f"housing reservation for {req.needed}: takes part from {opens}"
        return f"submitted {req.submitted.date()}: takes part after the horizon ({c.scenario.end})"
    s = int(c.station[i])
    d = int(c.direction[i])
    if int(raw.rank_pos[i]) > 0:
        of = int(raw.pending_count[last, d, s])
        rank = int(raw.rank_pos[i])
        parts.append(f"{_head(req, c, last)}: rank {rank} of {of} at {names[s]} on {moments[last]}")
    elif req.small_consumer:
        parts.append(
            "small consumer waiting for the reserved room (its own first-come line) until it "
            "joins the list on 2026-07-01"
        )
    if raw.ahead_mw[i] > 0:
        parts.append(f"{_mw(float(raw.ahead_mw[i]))} MW ahead of you")
    offered = _offers_text(offers)
    if status == kernels.GRANTED:
        g = int(raw.grant_m[i])
        text = f"granted on {moments[g]}"
        if raw.alt_used[i] >= 0:
            alt = req.accepts[int(raw.alt_used[i])]
            text += f" as {alt.contract.value} (an alternative right it accepts)"
        came = [(rf, j) for rf, j in path_rf if j == g]
        if came and g > int(c.start_m[i]):
            rf = came[0][0]
            mw = rf.offtake_mw if d == 0 else rf.feedin_mw
            text += f" when {rf.id} added {mw:g} MW at {names[c.scenario.grid.index(rf.station)]}"
        waited = _months_between(moments[int(c.start_m[i])], moments[g])
        if waited > 0:
            text += f" after waiting {waited} months"
        parts.append(text)
        if offered.count(" on ") > 1:
            parts.append(offered.replace("partial offers taken", "in parts"))
        r_m = int(raw.released_m[i])
        if r_m >= 0:
            parts.append(
                f"contract lowered to {c.used_mw[i] * 1000:g} kW on {moments[r_m]} "
                "(use it or lose it)"
            )
    elif status == kernels.WITHDRAWN:
        parts.append(f"withdrawn on {moments[int(raw.withdrawn_m[i])]}")
        if offered:
            parts.append(offered + " (kept)")
    else:
        if offered:
            parts.append(offered)
        rest = float(c.mw[i] - raw.granted_mw[i])
        more = " more" if raw.granted_mw[i] > 0 else ""
        node = int(raw.fail_node[i])
        if node >= 0 and raw.fail_kind[i] == kernels.FAIL_BLOCKED:
            parts.append(
                f"held back at {names[node]}: a higher-ranked request does not fit there (strict)"
            )
        elif node >= 0:
            room = float(raw.room_hist[d, node, last])
            parts.append(
                f"does not fit: {names[node]} has {_mw(max(room, 0.0))} MW left, "
                f"you need {_mw(rest)} MW{more}"
            )
        if node >= 0:
            parts.append(ahead.text(i, node, names))
        if exp is not None:
            parts.append(_expectation_text(exp, ahead.display))
        parts.extend(alts)
    note = function_note(req, c.regimes[int(c.regime_of_moment[last])].rule, moments[last])
    if note:
        parts.append(note)
    return "; ".join(parts)


def _alternatives(c: CompiledScenario, raw: RawOutcome) -> dict[int, tuple[str, ...]]:
    """Alternatives for firm requests still waiting at the end (documented in rules.md)."""
    reqs = c.scenario.requests
    waiting = np.flatnonzero(
        (raw.status == kernels.WAITING)
        & (raw.last_m >= 0)
        & np.array([r.contract is Contract.FIRM for r in reqs], dtype=np.bool_)
    )
    out: dict[int, tuple[str, ...]] = {}
    last = len(c.moments) - 1
    if c.mode is CapacityMode.PROFILE:
        flags = profile_alternatives(c, raw, waiting.astype(np.int64))
        for k, i in enumerate(waiting):
            fit = [_ALT_NAMES[a] for a in range(3) if flags[k, a]]
            if fit:
                out[int(i)] = (f"would fit now as {' or '.join(fit)}",)
        return out
    for i in waiting:
        s, d = int(c.station[i]), int(c.direction[i])
        path = [int(j) for j in c.anc[s] if j >= 0]
        room = min(float(raw.room_hist[d, j, last]) for j in path)
        if room * 1000 >= 1.0:
            out[int(i)] = (f"a firm request of up to {room * 1000:.0f} kW would fit now",)
    return out


def _percentile_dates(
    moments: tuple[dt.date, ...], grants: npt.NDArray[np.int64] | None, i: int
) -> tuple[dt.date | None, dt.date | None, dt.date | None, float | None]:
    if grants is None:
        return None, None, None, None
    col = grants[:, i]
    n_runs = col.size
    withdrawn = col == -2
    # "never within the horizon" sorts after every moment
    stay = np.sort(np.where(col == -1, len(moments), col)[~withdrawn])
    n = stay.size
    share = float(withdrawn.sum()) / n_runs
    if n == 0:
        return None, None, None, share
    out: list[dt.date | None] = []
    for q in (0.1, 0.5, 0.9):
        k = max(int(np.ceil(q * n - 1e-9)) - 1, 0)
        v = int(stay[k])
        out.append(moments[v] if 0 <= v < len(moments) else None)
    return out[0], out[1], out[2], share


def build_result(
    c: CompiledScenario,
    raw: RawOutcome,
    *,
    grants: npt.NDArray[np.int64] | None = None,
    runs: int = 1,
    seed: int | None = None,
) -> SimulationResult:
    """Assemble the frozen result of one kernel run (``grants``: Monte Carlo grant moments,
    shape (runs, n_requests), -1 never, -2 withdrawn in that run)."""
    sc = c.scenario
    grid = sc.grid
    names = [st.display_name for st in grid.stations]
    moments = c.moments
    alts = _alternatives(c, raw)
    ahead = _Ahead(c, raw)
    offers: dict[int, list[Offer]] = {}
    for r, m, mw, k in zip(raw.offer_r, raw.offer_m, raw.offer_mw, raw.offer_kind, strict=True):
        offers.setdefault(int(r), []).append(
            Offer(on=moments[int(m)], kw=float(mw) * 1000.0, contract=KIND_CONTRACT[int(k)])
        )
    by_station: dict[int, list[tuple[Reinforcement, int]]] = {}
    outcomes: list[RequestOutcome] = []
    for i, req in enumerate(sc.requests):
        s = int(c.station[i])
        if s not in by_station:
            path = {int(j) for j in c.anc[s] if j >= 0}
            by_station[s] = sorted(
                (
                    (rf, int(raw.reinforcement_m[k]))
                    for k, rf in enumerate(grid.reinforcements)
                    if grid.index(rf.station) in path
                ),
                key=lambda x: (x[1], x[0].date, x[0].id),
            )
        d = int(c.direction[i])
        path_rf = [
            (rf, j)
            for rf, j in by_station[s]
            if rf.mw(Direction.OFFTAKE if d == 0 else Direction.FEEDIN) > 0
        ]
        status_code = int(raw.status[i])
        status = _STATUS.get(status_code, Status.WITHDRAWN)
        last = int(raw.last_m[i])
        node = int(raw.fail_node[i])
        ranked = last >= 0 and int(raw.rank_pos[i]) > 0
        exp = (
            expectation(c, raw, i, path_rf)
            if status_code == kernels.WAITING and last >= 0
            else None
        )
        p10, p50, p90, wshare = _percentile_dates(moments, grants, i)
        outcomes.append(
            RequestOutcome(
                id=req.id,
                station=req.station,
                direction=req.direction,
                kw=req.kw,
                contract=req.contract,
                asked_category=req.category,
                category=c.categories[i],
                status=status,
                rank=int(raw.rank_pos[i]) if ranked else None,
                rank_of=int(raw.pending_count[last, d, s]) if ranked else None,
                ranked_on=moments[last] if last >= 0 else None,
                granted_on=moments[int(raw.grant_m[i])] if status_code == kernels.GRANTED else None,
                withdrawn_on=moments[int(raw.withdrawn_m[i])] if raw.withdrawn_m[i] >= 0 else None,
                released_on=moments[int(raw.released_m[i])] if raw.released_m[i] >= 0 else None,
                ahead_mw=float(raw.ahead_mw[i]) if ranked else None,
                binding_station=grid.stations[node].id
                if status is Status.WAITING and node >= 0
                else None,
                binding_room_mw=float(raw.room_hist[d, node, last])
                if status is Status.WAITING and node >= 0 and last >= 0
                else None,
                blocked=bool(raw.fail_kind[i] == kernels.FAIL_BLOCKED) and status is Status.WAITING,
                alternatives=alts.get(i, ()),
                explanation=_line(
                    req, i, c, raw, alts.get(i, ()), names, path_rf, ahead, exp, offers.get(i, [])
                ),
                granted_kw=float(raw.granted_mw[i]) * 1000.0,
                expected_on=exp.on if exp is not None else None,
                expected_works=exp.works if exp is not None else (),
                binding_over_time=exp.binding if exp is not None else (),
                offers=tuple(offers.get(i, ())),
                outside_queue=bool(raw.outside[i]),
                granted_p10=p10,
                granted_p50=p50,
                granted_p90=p90,
                withdrawn_share=wshare,
            )
        )
    stations = _stations(c, raw)
    return SimulationResult(
        scenario=sc.name,
        policy=c.policy.value,
        fit=c.fit.value,
        capacity=c.mode.value,
        moments=moments,
        requests=tuple(outcomes),
        stations=stations,
        room_mw=raw.room_hist,
        runs=runs,
        seed=seed,
        congestion_contracts=contract_outcomes(c, raw),
    )


def _stations(c: CompiledScenario, raw: RawOutcome) -> tuple[StationOutcome, ...]:
    grid = c.scenario.grid
    n = len(grid)
    last = len(c.moments) - 1
    held = (raw.granted_mw > 0) & ~raw.outside  # small consumers on reserved room excluded
    waiting = (raw.status == kernels.WAITING) & (raw.last_m >= 0)
    contracted = np.where(raw.released_m >= 0, c.used_mw, raw.granted_mw)
    rest = c.mw - raw.granted_mw
    own = np.zeros((2, 2, n))  # (allocated | waiting, direction, node)
    count = np.zeros((2, n))
    for d in range(2):
        sel = c.direction == d
        own[0, d] = np.bincount(c.station[sel & held], contracted[sel & held], minlength=n)
        own[1, d] = np.bincount(c.station[sel & waiting], rest[sel & waiting], minlength=n)
        count[d] = np.bincount(c.station[sel & waiting], minlength=n)
    sub = grid.subtree_sum(own)
    sub_count = grid.subtree_sum(count)
    out = []
    for i, st in enumerate(grid.stations):
        years: list[int | None] = []
        path = set(grid.path(st.id))
        for way in Direction:
            later = [
                rf.date.year
                for k, rf in enumerate(grid.reinforcements)
                if rf.station in path and rf.mw(way) > 0 and raw.reinforcement_m[k] > last
            ]
            years.append(min(later) if later else None)
        out.append(
            StationOutcome(
                id=st.id,
                name=st.display_name,
                parent=st.parent,
                offtake_mw=float(raw.cap[0, i, last]),
                allocated_mw=float(sub[0, 0, i]),
                waiting_mw=float(sub[1, 0, i]),
                waiting_count=int(sub_count[0, i]),
                room_mw=float(raw.room_hist[0, i, last]),
                feedin_mw=None if st.feedin_mw is None else float(raw.cap[1, i, last]),
                allocated_feedin_mw=float(sub[0, 1, i]),
                waiting_feedin_mw=float(sub[1, 1, i]),
                waiting_feedin_count=int(sub_count[1, i]),
                room_feedin_mw=float(raw.room_hist[1, i, last]),
                alleviation_year=years[0],
                alleviation_feedin_year=years[1],
                lat=st.lat,
                lon=st.lon,
                congestion_study=st.congestion_study,
            )
        )
    return tuple(out)


def explain(result: SimulationResult, request_id: str) -> str:
    """A fuller, multi-line explanation of one request's outcome.

    Raises
    ------
    KeyError
        Unknown request id.
    """
    out = result.request(request_id)
    lines = [
        f"Request {out.id}: {out.kw:g} kW {out.direction.value} ({out.contract.value}) at "
        f"{out.station}",
        f"Policy {result.policy}, fit {result.fit}, capacity {result.capacity}.",
        f"Asked for: {out.asked_category.value}; ranks as: {out.category.value}.",
        f"Status at the end: {out.status.value}.",
    ]
    if out.rank is not None:
        lines.append(f"Rank {out.rank} of {out.rank_of} at its station on {out.ranked_on}.")
    if out.granted_on is not None:
        lines.append(f"Granted on {out.granted_on}.")
    if out.withdrawn_on is not None:
        lines.append(f"Withdrawn on {out.withdrawn_on}.")
    if out.binding_station is not None:
        how = "held back (strict) at" if out.blocked else "full at"
        room = "" if out.binding_room_mw is None else f" ({out.binding_room_mw:.3f} MW left)"
        lines.append(f"Binding node: {how} {out.binding_station}{room}.")
    for alt in out.alternatives:
        lines.append(f"Alternative: {alt}.")
    if out.granted_p50 is not None or out.withdrawn_share is not None:
        lines.append(
            f"Monte Carlo ({result.runs} runs): P10 {out.granted_p10}, P50 {out.granted_p50}, "
            f"P90 {out.granted_p90} (None = not within the horizon); withdrawn in "
            f"{(out.withdrawn_share or 0.0) * 100:.0f}% of runs."
        )
    lines.append(f"In short: {out.explanation}")
    return "\n".join(lines)
