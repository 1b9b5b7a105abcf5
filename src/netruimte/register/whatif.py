"""What if a reinforcement comes at another date or with other MW: two forecasts side by side.

The register is turned into a scenario once (:func:`~netruimte.register.convert.
build_scenario`, the horizon and policy of the register) and simulated twice in one call:
as planned, and with the one reinforcement's date and MW changed. Nothing is written: the
operator sees, per waiting request, the date it is granted in either forecast and how many
days it moves. Stored forecasts are compared the same way (:func:`compare_runs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.grid import Reinforcement as GridReinforcement
from netruimte.register.convert import build_scenario, load_register
from netruimte.register.view_json import JsonView
from netruimte.storage import Database
from netruimte.storage.tables import Request, Run, RunRequest
from netruimte.waitlist import SimulationResult, simulate

__all__ = [
    "ComparedRequest",
    "Horizon",
    "RunComparison",
    "SideBySide",
    "WhatIf",
    "WorkBrief",
    "compare_runs",
    "what_if",
]


def _shift(a: str | None, b: str | None) -> int | None:
    """Days from ``a`` to ``b`` (None when either is not granted within the horizon)."""
    if a is None or b is None:
        return None
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


@dataclass(frozen=True)
class ComparedRequest(JsonView):
    """One request in two forecasts: its grant date (ISO) in each and the days it moves."""

    id: str
    applicant: str
    left: str | None
    right: str | None
    days: int | None
    """Days from ``left`` to ``right`` (None when either is not granted in the horizon)."""
    changed: bool


@dataclass(frozen=True)
class SideBySide(JsonView):
    """Two forecasts side by side, request by request (sorted by id), with the counts of the
    requests whose date changed, came earlier and came later."""

    requests: tuple[ComparedRequest, ...]
    changed: int
    earlier: int
    later: int


def _compared(rid: str, applicant: str, a: str | None, b: str | None) -> ComparedRequest:
    return ComparedRequest(rid, applicant, a, b, _shift(a, b), a != b)


def _side_by_side(
    left: dict[str, str | None], right: dict[str, str | None], names: dict[str, str]
) -> SideBySide:
    rows = tuple(
        _compared(rid, names.get(rid, ""), left.get(rid), right.get(rid))
        for rid in sorted(set(left) | set(right))
    )
    return SideBySide(
        requests=rows,
        changed=sum(1 for r in rows if r.changed),
        earlier=sum(1 for r in rows if (r.days or 0) < 0 or (r.left is None and r.right)),
        later=sum(1 for r in rows if (r.days or 0) > 0 or (r.right is None and r.left)),
    )


@dataclass(frozen=True)
class WorkBrief(JsonView):
    """A reinforcement as planned or as edited (the date is ISO text)."""

    id: str
    station: str
    date: str
    offtake_mw: float
    feedin_mw: float


@dataclass(frozen=True)
class Horizon(JsonView):
    """The forecast's horizon (ISO dates)."""

    start: str
    end: str


@dataclass(frozen=True)
class WhatIf(JsonView):
    """A reinforcement changed: the register's forecast as planned (``left``) and with the
    change (``right``), side by side (:func:`what_if`)."""

    reinforcement: str
    left_label: str
    right_label: str
    planned: WorkBrief
    edited: WorkBrief
    policy: str
    fit: str
    horizon: Horizon
    requests: tuple[ComparedRequest, ...]
    changed: int
    earlier: int
    later: int


@dataclass(frozen=True)
class RunComparison(JsonView):
    """Two stored forecast runs side by side (:func:`compare_runs`)."""

    left_run: int
    right_run: int
    left_label: str
    right_label: str
    requests: tuple[ComparedRequest, ...]
    changed: int
    earlier: int
    later: int


def what_if(
    db: Database,
    principal: Principal,
    reinforcement_id: str,
    *,
    date: dt.date | None = None,
    offtake_mw: float | None = None,
    feedin_mw: float | None = None,
) -> WhatIf:
    """Forecast the register as planned (``left``) and with the reinforcement changed
    (``right``); deterministic (every work on time), nothing written.

    Raises
    ------
    NotFound
        No such reinforcement.
    InputError
        Nothing changed, or a negative MW.
    """
    require_operator(principal, "run a what-if")
    for name, value in (("offtake_mw", offtake_mw), ("feedin_mw", feedin_mw)):
        if value is not None and value < 0:
            raise InputError(f"expected MW >= 0, got {value:g}", field=name)
    with db.read() as session:
        reg = load_register(session)
        policy, fit = reg.policy, reg.fit
        scenario = build_scenario(session)
        names = dict(session.execute(select(Request.id, Request.applicant)).all())
    works = {r.id: r for r in scenario.grid.reinforcements}
    if reinforcement_id not in works:
        raise NotFound(f"no reinforcement {reinforcement_id!r}")
    planned = works[reinforcement_id]
    edited = dataclasses.replace(
        planned,
        date=date if date is not None else planned.date,
        offtake_mw=offtake_mw if offtake_mw is not None else planned.offtake_mw,
        feedin_mw=feedin_mw if feedin_mw is not None else planned.feedin_mw,
    )
    if edited == planned:
        raise InputError("change the date or the MW of the reinforcement", field="date")
    grid = dataclasses.replace(
        scenario.grid,
        reinforcements=tuple(edited if r.id == reinforcement_id else r for r in works.values()),
    )
    base = simulate(scenario, policy=policy, fit=fit)
    other = simulate(dataclasses.replace(scenario, grid=grid), policy=policy, fit=fit)

    def dates(result: SimulationResult) -> dict[str, str | None]:
        return {o.id: o.granted_on.isoformat() if o.granted_on else None for o in result.requests}

    def brief(r: GridReinforcement) -> WorkBrief:
        return WorkBrief(r.id, r.station, r.date.isoformat(), r.offtake_mw, r.feedin_mw)

    both = _side_by_side(dates(base), dates(other), names)
    return WhatIf(
        reinforcement=reinforcement_id,
        left_label="as planned",
        right_label="what if",
        planned=brief(planned),
        edited=brief(edited),
        policy=policy,
        fit=fit,
        horizon=Horizon(scenario.start.isoformat(), scenario.end.isoformat()),
        requests=both.requests,
        changed=both.changed,
        earlier=both.earlier,
        later=both.later,
    )


def compare_runs(db: Database, principal: Principal, left: int, right: int) -> RunComparison:
    """Two stored forecast runs side by side: each request's P50 (or on-time date)."""
    require_operator(principal, "compare forecasts")
    labels: list[str] = []
    with db.read() as session:
        names = dict(session.execute(select(Request.id, Request.applicant)).all())
        sides: list[dict[str, str | None]] = []
        for run_id in (left, right):
            run = session.get(Run, run_id)
            if run is None or run.kind == "allocate":
                raise NotFound(f"no forecast run {run_id}")
            rows = session.scalars(select(RunRequest).where(RunRequest.run_id == run_id))
            side_dates: dict[str, str | None] = {}
            for r in rows:
                day = r.granted_p50 or r.granted_on
                side_dates[r.request_id] = day.isoformat() if day is not None else None
            sides.append(side_dates)
            labels.append(f"run {run.id} ({run.kind}, {run.runs} runs, {run.policy})")
    both = _side_by_side(sides[0], sides[1], names)
    return RunComparison(
        left, right, labels[0], labels[1], both.requests, both.changed, both.earlier, both.later
    )
