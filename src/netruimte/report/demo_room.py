"""The demo report's "Room before reinforcement": congestion contracts, relievers that
relieve and an energy hub, side by side with the framework as it is (every number computed
from the run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from netruimte.i18n import Msg, join
from netruimte.report.demo_data import VARIANTS, DemoResult, later_text, variant_summary
from netruimte.report.html import Figure, Note, Paragraph, Section, Table
from netruimte.scenario.flevoland import grid_data, instruments_data
from netruimte.waitlist.congestion import DEFAULT_RELIEF_CREDIT

__all__ = ["ROOM_VARIANTS", "region_gap_mw", "room_cost_text", "room_rows", "room_section"]

ROOM_VARIANTS: Final = ("acm", "acm-smart", "acm-contracts", "acm-relievers", "acm-hub", "acm-all")
"""The rows of the side-by-side table: the framework as it is (as filed and with smart tools,
the baselines of the instrument variants) and the instruments."""


def region_gap_mw() -> float:
    """How far TenneT's region is over-contracted (MW in use or contracted − capacity)."""
    fgu = next(s for s in grid_data()["station"] if s["id"] == "FGU")
    return float(fgu["load_mw"]) - float(fgu["offtake_mw"])


def room_cost_text(key: str, row: Mapping[Any, Any]) -> str:
    """The operator's cost of a variant's room per instrument: contracts are paid per MW per
    year; relievers and a hub cost the operator nothing in the model (their owners pay)."""
    spec = next(v for v in VARIANTS if v.key == key)
    if not spec.instruments:
        return "-"
    eur = row.get("room_eur_per_mw_year")
    parts: list[str] = []
    if "contracts" in spec.instruments:
        parts.append(
            Msg("no contract counted")
            if eur is None
            else Msg("{eur:,.0f} contracts", eur=float(eur))
        )
    if "relievers" in spec.instruments:
        parts.append(Msg("0 relievers"))
    if "hub" in spec.instruments:
        parts.append(Msg("0 hub"))
    return join(parts, "; ")


def _when(value: object, horizon_year: int) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return later_text(horizon_year)
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def room_rows(result: DemoResult, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The side-by-side table: per variant of :data:`ROOM_VARIANTS`, the requests connected
    before 2028 / 2030 / 2033 (and 2035, after TenneT's first works), MW-years waited, the
    room its instruments created, what that room costs the operator per MW per year, and the
    campus's date (no delays)."""
    summary = variant_summary(result) if summary is None else summary
    by_key = {str(r["variant"]): r for r in summary.to_dict("records")}
    horizon = result.scenario.end.year
    rows = []
    for key in ROOM_VARIANTS:
        row = by_key[key]
        room = row.get("room_mw")
        rows.append(
            {
                "scenario": row["label"],
                "before 2028": row["by_2028"],
                "before 2030": row["by_2030"],
                "before 2033": row["by_2033"],
                "before 2035": row["by_2035"],
                "MW-years waiting": row["mw_years_waiting"],
                "room created (MW)": "-"
                if room is None or room != room
                else Msg("{mw:,.2f}", mw=float(room)),
                "operator's cost (EUR per MW per year)": room_cost_text(key, row),
                "campus connected": _when(row["campus_granted_on"], horizon),
            }
        )
    return pd.DataFrame(rows, dtype=object)  # the cells' messages stay messages


def _contracts_table(result: DemoResult) -> pd.DataFrame:
    res = result.results.get("acm-contracts")
    if res is None:
        return pd.DataFrame()
    return pd.DataFrame(
        [
            {
                "contract": k.id,
                "station": k.station,
                "kind": k.kind.value,
                "MW": k.mw,
                "counts from": k.counts_from,
                "until": k.counts_until,
                "years": round(k.years_active, 2),
                "cost (million EUR)": round(k.cost_eur / 1e6, 2),
                "requests it was needed for": len(k.granted_with),
            }
            for k in res.congestion_contracts
        ]
    )


def _hub_table(result: DemoResult) -> pd.DataFrame:
    hub = result.hub
    if hub is None:
        return pd.DataFrame()
    plans = {p.request_id: p for p in result.plans}
    rows = [
        {
            "member": plans[m].applicant if m in plans else m,
            "asked (kW)": a,
            "with its tools, least cost (kW)": s,
            "smallest connection with its tools (kW)": alone,
        }
        for m, a, s, alone in zip(
            hub.members, hub.asked_kw, hub.smart_kw, hub.alone_kw, strict=True
        )
    ]
    rows.append(
        {
            "member": Msg("the hub, one joint connection"),
            "asked (kW)": sum(hub.asked_kw),
            "with its tools, least cost (kW)": sum(hub.smart_kw),
            "smallest connection with its tools (kW)": hub.joint_kw,
        }
    )
    return pd.DataFrame(rows)


def _findings(result: DemoResult, summary: pd.DataFrame) -> list[Paragraph]:
    by = {str(r["variant"]): r for r in summary.to_dict("records")}
    acm = by["acm"]
    gap = region_gap_mw()
    fgu_load = next(float(s["load_mw"]) for s in grid_data()["station"] if s["id"] == "FGU")
    out = []
    changed = [
        Msg("{label}: {change}", label=Msg(str(by[k]["label"])),
            change=f"{by[k]['by_2033'] - acm['by_2033']:+d}")
        for k in ("acm-contracts", "acm-relievers", "acm-hub", "acm-all")
        if k in by
    ]  # fmt: skip
    text = Msg(
        "Under the framework as it is, {by_2033} of the {requests} Flevoland offtake requests "
        "are connected before 2033. Requests connected before 2033 compared with that: "
        "{changed}. TenneT's region has {gap:,.0f} MW more in use or contracted than its "
        "capacity: before its first work lands, a firm request anywhere in Flevoland fits only "
        "if instruments close that gap, which would take contracts for {share:.0%} of the "
        "region's in-use offtake.",
        by_2033=acm["by_2033"], requests=acm["requests"], changed=join(changed, ", "),
        gap=gap, share=gap / fgu_load,
    )  # fmt: skip
    out.append(Paragraph(text))
    room = result.room.get("acm-contracts")
    res = result.results.get("acm-contracts")
    if room is not None and res is not None:
        saved = acm["mw_years_waiting"] - by["acm-contracts"]["mw_years_waiting"]
        per_helped = (
            Msg("; {eur:,.0f} EUR per MW granted at moments they were needed ({mw:,.1f} MW)",
                eur=room.contracts_cost_eur / room.contracts_helped_mw,
                mw=room.contracts_helped_mw)
            if room.contracts_helped_mw > 0
            else ""
        )  # fmt: skip
        out.append(
            Paragraph(
                Msg(
                    "Congestion contracts: {n} contracts of {mw:,.1f} MW in all create room "
                    "until the works that end them, {mw_years:,.0f} MW-years for "
                    "{meur:,.1f} million EUR: {eur:,.0f} EUR per MW of room per year"
                    "{per_helped}. They save {saved:,.0f} MW-years of waiting.",
                    n=len(res.congestion_contracts), mw=room.contracts_mw,
                    mw_years=room.contracts_mw_years, meur=room.contracts_cost_eur / 1e6,
                    eur=float(room.eur_per_mw_year or 0), per_helped=per_helped,
                    saved=float(saved),
                )
            )
        )  # fmt: skip
    relief = result.room.get("acm-relievers")
    if relief is not None:
        saved = acm["mw_years_waiting"] - by["acm-relievers"]["mw_years_waiting"]
        res_relief = result.results["acm-relievers"]
        themselves = sum(
            1
            for r in result.flevoland_requests()
            if r.type_key == "battery"
            and r.contract_signed
            and (res_relief.request(r.id).granted_on or dt.date.max) < dt.date(2033, 1, 1)
        )
        out.append(
            Paragraph(
                Msg(
                    "Relievers that relieve: {n} grid batteries with a signed contract are "
                    "granted where their station has room (as steered relievers they claim no "
                    "firm room) and credit {mw:,.1f} MW of room to the others; {change} requests "
                    "connected before 2033 ({themselves} of them Flevoland's batteries "
                    "themselves), {saved:,.0f} MW-years of waiting saved. The operator pays "
                    "nothing for the credit in the model; the batteries are their owners' "
                    "investment.",
                    n=relief.relievers_granted, mw=relief.relief_mw,
                    change=f"{by['acm-relievers']['by_2033'] - acm['by_2033']:+d}",
                    themselves=themselves, saved=float(saved),
                )
            )
        )  # fmt: skip
    hub = result.hub
    if hub is not None and "acm-hub" in by:
        saved = by["acm-smart"]["mw_years_waiting"] - by["acm-hub"]["mw_years_waiting"]
        out.append(
            Paragraph(
                Msg(
                    "{name}: the {n} waiting businesses without priority at {station} ask "
                    "{asked:,.0f} kW as filed and {smart:,.0f} kW with their least-cost tools; "
                    "alone each needs at least {alone:,.0f} kW in all, together {joint:,.0f} kW "
                    "(a diversity gain of {gain:,.0f} kW; the joint kW is at most {gap:,.1f} kW "
                    "above the exact minimum). The hub files one request for {joint:,.0f} kW in "
                    "their place: {saved:,.0f} MW-years of waiting saved against the "
                    "smart-tools variant.",
                    name=Msg(hub.name), n=len(hub.members), station=hub.station,
                    asked=float(sum(hub.asked_kw)), smart=float(sum(hub.smart_kw)),
                    alone=float(sum(hub.alone_kw)), joint=float(hub.joint_kw),
                    gain=float(hub.diversity_gain_kw), gap=float(hub.joint_gap_kw),
                    saved=float(saved),
                )
            )
        )  # fmt: skip
    return out


def room_section(result: DemoResult, figure: dict[str, Any]) -> Section:
    """The report section (``figure``: the cumulative connections of the room variants)."""
    summary = variant_summary(result)
    blocks: list[Any] = [
        Paragraph(
            "Grid operators connect people before a reinforcement with instruments that create "
            "room: congestion-management contracts with existing users, congestion relievers "
            "(batteries the operator may steer) that add room for others, and group transport "
            "agreements in which businesses share one connection (an energy hub). These "
            "variants run the same waiting list under the rules in force with each instrument, "
            "and with all three on top of the smart tools."
        ),
        *_findings(result, summary),
        Table(
            room_rows(result, summary),
            caption="Room before reinforcement, side by side with the framework as it is "
            "(requests connected before the start of each year; the campus without delays)",
            float_format="{:,.1f}",
        ),
        Figure(
            figure,
            caption="Flevoland offtake requests connected, with and without the instruments.",
        ),
    ]
    contracts = _contracts_table(result)
    if len(contracts):
        blocks.append(
            Table(
                contracts,
                caption="The congestion contracts and what they did (the 'acm-contracts' run)",
                float_format="{:,.2f}",
            )
        )
    hub = _hub_table(result)
    if len(hub):
        blocks.append(Table(hub, caption="The energy hub's members", float_format="{:,.0f}"))
    cfg = instruments_data()
    ctr, rel = cfg["congestion_contracts"], cfg["relievers"]
    blocks += [
        Note(
            Msg(
                "Contracts: {share:.0%} of each station's in-use offtake (capacity map) and of "
                "TenneT's region outside the six stations, kind {kind}, from {start} until the "
                "work that relieves the station, at {eur:,.0f} EUR per MW per year: all "
                "ASSUMPTIONS (no MW or price has been published; the operators said some room "
                "was found, not enough). Relievers: each grid battery delivers {relief:.0%} of "
                "its rated power at the station's peak (ASSUMPTION), of which the relief "
                "credit, {credit:.0%}, counts as room (the scenario default, an ASSUMPTION). "
                "Hub: the waiting businesses without priority at {station}, as on business "
                "park De Vaart (ASSUMPTION); the hub keeps its earliest member's place in the "
                "queue (ASSUMPTION). Sources and reasoning: docs/scenario-flevoland.md and "
                "data/flevoland/instruments.toml.",
                share=float(ctr["share_of_load"]),
                kind=str(ctr["kind"]).upper(),
                start=str(ctr["start"]),
                eur=float(ctr["eur_per_mw_year"]),
                relief=float(rel["relief_share_of_kw"]),
                credit=DEFAULT_RELIEF_CREDIT,
                station=str(cfg["hub"]["station"]),
            ),
            kind="assumption",
        ),
        Note(
            "TenneT, Liander and Stedin asked businesses in Flevoland, Gelderland and Utrecht "
            "to use less in the peaks for a fee (ANP, June 2023); some room was found, not "
            "enough: about 210 parties kept waiting (AT5, October 2023); TenneT makes large "
            "users take part (ANP, November 2024). Almere was chosen for the Energy Hubs "
            "pilot on business park De Vaart (Almere Dagblad, 2024). Capacity-limiting "
            "contracts: GOPACS glossary. Relievers, contracts and hubs in the model: "
            "docs/congestion-management.md, docs/hubs.md.",
            kind="source",
        ),
    ]
    return Section("Room before reinforcement", blocks)
