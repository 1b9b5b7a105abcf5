"""Tiny builders for hand-made cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netruimte.grid import Grid, Reinforcement, Station
from netruimte.waitlist import Request, Scenario, SimulationResult, simulate


def grid(*stations: Station, reinforcements: tuple[Reinforcement, ...] = ()) -> Grid:
    return Grid(tuple(stations), reinforcements)


def scenario(
    g: Grid,
    requests: list[Request],
    *,
    start: str = "2026-01-01",
    end: str = "2027-01-01",
    **options: Any,
) -> Scenario:
    return Scenario(
        name="case",
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        grid=g,
        requests=tuple(requests),
        **options,
    )


def granted(result: SimulationResult) -> dict[str, str | None]:
    """Request id -> ISO grant date (None when not granted)."""
    return {
        r.id: (r.granted_on.isoformat() if r.granted_on is not None else None)
        for r in result.requests
    }


def monthly_mw(station: str, mw: float, first: str, months: int) -> tuple[Reinforcement, ...]:
    """One reinforcement of ``mw`` on the first of each month from ``first``."""
    d = dt.date.fromisoformat(first)
    out = []
    for k in range(months):
        y, m = divmod(d.month - 1 + k, 12)
        out.append(
            Reinforcement(
                id=f"{station}-{k}",
                station=station,
                date=dt.date(d.year + y, m + 1, 1),
                offtake_mw=mw,
            )
        )
    return tuple(out)


def run(sc: Scenario, **kw: Any) -> dict[str, str | None]:
    return granted(simulate(sc, **kw))
