"""The tables of the waiting-list report (:mod:`netruimte.report.waitlist`): every request
with its outcome, the stations, and the Monte Carlo ranges per category, as data frames whose
cells are messages (the report translates them).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from netruimte.grid.model import Direction
from netruimte.i18n import Msg
from netruimte.report.waitlist_data import CATEGORY_ORDER, Timeline, category_label
from netruimte.waitlist.result import RequestOutcome, SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = ["monte_carlo_table", "policy_headers", "request_table", "station_table"]


def _day(day: dt.date) -> str:
    """ISO date with non-breaking hyphens, so a narrow table column does not split it."""
    return day.isoformat().replace("-", "\u2011")


def policy_headers(*policies: str) -> dict[str, str]:
    """The messages of the column names that hold a policy's name."""
    out: dict[str, str] = {}
    for policy in policies:
        for msgid in (
            "connected ({policy})",
            "granted ({policy})",
            "median wait ({policy})",
            "sooner under {policy}",
            "later under {policy}",
        ):
            msg = Msg(msgid, policy=policy)
            out[str(msg)] = msg
    return out


def _outcome_text(out: RequestOutcome, wait: int) -> str:
    if out.granted_on is not None:
        return f"{_day(out.granted_on)} ({wait}\u00a0mo)"
    if out.withdrawn_on is not None:
        return Msg("withdrawn {day}", day=out.withdrawn_on)
    return Msg("waiting") if out.rank is not None else Msg("not yet in the list")


def request_table(
    scenario: Scenario,
    result: SimulationResult,
    tl: Timeline,
    other: tuple[SimulationResult, Timeline] | None,
) -> pd.DataFrame:
    rows = []
    n_m = tl.n_moments
    for i, (req, out) in enumerate(zip(scenario.requests, result.requests, strict=True)):
        row: dict[str, object] = {
            "request": f"{out.id} {req.applicant}".strip(),
            "station": out.station,
            "requested (kW)": f"{out.kw:,.0f}"
            + (" feed-in" if out.direction is Direction.FEEDIN else ""),
            "category": category_label(out.category),
            "joined the list": _day(tl.moments[int(tl.start_m[i])]) if tl.start_m[i] < n_m else "",
            Msg("connected ({policy})", policy=result.policy): _outcome_text(
                out, int(tl.wait_m[i])
            ),
        }
        if other is not None:
            row[f"connected ({other[0].policy})"] = _outcome_text(
                other[0].requests[i], int(other[1].wait_m[i])
            )
        if result.runs > 1:
            gone = (out.withdrawn_share or 0.0) >= 1.0
            for q in ("p10", "p50", "p90"):
                day = getattr(out, f"granted_{q}")
                row[q.upper()] = _day(day) if day else Msg("withdrawn" if gone else "later")
        rows.append(row)
    return pd.DataFrame(rows)


def monte_carlo_table(result: SimulationResult, tl: Timeline) -> pd.DataFrame:
    rows = []
    cats = np.array([c.value for c in tl.category])
    for cat in CATEGORY_ORDER:
        sel = np.flatnonzero((cats == cat.value) & tl.took_part)
        if sel.size == 0:
            continue
        p50_wait, spread, late, withdrew = [], [], 0, []
        for i in sel:
            out = result.requests[int(i)]
            start = tl.moments[int(tl.start_m[i])]
            if out.granted_p50 is not None:
                p50_wait.append(_months(start, out.granted_p50))
            if out.granted_p10 is not None and out.granted_p90 is not None:
                spread.append(_months(out.granted_p10, out.granted_p90))
            if out.granted_p90 is None:
                late += 1
            withdrew.append(out.withdrawn_share or 0.0)
        rows.append(
            {
                "category": category_label(cat),
                "requests": int(sel.size),
                "median P50 wait (months)": float(np.median(p50_wait)) if p50_wait else math.nan,
                "median P10-P90 spread (months)": float(np.median(spread)) if spread else math.nan,
                "P90 after the horizon": late,
                "mean share of runs withdrawn (%)": 100.0 * float(np.mean(withdrew)),
            }
        )
    return pd.DataFrame(rows)


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def station_table(result: SimulationResult, scenario: Scenario, has_feedin: bool) -> pd.DataFrame:
    rows = []
    load = {st.id: st.load_mw for st in scenario.grid.stations}
    for st in result.stations:
        row: dict[str, object] = {
            "station": st.name if st.name == st.id else f"{st.name} ({st.id})",
            "part of": st.parent or "",
            "offtake capacity (MW)": st.offtake_mw,
            "existing load (MW)": load.get(st.id, math.nan),
            "granted to requests (MW)": st.allocated_mw,
            "headroom (MW)": st.room_mw,
            "waiting (MW)": st.waiting_mw,
            "waiting requests": st.waiting_count,
        }
        if has_feedin:
            row["feed-in capacity (MW)"] = st.feedin_mw if st.feedin_mw is not None else math.nan
            row["feed-in waiting (MW)"] = st.waiting_feedin_mw
        rows.append(row)
    return pd.DataFrame(rows)
