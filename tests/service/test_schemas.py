"""The API's answer models that are a use case's view: one list of fields, published as is."""

from __future__ import annotations

import dataclasses
from typing import Any, TypedDict, get_type_hints

import pytest
from pydantic import ValidationError

from netruimte.access.audit import AuditVerification
from netruimte.register.network import StationView
from netruimte.register.offers import OfferView
from netruimte.web.api.offers import OfferOut
from netruimte.web.api.schemas.common import model_of
from netruimte.web.api.schemas.grid import StationOut, StationPatch
from netruimte.web.api.schemas.register import AuditVerifyOut
from netruimte.web.api.schemas.requests import RequestPatch
from netruimte.web.app import create_app
from netruimte.web.settings import Settings


def _view_fields(view: type) -> list[str]:
    if dataclasses.is_dataclass(view):
        return [f.name for f in dataclasses.fields(view)]
    return list(get_type_hints(view))


@pytest.mark.parametrize(
    ("model", "view"),
    [
        (StationOut, StationView),
        (AuditVerifyOut, AuditVerification),
        (OfferOut, OfferView),
    ],
)
def test_answer_model_has_the_views_fields_in_order_all_required(model: Any, view: type) -> None:
    assert list(model.model_fields) == _view_fields(view)
    assert all(f.is_required() for f in model.model_fields.values())
    hints = get_type_hints(view)
    assert {k: f.annotation for k, f in model.model_fields.items()} == hints


def test_model_of_checks_types_and_keeps_the_descriptions() -> None:
    class View(TypedDict):
        a: int
        b: str | None

    model = model_of(View, "ViewOut", "A view.", described={"b": "the b"})
    assert model(a=1, b=None).model_dump() == {"a": 1, "b": None}
    with pytest.raises(ValidationError, match="a"):
        model(b="x")  # a is required
    spec = model.model_json_schema()
    assert spec["description"] == "A view."
    assert spec["properties"]["b"]["description"] == "the b"
    assert spec["required"] == ["a", "b"]


def test_the_published_schemas_keep_names_descriptions_and_required_fields(tmp_path) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'x.db'}", worker=False))
    spec = app.openapi()["components"]["schemas"]
    station = spec["StationOut"]
    assert station["description"] == "A station (MW)."
    assert station["required"] == _view_fields(StationView)
    verify = spec["AuditVerifyOut"]
    assert verify["required"] == _view_fields(AuditVerification)
    assert verify["properties"]["objects_checked"]["description"].startswith("Requests, stations")
    assert spec["OfferOut"]["required"] == _view_fields(OfferView)


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (StationPatch, "connection_kv", 20.0),
        (StationPatch, "aggregated", True),
        (RequestPatch, "applicant", "Bakkerij"),
        (RequestPatch, "kw", 50.0),
        (RequestPatch, "contract", "non-firm"),
        (RequestPatch, "accept_partial", False),
    ],
)
def test_patch_fields_may_be_left_out_but_not_null(model: Any, field: str, value: Any) -> None:
    assert model().model_dump(exclude_unset=True) == {}
    assert model(**{field: value}).model_dump(exclude_unset=True) == {field: value}
    with pytest.raises(ValidationError, match=field):
        model(**{field: None})
    assert field not in model.model_json_schema().get("required", [])


def test_both_upload_endpoints_take_one_to_a_thousand_described_files(tmp_path) -> None:
    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'x.db'}", worker=False))
    spec = app.openapi()["components"]["schemas"]
    bodies = {
        "Body_import_scenario_api_v1_scenario_post": "A scenario TOML and the CSV files",
        "Body_create_plan_api_v1_site_plans_post": "The site TOML and the CSV files",
    }
    for body, words in bodies.items():
        files = spec[body]["properties"]["files"]
        assert (files["minItems"], files["maxItems"]) == (1, 1000)
        assert files["description"].startswith(words)
