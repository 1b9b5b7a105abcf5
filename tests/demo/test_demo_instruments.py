"""Room before reinforcement in the demo: contracts, relievers that relieve, an energy hub.

Unit cases with exact answers for the builders, then the variants of a real (small) demo run:
each variant's numbers are computed from its own run (a copied variant fails a check).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from netruimte.demo.instruments import (
    flevoland_contracts,
    joint_import_bounds,
    with_hub,
    with_relief,
)
from netruimte.grid import Reinforcement, Station
from netruimte.planner.hub import Hub, hub_min_connection
from netruimte.planner.site import Battery, Connection, Site
from netruimte.scenario.flevoland import FLEVOLAND_STATIONS, grid_data, instruments_data
from netruimte.waitlist import Request
from netruimte.waitlist.requests import Category
from tests.demo.test_demo import demo  # noqa: F401  (the module's demo fixture)
from tests.planner.conftest import series
from tests.planner.hub_reference_lp import reference_hub_min_connection
from tests.waitlist.helpers import grid, run, scenario

DAY = 96


# ---- builders: exact answers -------------------------------------------------------------


def test_contracts_are_the_documented_share_of_the_published_loads():
    """5 % of each station's in-use offtake (Almere 70 MW: 3.5 MW); TenneT's region: 5 % of
    4,549 − (70 + 18 + 30 + 49 + 67 + 30) = 4,285 MW, so 214.25 MW; each until its work."""
    contracts = {c.station: c for c in flevoland_contracts(grid_data()["station"])}
    assert set(contracts) == {*FLEVOLAND_STATIONS, "FGU"}
    assert contracts["ALM"].mw == pytest.approx(3.5)
    assert contracts["FGU"].mw == pytest.approx(214.25)
    assert sum(c.mw for c in contracts.values()) == pytest.approx(0.05 * 4549)
    assert contracts["ALM"].until == "LIA-ALM-2030"
    assert contracts["EML"].until == "LIA-EML-2031"
    assert contracts["LLS"].until == contracts["FGU"].until == "TEN-FGU-2035"
    assert {c.kind.value for c in contracts.values()} == {"cbc-a"}
    assert {c.eur_per_mw_year for c in contracts.values()} == {40_000.0}
    bad = {**instruments_data()["congestion_contracts"], "share_of_load": 1.5}
    with pytest.raises(ValueError, match="share_of_load"):
        flevoland_contracts(grid_data()["station"], bad)


WORKS = grid(
    Station("S", offtake_mw=10, load_mw=10),
    reinforcements=(Reinforcement("RF", "S", dt.date(2027, 1, 1), offtake_mw=1.0),),
)


def _req(rid: str, submitted: str, **kw: object) -> Request:
    fields: dict[str, object] = {"kw": 2000.0, "station": "S"} | kw
    return Request(rid, submitted=dt.datetime.fromisoformat(submitted + "T09:00+01:00"),
                   **fields)  # type: ignore[arg-type]  # fmt: skip


def test_relief_is_declared_by_relievers_only_and_lets_the_school_in_at_once():
    """The hand case of docs/congestion-management.md on a full station (10 of 10 MW, works
    add 1 MW in 2027): with relief declared, the signed battery (2 MW, credit 0.5) is granted
    at once and makes 1 MW of room in which the school (500 kW) fits the same moment; without
    it the battery claims 2 MW like any firm request and the school waits past 2027."""
    school = _req("school", "2025-01-01", kw=500.0, category="basic-needs", evidence=True)
    battery = _req("battery", "2025-06-01", category="congestion-reliever", contract_signed=True)
    shop = _req("shop", "2025-02-01", kw=300.0)
    sc = scenario(WORKS, [school, battery, shop], end="2028-01-01")
    relieved = with_relief(sc)
    assert {r.id: r.relief_kw for r in relieved.requests} == {
        "school": 0.0, "battery": 2000.0, "shop": 0.0
    }  # fmt: skip
    assert run(relieved)["school"] == "2026-01-01"
    assert run(sc)["school"] is None
    with pytest.raises(ValueError, match="relief_share_of_kw"):
        with_relief(sc, 0.0)


def test_the_hub_request_replaces_its_members():
    from netruimte.report.demo_data import HubSummary

    a = _req("A", "2025-01-06", kw=800.0)
    b = _req("B", "2025-01-02", kw=700.0)
    other = _req("C", "2025-01-01", kw=100.0)
    hub = HubSummary("HUB", "the hub", "S", ("A", "B"), (800.0, 700.0), (600.0, 650.0),
                     (550.0, 600.0), 1000.001, 2.0, "aggregate-kernel",
                     b.submitted)  # fmt: skip
    out = with_hub(scenario(WORKS, [a, b, other]), hub)
    assert [r.id for r in out.requests] == ["C", "HUB"]
    joint = out.requests[-1]
    assert joint.kw == 1000.01  # rounded up to 0.01 kW
    assert joint.submitted == b.submitted and joint.category is Category.NONE
    assert hub.diversity_gain_kw == pytest.approx(150.0 - 0.001)
    assert hub.saved_kw == pytest.approx(250.0 - 0.001)
    with pytest.raises(ValueError, match="not every member"):
        with_hub(scenario(WORKS, [a, other]), hub)


def _member(name: str, load: np.ndarray, kwh: float, kw: float) -> Site:
    battery = Battery(kwh, kw, roundtrip_efficiency=0.81) if kwh > 0 else None
    return Site(name, series(load), battery=battery, connection=Connection(export_kw=None))


@pytest.mark.parametrize("seed", range(6))
def test_hub_bounds_bracket_the_exact_joint_minimum(seed):
    """Members whose batteries differ in power per kWh: the pooled battery (lower) and the
    batteries cut to one common shape (upper) bracket the joint LP's exact minimum; with
    batteries of one shape both bounds are the exact answer."""
    rng = np.random.default_rng(seed)
    loads = [rng.uniform(0, 1, DAY) ** 3 * rng.uniform(50, 200) for _ in range(3)]
    shapes = [(rng.uniform(20, 200), rng.uniform(0.2, 1.0)) for _ in range(3)]
    pairs = zip(loads, shapes, strict=True)
    sites = tuple(_member(f"m{k}", load, kwh, kwh * r) for k, (load, (kwh, r)) in enumerate(pairs))
    hub = Hub("random", sites, export_kw=0.0)
    lower, upper, cut = joint_import_bounds(hub)
    exact = reference_hub_min_connection(hub)
    assert lower - 1e-4 <= exact <= upper + 1e-4
    checked = hub_min_connection(cut)
    assert checked.import_kw == pytest.approx(upper, abs=1e-6)
    same = tuple(_member(s.name, s.load_kw.to_numpy(), kwh, kwh * 0.5)
                 for s, (kwh, _) in zip(sites, shapes, strict=True))  # fmt: skip
    lo, up, _ = joint_import_bounds(Hub("same", same, export_kw=0.0))
    assert lo == pytest.approx(up, abs=1e-6)
    assert lo == pytest.approx(reference_hub_min_connection(Hub("same", same, export_kw=0.0)),
                               abs=1e-4)  # fmt: skip


# ---- the variants of a real (small) demo run ---------------------------------------------


def _summary(demo):  # noqa: F811
    doc = json.loads((demo.options.out_dir / "summary.json").read_text())
    return doc, {v["variant"]: v for v in doc["variants"]}


def test_room_variants_are_in_every_output(demo):  # noqa: F811
    doc, by = _summary(demo)
    keys = ("acm-contracts", "acm-relievers", "acm-hub", "acm-all")
    for key in keys:
        assert {"by_2028", "by_2030", "by_2033", "mw_years_waiting", "campus_granted_on",
                "room_mw"} <= set(by[key])  # fmt: skip
        assert by[key]["room_mw"] > 0
        assert (demo.options.out_dir / "results" / f"{key}.json").exists()
    assert set(doc["instruments"]["room"]) == set(keys)
    html = (demo.options.out_dir / "report.html").read_text()
    assert "Room before reinforcement" in html and "Energy hub De Vaart" in html
    table = pd.read_csv(demo.options.out_dir / "connections.csv")
    assert {f"granted_{k}" for k in keys} <= set(table.columns)


def test_contracts_add_room_and_cost_what_they_are_assumed_to(demo):  # noqa: F811
    _, by = _summary(demo)
    acm, ctr = by["acm"], by["acm-contracts"]
    for year in (2028, 2030, 2033, 2035, 2036):
        assert ctr[f"by_{year}"] >= acm[f"by_{year}"]
    # the room tells once TenneT's first work lands: less waiting than without contracts
    assert ctr["mw_years_waiting"] < acm["mw_years_waiting"]
    outcomes = {k.id: k for k in demo.results["acm-contracts"].congestion_contracts}
    assert outcomes["ALM-CBC-A"].counts_until == dt.date(2030, 7, 1)  # LIA-ALM-2030
    assert outcomes["FGU-CBC-A"].counts_until == dt.date(2035, 1, 1)  # TEN-FGU-2035
    for k in outcomes.values():
        assert k.cost_eur == pytest.approx(k.mw * 40_000 * k.years_active)
        assert k.years_active == pytest.approx(
            ((k.counts_until or demo.scenario.end) - dt.date(2026, 1, 1)).days / 365.25
        )
    room = demo.room["acm-contracts"]
    assert room.contracts_mw == pytest.approx(0.05 * 4549)
    assert ctr["room_eur_per_mw_year"] == pytest.approx(40_000.0)
    assert "congestion_contracts" not in demo.results["acm"].to_json_dict()


def test_relievers_connect_themselves_and_credit_half_their_power(demo):  # noqa: F811
    """Hand-checkable: the signed grid batteries of the Flevoland queue are steered relievers,
    granted at the start where their station has room (non-firm), not in 2033+ like firm
    requests; the room credited is 0.5 × their kW."""
    _, by = _summary(demo)
    signed = [r for r in demo.scenario.requests
              if r.type_key == "battery" and r.contract_signed]  # fmt: skip
    res, acm = demo.results["acm-relievers"], demo.results["acm"]
    granted = [r for r in signed if res.request(r.id).granted_on is not None]
    assert granted, "no signed battery was granted"
    flevoland_early = [r for r in granted if r.station in FLEVOLAND_STATIONS
                       and res.request(r.id).granted_on < dt.date(2028, 1, 1)]  # fmt: skip
    for r in flevoland_early:
        before = acm.request(r.id).granted_on
        assert before is None or before >= dt.date(2033, 1, 1)
    assert by["acm-relievers"]["by_2028"] - by["acm"]["by_2028"] == len(flevoland_early)
    room = demo.room["acm-relievers"]
    assert room.relievers_granted == len(granted)
    assert room.relief_mw == pytest.approx(0.5 * sum(r.kw for r in granted) / 1000)


def test_the_hub_is_one_request_smaller_than_its_members(demo):  # noqa: F811
    hub = demo.hub
    assert hub is not None and len(hub.members) >= 2
    res = demo.results["acm-hub"]
    ids = {o.id for o in res.requests}
    assert hub.id in ids and not ids & set(hub.members)
    request = res.request(hub.id)
    assert request.kw == pytest.approx(math.ceil(hub.joint_kw * 100) / 100)
    # exact pieces: the joint connection is no larger than the members' alone, and at least
    # the largest member's (its peak must still be served)
    assert max(hub.alone_kw) - 1e-6 <= hub.joint_kw <= sum(hub.alone_kw) + 1e-6
    assert 0 <= hub.joint_gap_kw <= hub.joint_kw
    assert hub.saved_kw > 0
    table = pd.read_csv(demo.options.out_dir / "connections.csv")
    members = table[table["id"].isin(hub.members)]
    expected = None if request.granted_on is None else request.granted_on.isoformat()
    assert set(members["granted_acm-hub"].fillna("none")) == {expected or "none"}
    _, by = _summary(demo)
    assert by["acm-hub"]["room_mw"] == pytest.approx(hub.diversity_gain_kw / 1000, abs=1e-3)
    assert by["acm-all"]["room_mw"] == pytest.approx(
        demo.room["acm-contracts"].contracts_mw + demo.room["acm-relievers"].relief_mw
        + hub.diversity_gain_kw / 1000, abs=1e-2)  # fmt: skip
