"""Plain-language explanations and the assembly of results from kernel arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from netruimte.conventions import IntArray
from netruimte.grid.model import Direction, Reinforcement
from netruimte.waitlist.assembly import (
    Facts,
    OffersAt,
    PathFacts,
    alternatives,
    later_works,
    percentiles,
    stations,
)
from netruimte.waitlist.congestion_result import (
    Help,
    contract_help,
    contract_outcomes,
    relief_help,
)
from netruimte.waitlist.engine import KIND_CONTRACT, CompiledScenario
from netruimte.waitlist.kernel_types import EPS_MW, FAIL_BLOCKED, GRANTED, WAITING, WITHDRAWN
from netruimte.waitlist.requests import Category, Request, Status
from netruimte.waitlist.result import Offer, RequestOutcome, SimulationResult
from netruimte.waitlist.rules import Rule, eligibility_text, function_note
from netruimte.waitlist.run import RawOutcome

__all__ = ["Expectation", "build_result", "expectation", "explain"]

_STATUS = {WAITING: Status.WAITING, GRANTED: Status.GRANTED}


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
    need = float(c.mw[i] - raw.walk.granted_mw[i])
    path = [int(j) for j in c.anc[s] if j >= 0]
    room = {j: float(raw.walk.room_hist_mw[d, j, last]) for j in path}
    way = Direction.OFFTAKE if d == 0 else Direction.FEEDIN
    if path_rf is None:
        path_rf = [
            (rf, int(raw.reinforcement_m[k]))
            for k, rf in enumerate(grid.reinforcements)
            if grid.index(rf.station) in room and rf.mw(way) > 0
        ]
    return _expect(c, need, path, room, later_works(path_rf, last), way)


def _expect(
    c: CompiledScenario,
    need: float,
    path: list[int],
    room: dict[int, float],
    later: list[tuple[Reinforcement, int]],
    way: Direction,
) -> Expectation:
    """:func:`expectation` on prepared facts (``room`` is changed: pass a copy)."""
    grid = c.scenario.grid

    def short() -> list[int]:
        return [j for j in path if need > room[j] + EPS_MW]

    def worst(nodes: list[int]) -> int:
        return min(nodes, key=lambda j: (room[j] - need, path.index(j)))

    binding: list[tuple[str, dt.date | None]] = []
    works: list[str] = []
    lacking = short()
    if not lacking:
        return Expectation(on=c.moments[-1], works=(), binding=())
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


def _head(req: Request, rule: Rule) -> str:
    if not rule.uses_categories:
        asked = "" if req.category is Category.NONE else f" (asked for {req.category.label})"
        return f"first come, first served{asked}"
    return eligibility_text(req)


def _offers_text(offers: list[Offer]) -> str:
    parts = [f"{o.kw:,.0f} kW on {o.on}" for o in offers]
    return "partial offers taken: " + ", ".join(parts) if parts else ""


_CAT_LABEL = {cat.number: cat.label for cat in Category}


class _Ahead:
    """Who went ahead of a request at a node: offers made there to higher-ranked requests."""

    def __init__(self, c: CompiledScenario, raw: RawOutcome, f: Facts) -> None:
        n = c.n_requests
        pos = np.empty((len(c.regimes), n), dtype=np.int64)
        for g in range(len(c.regimes)):
            pos[g, c.orders[g]] = np.arange(n)
        self.offers = OffersAt(c, raw, pos)
        self.ranks = np.ascontiguousarray(pos.T)  # row i: request i's rank under each regime
        self.f = f
        self.waits = raw.walk.status != GRANTED
        self.cat = np.array([cat.number for cat in c.categories], dtype=np.int64)

    def text(self, i: int, node: int, names: list[str]) -> str:
        f, o = self.f, self.offers
        at = o.between(node, f.direction[i], f.start_m[i], f.last_m[i])
        # ranked above i under the regime of the offer's moment (never i itself: ranks differ)
        ahead = o.rank[at] < self.ranks[i][o.regime[at]]
        who = np.unique(o.r[at][ahead])
        if who.size == 0:
            return f"nobody ranked above you was offered room at {names[node]} while you waited"
        counts = np.bincount(self.cat[who], minlength=5).tolist()
        cats = {_CAT_LABEL[k]: counts[k] for k in range(1, 5) if counts[k]}
        partial = int(np.count_nonzero(self.waits[who]))
        kinds = ", ".join(f"{v} {k}" for k, v in sorted(cats.items()))
        tail = (
            f", {partial} of them still waiting for the rest of a partial offer" if partial else ""
        )
        return (
            f"went ahead of you at {names[node]}: {who.size} higher-ranked request(s) "
            f"({kinds}){tail}"
        )


class _Text:
    """What every explanation line reads: the run's facts, names, works and offers."""

    def __init__(self, c: CompiledScenario, raw: RawOutcome) -> None:
        self.c = c
        self.raw = raw
        self.f = Facts(c, raw)
        self.paths = PathFacts(c, raw)
        self.ahead = _Ahead(c, raw, self.f)
        grid = c.scenario.grid
        self.names = [st.display_name for st in grid.stations]
        self.display = {st.id: st.display_name for st in grid.stations}
        self.rules = [reg.rule for reg in c.regimes]
        # each moment as text once (f"{day}" is str(day)) and as a month count
        self.day = [str(m) for m in c.moments]
        self.month = [m.year * 12 + m.month for m in c.moments]


def _line(
    req: Request,
    i: int,
    t: _Text,
    alts: tuple[str, ...],
    exp: Expectation | None,
    offers: list[Offer],
    created: str | None = None,
) -> str:
    c, f, names, day = t.c, t.f, t.names, t.day
    moments = c.moments
    n_m = len(moments)
    last = f.last_m[i]
    parts: list[str] = []
    status = f.status[i]
    if f.outside[i]:
        reserve = f.sc_node[i]
        where = (
            f"from the room reserved for small consumers at {names[reserve]}"
            if reserve >= 0
            else "drawing no room from the waiting list"
        )
        return (
            f"small consumer (up to 3x80 A): connected on {day[f.grant_m[i]]} outside "
            f"the waiting list, {where} (small consumers join the list from 2026-07-01)"
        )
    if last < 0:
        if status == WITHDRAWN:
            return f"withdrawn on {day[f.withdrawn_m[i]]} before it took part"
        if req.needed is not None and f.start_m[i] < n_m:
            opens = day[f.start_m[i]]
            return f"housing reservation for {req.needed}: takes part from {opens}"
        return f"submitted {req.submitted.date()}: takes part after the horizon ({c.scenario.end})"
    s = f.station[i]
    d = f.direction[i]
    rule = t.rules[f.regime_of_moment[last]]
    rank = f.rank_pos[i]
    if rank > 0:
        of = f.pending_count[last][d][s]
        parts.append(f"{_head(req, rule)}: rank {rank} of {of} at {names[s]} on {day[last]}")
    elif req.small_consumer:
        parts.append(
            "small consumer waiting for the reserved room (its own first-come line) until it "
            "joins the list on 2026-07-01"
        )
    if f.ahead_mw[i] > 0:
        parts.append(f"{_mw(f.ahead_mw[i])} MW ahead of you")
    if status == GRANTED:
        g = f.grant_m[i]
        text = f"granted on {day[g]}"
        if f.alt_used[i] >= 0:
            alt = req.accepts[f.alt_used[i]]
            text += f" as {alt.contract.value} (an alternative right it accepts)"
        if g > f.start_m[i]:
            came = [rf for rf, j in t.paths.works(s, d) if j == g]
            if came:
                rf = came[0]
                mw = rf.offtake_mw if d == 0 else rf.feedin_mw
                text += (
                    f" when {rf.id} added {mw:g} MW at {names[c.scenario.grid.index(rf.station)]}"
                )
        waited = t.month[g] - t.month[f.start_m[i]]
        if waited > 0:
            text += f" after waiting {waited} months"
        parts.append(text)
        if created:
            parts.append(f"room created by {created} let you in")
        if len(offers) > 1:
            parts.append(_offers_text(offers).replace("partial offers taken", "in parts"))
        r_m = f.released_m[i]
        if r_m >= 0:
            parts.append(
                f"contract lowered to {f.used_mw[i] * 1000:g} kW on {day[r_m]} (use it or lose it)"
            )
    elif status == WITHDRAWN:
        parts.append(f"withdrawn on {day[f.withdrawn_m[i]]}")
        if offers:
            parts.append(_offers_text(offers) + " (kept)")
        if created:
            parts.append(f"your partial offers used room created by {created}")
    else:
        if offers:
            parts.append(_offers_text(offers))
        if created:
            parts.append(f"your partial offers used room created by {created}")
        rest = f.mw[i] - f.granted_mw[i]
        more = " more" if f.granted_mw[i] > 0 else ""
        node = f.fail_node[i]
        if node >= 0 and f.fail_kind[i] == FAIL_BLOCKED:
            parts.append(
                f"held back at {names[node]}: a higher-ranked request does not fit there (strict)"
            )
        elif node >= 0:
            room = float(t.raw.walk.room_hist_mw[d, node, last])
            parts.append(
                f"does not fit: {names[node]} has {_mw(max(room, 0.0))} MW left, "
                f"you need {_mw(rest)} MW{more}"
            )
        if node >= 0:
            parts.append(t.ahead.text(i, node, names))
        if exp is not None:
            parts.append(_expectation_text(exp, t.display))
        parts.extend(alts)
    # function_note is None for a request that declares no function
    note = function_note(req, rule, moments[last]) if req.function is not None else None
    if note:
        parts.append(note)
    return "; ".join(parts)


def _offers(c: CompiledScenario, raw: RawOutcome) -> dict[int, list[Offer]]:
    moments = c.moments
    out: dict[int, list[Offer]] = {}
    for r, m, mw, k in zip(
        raw.offer_r.tolist(),
        raw.offer_m.tolist(),
        raw.offer_mw.tolist(),
        raw.offer_kind.tolist(),
        strict=True,
    ):
        out.setdefault(r, []).append(
            Offer(on=moments[m], kw=mw * 1000.0, contract=KIND_CONTRACT[k])
        )
    return out


def _room_created(
    c: CompiledScenario, t: _Text, contracts: list[Help], relief: list[Help]
) -> dict[int, str]:
    """Per request: the congestion contracts and relievers whose room it was granted or offered
    (the rule of :func:`netruimte.waitlist.congestion_result.contract_help`), in words."""
    sc = c.scenario
    # request -> helper phrase -> moments, each in the order met
    seen: dict[int, dict[str, list[int]]] = {}
    for k, r, m, _ in contracts:
        ctr = sc.congestion_contracts[k]
        where = t.names[sc.grid.index(ctr.station)]
        phrase = f"congestion contract {ctr.id} ({_mw(ctr.mw)} MW at {where}"
        days = seen.setdefault(r, {}).setdefault(phrase, [])
        if m not in days:
            days.append(m)
    credit = c.relief_add.tolist()
    for q, r, m, _ in relief:
        where = t.names[t.f.station[q]]
        phrase = (
            f"the relief of congestion reliever {sc.requests[q].id} "
            f"({_mw(credit[q])} MW credited at {where}"
        )
        days = seen.setdefault(r, {}).setdefault(phrase, [])
        if m not in days:
            days.append(m)
    return {
        r: ", ".join(
            f"{phrase}, on {' and '.join(t.day[m] for m in days)})" for phrase, days in by.items()
        )
        for r, by in seen.items()
    }


def build_result(
    c: CompiledScenario,
    raw: RawOutcome,
    *,
    grants: IntArray | None = None,
    runs: int = 1,
    seed: int | None = None,
) -> SimulationResult:
    """Assemble the frozen result of one kernel run (``grants``: Monte Carlo grant moments,
    shape (runs, n_requests), -1 never, -2 withdrawn in that run)."""
    sc = c.scenario
    grid = sc.grid
    moments = c.moments
    t = _Text(c, raw)
    f, paths = t.f, t.paths
    alts = alternatives(c, raw, paths)
    offers = _offers(c, raw)
    pct = percentiles(moments, grants, c.n_requests)
    helped = contract_help(c, raw)
    created = _room_created(c, t, helped, relief_help(c, raw))
    ids = [st.id for st in grid.stations]
    outcomes: list[RequestOutcome] = []
    for i, req in enumerate(sc.requests):
        s, d = f.station[i], f.direction[i]
        status_code = f.status[i]
        status = _STATUS.get(status_code, Status.WITHDRAWN)
        last = f.last_m[i]
        node = f.fail_node[i]
        ranked = last >= 0 and f.rank_pos[i] > 0
        exp = None
        if status_code == WAITING and last >= 0:
            path = paths.path(s)
            room_end = paths.room_end(d)
            exp = _expect(
                c,
                f.mw[i] - f.granted_mw[i],
                path,
                {j: room_end[j] for j in path},
                paths.later(s, d),
                Direction.OFFTAKE if d == 0 else Direction.FEEDIN,
            )
        alt = (alts[i],) if i in alts else ()
        waiting_at = status is Status.WAITING and node >= 0
        granted_m, withdrawn_m, released_m = f.grant_m[i], f.withdrawn_m[i], f.released_m[i]
        p10, p50, p90, wshare = pct[i]
        mine = offers.get(i, [])
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
                rank=f.rank_pos[i] if ranked else None,
                rank_of=f.pending_count[last][d][s] if ranked else None,
                ranked_on=moments[last] if last >= 0 else None,
                granted_on=moments[granted_m] if status_code == GRANTED else None,
                withdrawn_on=moments[withdrawn_m] if withdrawn_m >= 0 else None,
                released_on=moments[released_m] if released_m >= 0 else None,
                ahead_mw=f.ahead_mw[i] if ranked else None,
                binding_station=ids[node] if waiting_at else None,
                binding_room_mw=float(raw.walk.room_hist_mw[d, node, last])
                if waiting_at and last >= 0
                else None,
                blocked=f.fail_kind[i] == FAIL_BLOCKED and status is Status.WAITING,
                alternatives=alt,
                explanation=_line(req, i, t, alt, exp, mine, created.get(i)),
                granted_kw=f.granted_mw[i] * 1000.0,
                expected_on=exp.on if exp is not None else None,
                expected_works=exp.works if exp is not None else (),
                binding_over_time=exp.binding if exp is not None else (),
                offers=tuple(mine),
                outside_queue=f.outside[i],
                granted_p10=p10,
                granted_p50=p50,
                granted_p90=p90,
                withdrawn_share=wshare,
            )
        )
    return SimulationResult(
        scenario=sc.name,
        policy=c.policy.value,
        fit=c.fit.value,
        capacity=c.mode.value,
        moments=moments,
        requests=tuple(outcomes),
        stations=stations(c, raw, paths),
        room_mw=raw.walk.room_hist_mw,
        runs=runs,
        seed=seed,
        congestion_contracts=contract_outcomes(c, raw, helped),
    )


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
