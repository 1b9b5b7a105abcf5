"""The simple site-planner form takes tariffs and business-case inputs (example defaults)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import pytest

from netruimte.web.pages import planner
from tests.service.conftest import Users, form_token
from tests.service.test_siteplans import _load_csv


def _signed(client, token: str) -> None:  # type: ignore[no-untyped-def]
    res = client.post("/login", data={"token": token}, follow_redirects=False)
    assert res.status_code == 303, res.text


def test_site_toml_carries_tariffs_prices_and_economics() -> None:
    text = planner.site_toml(
        "x", year=2025, pv_kwp=10.0, latitude=52.4, longitude=5.2, battery_kwh=50.0,
        battery_kw=25.0, invest_in="all",
        prices={"contracted_eur_per_kw_year": 30.0, "energy_eur_per_kwh": 0.2,
                "lifetime_years": 12.0, "capex_eur_per_kwh": 300.0, "capex_eur_per_kwp": 700.0},
    )  # fmt: skip
    data = tomllib.loads(text)
    assert data["tariff"] == {"contracted_eur_per_kw_year": 30.0, "energy_eur_per_kwh": 0.2}
    assert data["economics"] == {"lifetime_years": 12, "invest_in": "all"}
    assert data["battery"]["capex_eur_per_kwh"] == 300.0 and data["pv"]["capex_eur_per_kwp"] == 700


def test_form_shows_example_tariffs(client, tiny, users: Users) -> None:  # type: ignore[no-untyped-def]
    _signed(client, users.alice_token)
    page = client.get("/site-planner").text
    assert "EXAMPLE values" in page
    for key, (_, _, example, _) in planner.ECONOMIC_FIELDS.items():
        assert f'name="{key}"' in page
        if example is not None:
            assert f'value="{example}"' in page


def test_form_plan_has_a_business_case(
    client, tiny, users: Users, run_jobs: Callable[[], int]
) -> None:  # type: ignore[no-untyped-def]
    _signed(client, users.alice_token)
    data = {"mode": "simple", "name": "Zon", "battery_kwh": "200", "battery_kw": "100",
            "invest_in": "all", "capex_eur_per_kwh": "300", "capex_eur_per_kw": "100"}  # fmt: skip
    for key, (_, _, example, _) in planner.ECONOMIC_FIELDS.items():
        if example is not None:
            data[key] = str(example)
    files = {"load": ("l.csv", _load_csv(), "text/csv")}
    res = client.post(
        "/site-planner",
        data={**data, "csrf_token": form_token(client)},
        files=files,
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    assert run_jobs() == 1
    body = client.get(res.headers["location"], params={"format": "json"}).json()
    plan = body["plan"]
    assert plan["annual_cost_eur"] > 0  # the tariffs reached the plan
    case = plan["business_case"]
    assert case["investment_eur"] == pytest.approx(200 * 300 + 100 * 100)
    assert case["lifetime_years"] == 15 and case["discount_rate"] == 0.05


@pytest.mark.parametrize(
    ("field", "value"), [("lifetime_years", "2.5"), ("energy_eur_per_kwh", "cheap"),
                         ("discount_rate", "2")],
)  # fmt: skip
def test_form_refuses_bad_economics(client, tiny, users: Users, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    _signed(client, users.alice_token)
    res = client.post(
        "/site-planner", params={"format": "json"},
        data={"mode": "simple", field: value, "csrf_token": form_token(client)},
        files={"load": ("l.csv", _load_csv(), "text/csv")},
    )  # fmt: skip
    assert res.status_code == 422 and res.json()["field"] == field


def test_plan_page_shows_the_business_case(
    client, tiny, users: Users, run_jobs: Callable[[], int]
) -> None:  # type: ignore[no-untyped-def]
    _signed(client, users.alice_token)
    data = {"mode": "simple", "battery_kwh": "200", "battery_kw": "100",
            "contracted_eur_per_kw_year": "30", "energy_eur_per_kwh": "0.2"}  # fmt: skip
    files = {"load": ("l.csv", _load_csv(), "text/csv")}
    res = client.post(
        "/site-planner",
        data={**data, "csrf_token": form_token(client)},
        files=files,
        follow_redirects=False,
    )
    run_jobs()
    page = client.get(res.headers["location"]).text
    case = client.get(res.headers["location"], params={"format": "json"}).json()["plan"][
        "business_case"
    ]
    assert "Peak import as the site runs today" in page and "Savings a year" in page
    assert f"{case['baseline_annual_cost_eur']:,.0f}" in page
    assert "grid tariff and energy)" not in page
