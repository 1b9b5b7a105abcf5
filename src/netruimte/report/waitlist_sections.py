"""Sentences and per-station sections of the waiting-list report (pure).

Every sentence here that compares numbers is computed from them (so it changes when the data
change, and cannot contradict the chart beside it). Time in this report is in months.

Aggregated stations are modelling devices that stand for many stations at once (the Flevoland
scenario's "Rest of the region (Utrecht, Gelderland)"), marked ``aggregated = true`` in the
scenario. Their requests are counted in the totals but shown
apart, not in the per-station charts, where they would dwarf the real stations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netruimte.explain_i18n import Explanation
from netruimte.grid.model import Direction
from netruimte.i18n import Msg, join
from netruimte.report.html import Details, Paragraph, Section, Table
from netruimte.report.waitlist_data import Timeline, category_label, kaplan_meier
from netruimte.waitlist.requests import Category, Status
from netruimte.waitlist.result import RequestOutcome, SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = [
    "aggregated_section",
    "aggregated_stations",
    "median_wait_months",
    "station_sections",
    "station_sentence",
    "wait_sentence",
]


def aggregated_stations(scenario: Scenario) -> set[str]:
    """Ids of the stations marked ``aggregated`` (see the module docstring)."""
    return {st.id for st in scenario.grid.stations if st.aggregated}


def median_wait_months(tl: Timeline, sel: np.ndarray) -> tuple[int | None, int]:
    """Kaplan-Meier median wait (months) of the selected requests, ``None`` when fewer than
    half were connected while followed; and how many requests it is over."""
    granted = tl.granted_m >= 0
    last_seen = np.where(granted, tl.granted_m, tl.end_m - 1)
    keep = sel & tl.took_part & (last_seen >= tl.start_m)
    curve = kaplan_meier((last_seen - tl.start_m)[keep].astype(np.int64), granted[keep])
    if curve.n == 0:
        return None, 0
    hit = np.flatnonzero(curve.connected >= 0.5 - 1e-12)
    return (int(curve.months[hit[0]]) if hit.size else None), curve.n


def wait_sentence(tl: Timeline, exclude: np.ndarray | None = None) -> str:
    """How long offtake requests with priority wait against those without, in months."""
    off = (tl.direction == Direction.OFFTAKE.axis) & tl.took_part
    if exclude is not None:
        off &= ~exclude
    cats = np.array([c.value for c in tl.category])
    none_sel = off & (cats == Category.NONE.value)
    prio_sel = off & (cats != Category.NONE.value)
    m_none, n_none = median_wait_months(tl, none_sel)
    m_prio, n_prio = median_wait_months(tl, prio_sel)
    if n_none == 0 or n_prio == 0:
        return Msg(
            "All offtake requests that took part rank in one group ({group}), so no comparison "
            "between priority and the rest can be made.",
            group=Msg("without priority" if n_prio == 0 else "with priority"),
        )

    def text(m: int | None) -> str:
        if m is None:
            return Msg("more than the horizon (fewer than half connected)")
        return Msg("{n} months", n=m)

    if m_prio is None and m_none is None:
        end = Msg("neither group reaches half within the horizon.")
    elif m_none is None or (m_prio is not None and m_prio < m_none):
        end = Msg("requests with priority wait less.")
    elif m_prio is None or m_prio > m_none:
        end = Msg("requests with priority wait longer here (their stations are fuller).")
    else:
        end = Msg("both wait as long.")
    return Msg(
        "Half of the {n_prio} offtake requests with priority are connected within {m_prio} of "
        "joining the list, half of the {n_none} without priority within {m_none}: {end}",
        n_prio=n_prio,
        m_prio=text(m_prio),
        n_none=n_none,
        m_none=text(m_none),
        end=end,
    )


def _outcome(out: RequestOutcome) -> str:
    if out.granted_on is not None:
        return Msg("connected {day}", day=out.granted_on)
    if out.withdrawn_on is not None:
        return Msg("withdrawn {day}", day=out.withdrawn_on)
    if out.rank is None:
        return Msg("not yet in the list")
    return Msg("still waiting at the end")


def station_sentence(scenario: Scenario, result: SimulationResult, station_id: str) -> str:
    """A station's capacity, existing load, granted and waiting MW and headroom, in words."""
    st = next(s for s in result.stations if s.id == station_id)
    grid_st = scenario.grid.stations[scenario.grid.index(station_id)]
    parts: list[str] = [
        Msg(
            "Offtake capacity {cap:,.1f} MW, of which the existing load takes {load:,.1f} MW and "
            "the requests granted (here and below) {granted:,.1f} MW: headroom {room:,.1f} MW at "
            "the end.",
            cap=st.offtake_mw,
            load=grid_st.load_mw,
            granted=st.allocated_mw,
            room=st.room_mw,
        )
    ]
    if st.room_mw < 0:
        parts.append(Msg("Negative headroom: the station is over-contracted and nothing new fits."))
    if st.waiting_count == 1:
        parts.append(Msg("1 offtake request ({mw:,.1f} MW) still waits.", mw=st.waiting_mw))
    elif st.waiting_count:
        parts.append(
            Msg(
                "{n} offtake requests ({mw:,.1f} MW) still wait.",
                n=st.waiting_count,
                mw=st.waiting_mw,
            )
        )
    else:
        parts.append(Msg("No offtake request waits at the end."))
    if st.alleviation_year is not None:
        parts.append(
            Msg("The next reinforcement on its path is due in {year}.", year=st.alleviation_year)
        )
    return join(parts)


def _details(
    scenario: Scenario, result: SimulationResult, station_id: str, limit: int
) -> list[Details]:
    out: list[Details] = []
    for req, res in zip(scenario.requests, result.requests, strict=True):
        if req.station != station_id or len(out) >= limit:
            continue
        who = f" {req.applicant}" if req.applicant else ""
        summary = Msg(
            "{id}: {kw:,.0f} kW {direction}, {category}, {outcome}",
            id=f"{res.id}{who}",
            kw=res.kw,
            direction=Msg(res.direction.value),
            category=Msg(category_label(res.category)),
            outcome=_outcome(res),
        )
        out.append(Details(summary, Explanation(res.explanation + "."), key=res.id))
    return out


def station_sections(
    scenario: Scenario,
    result: SimulationResult,
    aggregated: set[str],
    *,
    max_explanations: int = 300,
) -> list[Section]:
    """One sub-section per station with requests (aggregated stations left out): its
    sentence and each request's explanation folded."""
    sections: list[Section] = []
    counts = pd.Series([r.station for r in scenario.requests]).value_counts()
    left = max_explanations
    for st in result.stations:
        if st.id in aggregated or st.id not in counts.index:
            continue
        heading = st.name if st.name == st.id else Msg("{name} ({id})", name=st.name, id=st.id)
        blocks: list[Paragraph | Details] = [Paragraph(station_sentence(scenario, result, st.id))]
        details = _details(scenario, result, st.id, max(left, 0))
        left -= len(details)
        n = int(counts[st.id])
        blocks.append(Paragraph(
            Msg("The 1 request asked here (click it for its explanation):") if n == 1 else
            Msg("The {n} requests asked here (click one for its explanation):", n=n)
        ))  # fmt: skip
        blocks.extend(details)
        if len(details) < n:
            blocks.append(Paragraph(Msg(
                "… {n} more in requests.csv, or ask for one with netruimte waitlist explain.",
                n=n - len(details),
            )))  # fmt: skip
        sections.append(Section(heading, blocks, level=3))
    return sections


def aggregated_section(
    scenario: Scenario, result: SimulationResult, tl: Timeline, aggregated: set[str]
) -> Section | None:
    """The aggregated stations apart: what they stand for and their requests in sum."""
    if not aggregated:
        return None
    rows: list[dict[str, object]] = []
    for sid in sorted(aggregated):
        sel = tl.station == scenario.grid.index(sid)
        granted = sel & (np.array([s is Status.GRANTED for s in tl.status]))
        waiting = sel & (np.array([s is Status.WAITING for s in tl.status]))
        first = [tl.moments[int(m)] for m in tl.granted_m[granted]]
        rows.append({
            "station": scenario.grid.stations[scenario.grid.index(sid)].name,
            "requests": int(sel.sum()),
            "MW asked": float(tl.mw[sel].sum()),
            "MW connected": float(tl.mw[granted].sum()),
            "MW still waiting": float(tl.mw[waiting].sum()),
            "first connected": min(first).isoformat() if first else Msg("none in the horizon"),
        })  # fmt: skip
    apart = np.isin(tl.station, [scenario.grid.index(sid) for sid in aggregated])
    total = int(apart.sum())
    mw = float(tl.mw[apart].sum())
    share = mw / float(tl.mw.sum()) if float(tl.mw.sum()) > 0 else 0.0
    return Section(
        "Aggregated requests (shown apart)",
        [
            Paragraph(
                Msg(
                    "{total} requests ({mw:,.1f} MW, {share:.0%} of all MW asked) stand for the "
                    "queue of many stations at once (a station marked 'aggregated' in the "
                    "scenario). They compete for the capacity above them and are counted in the "
                    "totals, but are left out of the per-station charts and sections, where they "
                    "would dwarf the stations of the region itself.",
                    total=total,
                    mw=mw,
                    share=share,
                )
            ),
            Table(pd.DataFrame(rows), caption="Aggregated stations", float_format="{:,.1f}"),
        ],
    )
