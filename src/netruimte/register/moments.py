"""Preview an allocation moment: who would get what at the next moment, and why.

The preview runs the same engine on the same register as :func:`netruimte.register.allocation.
allocate` (:func:`~netruimte.register.convert.moment_scenario`: a one-day horizon from the moment's
date, no use-it-or-lose-it; the register's policy and fit unless given) and writes nothing. Each
request that takes part is listed in queue order per station and direction with its outcome:
``grant`` (the whole kW, under its own contract or the alternative named), ``offer`` (a partial
offer of ``offer_kw``), or ``waits`` (with the engine's explanation). An operator looks at it and
then runs the moment; a test checks that the run grants exactly what the preview showed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError
from netruimte.register import dashboard
from netruimte.register.convert import (
    WAITING,
    check_day,
    load_register,
    moment_scenario,
    today,
)
from netruimte.register.dashboard_views import Standing
from netruimte.register.requests import owned_request
from netruimte.register.view_json import JsonView
from netruimte.storage import Database
from netruimte.storage.tables import Request, Station
from netruimte.waitlist import Fit, Policy, simulate

__all__ = ["MomentPreview", "PreviewItem", "next_standing", "preview_moment"]


def _pick(kind: type[Policy] | type[Fit], value: str | None, default: str, field: str) -> str:
    if value in (None, ""):
        return default
    choices = [m.value for m in kind]
    if value not in choices:
        raise InputError(f"expected one of {', '.join(choices)}, got {value!r}", field=field)
    return str(value)


@dataclass(frozen=True)
class PreviewItem(JsonView):
    """One request at a previewed moment: its rank and what it would get (``outcome``:
    grant | offer | waits; ``contract``: the right it gets, which may be an alternative it
    accepts; ``granted_kw``: the kW granted or offered)."""

    id: str
    applicant: str
    station: str
    direction: str
    kw: float
    category: str
    rank: int | None
    rank_of: int | None
    outcome: str
    granted_kw: float
    contract: str
    explanation: str


@dataclass(frozen=True)
class MomentPreview(JsonView):
    """What an allocation moment would grant (:func:`preview_moment`): how many whole grants
    and partial offers, their MW, and every request that takes part in queue order per
    station and direction."""

    on: str
    policy: str
    fit: str
    grants: int
    offers: int
    granted_mw: float
    offered_mw: float
    requests: tuple[PreviewItem, ...]


def preview_moment(
    db: Database,
    principal: Principal,
    *,
    on: dt.date | None = None,
    policy: str | None = None,
    fit: str | None = None,
) -> MomentPreview:
    """What an allocation moment on ``on`` (default today) would grant; nothing is written.

    Returns
    -------
    MomentPreview
    """
    require_operator(principal, "preview an allocation moment")
    check_day(on, "on")
    with db.read() as session:
        reg = load_register(session)
        used_policy = _pick(Policy, policy, reg.policy, "policy")
        used_fit = _pick(Fit, fit, reg.fit, "fit")
        stations = list(session.scalars(select(Station)))
        day = on or today(session)
        scenario = moment_scenario(session, day, stations=stations)
        result = simulate(scenario, policy=used_policy, fit=used_fit)
        names = dict(session.execute(select(Request.id, Request.applicant)).all())
    items: list[PreviewItem] = []
    for out in sorted(
        result.requests, key=lambda o: (o.station, o.direction.value, o.rank or 10**9, o.id)
    ):
        today_offers = [x for x in out.offers if x.on == day]
        if out.granted_on == day:
            outcome = "grant"
            kw = out.kw if not today_offers else sum(x.kw for x in today_offers)
        elif today_offers:
            outcome, kw = "offer", sum(x.kw for x in today_offers)
        elif out.rank is None:
            continue  # takes no part at this moment (submitted later)
        else:
            outcome, kw = "waits", 0.0
        contract = today_offers[-1].contract.value if today_offers else out.contract.value
        items.append(
            PreviewItem(
                id=out.id,
                applicant=names.get(out.id, ""),
                station=out.station,
                direction=out.direction.value,
                kw=out.kw,
                category=out.category.value,
                rank=out.rank,
                rank_of=out.rank_of,
                outcome=outcome,
                granted_kw=round(kw, 3),
                contract=contract,
                explanation=out.explanation,
            )
        )
    grants = [i for i in items if i.outcome == "grant"]
    offers = [i for i in items if i.outcome == "offer"]
    return MomentPreview(
        on=day.isoformat(),
        policy=used_policy,
        fit=used_fit,
        grants=len(grants),
        offers=len(offers),
        granted_mw=round(sum(i.granted_kw for i in grants) / 1000, 6),
        offered_mw=round(sum(i.granted_kw for i in offers) / 1000, 6),
        requests=tuple(items),
    )


def next_standing(db: Database, principal: Principal, request_id: str) -> Standing | None:
    """A waiting request's standing at the first moment it takes part, when that is not today.

    A request filed today takes part from tomorrow's moment (a moment ranks what was submitted
    before its day began), so its page would show no rank until then; this is its rank, MW
    ahead and explanation at that moment, with the register as it is now. None for a request
    that is not waiting or that takes part today already.
    """
    with db.read() as session:
        row = owned_request(session, principal, request_id)
        if row.status != WAITING:
            return None
        reg = load_register(session)
        day = today(session)
        if request_id in dashboard.standings(session, day):
            return None
        submitted = row.submitted.astimezone(ZoneInfo(reg.timezone)).date()
        first = max(day, submitted) + dt.timedelta(days=1)
        names = dict(session.execute(select(Station.id, Station.name)).all())
        return dashboard.standing_view(
            dashboard.standings(session, first).get(request_id), first, names
        )
