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
from typing import Any

from sqlalchemy import select

from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.register.convert import build_scenario, load_register
from netruimte.storage import Database
from netruimte.storage.tables import Request, Run, RunRequest
from netruimte.waitlist import simulate

__all__ = ["compare_runs", "what_if"]


def _shift(a: str | None, b: str | None) -> int | None:
    """Days from ``a`` to ``b`` (None when either is not granted within the horizon)."""
    if a is None or b is None:
        return None
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def _side_by_side(
    left: dict[str, str | None], right: dict[str, str | None], names: dict[str, str]
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for rid in sorted(set(left) | set(right)):
        a, b = left.get(rid), right.get(rid)
        rows.append(
            {
                "id": rid,
                "applicant": names.get(rid, ""),
                "left": a,
                "right": b,
                "days": _shift(a, b),
                "changed": a != b,
            }
        )
    return {
        "requests": rows,
        "changed": sum(1 for r in rows if r["changed"]),
        "earlier": sum(
            1 for r in rows if (r["days"] or 0) < 0 or (r["left"] is None and r["right"])
        ),
        "later": sum(1 for r in rows if (r["days"] or 0) > 0 or (r["right"] is None and r["left"])),
    }


def what_if(
    db: Database,
    principal: Principal,
    reinforcement_id: str,
    *,
    date: dt.date | None = None,
    offtake_mw: float | None = None,
    feedin_mw: float | None = None,
) -> dict[str, Any]:
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

    def dates(result: Any) -> dict[str, str | None]:
        return {o.id: o.granted_on.isoformat() if o.granted_on else None for o in result.requests}

    def brief(r: Any) -> dict[str, Any]:
        return {
            "id": r.id,
            "station": r.station,
            "date": r.date.isoformat(),
            "offtake_mw": r.offtake_mw,
            "feedin_mw": r.feedin_mw,
        }

    return {
        "reinforcement": reinforcement_id,
        "left_label": "as planned",
        "right_label": "what if",
        "planned": brief(planned),
        "edited": brief(edited),
        "policy": policy,
        "fit": fit,
        "horizon": {"start": scenario.start.isoformat(), "end": scenario.end.isoformat()},
        **_side_by_side(dates(base), dates(other), names),
    }


def compare_runs(db: Database, principal: Principal, left: int, right: int) -> dict[str, Any]:
    """Two stored forecast runs side by side: each request's P50 (or on-time date)."""
    require_operator(principal, "compare forecasts")
    out: dict[str, Any] = {}
    with db.read() as session:
        names = dict(session.execute(select(Request.id, Request.applicant)).all())
        sides: list[dict[str, str | None]] = []
        for side, run_id in (("left", left), ("right", right)):
            run = session.get(Run, run_id)
            if run is None or run.kind == "allocate":
                raise NotFound(f"no forecast run {run_id}")
            rows = session.scalars(select(RunRequest).where(RunRequest.run_id == run_id))
            side_dates: dict[str, str | None] = {}
            for r in rows:
                day = r.granted_p50 or r.granted_on
                side_dates[r.request_id] = day.isoformat() if day is not None else None
            sides.append(side_dates)
            out[f"{side}_label"] = f"run {run.id} ({run.kind}, {run.runs} runs, {run.policy})"
    return {"left_run": left, "right_run": right, **out, **_side_by_side(sides[0], sides[1], names)}
