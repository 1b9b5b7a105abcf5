"""The waiting-list report: a simulation result (and its comparison) as a :class:`Report`.

:func:`build_waitlist_report` is pure: result(s) and scenario in, document model out; write it
with :func:`netruimte.report.write_report`. Plots come first (queue, headroom, connections per
year, waiting time, the policy comparison, Monte Carlo ranges), then the tables. The numbers
are computed in :mod:`netruimte.report.waitlist_data`, the figures drawn in
:mod:`netruimte.report.waitlist_figures`.
"""

from __future__ import annotations

import numpy as np

from netruimte.grid.model import Direction
from netruimte.i18n import Msg, join
from netruimte.report.html import Block, Figure, Note, Paragraph, Report, Section, Table
from netruimte.report.waitlist_data import (
    Timeline,
    category_summary,
    compare_summary,
    granted_mw_per_year,
    group_by_top,
    queue_mw,
    timeline,
    top_stations,
)
from netruimte.report.waitlist_figures import (
    difference_figure,
    headroom_figure,
    per_year_figure,
    queue_figure,
    range_figure,
    station_colours,
    wait_figure,
)
from netruimte.report.waitlist_sections import (
    aggregated_section,
    aggregated_stations,
    station_sections,
    wait_sentence,
)
from netruimte.report.waitlist_tables import (
    monte_carlo_table,
    policy_headers,
    request_table,
    station_table,
)
from netruimte.waitlist.requests import Status
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = ["POLICY_TEXT", "build_waitlist_report", "synthetic_note"]

POLICY_TEXT = {
    "fcfs": "first come, first served: requests in order of submission",
    "acm-2024": (
        "ACM prioritisation framework 2024: congestion relievers with a signed contract first, "
        "then safety, then basic needs (both need evidence and offtake), then everyone else; "
        "first come, first served inside each category"
    ),
    "acm-2026": (
        "ACM prioritisation framework 2026: like 2024, but congestion relievers are ranked by "
        "the operator's efficiency score"
    ),
    "in-force": (
        "the rule in force on each date: first come, first served before 2024-10-01, the ACM "
        "framework of 2024 until 2025-12-31, the one of 2026 after that"
    ),
}
"""Plain-language description of each policy."""

_FIT_TEXT = {
    "first-fit": "a request that does not fit is passed over and smaller requests behind it "
    "may still be connected",
    "strict": "when a request does not fit at a station, no lower-ranked request through that "
    "station is connected at that moment",
}
_CAPACITY_TEXT = {
    "peak": "each station has one headroom number: capacity minus the existing peak minus "
    "what was granted",
    "profile": "headroom is compared quarter-hour by quarter-hour over a representative year, "
    "so time-block, TDTR and non-firm rights can fit where a firm request cannot; the headroom "
    "shown is the smallest quarter-hour value",
}


def synthetic_note(name: str, header: str = "") -> str | None:
    """The report's note on synthetic inputs, when the scenario says it is synthetic.

    Parameters
    ----------
    name
        The scenario's name.
    header
        The comment block at the top of the scenario file (without ``#``), if any.

    Returns
    -------
    str or None
        The header itself when it mentions "synthetic" (it says which inputs are made up), a
        sentence quoting the name when only the name does, else None.
    """
    if "synthetic" in header.lower():
        return " ".join(line.strip() for line in header.splitlines() if line.strip())
    if "synthetic" in name.lower():
        return (
            f"The scenario is named \u201c{name}\u201d: it is synthetic, so its stations, loads "
            "and requests are not published data. Read the results as an illustration of the "
            "rules, not as a forecast."
        )
    return None


def _summary_text(scenario: Scenario, result: SimulationResult, tl: Timeline) -> str:
    reqs = len(tl.ids)
    off = tl.direction == 0
    counts = {s: tl.mask(s) for s in Status}
    first, last = tl.moments[0], tl.moments[-1]
    text = Msg(
        "{reqs:,} requests at {stations} stations: {off:,.1f} MW offtake and {feed:,.1f} MW "
        "feed-in. Under {policy} ({fit}), over {moments} monthly allocation moments from {first} "
        "to {last}, {granted:,} are connected ({granted_mw:,.1f} MW), {waiting:,} still wait at "
        "the end ({waiting_mw:,.1f} MW) and {withdrawn:,} withdrew.",
        reqs=reqs,
        stations=len(scenario.grid),
        off=float(tl.mw[off].sum()),
        feed=float(tl.mw[~off].sum()),
        policy=result.policy,
        fit=result.fit,
        moments=tl.n_moments,
        first=first,
        last=last,
        granted=int(counts[Status.GRANTED].sum()),
        granted_mw=float(tl.mw[counts[Status.GRANTED]].sum()),
        waiting=int(counts[Status.WAITING].sum()),
        waiting_mw=float(tl.mw[counts[Status.WAITING]].sum()),
        withdrawn=int(counts[Status.WITHDRAWN].sum()),
    )
    later = int((~tl.took_part).sum())
    if later:
        return join([text, Msg("{n} only take part after the horizon.", n=later)])
    return text


def build_waitlist_report(
    result: SimulationResult,
    scenario: Scenario,
    *,
    synthetic: str | None = None,
    max_stations: int = 10,
    max_range_requests: int = 40,
    max_explanations: int = 300,
) -> Report:
    """The waiting-list report of ``result`` (with ``result.compare`` and percentiles if any).

    Parameters
    ----------
    result
        From :func:`netruimte.waitlist.simulate` or :func:`netruimte.waitlist.monte_carlo`.
    scenario
        The scenario the result came from.
    synthetic
        Text of a note saying which inputs are synthetic (see :func:`synthetic_note`), or None.
    max_stations
        Stations shown in the queue and headroom plots (those with the largest queue).
    max_range_requests
        Requests shown in the Monte Carlo range plot (those with the widest range).
    max_explanations
        Requests whose one-line explanation is printed (all are in ``requests.csv``).
    """
    tl = timeline(scenario, result)
    names = {st.id: st.name for st in result.stations}
    aggregated = aggregated_stations(scenario)
    colours = station_colours([st.id for st in scenario.grid.stations if st.id not in aggregated])
    in_aggregated = np.isin(tl.station, [scenario.grid.index(s) for s in aggregated])
    other = result.compare
    other_tl = timeline(scenario, other) if other is not None else None
    cmp = Msg(" compared with {b}", b=other.policy) if other is not None else ""
    runs = (
        Msg("; {n} Monte Carlo runs (seed {seed})", n=result.runs, seed=result.seed)
        if result.runs > 1
        else ""
    )
    intro: list[Block] = []
    if synthetic:
        intro.append(Note(synthetic, kind="warning"))
    intro.append(Paragraph(_summary_text(scenario, result, tl)))
    intro.append(Paragraph(wait_sentence(tl, in_aggregated)))
    if other is not None and other_tl is not None:
        intro.append(Paragraph(_summary_text(scenario, other, other_tl)))

    def policy(name: str) -> Msg:
        return Msg("Policy {name}: {text}.", name=name, text=Msg(POLICY_TEXT.get(name, name)))

    how = join(
        [
            policy(result.policy),
            *([policy(other.policy)] if other else []),
            join([
                Msg("Fit {fit}: {text}.", fit=result.fit,
                    text=Msg(_FIT_TEXT.get(result.fit, result.fit))),
                Msg("Capacity {capacity}: {text}.", capacity=result.capacity,
                    text=Msg(_CAPACITY_TEXT.get(result.capacity, result.capacity))),
                "Every month the waiting requests are ranked and walked in order; a request is "
                "connected, whole, when it fits at its station and at every station above it.",
            ]),
        ],
        sep="\n\n",
    )  # fmt: skip
    intro.append(Note(how, kind="info"))

    figures: list[Section] = []
    queues = {d: queue_mw(scenario, tl, d) for d in Direction}
    own = {
        d: queue_mw(scenario, tl, d, subtree=False).drop(columns=sorted(aggregated))
        for d in Direction
    }
    shown = top_stations(queues[Direction.OFFTAKE], max_stations)
    q_blocks: list[Block] = []
    for d, what, extra in (
        (Direction.OFFTAKE, "offtake", ""),
        (Direction.FEEDIN, "feed-in", " (solar and wind parks, batteries delivering)"),
    ):
        frame, labels = own[d], names
        by = Msg("the station they asked at")
        if int((frame.max(axis=0) > 0).sum()) > max_stations:
            frame = group_by_top(frame.reindex(columns=list(scenario.grid.ids), fill_value=0.0),
                                 scenario)  # fmt: skip
            labels = {sid: f"{names[sid]} (and below)" for sid in frame.columns}
            by = Msg("top-level station (each band holds every station under it)")
        fig, n_active = queue_figure(frame, labels, what, max_stations, colours)
        if n_active == 0:
            continue
        q_blocks.append(
            Figure(
                fig,
                caption=Msg(
                    "MW of {what} requests{extra} still waiting after each monthly allocation, "
                    "stacked by {by}, so the top edge is the whole queue. A band shrinks when "
                    "its requests are connected (often when a reinforcement adds room) or "
                    "withdraw.",
                    what=Msg(what),
                    extra=Msg(extra) if extra else "",
                    by=by,
                ),
                height_px=400 if d is Direction.OFFTAKE else 340,
            )
        )
    if not q_blocks:
        q_blocks.append(Paragraph("No request waits at any moment: every request fits at once."))
    figures.append(Section("Queue over time", q_blocks))

    room = result.room_frame(Direction.OFFTAKE)
    shown = [sid for sid in shown if sid not in aggregated]
    room = room.drop(columns=[c for c in room.columns if str(c) in aggregated])
    room_cols = shown or [
        str(c) for c in room.min().sort_values(kind="stable").index[:max_stations]
    ]
    room_what = Msg("the largest queue") if shown else Msg("the least headroom")
    figures.append(
        Section(
            "Headroom over time",
            [
                Figure(
                    headroom_figure(room[room_cols], names, colours),
                    caption=join(
                        [
                            "Offtake capacity still free at each station after each monthly "
                            "allocation (MW, one panel per station, each with its own scale). A "
                            "step up is a reinforcement or capacity given back under use it or "
                            "lose it; a step down is requests being connected. Below the dotted "
                            "line the station is over-contracted and nothing new fits.",
                            *_more(room_cols, len(result.stations), room_what),
                        ]
                    ),
                    height_px=max(260, 150 * len(room_cols) + 60),
                )
            ],
        )
    )
    per_year = granted_mw_per_year(tl)
    figures.append(
        Section(
            "Connections per year",
            [
                Figure(
                    per_year_figure(per_year),
                    caption="Offtake MW granted in each year, by the category the request ranks "
                    "in. Requests of the queue that existed at the start and fit at once count in "
                    "the first year. Feed-in "
                    "grants are in the table below.",
                    height_px=380,
                )
            ],
        )
    )
    figures.append(
        Section(
            "How long requests wait",
            [
                Figure(
                    wait_figure(tl, result.policy, None),
                    caption="Share of offtake requests connected within a number of months of "
                    "joining the list, per category (n: the number of requests). "
                    "Requests still waiting at the end, or that withdrew, count for as long as "
                    "they were seen waiting (Kaplan-Meier estimate), so a line that stays below "
                    "100 % means some of that category were not connected within the horizon.",
                    height_px=400,
                )
            ],
        )
    )
    if other is not None and other_tl is not None:
        figures.append(
            Section(
                Msg("{a} compared with {b}", a=result.policy, b=other.policy),
                [
                    Figure(
                        wait_figure(tl, result.policy, (other_tl, other.policy)),
                        caption=Msg(
                            "Share connected within a number of months: solid lines under {a}, "
                            "dashed under {b}. A line further left means that category is "
                            "connected sooner.",
                            a=result.policy,
                            b=other.policy,
                        ),
                        height_px=420,
                    ),
                    Figure(
                        difference_figure(tl, other_tl, other.policy),
                        caption=Msg(
                            "Per offtake request connected under both policies: how many months "
                            "later (above zero) or sooner (below zero) it is connected under {b} "
                            "than under {a}. Each dot is one request.",
                            a=result.policy,
                            b=other.policy,
                        ),
                        height_px=400,
                    ),
                ],
            )
        )
    if result.runs > 1:
        fig, n_shown, n_all = range_figure(scenario, result, tl, max_range_requests)
        which = (
            [Msg("The {n} requests (of {all}) with the widest range are shown.", n=n_shown,
                 all=n_all)]
            if n_shown < n_all
            else []
        )  # fmt: skip
        figures.append(
            Section(
                Msg("Uncertainty over {n} runs", n=result.runs),
                [
                    Figure(
                        fig,
                        caption=join(
                            [
                                Msg(
                                    "Connection date per request over the Monte Carlo runs, "
                                    "which draw reinforcement delays and withdrawals: 10 % of "
                                    "the runs connect it by the left end of the bar (P10), half "
                                    "by the dot (P50), 90 % by the right end (P90). The open "
                                    "diamond is the plan without delays; delays only push dates "
                                    "later, so it is often earlier than P10. A triangle means "
                                    "P90 lies after the horizon ({end}). Requests that withdraw "
                                    "in every run are left out.",
                                    end=scenario.end,
                                ),
                                *which,
                            ]
                        ),
                        height_px=max(300, 24 * n_shown + 120),
                    )
                ],
            )
        )

    tables: list[Block] = [
        Table(
            category_summary(tl),
            caption=Msg(
                "Requests per category under {policy}. Median wait in months from joining the "
                "list (\u201c> N\u201d: fewer than half were connected in the N months they were "
                "followed).",
                policy=result.policy,
            ),
        ),
        Table(
            per_year,
            caption="MW granted per year (offtake by category, and feed-in).",
            index=True,
            float_format="{:,.2f}",
        ),
    ]
    if other is not None and other_tl is not None:
        tables.append(
            Table(
                compare_summary(tl, other_tl, result.policy, other.policy),
                headers=policy_headers(result.policy, other.policy),
                caption=Msg(
                    "{a} compared with {b}, per category, offtake and feed-in. Sooner, same and "
                    "later count the requests connected under both policies; median change is in "
                    "months, positive when {b} connects later.",
                    a=result.policy,
                    b=other.policy,
                ),
            )
        )
    if result.runs > 1:
        tables.append(
            Table(
                monte_carlo_table(result, tl),
                caption=Msg(
                    "Monte Carlo over {n} runs (seed {seed}), per category.",
                    n=result.runs,
                    seed=result.seed,
                ),
            )
        )
    every_request = Table(
        request_table(scenario, result, tl, (other, other_tl) if other and other_tl else None),
        headers=policy_headers(result.policy, *([other.policy] if other is not None else [])),
        caption=Msg(
            "Every request: the category it ranks in, when it joined the list and when it is "
            "connected (months waited in brackets). Type in the box to search; click a header to "
            "sort; P10/P50/P90: the date by which 10 %, half and 90 % of the Monte Carlo runs "
            "connect it (later: after the horizon)."
            if result.runs > 1
            else "Every request: the category it ranks in, when it joined the list and when it is "
            "connected (months waited in brackets). Type in the box to search; click a header to "
            "sort."
        ),
        interactive=True,
    )
    stations = Section(
        "Stations",
        [
            Table(
                station_table(
                    result, scenario, any(st.feedin_mw is not None for st in result.stations)
                ),
                caption=Msg(
                    "Stations at the end of the horizon ({end}), {policy}. Headroom = offtake "
                    "capacity − existing load − granted to requests (granted and waiting include "
                    "the stations below).",
                    end=tl.moments[-1],
                    policy=result.policy,
                ),
                float_format="{:,.2f}",
                interactive=True,
            ),
            Paragraph(
                Msg(
                    "Below, one part per station with requests: its numbers in words and each "
                    "request's explanation under {policy} (click to open).",
                    policy=result.policy,
                )
            ),
        ],
    )
    per_station = station_sections(scenario, result, aggregated, max_explanations=max_explanations)
    apart = aggregated_section(scenario, result, tl, aggregated)
    return Report(
        title=Msg("Waiting list: {name}", name=scenario.name),
        subtitle=Msg(
            "{policy}{cmp}, fit {fit}, capacity {capacity}{runs}",
            policy=result.policy,
            cmp=cmp,
            fit=result.fit,
            capacity=result.capacity,
            runs=runs,
        ),
        sections=[
            Section("Summary", intro),
            *figures,
            stations,
            *per_station,
            *([apart] if apart is not None else []),
            Section("Tables", tables),
            Section("Every request", [every_request]),
        ],
    )


def _more(shown: list[str], total: int, what: str = "the largest queue") -> list[str]:
    if len(shown) >= total:
        return []
    return [
        Msg(
            "Shown: the {n} of {total} stations with {what}; every station is in the tables below.",
            n=len(shown),
            total=total,
            what=Msg(what),
        )
    ]
