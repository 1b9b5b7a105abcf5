"""Plotly figures of the waiting-list report (see :mod:`netruimte.report.waitlist`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from netruimte.grid.model import Direction
from netruimte.report.waitlist_data import (
    CATEGORY_ORDER,
    Timeline,
    category_label,
    wait_curves,
)
from netruimte.waitlist.requests import Category
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = [
    "COLOURS",
    "STATION_PALETTE",
    "difference_figure",
    "headroom_figure",
    "per_year_figure",
    "queue_figure",
    "range_figure",
    "station_colours",
    "wait_figure",
]

COLOURS = {
    Category.CONGESTION_RELIEVER: "#2a9d8f",
    Category.SAFETY: "#d62828",
    Category.BASIC_NEEDS: "#f4a261",
    Category.NONE: "#3d5a80",
}
_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
    "legend": {"orientation": "h", "y": -0.18},
    "hovermode": "x unified",
}


def _dates(moments: tuple[dt.date, ...]) -> list[str]:
    return [m.isoformat() for m in moments]


def _layout(fig: go.Figure, **extra: object) -> go.Figure:
    fig.update_layout(**{**_LAYOUT, **extra})
    return fig


STATION_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#3182bd", "#e6550d", "#31a354",
)  # fmt: skip
"""Station colours (Plotly's and D3's categorical palettes), the same station the same colour
in every chart of a report; beyond 16 stations they repeat."""


def station_colours(ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """One colour per station id, in the order given (the scenario's station order)."""
    return {sid: STATION_PALETTE[k % len(STATION_PALETTE)] for k, sid in enumerate(ids)}


def queue_figure(
    frame: pd.DataFrame,
    names: dict[str, str],
    what: str,
    limit: int,
    colours: dict[str, str] | None = None,
) -> tuple[go.Figure, int]:
    """Stacked queue per station (own requests); beyond ``limit`` stations one 'other' band.
    ``colours``: the colour of each station (see :func:`station_colours`)."""
    peak = frame.max(axis=0)
    active = [str(c) for c in peak.sort_values(ascending=False, kind="stable").index if peak[c] > 0]
    shown = active if len(active) <= limit else active[: limit - 1]
    fig = go.Figure()
    x = _dates(tuple(frame.index))
    for col in shown:
        fig.add_trace(
            go.Scatter(
                x=x, y=frame[col].round(3), name=names[col], mode="lines", line_shape="hv",
                stackgroup="queue",
                line={"width": 0.5, **({"color": colours[col]} if colours and col in colours
                                       else {})},
            )
        )  # fmt: skip
    rest = [c for c in active if c not in shown]
    if rest:
        fig.add_trace(
            go.Scatter(
                x=x, y=frame[rest].sum(axis=1).round(3), name=f"{len(rest)} other stations",
                mode="lines", line_shape="hv", stackgroup="queue",
                line={"width": 0.5, "color": "#b8c2cc"},
            )
        )  # fmt: skip
    fig = _layout(
        fig,
        yaxis_title=f"{what} waiting (MW)",
        xaxis_title="allocation moment",
        legend={"orientation": "h", "y": -0.18, "traceorder": "normal"},
    )
    return fig, len(active)


def headroom_figure(
    frame: pd.DataFrame, names: dict[str, str], colours: dict[str, str] | None = None
) -> go.Figure:
    """One panel per station: its offtake headroom after each moment (MW)."""
    cols = list(frame.columns)
    fig = make_subplots(
        rows=len(cols),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.06, 0.5 / max(len(cols), 1)),
        subplot_titles=[names[c] for c in cols],
    )
    x = _dates(tuple(frame.index))
    for k, col in enumerate(cols, start=1):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame[col].round(3),
                name=names[col],
                mode="lines",
                line_shape="hv",
                showlegend=False,
                line={"color": (colours or {}).get(col, "#12355b")},
            ),
            row=k,
            col=1,
        )
        fig.add_hline(y=0, line={"color": "#c0392b", "width": 1, "dash": "dot"}, row=k, col=1)
        fig.update_yaxes(title_text="MW", row=k, col=1)
    return _layout(fig, hovermode="closest", margin={"l": 60, "r": 20, "t": 40, "b": 40})


def per_year_figure(per_year: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    years = [str(y) for y in per_year.index]
    for cat in CATEGORY_ORDER:
        col = f"offtake {category_label(cat)}"
        fig.add_trace(
            go.Bar(
                x=years, y=per_year[col].round(3), name=category_label(cat),
                marker_color=COLOURS[cat],
            )
        )  # fmt: skip
    return _layout(
        fig,
        barmode="stack",
        yaxis_title="offtake granted (MW)",
        xaxis_title="year of the grant",
        legend={"orientation": "h", "y": -0.18, "traceorder": "normal"},
    )


def _wait_traces(
    fig: go.Figure, tl: Timeline, policy: str, dash: str, suffix: str, x_max: int
) -> None:
    for cat, curve in wait_curves(tl, Direction.OFFTAKE).items():
        if curve.n == 0:
            continue
        x, y = curve.months.tolist(), (curve.connected * 100).tolist()
        if y[-1] >= 100 - 1e-9 and x[-1] < x_max:
            x.append(x_max)  # all connected: the share stays at 100 %
            y.append(100.0)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.round(y, 2).tolist(),
                name=f"{category_label(cat)}{suffix}, n={curve.n}",
                mode="lines",
                line_shape="hv",
                line={"color": COLOURS[cat], "dash": dash, "width": 2.5},
                hovertemplate=f"{category_label(cat)}, {policy}: %{{y:.0f}}% within "
                "%{x} months<extra></extra>",
            )
        )


def wait_figure(tl: Timeline, policy: str, other: tuple[Timeline, str] | None) -> go.Figure:
    fig = go.Figure()
    x_max = max(
        [c.followed for c in wait_curves(tl).values()]
        + ([c.followed for c in wait_curves(other[0]).values()] if other else [])
    )
    _wait_traces(fig, tl, policy, "solid", f", {policy}" if other else "", x_max)
    if other is not None:
        _wait_traces(fig, other[0], other[1], "dash", f", {other[1]}", x_max)
    return _layout(
        fig,
        hovermode="closest",
        xaxis_title="months since the request joined the list",
        yaxis_title="share connected (%)",
        yaxis_range=[-2, 104],
    )


def difference_figure(a: Timeline, b: Timeline, policy_b: str) -> go.Figure:
    fig = go.Figure()
    both = (a.granted_m >= 0) & (b.granted_m >= 0) & (a.direction == 0)
    delta = b.granted_m - a.granted_m
    cats = np.array([c.value for c in a.category])
    ids = np.array(a.ids)
    for cat in CATEGORY_ORDER:
        sel = both & (cats == cat.value)
        if not sel.any():
            continue
        fig.add_trace(
            go.Box(
                y=delta[sel].tolist(),
                name=category_label(cat),
                marker_color=COLOURS[cat],
                boxpoints="all" if sel.sum() <= 300 else "outliers",
                jitter=0.4,
                pointpos=0,
                text=ids[sel].tolist(),
                hovertemplate="%{text}: %{y} months<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#555", "width": 1})
    return _layout(
        fig,
        hovermode="closest",
        showlegend=False,
        yaxis_title=f"months later under {policy_b}",
    )


def range_figure(
    scenario: Scenario, result: SimulationResult, tl: Timeline, limit: int
) -> tuple[go.Figure, int, int]:
    end = scenario.end
    cand = []
    for i, out in enumerate(result.requests):
        if not tl.took_part[i] or (out.withdrawn_share or 0.0) >= 1.0:
            continue
        lo = out.granted_p10 or end
        hi = out.granted_p90 or end
        mid = out.granted_p50 or end
        cand.append((i, (hi - lo).days, mid))
    shown = cand
    if len(cand) > limit:
        shown = sorted(cand, key=lambda c: (-c[1], c[0]))[:limit]
    shown = sorted(shown, key=lambda c: (c[2], c[0]))
    labels, line_x, line_y, p50_x, p50_y, det_x, det_y, late_x, late_y = ([] for _ in range(9))
    for i, _, _ in shown:
        out = result.requests[i]
        label = f"{out.id} · {category_label(out.category)}"
        labels.append(label)
        lo = out.granted_p10 or end
        hi = out.granted_p90 or end
        line_x += [lo.isoformat(), hi.isoformat(), None]
        line_y += [label, label, None]
        if out.granted_p50 is not None:
            p50_x.append(out.granted_p50.isoformat())
            p50_y.append(label)
        if out.granted_on is not None:
            det_x.append(out.granted_on.isoformat())
            det_y.append(label)
        if out.granted_p90 is None:
            late_x.append(end.isoformat())
            late_y.append(label)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=line_x, y=line_y, mode="lines", name="P10 to P90",
            line={"color": "#8aa1b9", "width": 8}, hoverinfo="skip",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=p50_x, y=p50_y, mode="markers", name="P50 (median)",
            marker={"color": "#12355b", "size": 10},
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=det_x, y=det_y, mode="markers", name="plan without delays",
            marker={"color": "#e76f51", "size": 10, "symbol": "diamond-open", "line_width": 2},
        )
    )  # fmt: skip
    if late_x:
        fig.add_trace(
            go.Scatter(
                x=late_x, y=late_y, mode="markers", name=f"P90 after {end}",
                marker={"color": "#8aa1b9", "size": 12, "symbol": "triangle-right"},
            )
        )  # fmt: skip
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    _layout(fig, hovermode="closest", xaxis_title="connection date")
    return fig, len(shown), len(cand)
