"""An applicant's account of one request: where it stands, why, and what would help (pure).

``netruimte waitlist explain`` prints :func:`render_account` of :func:`applicant_account`.
The account answers the questions an applicant asks the grid operator:

* which category the request ranks in, and why (the eligibility checks);
* its rank and the MW ahead of it when it joined the list, and the last time it waited;
* the binding node: the station that is full, how much room it has, how much is needed;
* when the request is expected to be connected, and the reinforcement that frees the room;
* the alternatives that would fit at once (another transport right, a smaller firm request),
  and what else would change its rank (evidence, a signed contract).

The position at a past moment comes from running the same simulation with the horizon cut
just after that moment: the walk is causal (nothing at a moment depends on later moments), so
the cut run is exactly the full run up to there, and its end-state fields (rank, binding node,
alternatives that fit "now") describe that moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from netruimte.grid.model import Direction, Reinforcement
from netruimte.waitlist import compile_scenario, monte_carlo, simulate
from netruimte.waitlist.requests import Category, Request, Status
from netruimte.waitlist.result import RequestOutcome, SimulationResult
from netruimte.waitlist.rules import (
    RULES,
    SMALL_CONSUMERS_JOIN,
    Policy,
    eligibility_text,
    function_note,
    rule_in_force,
)
from netruimte.waitlist.scenario import Fit, Scenario

__all__ = ["ApplicantAccount", "Snapshot", "applicant_account", "render_account"]


@dataclass(frozen=True)
class Snapshot:
    """Where a waiting request stood after one allocation moment."""

    on: dt.date
    rank: int
    rank_of: int
    ahead_mw: float
    binding_station: str | None
    binding_room_mw: float | None
    blocked: bool
    alternatives: tuple[str, ...]
    next_reinforcement: Reinforcement | None
    """The work after which its remaining kW fits on the whole path (the last of
    ``works_needed``; None when the planned works never make room)."""
    works_needed: tuple[Reinforcement, ...] = ()
    """Every later work on its path it needs, in date order (local and upstream)."""
    binding_over_time: tuple[tuple[str, dt.date | None], ...] = ()
    """The binding node over time: (node id, date of the work that lifts it)."""
    granted_kw: float = 0.0
    """kW it held from partial offers at that moment."""


@dataclass(frozen=True)
class ApplicantAccount:
    """Everything :func:`render_account` prints about one request."""

    request: Request
    outcome: RequestOutcome
    policy: str
    fit: str
    capacity: str
    runs: int
    names: dict[str, str]
    path: tuple[str, ...]
    why: str
    joined: dt.date | None
    at_join: Snapshot | None
    last_wait: Snapshot | None
    freed_by: tuple[Reinforcement, ...]
    wait_months: int | None
    note: str | None
    horizon_end: dt.date


def _why(req: Request, policy: str, day: dt.date) -> str:
    rule = rule_in_force(day) if policy == Policy.IN_FORCE.value else RULES[policy]
    if not rule.uses_categories:
        asked = "" if req.category is Category.NONE else f"; asked for {req.category.label}"
        return f"{rule.title}: categories are not used{asked}"
    if req.small_consumer and day < SMALL_CONSUMERS_JOIN:
        return "small consumer: outside the waiting list until 2026-07-01"
    return eligibility_text(req)


def _rule_note(req: Request, policy: str, day: dt.date) -> str | None:
    rule = rule_in_force(day) if policy == Policy.IN_FORCE.value else RULES[policy]
    return function_note(req, rule, day)


def _snapshot(
    scenario: Scenario,
    full: SimulationResult,
    req: Request,
    k: int,
    policy: str,
    fit: str,
    rf_moment: dict[str, int],
) -> Snapshot:
    moments = full.moments
    if k == len(moments) - 1:
        out = full.request(req.id)  # the deterministic fields of the full run
    else:
        cut = replace(scenario, end=moments[k + 1])
        out = simulate(cut, policy=policy, fit=fit).request(req.id)
    if out.status is not Status.WAITING or out.rank is None or out.ranked_on != moments[k]:
        raise AssertionError(f"request {req.id} was expected to wait at {moments[k]}")
    # room expected from every later work on the whole path, not only at the binding node
    # (the same rule as the explanation: netruimte.waitlist.explain.expectation)
    by_id = {rf.id: rf for rf in scenario.grid.reinforcements}
    needed = tuple(by_id[w] for w in out.expected_works)
    nxt = needed[-1] if out.expected_on is not None and needed else None
    return Snapshot(
        on=moments[k],
        rank=out.rank,
        rank_of=out.rank_of or 0,
        ahead_mw=out.ahead_mw or 0.0,
        binding_station=out.binding_station,
        binding_room_mw=out.binding_room_mw,
        blocked=out.blocked,
        alternatives=out.alternatives,
        next_reinforcement=nxt,
        works_needed=needed,
        binding_over_time=out.binding_over_time,
        granted_kw=out.granted_kw,
    )


def applicant_account(
    scenario: Scenario,
    request_id: str,
    *,
    policy: Policy | str | None = None,
    fit: Fit | str | None = None,
    runs: int = 1,
    seed: int | None = None,
    workers: int | None = None,
) -> ApplicantAccount:
    """The account of one request under ``policy`` and ``fit`` (scenario defaults if None).

    With ``runs > 1`` the outcome carries Monte Carlo P10/P50/P90 connection dates.

    Raises
    ------
    InputError
        Unknown request id, policy or fit.
    """
    req = scenario.request(request_id)
    c = compile_scenario(scenario, policy=policy, fit=fit)
    pol, fit_ = c.policy.value, c.fit.value
    if runs > 1:
        full = monte_carlo(scenario, runs, seed, policy=pol, fit=fit_, workers=workers)
    else:
        full = simulate(scenario, policy=pol, fit=fit_)
    out = full.request(request_id)
    i = next(j for j, r in enumerate(scenario.requests) if r.id == request_id)
    moments = full.moments
    n_m = len(moments)
    index = {m: k for k, m in enumerate(moments)}
    rf_moment = {
        rf.id: int(m) for rf, m in zip(scenario.grid.reinforcements, c.reinforcement_m, strict=True)
    }
    start = int(c.start_m[i])
    at_join = last_wait = None
    freed: tuple[Reinforcement, ...] = ()
    wait = None
    if out.rank is not None:
        if out.granted_on is not None:
            end = index[out.granted_on]
            wait = end - start
        elif out.withdrawn_on is not None:
            end = index[out.withdrawn_on]
        else:
            end = n_m
        if end > start:
            at_join = _snapshot(scenario, full, req, start, pol, fit_, rf_moment)
        if end - 1 > start:
            last_wait = _snapshot(scenario, full, req, end - 1, pol, fit_, rf_moment)
        if out.granted_on is not None and end > start:
            path = set(scenario.grid.path(req.station))
            freed = tuple(
                rf
                for rf in scenario.grid.reinforcements
                if rf.station in path and rf.mw(req.direction) > 0 and rf_moment[rf.id] == end
            )
    last_day = out.ranked_on or moments[min(start, n_m - 1)]
    return ApplicantAccount(
        request=req,
        outcome=out,
        policy=pol,
        fit=fit_,
        capacity=full.capacity,
        runs=full.runs,
        names={st.id: st.name for st in full.stations},
        path=scenario.grid.path(req.station),
        why=_why(req, pol, last_day),
        joined=moments[start] if start < n_m else None,
        at_join=at_join,
        last_wait=last_wait,
        freed_by=freed,
        wait_months=wait,
        note=_rule_note(req, pol, last_day),
        horizon_end=scenario.end,
    )


def _mw(value: float) -> str:
    # kW resolution, so "has X left, you need Y" never shows equal numbers for unequal values
    return f"{value:,.3f} MW"


def _station(acc: ApplicantAccount, sid: str) -> str:
    name = acc.names.get(sid, sid)
    return f"{name} ({sid})" if name != sid else sid


def _rf_text(acc: ApplicantAccount, rf: Reinforcement, direction: Direction) -> str:
    return (
        f"{rf.id} adds {rf.mw(direction):g} MW at {_station(acc, rf.station)} (planned {rf.date})"
    )


def _snapshot_lines(acc: ApplicantAccount, snap: Snapshot) -> list[str]:
    req = acc.request
    ahead = (
        f"{_mw(snap.ahead_mw)} of requests ranked ahead of you"
        if snap.ahead_mw > 0
        else "no requests ranked ahead of you"
    )
    lines = [
        f"  rank {snap.rank} of {snap.rank_of} waiting for {req.direction.value} at "
        f"{_station(acc, req.station)}; {ahead}"
    ]
    if snap.binding_station is None:
        lines.append("  it does not fit (no single station named)")
    elif snap.blocked:
        lines.append(
            f"  binding node: {_station(acc, snap.binding_station)}; you are held back because "
            "a higher-ranked request does not fit there (fit strict)"
        )
    else:
        room = max(snap.binding_room_mw or 0.0, 0.0)
        rest = (req.kw - snap.granted_kw) / 1000
        held = (
            f" more (you hold {snap.granted_kw:,.0f} kW from partial offers)"
            if snap.granted_kw > 0
            else ""
        )
        lines.append(
            f"  binding node: {_station(acc, snap.binding_station)} has {_mw(room)} left; you "
            f"need {_mw(rest)}{held}"
        )
    if snap.binding_station is not None:
        if snap.next_reinforcement is not None:
            rf = snap.next_reinforcement
            after = " (after the horizon)" if rf.date >= acc.horizon_end else ""
            lines.append(f"  room expected when {_rf_text(acc, rf, req.direction)}{after}")
            earlier = [w for w in snap.works_needed if w is not rf]
            if earlier:
                lines.append(
                    "  (that is the last of the works on its path it needs; before it: "
                    + "; ".join(_rf_text(acc, w, req.direction) for w in earlier)
                    + ")"
                )
            if len(snap.binding_over_time) > 1:
                lines.append(
                    "  binding node over time: "
                    + ", then ".join(
                        f"{_station(acc, node)} until {until}"
                        for node, until in snap.binding_over_time
                    )
                )
        else:
            lines.append(
                "  no planned work on its path makes room for it (binding: "
                f"{_station(acc, snap.binding_station)})"
            )
    if snap.alternatives:
        lines.append("  alternatives: " + "; ".join(snap.alternatives))
    return lines


def _advice(acc: ApplicantAccount) -> list[str]:
    req, out = acc.request, acc.outcome
    tips: list[str] = []
    if req.category in (Category.SAFETY, Category.BASIC_NEEDS) and out.category is Category.NONE:
        if req.direction is Direction.FEEDIN:
            tips.append(
                f"a feed-in request never gets category {req.category.number}; only offtake "
                "for a safety or basic-needs function does"
            )
        elif not req.evidence:
            tips.append(
                f"send the operator evidence of your {req.category.label} function: with it "
                f"you rank in category {req.category.number} instead of with no priority"
            )
    if req.category is Category.CONGESTION_RELIEVER and not req.contract_signed:
        tips.append(
            "sign the congestion-relief contract with the operator: only then do you rank in "
            "category 1"
        )
    join = acc.at_join
    if out.status is not Status.WITHDRAWN and join is not None and join.alternatives:
        later = (
            f"instead of waiting until {out.granted_on}"
            if out.granted_on is not None
            else f"instead of waiting beyond {acc.horizon_end}"
        )
        tips.append(
            f"change the request as shown under 'alternatives' ({join.on}): it would be "
            f"connected at once {later}. A smaller firm request can come from a battery, "
            "on-site generation or shifting load (netruimte site plan)"
        )
    return tips


def _monte_carlo_text(acc: ApplicantAccount) -> str:
    out = acc.outcome
    share = (out.withdrawn_share or 0.0) * 100
    head = f"Over {acc.runs} Monte Carlo runs (reinforcement delays, withdrawals) "
    if share >= 100 - 1e-9:
        return head + "it withdrew in every run."
    parts = []
    for label, day in (
        ("10 % of the runs", out.granted_p10),
        ("half", out.granted_p50),
        ("90 %", out.granted_p90),
    ):
        if day is None:
            parts.append(f"in fewer than {label} before {acc.horizon_end}")
            break
        parts.append(f"in {label} by {day}")
    return (
        head
        + "it is connected "
        + ", ".join(parts)
        + f" (over the runs in which it stayed; it withdrew itself in {share:.0f} %)."
    )


def render_account(acc: ApplicantAccount) -> str:
    """Plain text for an applicant (several lines)."""
    req, out = acc.request, acc.outcome
    direction = req.direction
    above = [_station(acc, s) for s in acc.path[1:]]
    lines = [
        f"Request {req.id}" + (f", {req.applicant}" if req.applicant else ""),
        f"{req.kw:,.0f} kW {direction.value}, {req.contract.value} transport right, at "
        f"{_station(acc, req.station)}" + (f"; above it: {', '.join(above)}" if above else ""),
        f"Submitted {req.submitted.date()}"
        + (f"; takes part in the allocation from {acc.joined}" if acc.joined else "")
        + (f"; capacity needed on {req.needed} (housing reservation)" if req.needed else ""),
        f"Policy {acc.policy}, fit {acc.fit}, capacity {acc.capacity}.",
        "",
        f"Category: {out.category.label}"
        + (f" (category {out.category.number})" if out.category is not Category.NONE else "")
        + f". Why: {acc.why}.",
    ]
    if acc.note:
        lines.append(acc.note[0].upper() + acc.note[1:] + ".")
    lines.append("")
    if out.outside_queue:
        lines.append(f"{out.explanation[0].upper()}{out.explanation[1:]}.")
        return "\n".join(lines)
    if out.rank is None and out.status is Status.WAITING and req.small_consumer:
        # waiting in the reserve's own line (outside the ranked list) at the end
        lines.append(f"{out.explanation[0].upper()}{out.explanation[1:]}.")
        return "\n".join(lines)
    if out.rank is None:
        if out.status is Status.WITHDRAWN:
            lines.append(f"Withdrawn on {out.withdrawn_on}, before it took part.")
        else:
            lines.append(
                f"It does not take part before the end of the horizon ({acc.horizon_end})."
            )
        return "\n".join(lines)
    if acc.at_join is not None:
        lines.append(f"When it joined the list ({acc.at_join.on}):")
        lines += _snapshot_lines(acc, acc.at_join)
    if acc.last_wait is not None:
        lines.append(f"The last moment it waited ({acc.last_wait.on}):")
        lines += _snapshot_lines(acc, acc.last_wait)
    if acc.at_join is not None or acc.last_wait is not None:
        lines.append("")
    plan = "Expected (plan without delays)"
    if out.status is Status.GRANTED:
        if acc.wait_months == 0:
            lines.append(
                f"{plan}: connected at once, on {out.granted_on} (rank {out.rank} of "
                f"{out.rank_of}, "
                + (f"{_mw(out.ahead_mw)} ahead" if out.ahead_mw else "nothing ahead")
                + "; it fits)."
            )
        else:
            lines.append(
                f"{plan}: connected on {out.granted_on}, after waiting {acc.wait_months} months."
            )
            if acc.freed_by:
                lines.append(
                    "  The room comes when "
                    + "; and ".join(_rf_text(acc, rf, direction) for rf in acc.freed_by)
                    + "."
                )
            else:
                lines.append(
                    "  No reinforcement on your path counts at that moment: the room comes from "
                    "capacity given back under use it or lose it"
                    + (", or the request that held you back left" if acc.fit == "strict" else "")
                    + "."
                )
        if out.released_on is not None:
            lines.append(f"  Contract lowered on {out.released_on} (use it or lose it).")
    elif out.status is Status.WITHDRAWN:
        lines.append(f"{plan}: withdrawn on {out.withdrawn_on} while waiting.")
    else:
        lines.append(f"{plan}: not connected before the end of the horizon ({acc.horizon_end}).")
    if acc.runs > 1:
        lines.append(_monte_carlo_text(acc))
    tips = _advice(acc)
    if tips:
        lines += ["", "What you can do:"] + [f"  - {t}" for t in tips]
    return "\n".join(lines)
