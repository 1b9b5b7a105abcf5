"""Per-contract outcomes of a run: the room each contract created, for whom, at what cost."""

from __future__ import annotations

import numpy as np

from netruimte.waitlist.congestion import ContractOutcome
from netruimte.waitlist.engine import CompiledScenario, contract_span
from netruimte.waitlist.kernel_types import GRANTED
from netruimte.waitlist.run import RawOutcome

__all__ = ["Help", "contract_help", "contract_outcomes", "relief_help"]

EPS_MW = 1e-9
_DAYS_PER_YEAR = 365.25


Help = tuple[int, int, int, float]
"""``(helper, request, moment, offer MW)``: one offer counted for a contract or a reliever."""


def _beneficiaries(c: CompiledScenario, raw: RawOutcome) -> list[tuple[int, int, int, float]]:
    """The offers that can use created room, in the walk's order: ``(log position, request,
    moment, MW)`` — offtake, not a small consumer on reserved room, not a steered reliever."""
    out = []
    for at, (r, m, mw) in enumerate(
        zip(raw.offer_r.tolist(), raw.offer_m.tolist(), raw.offer_mw.tolist(), strict=True)
    ):
        if c.direction[r] == 0 and not raw.walk.outside[r] and not c.steered[r]:
            out.append((at, r, m, mw))
    return out


def contract_help(c: CompiledScenario, raw: RawOutcome) -> list[Help]:
    """Every offer counted for a ``[[congestion_contract]]`` (``helper`` = its position).

    An offer counts for a contract when it was made at a moment the contract counted, at a
    station on or below the contract's station, and the offtake room left at the end of that
    moment at some node of the contract's path was less than the contract's MW (without it,
    that moment's grants there would not all have fitted). Per contract in moment order, then
    in the walk's order.
    """
    sc = c.scenario
    if not sc.congestion_contracts:
        return []
    n_m = len(c.moments)
    start, end = contract_span(c, raw.reinforcement_m)
    by_moment: dict[int, list[tuple[int, float]]] = {}
    for _at, r, m, mw in _beneficiaries(c, raw):
        by_moment.setdefault(m, []).append((r, mw))
    anc = c.anc
    out: list[Help] = []
    for k, ctr in enumerate(sc.congestion_contracts):
        node = sc.grid.index(ctr.station)
        path = [int(x) for x in anc[node] if x >= 0]
        for m in range(int(start[k]), min(int(end[k]), n_m)):
            if not np.any(raw.walk.room_hist_mw[0, path, m] < ctr.mw - EPS_MW):
                continue
            for r, mw in by_moment.get(m, ()):
                if node in anc[c.station[r]]:
                    out.append((k, r, m, mw))
    return out


def relief_help(c: CompiledScenario, raw: RawOutcome) -> list[Help]:
    """Every offer counted for a granted steered reliever (``helper`` = the reliever).

    The rule of :func:`contract_help` with the reliever's credited relief for the contract's
    MW: an offer made after the reliever's grant in the walk (an earlier moment, or earlier in
    the same moment), at a station on or below the reliever's station, when the offtake room
    left at the end of that moment at some node of the reliever's path was less than the
    credited relief. Per reliever in request order, then in the walk's order.
    """
    relievers = np.flatnonzero((c.relief_add > 0) & (raw.walk.status == GRANTED)).tolist()
    if not relievers:
        return []
    offers = _beneficiaries(c, raw)
    at = np.array([o[0] for o in offers], dtype=np.int64)
    req = np.array([o[1] for o in offers], dtype=np.int64)
    mom = np.array([o[2] for o in offers], dtype=np.int64)
    paths = c.anc[c.station[req]]  # each offer's path
    logged = {r: k for k, r in enumerate(raw.offer_r.tolist())}  # a reliever's one offer
    out: list[Help] = []
    for q in relievers:
        node = int(c.station[q])
        path = [int(x) for x in c.anc[node] if x >= 0]
        # moments at whose end some node of the reliever's path had less room than its credit
        short = np.any(raw.walk.room_hist_mw[0, path, :] < c.relief_add[q] - EPS_MW, axis=0)
        hit = (at > logged[q]) & (paths == node).any(axis=1) & short[mom]
        out.extend((q, offers[k][1], offers[k][2], offers[k][3]) for k in np.flatnonzero(hit))
    return out


def contract_outcomes(
    c: CompiledScenario, raw: RawOutcome, helped: list[Help] | None = None
) -> tuple[ContractOutcome, ...]:
    """What every ``[[congestion_contract]]`` did in this run (see :class:`ContractOutcome`).

    ``granted_with`` lists the requests of :func:`contract_help` (``helped``, when already
    computed); steered relievers take no room and are never counted. ``years_active`` runs
    from the first moment it counts to the moment it stops, or to the scenario's end.
    """
    sc = c.scenario
    if not sc.congestion_contracts:
        return ()
    if helped is None:
        helped = contract_help(c, raw)
    moments = c.moments
    n_m = len(moments)
    start, end = contract_span(c, raw.reinforcement_m)
    whom: list[list[str]] = [[] for _ in sc.congestion_contracts]
    kw = [0.0 for _ in sc.congestion_contracts]
    for k, r, _m, mw in helped:
        rid = sc.requests[r].id
        if rid not in whom[k]:
            whom[k].append(rid)
        kw[k] += mw * 1000.0
    out = []
    for k, ctr in enumerate(sc.congestion_contracts):
        s, e = int(start[k]), int(end[k])
        active = max(0, min(e, n_m) - s) if s < n_m else 0
        counts_from = moments[s] if active else None
        counts_until = moments[e] if active and e < n_m else None
        if active:
            stop = counts_until if counts_until is not None else sc.end
            years = (stop - moments[s]).days / _DAYS_PER_YEAR
        else:
            years = 0.0
        out.append(
            ContractOutcome(
                id=ctr.id,
                station=ctr.station,
                kind=ctr.kind,
                mw=ctr.mw,
                counts_from=counts_from,
                counts_until=counts_until,
                active_moments=active,
                years_active=years,
                cost_eur=ctr.cost_eur(years),
                granted_with=tuple(whom[k]),
                granted_with_kw=kw[k],
            )
        )
    return tuple(out)
