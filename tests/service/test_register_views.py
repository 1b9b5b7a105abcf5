"""The register's typed results and their JSON: the pages' twins keep their keys and order.

The dashboard, moment preview and what-if use cases return frozen views; the pages turn them
into their JSON twins with ``to_json_dict``. These tests pin the twins' keys in order (as they
were when the use cases returned dicts) and the two keys a view leaves out on purpose.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from netruimte.register.dashboard_views import (
    DirectionTimeline,
    ForecastView,
    RunBrief,
    Standing,
    Timeline,
)
from netruimte.register.evidence import files_named
from netruimte.register.run_store import RunOutcome
from netruimte.register.view_json import JsonView, plain
from tests.service.conftest import TINY_TOML, Users, bearer
from tests.service.test_pages import today, world  # noqa: F401  (fixtures)

STANDING_KEYS = [
    "on", "takes_part", "rank", "rank_of", "ahead_mw", "category", "fits_now", "offered_kw",
    "binding_station", "binding_station_name", "binding_room_mw", "blocked", "alternatives",
    "explanation",
]  # fmt: skip
ITEM_KEYS = [
    "id", "applicant", "owner", "station", "direction", "kw", "contract", "submitted",
    "category", "eligible_category", "status", "granted_on", "rank_now", "rank_of_now",
    "fits_now", "in_forecast", "forecast_granted_on", "forecast_p50", "forecast_p90",
]  # fmt: skip
OUTCOME_KEYS = [
    "category", "status", "rank", "rank_of", "granted_on", "granted_p10", "granted_p50",
    "granted_p90", "explanation",
]  # fmt: skip
RUN_BRIEF_KEYS = ["id", "kind", "runs", "policy", "fit", "start", "end", "finished_at"]
SIDE_KEYS = ["requests", "changed", "earlier", "later"]


def _standing(takes_part: bool) -> Standing:
    return Standing(
        "2026-08-03", takes_part, 1, 2, 0.6, "none", True, None, "TOP", "Top", 0.0, False,
        ("non-firm",), "fits",
    )  # fmt: skip


def test_a_standing_without_a_rank_has_no_offered_kw() -> None:
    assert list(_standing(True).to_json_dict()) == STANDING_KEYS
    out = _standing(False).to_json_dict()
    assert "offered_kw" not in out
    assert list(out) == [k for k in STANDING_KEYS if k != "offered_kw"]
    assert out["alternatives"] == ["non-firm"]  # a tuple in the view, a list in JSON


def test_a_forecast_view_is_the_run_then_the_outcome_then_the_detail() -> None:
    brief = RunBrief(
        1, "monte-carlo", 20, "acm-2026", "first-fit", "2026-01-01", "2027-01-01", None
    )
    outcome = RunOutcome(
        category="none", status="waiting", rank=1, rank_of=2, granted_on=None,
        granted_p10=None, granted_p50=None, granted_p90=None, explanation="waits",
    )  # fmt: skip
    short = ForecastView(brief, outcome).to_json_dict()
    assert list(short) == ["run", *OUTCOME_KEYS]
    assert list(short["run"]) == RUN_BRIEF_KEYS
    full = ForecastView(brief, outcome, "why").to_json_dict()
    assert list(full) == ["run", *OUTCOME_KEYS, "detail"] and full["detail"] == "why"


def test_a_timeline_is_keyed_by_direction() -> None:
    side = DirectionTimeline((1.0, None), (0.5, None), ("TOP", None), 0.0, True)
    out = Timeline(("2026-01-01", "2026-07-01"), side, dataclasses.replace(side, limited=False))
    assert list(out.to_json_dict()) == ["dates", "offtake", "feed-in"]
    assert out.to_json_dict()["feed-in"]["limited"] is False
    assert out.to_json_dict()["offtake"]["path_binding"] == ["TOP", None]


def test_plain_turns_views_tuples_and_mappings_into_json_data() -> None:
    @dataclasses.dataclass(frozen=True)
    class Inner(JsonView):
        day: str

    @dataclasses.dataclass(frozen=True)
    class Outer(JsonView):
        inner: Inner
        many: tuple[Inner, ...]
        by_key: dict[str, Any]

    value = Outer(Inner("a"), (Inner("b"),), {"z": (1, 2), "a": Inner("c")})
    assert plain(value) == {
        "inner": {"day": "a"},
        "many": [{"day": "b"}],
        "by_key": {"z": [1, 2], "a": {"day": "c"}},
    }
    assert list(plain(value)["by_key"]) == ["z", "a"]  # a mapping keeps its order


@pytest.mark.parametrize("who", ["operator", "alice"])
def test_the_listing_twins_keep_their_keys(client, world, users: Users, who: str) -> None:  # noqa: F811
    headers = bearer(getattr(users, f"{who}_token"))
    mine = client.get("/requests?format=json", headers=headers).json()
    assert list(mine) == ["as_of", "forecast_run", "items"]
    assert list(mine["forecast_run"]) == RUN_BRIEF_KEYS
    assert all(list(item) == ITEM_KEYS for item in mine["items"]) and mine["items"]
    page = client.get("/requests/R1?format=json", headers=headers).json()
    assert list(page)[:8] == [
        "as_of", "request", "station_name", "path", "now", "forecast", "forecast_run",
        "last_allocation_moment",
    ]  # fmt: skip
    assert list(page["now"]) == STANDING_KEYS
    assert list(page["forecast"]) == ["run", *OUTCOME_KEYS, "detail"]
    assert page["path"] == [{"id": "A", "name": "Station A"}, {"id": "TOP", "name": "Top"}]


def test_the_queue_station_and_operator_twins_keep_their_keys(
    client,
    world,  # noqa: F811
    users: Users,
) -> None:
    op = bearer(users.operator_token)
    queue = client.get("/queue?status=any&format=json", headers=op).json()
    assert list(queue) == [
        "as_of", "filters", "choices", "total", "limit", "offset", "forecast_run", "summary",
        "items",
    ]  # fmt: skip
    assert queue["filters"] == {
        "station": None,
        "category": None,
        "status": None,
        "direction": None,
    }
    assert queue["choices"]["station"][0] == {"id": "TOP", "name": "Top"}
    assert list(queue["summary"][0]) == ["station", "direction", "category", "requests", "mw"]
    assert all(list(item) == ITEM_KEYS for item in queue["items"])
    station = client.get("/stations/A?on=2026-01-01&format=json").json()
    assert list(station)[:8] == [
        "as_of", "horizon_end", "entry", "path", "timeline", "capacity_changes", "queue",
        "min_cell",
    ]  # fmt: skip
    assert list(station["timeline"]) == ["dates", "offtake", "feed-in"]
    assert list(station["timeline"]["offtake"]) == [
        "station_room_mw", "path_room_mw", "path_binding", "waiting_mw", "limited",
    ]  # fmt: skip
    assert station["capacity_changes"] == [
        {
            "date": "2026-07-01",
            "station": "A",
            "station_name": "Station A",
            "offtake_mw": 2.0,
            "feedin_mw": 0.0,
        }
    ]
    preview = client.get("/operator/moments?preview=1&format=json", headers=op).json()["preview"]
    assert list(preview) == [
        "on", "policy", "fit", "grants", "offers", "granted_mw", "offered_mw", "requests",
    ]  # fmt: skip
    assert list(preview["requests"][0]) == [
        "id", "applicant", "station", "direction", "kw", "category", "rank", "rank_of",
        "outcome", "granted_kw", "contract", "explanation",
    ]  # fmt: skip
    run = world["run"]
    compare = client.get(
        f"/operator/forecasts?left={run}&right={run}&format=json", headers=op
    ).json()["comparison"]
    assert list(compare) == ["left_run", "right_run", "left_label", "right_label", *SIDE_KEYS]
    assert compare["changed"] == 0 and compare["requests"]
    assert list(compare["requests"][0]) == ["id", "applicant", "left", "right", "days", "changed"]
    what_if = client.get(
        "/operator/forecasts?reinforcement=A-2026&date=2027-03-01&format=json", headers=op
    ).json()["comparison"]
    assert list(what_if) == [
        "reinforcement", "left_label", "right_label", "planned", "edited", "policy", "fit",
        "horizon", *SIDE_KEYS,
    ]  # fmt: skip
    assert what_if["edited"] == {
        "id": "A-2026",
        "station": "A",
        "date": "2027-03-01",
        "offtake_mw": 2.0,
        "feedin_mw": 0.0,
    }
    assert what_if["horizon"] == {"start": "2026-01-01", "end": "2027-01-01"}


def test_the_import_answer_is_the_summary_in_order(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    files = [("files", ("tiny.toml", TINY_TOML.encode(), "application/toml"))]
    answer = client.post("/api/v1/scenario", files=files, data={"force": "true"}, headers=op)
    assert answer.status_code == 201, answer.text
    assert answer.content == (
        b'{"name":"tiny","source":"upload:tiny.toml","stations":3,"reinforcements":1,'
        b'"requests":3,"policy":"acm-2026","fit":"first-fit","start":"2026-01-01",'
        b'"end":"2027-01-01"}'
    )


def test_the_files_an_evidence_names() -> None:
    sha = "ab" * 32
    text = f"permit 2026\nfile besluit.pdf (17 bytes, sha256 {sha})\nfile x (no size)"
    assert [f.to_json_dict() for f in files_named(text)] == [
        {"name": "besluit.pdf", "bytes": 17, "sha256": sha}
    ]
