"""Write the demo's results: one HTML report plus CSV and JSON of everything in it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from netruimte._util import atomic_path, write_atomic
from netruimte.report import write_report
from netruimte.report.demo import build_demo_report
from netruimte.report.demo_data import (
    VARIANTS,
    DemoResult,
    campus_table,
    connection_table,
    variant_summary,
)

__all__ = ["demo_summary", "instruments_summary", "write_demo"]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def demo_summary(result: DemoResult) -> dict[str, Any]:
    """The summary as one JSON-ready document (also printed by ``netruimte demo --json``)."""
    summary = variant_summary(result)
    campus = campus_table(result)
    plans = result.plans
    return {
        "scenario": "Flevoland 2026 (published grid figures, synthetic waiting list)",
        "synthetic_requests": True,
        "runs": result.options.runs,
        "seed": result.options.seed,
        "variants": [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in summary.to_dict("records")
        ],
        "campus": [
            {k: v for k, v in row.items() if k != "explanation"}
            for row in campus.to_dict("records")
        ],
        "smart_tools": {
            "businesses": len(plans),
            "requested_mw": round(sum(p.requested_kw for p in plans) / 1000, 3),
            "firm_mw_with_tools": round(sum(p.firm_kw for p in plans) / 1000, 3),
            "time_block_feasible": sum(1 for p in plans if p.timeblock_kw is not None),
            "sizing": "min-cost under EXAMPLE tariffs (docs/scenario-flevoland.md)",
            "pv_mwp": round(sum(p.pv_kwp for p in plans) / 1000, 3),
            "battery_mwh": round(sum(p.battery_kwh for p in plans) / 1000, 3),
            "annual_cost_eur": round(sum(p.annual_cost_eur or 0.0 for p in plans), 2),
        },
        "instruments": instruments_summary(result),
        "timings_s": {k: round(v, 3) for k, v in result.timings_s.items()},
    }


def instruments_summary(result: DemoResult) -> dict[str, Any]:
    """What the room-before-reinforcement variants did: per variant the room its instruments
    created and what it cost the operator; the contracts; the relievers; the hub."""
    from netruimte.scenario.flevoland import instruments_data

    settings = instruments_data()
    rooms = {}
    for key, room in result.room.items():
        rooms[key] = {
            "room_mw": round(room.total_mw, 3),
            "contracts_mw": round(room.contracts_mw, 3),
            "contracts_mw_years": round(room.contracts_mw_years, 3),
            "contracts_cost_eur": round(room.contracts_cost_eur, 2),
            "contracts_eur_per_mw_year": None
            if room.eur_per_mw_year is None
            else round(room.eur_per_mw_year, 2),
            "contracts_helped_mw": round(room.contracts_helped_mw, 3),
            "relief_mw": round(room.relief_mw, 3),
            "relievers_granted": room.relievers_granted,
            "hub_gain_mw": round(room.hub_gain_mw, 3),
        }
    with_contracts = next((k for k in ("acm-contracts", "acm-all") if k in result.results), None)
    contracts = (
        [c.to_json_dict() for c in result.results[with_contracts].congestion_contracts]
        if with_contracts is not None
        else []
    )
    hub = result.hub
    return {
        "assumptions": "data/flevoland/instruments.toml; docs/scenario-flevoland.md",
        "contract_share_of_load": settings["congestion_contracts"]["share_of_load"],
        "contract_eur_per_mw_year": settings["congestion_contracts"]["eur_per_mw_year"],
        "relief_share_of_kw": settings["relievers"]["relief_share_of_kw"],
        "room": rooms,
        "contracts": contracts,
        "hub": None
        if hub is None
        else {
            "id": hub.id,
            "name": hub.name,
            "station": hub.station,
            "members": list(hub.members),
            "asked_kw": [round(v, 3) for v in hub.asked_kw],
            "smart_kw": [round(v, 3) for v in hub.smart_kw],
            "alone_kw": [round(v, 3) for v in hub.alone_kw],
            "joint_kw": round(hub.joint_kw, 3),
            "joint_gap_kw": round(hub.joint_gap_kw, 3),
            "diversity_gain_kw": round(hub.diversity_gain_kw, 3),
            "saved_kw": round(hub.saved_kw, 3),
            "method": hub.method,
            "submitted": hub.submitted.isoformat(),
        },
    }


def write_demo(result: DemoResult, *, lang: str = "nl") -> list[Path]:
    """Write report.html, summary.json, summary.pdf (one page), connections.csv,
    site-plans.csv and results/*.json."""
    out = result.options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    written: list[Path] = []
    summary = demo_summary(result)
    write_atomic(out / "summary.json", json.dumps(summary, indent=2, default=_json_default))
    written.append(out / "summary.json")
    table = connection_table(result)
    with atomic_path(out / "connections.csv") as tmp:
        table.to_csv(tmp, index=False)
    written.append(out / "connections.csv")
    plans = pd.DataFrame(
        [{**p.__dict__, "flex_share": p.flex_share, "saved_kw": p.saved_kw} for p in result.plans]
    )
    with atomic_path(out / "site-plans.csv") as tmp:
        plans.round(3).to_csv(tmp, index=False)
    written.append(out / "site-plans.csv")
    for variant in VARIANTS:
        path = out / "results" / f"{variant.key}.json"
        document = {"variant": variant.label, **result.results[variant.key].to_json_dict()}
        write_atomic(path, json.dumps(document, indent=1, default=_json_default))
        written.append(path)
    report = replace(build_demo_report(result), lang=lang)  # nl: the demo's readers are Dutch
    written.append(write_report(report, out / "report.html"))
    from netruimte.report.pdf_demo import demo_summary_pdf

    pdf = demo_summary_pdf(json.loads(json.dumps(summary, default=_json_default)),
                           horizon_year=result.scenario.end.year, lang=lang)  # fmt: skip
    write_atomic(out / "summary.pdf", pdf)
    written.append(out / "summary.pdf")
    return written
