"""Plotly figures of the pages, as plain dicts (``charts.js`` draws them with Plotly)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from netruimte.i18n import fmt_number, gettext

__all__ = ["CATEGORY_LABELS", "expected_dates", "room_over_time", "waiting_by_station"]

CATEGORY_LABELS = {
    "congestion-reliever": "1 · congestion reliever",
    "safety": "2 · safety",
    "basic-needs": "3 · basic needs",
    "none": "no priority (all others)",
}
"""The ACM framework's categories as a person reads them (number and name)."""

COLOURS = {
    "station": "#1d6fa5",
    "path": "#e07a1f",
    "waiting": "#7a4ea3",
    "none": "#8c96a0",
    "congestion-reliever": "#2a9d8f",
    "safety": "#c0392b",
    "basic-needs": "#e0a31f",
}

_LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
    "legend": {"orientation": "h", "y": -0.15},
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "xaxis": {"gridcolor": "#e5e7eb"},
    "yaxis": {"gridcolor": "#e5e7eb", "zerolinecolor": "#9ca3af"},
}


def _layout(title: str, y_title: str, height: int = 360, **extra: Any) -> dict[str, Any]:
    layout = {
        **_LAYOUT,
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "height": height,
        **extra,
    }
    layout["yaxis"] = {**_LAYOUT["yaxis"], "title": {"text": y_title}, **extra.get("yaxis", {})}
    return layout


def _floor0(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None else max(0.0, v) for v in values]


def room_over_time(
    timeline: Mapping[str, Any], direction: str, station: str, title: str, lang: str = "en"
) -> dict[str, Any]:
    """Room at a station and along its path over time (floored at 0), and the MW waiting.

    Step lines: capacity changes on the date a reinforcement is planned. A node with more
    contracted than its capacity has no room: 0 here, the page's table shows by how much. When
    the station's own room dwarfs the rest (an aggregated node with a nominal capacity), the
    axis is cut above the path's room and a note gives the station's own figure.
    """
    dates = list(timeline["dates"])
    series = timeline[direction]
    word = gettext(lang, "offtake" if direction == "offtake" else "feed-in")
    along = _floor0(series["path_room_mw"])
    own = _floor0(series["station_room_mw"])
    waiting = float(series["waiting_mw"])
    hover = "%{x|%Y-%m-%d}: %{y:,.1f} MW<extra></extra>"
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "line": {"shape": "hv", "color": COLOURS["path"], "width": 3},
            "x": dates,
            "y": along,
            "name": gettext(lang, "room for new requests (smallest on the path)"),
            "hovertemplate": hover,
        }
    ]
    if any(v is not None for v in own):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "line": {"shape": "hv", "color": COLOURS["station"], "width": 2, "dash": "dot"},
                "x": dates,
                "y": own,
                "name": gettext(lang, "room at {station} itself", station=station),
                "hovertemplate": hover,
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "line": {"color": COLOURS["waiting"], "width": 2, "dash": "dash"},
            "x": [dates[0], dates[-1]],
            "y": [waiting, waiting],
            "name": gettext(
                lang, "{direction} waiting at {station} now", direction=word, station=station
            ),
            "hovertemplate": "%{y:,.1f} MW " + gettext(lang, "waiting") + "<extra></extra>",
        }
    )
    layout = _layout(title, "MW", xaxis={**_LAYOUT["xaxis"], "type": "date"})
    top = max([v for v in along if v is not None] + [waiting, 1.0]) * 1.2
    highest_own = max((v for v in own if v is not None), default=0.0)
    if highest_own > 5 * top:
        layout["yaxis"]["range"] = [0, top]
        layout["annotations"] = [
            {
                "text": gettext(
                    lang,
                    "room at {station} itself: up to {mw} MW (above the chart)",
                    station=station,
                    mw=fmt_number(lang, highest_own, 0),
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12, "color": COLOURS["station"]},
            }
        ]
    return {"data": data, "layout": layout}


def waiting_by_station(
    summary: Sequence[Mapping[str, Any]], direction: str, title: str, lang: str = "en"
) -> dict[str, Any]:
    """Stacked bars: MW of the listed requests per station, one colour per category.

    With a single station the bars are its categories side by side instead.
    """
    rows = [r for r in summary if r["direction"] == direction]
    stations = list(dict.fromkeys(r["station"] for r in rows))
    single = len(stations) == 1
    data = []
    for category in ("congestion-reliever", "safety", "basic-needs", "none"):
        mw = {r["station"]: r["mw"] for r in rows if r["category"] == category}
        count = {r["station"]: r["requests"] for r in rows if r["category"] == category}
        if not mw:
            continue
        label = gettext(lang, CATEGORY_LABELS[category])
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": [label] if single else stations,
                "y": [mw.get(s, 0.0) for s in stations],
                "customdata": [count.get(s, 0) for s in stations],
                "marker": {"color": COLOURS[category]},
                "hovertemplate": gettext(lang, "%{y:,.1f} MW in %{customdata} requests")
                + "<extra>"
                + label
                + "</extra>",
            }
        )
    extra: dict[str, Any] = {"barmode": "stack"}
    if single:
        extra["showlegend"] = False
        title = gettext(lang, "{title} at {station}", title=title, station=stations[0])
    return {"data": data, "layout": _layout(title, "MW", height=280, **extra)}


def expected_dates(
    today: dt.date,
    p10: str | None,
    p50: str | None,
    p90: str | None,
    label: str,
    lang: str = "en",
) -> dict[str, Any]:
    """One line from P10 to P90 with the median marked, next to today."""
    points = [(name, d) for name, d in (("P10", p10), ("P50", p50), ("P90", p90)) if d]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": [today.isoformat()],
            "y": [label],
            "text": [gettext(lang, "today")],
            "textposition": "top center",
            "marker": {"symbol": "line-ns-open", "size": 18, "color": "#374151"},
            "name": gettext(lang, "today"),
            "hoverinfo": "x",
        }
    ]
    if points:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "x": [d for _, d in points],
                "y": [label] * len(points),
                "text": [name for name, _ in points],
                "textposition": "top center",
                "line": {"color": COLOURS["station"], "width": 6},
                "marker": {"size": [10 if n != "P50" else 16 for n, _ in points]},
                "name": gettext(lang, "expected connection date"),
                "hovertemplate": "%{text}: %{x|%Y-%m-%d}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            "",
            "",
            height=170,
            showlegend=False,
            margin={"l": 20, "r": 20, "t": 20, "b": 40},
            xaxis={**_LAYOUT["xaxis"], "type": "date"},
            yaxis={"visible": False},
        ),
    }
