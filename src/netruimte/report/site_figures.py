"""The figures of the site-plan report (:mod:`netruimte.report.site`): the load-duration curve
before and after, the peak week with the battery's state of charge, the monthly peaks and the
trade-off curve, each a :class:`~netruimte.report.html.Figure` with its caption in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, FloatArray
from netruimte.i18n import Msg, join
from netruimte.planner.curve import CurvePoint
from netruimte.planner.site import Site
from netruimte.report.html import Figure

__all__ = [
    "Labels",
    "curve_figure",
    "ldc_figure",
    "ldc_sentence",
    "monthly_figure",
    "peak_week_figure",
]

_BEFORE = "#8a94a0"
_UNMANAGED = "#d99b2b"
_AFTER = "#12355b"
_LIMIT = "#c0392b"
_SOC = "#4f8a5b"
_PV = "#e8c547"
_LDC_POINTS = 1500


class Labels(dict[str, str]):
    """The texts of one figure made of words and data: ``labels("{n} kWp", n=4)`` is the
    English text, remembered with its message for :attr:`Figure.texts`."""

    def __call__(self, msgid: str, /, **kw: Any) -> str:
        message = Msg(msgid, **kw)
        self[str(message)] = message
        return str(message)


def _ldc(series: pd.Series) -> tuple[FloatArray, FloatArray]:
    """A load-duration curve (hours at or above, kW), thinned to about 1,500 points."""
    values: FloatArray = np.sort(series.to_numpy(dtype=np.float64))[::-1]
    hours: FloatArray = (np.arange(len(values), dtype=np.float64) + 1.0) * HOURS_PER_STEP
    if len(values) > _LDC_POINTS:
        head = np.arange(min(50, len(values)))  # keep the peak region exact
        keep = np.unique(np.concatenate([head, np.linspace(0, len(values) - 1, _LDC_POINTS)
                                         .astype(int)]))  # fmt: skip
        return hours[keep], values[keep]
    return hours, values


def _layout(fig: Any, ytitle: str, xtitle: str = "") -> None:
    fig.update_layout(
        template="plotly_white",
        margin={"t": 30, "r": 20, "b": 50, "l": 70},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="x unified",
    )
    fig.update_yaxes(title_text=ytitle, rangemode="tozero")
    if xtitle:
        fig.update_xaxes(title_text=xtitle)


def ldc_figure(
    before: pd.Series,
    unmanaged: pd.Series | None,
    dispatch: pd.DataFrame | None,
    import_kw: float | None,
) -> Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    labels = Labels()
    x, y = _ldc(before)
    fig.add_scatter(x=x, y=y, name="before: load − installed PV, no battery or flexibility",
                    line={"color": _BEFORE})  # fmt: skip
    if unmanaged is not None:
        x, y = _ldc(unmanaged)
        fig.add_scatter(x=x, y=y, name="without planning: flexible loads run on arrival",
                        line={"color": _UNMANAGED, "dash": "dot"})  # fmt: skip
    if dispatch is not None:
        x, y = _ldc(dispatch["import_kw"])
        fig.add_scatter(x=x, y=y, name="after: planned import", line={"color": _AFTER, "width": 3})
    if import_kw is not None:
        fig.add_hline(y=import_kw, line={"color": _LIMIT, "dash": "dash"},
                      annotation_text=labels("connection {kw:,.1f} kW", kw=import_kw),
                      annotation_position="top right")  # fmt: skip
    _layout(fig, "import (kW)", "hours in the period with at least this import")
    fig.update_xaxes(rangemode="tozero")
    parts = [
        "Load-duration curve: every quarter-hour of the period sorted from the highest "
        "import to the lowest. The left end is the peak the connection must carry."
    ]
    if dispatch is not None:
        if unmanaged is None:
            parts.append(ldc_sentence(before, dispatch["import_kw"], "before"))
        else:
            parts.append(ldc_sentence(unmanaged, dispatch["import_kw"], "without planning"))
    return Figure(fig, caption=join(parts), texts=labels)


def ldc_sentence(reference: pd.Series, after: pd.Series, name: str) -> str:
    """What the plan does to the load-duration curve against the curve called ``name``,
    read off the two sorted curves."""
    ref = np.sort(reference.to_numpy(dtype=float))[::-1]
    new = np.sort(after.to_numpy(dtype=float))[::-1]
    peak_cut = ref[0] - new[0]
    higher_h = float((new > ref + 1e-6).sum() * HOURS_PER_STEP)
    curve = Msg(name)
    if peak_cut > 1e-6:
        text = Msg("The plan's peak is {kw:,.1f} kW lower than '{name}'", kw=peak_cut, name=curve)
    elif peak_cut < -1e-6:
        text = Msg("The plan's peak is {kw:,.1f} kW higher than '{name}'", kw=-peak_cut, name=curve)
    else:
        text = Msg("The plan's peak equals '{name}'", name=curve)
    if higher_h > 0:
        return Msg(
            "{peak}; for {hours:,.0f} hours further right the 'after' curve is higher (energy "
            "moved to hours with room: battery charging, flexible loads, conversion losses)."
            if higher_h >= 10
            else "{peak}; for {hours:g} hours further right the 'after' curve is higher (energy "
            "moved to hours with room: battery charging, flexible loads, conversion losses).",
            peak=text,
            hours=higher_h,
        )
    return Msg("{peak}; nowhere is the 'after' curve higher.", peak=text)


def peak_week_figure(
    site: Site,
    reference: pd.Series,
    dispatch: pd.DataFrame,
    *,
    has_flex: bool,
    just_in_time: bool,
    plan_pv_kwp: float,
) -> tuple[Figure, pd.Timestamp]:
    from plotly.subplots import make_subplots

    peak = site.index[int(np.argmax(reference.to_numpy(dtype=float)))]
    index = site.index
    # Seven local days around the peak, shifted to lie inside the profile where it is longer.
    first, last = index[0].normalize(), index[-1].normalize() + pd.Timedelta(days=1)
    start = (peak.normalize() - pd.Timedelta(days=3)).tz_localize(None)
    start = min(start, (last - pd.Timedelta(days=7)).tz_localize(None))
    start = max(start, first.tz_localize(None))
    begin = pd.Timestamp(start).tz_localize(index.tz)
    end = (pd.Timestamp(start) + pd.Timedelta(days=7)).tz_localize(index.tz)
    inside = (index >= begin) & (index < end)
    week = dispatch.loc[inside]
    ref = reference.loc[inside]
    has_battery = bool((dispatch["battery_charge_kw"] + dispatch["battery_discharge_kw"]).max() > 0)
    rows = 2 if has_battery else 1
    fig = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        row_heights=[0.68, 0.32] if has_battery else [1.0],
    )  # fmt: skip
    x = week.index
    labels = Labels()
    ref_name = "before (no battery, no planning)" if has_flex else "before: load − PV"
    if not has_flex and site.pv is not None and site.pv.kwp > 0:
        ref_name = labels("before: load − installed PV ({kwp:,.0f} kWp)", kwp=site.pv.kwp)
    fig.add_scatter(x=x, y=ref, name=ref_name,
                    line={"color": _BEFORE, "width": 1.5}, row=1, col=1)  # fmt: skip
    if float(week["pv_kw"].max()) > 0:
        pv_kwp = float(plan_pv_kwp)
        pv_name = labels("PV generation ({kwp:,.0f} kWp)", kwp=pv_kwp)
        fig.add_scatter(x=x, y=week["pv_kw"], name=pv_name,
                        line={"color": _PV, "width": 1}, row=1, col=1)  # fmt: skip
    for name in week.columns:
        if name.startswith("shiftable_kw:"):
            load_name = labels("{load} (planned)", load=name.split(":", 1)[1])
            fig.add_scatter(x=x, y=week[name], name=load_name,
                            line={"color": _UNMANAGED, "width": 1}, row=1, col=1)  # fmt: skip
    fig.add_scatter(x=x, y=week["import_kw"], name="planned import",
                    line={"color": _AFTER, "width": 2.5}, row=1, col=1)  # fmt: skip
    limit_style = {"color": _LIMIT, "dash": "dash", "shape": "hv"}
    fig.add_scatter(x=x, y=week["import_limit_kw"], name="import limit", line=limit_style,
                    row=1, col=1)  # fmt: skip
    _layout(fig, "kW")
    if has_battery:
        fig.add_scatter(x=x, y=week["soc_kwh"], name="energy in the battery",
                        line={"color": _SOC}, fill="tozeroy", row=2, col=1)  # fmt: skip
        fig.update_yaxes(title_text="battery (kWh)", rangemode="tozero", row=2, col=1)
    when = Msg(
        "{weekday} {day:02d} {month} {year} {time}",
        weekday=Msg(f"{peak:%A}"),
        day=peak.day,
        month=Msg(f"{peak:%B}"),
        year=str(peak.year),
        time=f"{peak:%H:%M}",
    )
    parts: list[str] = [
        Msg(
            "The week of the highest 'before' quarter-hour ({when}), 15-minute averages in "
            "local time. The planned import stays under the import limit {limit}"
            if len(week) >= 7 * 92
            else "The days of the highest 'before' quarter-hour ({when}), 15-minute averages "
            "in local time. The planned import stays under the import limit {limit}",
            when=when,
            limit=Msg("(dashed; lower inside the restriction windows).")
            if float(week["import_limit_kw"].min()) < float(week["import_limit_kw"].max())
            else Msg("(dashed)."),
        )
    ]
    if has_battery:
        parts.append("Below: the energy in the battery at the end of each quarter-hour.")
        if just_in_time:
            parts.append(
                "The plan charges the battery only as much and as late as the coming peak "
                "needs (the import rises to the limit shortly before a peak) and discharges it "
                "during the peak; in between it rests at its lowest allowed level."
            )
    figure = Figure(fig, height_px=560 if has_battery else 420, caption=join(parts), texts=labels)
    return figure, peak


def monthly_figure(
    before: pd.Series, unmanaged: pd.Series | None, dispatch: pd.DataFrame | None,
    import_kw: float | None,
) -> tuple[Figure, pd.DataFrame]:  # fmt: skip
    import plotly.graph_objects as go

    index = before.index
    assert isinstance(index, pd.DatetimeIndex)
    months = index.tz_localize(None).to_period("M")
    table = pd.DataFrame({"before_kw": before.groupby(months).max()})
    if unmanaged is not None:
        table["without_planning_kw"] = unmanaged.groupby(months).max()
    if dispatch is not None:
        table["after_kw"] = dispatch["import_kw"].groupby(months).max()
    names = Labels()
    labels = [names("{month} {year}", month=Msg(p.strftime("%b")), year=str(p.year))
              for p in table.index]  # fmt: skip
    fig = go.Figure()
    fig.add_bar(x=labels, y=table["before_kw"], name="before (load − PV)", marker_color=_BEFORE)
    if "without_planning_kw" in table:
        fig.add_bar(x=labels, y=table["without_planning_kw"], name="without planning",
                    marker_color=_UNMANAGED)  # fmt: skip
    if "after_kw" in table:
        fig.add_bar(x=labels, y=table["after_kw"], name="after (planned)", marker_color=_AFTER)
    if import_kw is not None:
        fig.add_hline(y=import_kw, line={"color": _LIMIT, "dash": "dash"})
    _layout(fig, "highest 15-minute import (kW)")
    fig.update_layout(barmode="group", hovermode="x")
    caption = (
        "The highest quarter-hour import of each month: what a kW-max tariff charges for. "
        "Dashed: the connection."
    )
    return Figure(fig, caption=caption, height_px=380, texts=names), table


def curve_figure(curve: Sequence[CurvePoint], plan: Mapping[str, Any]) -> Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    energy = [p.battery_energy_kwh for p in curve]
    fig.add_scatter(
        x=energy, y=[p.import_kw for p in curve], mode="lines+markers", name="smallest connection",
        line={"color": _AFTER},
        customdata=[p.battery_power_kw for p in curve],
        hovertemplate="%{x:,.0f} kWh / %{customdata:,.0f} kW → %{y:,.1f} kW<extra></extra>",
    )  # fmt: skip
    if plan.get("import_kw") is not None:
        fig.add_scatter(
            x=[plan["battery_energy_kwh"]], y=[plan["import_kw"]], mode="markers",
            name="this plan", marker={"color": _LIMIT, "size": 13, "symbol": "diamond"},
        )  # fmt: skip
    _layout(fig, "smallest import connection (kW)", "battery energy (kWh)")
    fig.update_layout(hovermode="closest")
    last = curve[-1]
    ratio = last.battery_power_kw / last.battery_energy_kwh if last.battery_energy_kwh else 0.0
    missing = [p.battery_energy_kwh for p in curve if p.import_kw is None]
    pv = float(plan.get("pv_kwp") or 0.0)
    parts: list[str] = [
        Msg(
            "The smallest connection for each battery size, computed as for min-connection "
            "(battery power = energy × {ratio:.2g} per hour; PV {pv:,.0f} kWp as in this plan; "
            "the flexible loads as in the site file). The gain flattens: each extra kWh shaves "
            "less off the peak.",
            ratio=ratio,
            pv=pv,
        )
    ]
    if plan.get("objective") == "min-cost":
        parts.append(
            "A min-cost plan may contract more than the smallest connection for its battery "
            "when that is cheaper overall."
        )
    if missing:
        parts.append(
            Msg(
                "No connection works with {sizes} kWh (missing points): that battery is too "
                "small to bridge the restriction windows or to give the flexible loads their "
                "energy.",
                sizes=", ".join(f"{e:g}" for e in missing),
            )
        )
    return Figure(fig, caption=join(parts), height_px=380)
