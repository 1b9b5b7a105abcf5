"""Per-contract outcomes of a run: the room each contract created, for whom, at what cost."""

from __future__ import annotations

import numpy as np

from netruimte.waitlist.congestion import ContractOutcome
from netruimte.waitlist.engine import CompiledScenario, RawOutcome, contract_span

__all__ = ["contract_outcomes"]

EPS_MW = 1e-9
_DAYS_PER_YEAR = 365.25


def contract_outcomes(c: CompiledScenario, raw: RawOutcome) -> tuple[ContractOutcome, ...]:
    """What every ``[[congestion_contract]]`` did in this run (see :class:`ContractOutcome`).

    A request is counted for a contract (``granted_with``) when it was granted or offered
    room at a moment the contract counted, at a station on or below the contract's station, and
    the offtake room left at the end of that moment at some node of the contract's path was
    less than the contract's MW (steered relievers take no room and are never counted).
    ``years_active`` runs from the first moment it counts to the
    moment it stops, or to the scenario's end.
    """
    sc = c.scenario
    if not sc.congestion_contracts:
        return ()
    grid = sc.grid
    moments = c.moments
    n_m = len(moments)
    start, end = contract_span(c, raw.reinforcement_m)
    anc = c.anc
    # offers made (partial ones and the last part of a whole grant), by moment
    by_moment: dict[int, list[tuple[int, float]]] = {}
    for r, m, mw in zip(raw.offer_r, raw.offer_m, raw.offer_mw, strict=True):
        if c.direction[r] == 0 and not raw.outside[r] and not c.steered[r]:
            by_moment.setdefault(int(m), []).append((int(r), float(mw)))
    out = []
    for k, ctr in enumerate(sc.congestion_contracts):
        node = grid.index(ctr.station)
        path = [int(x) for x in anc[node] if x >= 0]
        s, e = int(start[k]), int(end[k])
        active = max(0, min(e, n_m) - s) if s < n_m else 0
        counts_from = moments[s] if active else None
        counts_until = moments[e] if active and e < n_m else None
        if active:
            stop = counts_until if counts_until is not None else sc.end
            years = (stop - moments[s]).days / _DAYS_PER_YEAR
        else:
            years = 0.0
        whom: list[str] = []
        kw = 0.0
        for m in range(s, min(e, n_m)):
            room = raw.room_hist[0, path, m]
            if not np.any(room < ctr.mw - EPS_MW):
                continue
            for r, mw in by_moment.get(m, ()):
                if node in anc[c.station[r]]:
                    rid = sc.requests[r].id
                    if rid not in whom:
                        whom.append(rid)
                    kw += mw * 1000.0
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
                granted_with=tuple(whom),
                granted_with_kw=kw,
            )
        )
    return tuple(out)
