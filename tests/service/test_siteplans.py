"""Site plans as jobs: upload, plan, report, import profile, and the annex on a request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netruimte.grid import to_representative_year
from netruimte.planner import min_connection
from netruimte.scenario import load_site
from netruimte.sites.stored_plans import plan_files
from netruimte.storage import Database
from tests.service.conftest import Users, bearer

SITE = """\
[site]
name = "Bakkerij Test"
timezone = "Europe/Amsterdam"
year = 2025

[plan]
objective = "min-connection"

[load]
csv = "load.csv"

[battery]
energy_kwh = 200
power_kw = 100
"""


def _load_csv() -> bytes:
    index = pd.date_range("2025-06-02", periods=2 * 96, freq="15min", tz="Europe/Amsterdam")
    kw = np.full(len(index), 100.0)
    evening = (index.hour >= 17) & (index.hour < 19)
    kw[evening] = 400.0  # 2 h at 400 kW: 600 kWh above 100 kW, a 200 kWh battery shaves part
    lines = ["timestamp,kw"] + [f"{t.isoformat()},{v}" for t, v in zip(index, kw, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def _files(site: str = SITE, load: bytes | None = None) -> list[tuple[str, tuple[str, bytes]]]:
    return [
        ("files", ("site.toml", site.encode())),
        ("files", ("load.csv", _load_csv() if load is None else load)),
    ]


def test_site_plan_job_report_and_annex(
    client, tiny, users: Users, db: Database, tmp_path: Path, run_jobs: Callable[[], int]
) -> None:
    alice = bearer(users.alice_token)
    made = client.post("/api/v1/site-plans", files=_files(), headers=alice)
    assert made.status_code == 202, made.text
    plan = made.json()
    assert plan["status"] == "queued" and plan["files"] == ["load.csv"]
    assert plan["name"] == "Bakkerij Test"
    assert client.get(f"/api/v1/site-plans/{plan['id']}/report", headers=alice).status_code == 404
    assert run_jobs() == 1
    done = client.get(f"/api/v1/site-plans/{plan['id']}", headers=alice).json()
    assert done["status"] == "done", done
    # the same answer as the planner called directly
    (tmp_path / "site.toml").write_text(SITE)
    (tmp_path / "load.csv").write_bytes(_load_csv())
    direct = min_connection(load_site(tmp_path / "site.toml"))
    got = done["plan"]
    assert got["status"] == "optimal" and got["objective"] == "min-connection"
    assert got["import_kw"] == pytest.approx(direct.import_kw)
    assert got["peak_import_before_kw"] == pytest.approx(400.0)
    assert got["import_kw"] < 400.0 and got["battery_energy_kwh"] == 200
    contract_keys = {
        "status", "objective", "import_kw", "export_kw", "pv_kwp", "battery_energy_kwh",
        "battery_power_kw", "peak_import_before_kw", "peak_import_after_kw", "annual_cost_eur",
        "reason",
    }  # fmt: skip
    assert contract_keys <= set(got)
    # the job runs what `netruimte site plan SITE.toml --out DIR` runs, file for file
    cli = plan_files(tmp_path / "site.toml")
    assert got == cli.plan and done["annex"] == cli.annex
    report = client.get(f"/api/v1/site-plans/{plan['id']}/report", headers=alice)
    assert report.headers["content-type"].startswith("text/html")
    assert "Bakkerij Test" in report.text and "<script" in report.text
    profile = client.get(f"/api/v1/site-plans/{plan['id']}/import.csv", headers=alice)
    assert profile.content == cli.import_csv
    assert len(profile.text.strip().splitlines()) == 1 + 2 * 96
    # annex: the request takes the annex's kW (import rounded up to 0.01 kW) and the profile
    req = client.post("/api/v1/requests", json={"station": "A", "kw": 400}, headers=alice).json()
    annexed = client.post(
        f"/api/v1/requests/{req['id']}/annex", json={"site_plan_id": plan["id"]}, headers=alice
    )
    assert annexed.status_code == 200, annexed.text
    body = annexed.json()
    assert body["kw"] == done["annex"]["request"]["kw"]
    assert got["import_kw"] <= body["kw"] < got["import_kw"] + 0.01 + 1e-9
    assert body["has_profile"] and body["site_plan_id"] == plan["id"]
    assert body["contract"] == "firm"
    from netruimte.storage.tables import Request

    with db.read() as session:
        row = session.get(Request, req["id"])
        assert row is not None and row.profile_kw is not None
        expected = to_representative_year(direct.dispatch["import_kw"])
        np.testing.assert_allclose(row.profile_kw, expected)
    # bob can neither see the plan nor attach it
    bob = bearer(users.bob_token)
    assert client.get(f"/api/v1/site-plans/{plan['id']}", headers=bob).status_code == 404
    bob_req = client.post("/api/v1/requests", json={"station": "B", "kw": 10}, headers=bob).json()
    stolen = client.post(
        f"/api/v1/requests/{bob_req['id']}/annex", json={"site_plan_id": plan["id"]}, headers=bob
    )
    assert stolen.status_code == 404


def test_site_upload_errors(client, tiny, users: Users, run_jobs: Callable[[], int]) -> None:
    alice = bearer(users.alice_token)
    missing = client.post(
        "/api/v1/site-plans", files=[("files", ("site.toml", SITE.encode()))], headers=alice
    )
    assert missing.status_code == 422
    assert missing.json()["field"] == "csv" and "load.csv" in missing.json()["message"]
    escape = SITE.replace('csv = "load.csv"', 'csv = "/etc/hostname"')
    res = client.post("/api/v1/site-plans", files=_files(escape), headers=alice)
    assert res.status_code == 422 and "relative" in res.json()["message"]
    # a broken CSV is found by the job: the plan fails with the loader's message
    bad = client.post(
        "/api/v1/site-plans", files=_files(load=b"timestamp,kw\nnot-a-time,1\n"), headers=alice
    )
    assert bad.status_code == 202
    run_jobs()
    failed = client.get(f"/api/v1/site-plans/{bad.json()['id']}", headers=alice).json()
    assert failed["status"] == "failed" and "load.csv" in failed["error"]
    job = client.get(f"/api/v1/jobs/{failed['job_id']}", headers=alice).json()
    assert job["status"] == "failed" and job["error"] == failed["error"]
    annex = client.post(
        "/api/v1/requests",
        json={"station": "A", "kw": 5},
        headers=alice,
    ).json()
    res = client.post(
        f"/api/v1/requests/{annex['id']}/annex",
        json={"site_plan_id": bad.json()["id"]},
        headers=alice,
    )
    assert res.status_code == 409 and "no feasible plan" in res.json()["message"]


MIN_COST_SITE = """\
[site]
name = "Bakkerij Kosten"
timezone = "Europe/Amsterdam"
year = 2025

[plan]
objective = "min-cost"

[load]
csv = "load.csv"

[battery]
max_energy_kwh = 800
max_power_kw = 300
cost_eur_per_kwh_year = 30.0
cost_eur_per_kw_year = 10.0

[connection]
import_kw = "minimise"
export_kw = 0

[tariff]
contracted_eur_per_kw_year = 35.0
kwmax_eur_per_kw_month = 2.8
energy_eur_per_kwh = 0.20
"""


def test_a_min_cost_plan_shows_its_proven_bound(
    client, tiny, users: Users, run_jobs: Callable[[], int]
) -> None:
    """The applicant's plan page and its JSON say how far from the optimum the plan can be at
    most (issue 15: the proven gap and lower bound in the JSON), in English and in Dutch."""
    alice = bearer(users.alice_token)
    made = client.post("/api/v1/site-plans", files=_files(MIN_COST_SITE), headers=alice)
    assert made.status_code == 202, made.text
    assert run_jobs() == 1
    plan = client.get(f"/api/v1/site-plans/{made.json()['id']}", headers=alice).json()["plan"]
    assert plan["objective"] == "min-cost" and plan["status"] == "optimal"
    bound, gap, cost = plan["lower_bound_eur"], plan["gap"], plan["annual_cost_eur"]
    # (two days are one LP: the bound is its optimum, the cost the plan re-priced, equal to
    # the last digits)
    assert bound <= cost * (1 + 1e-9) and 0.0 <= gap <= 1e-3 + 1e-9
    assert gap == pytest.approx(max(0.0, (cost - bound) / cost), rel=1e-9, abs=1e-12)
    page = client.get(f"/site-plans/{made.json()['id']}", headers=alice)
    assert page.status_code == 200
    assert "Least cost possible over the period (proven lower bound)" in page.text
    dutch = client.get(f"/site-plans/{made.json()['id']}", params={"lang": "nl"}, headers=alice)
    assert "Laagst mogelijke kosten over de periode (bewezen ondergrens)" in dutch.text
    assert "hoogstens" in dutch.text
