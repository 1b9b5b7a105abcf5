"""``netruimte site plan`` / ``site curve`` on the examples, the outputs and the error paths."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from netruimte.cli import app, main
from netruimte.planner import (
    PV,
    Connection,
    Objective,
    PlanResult,
    PlanStatus,
    Restriction,
    Site,
    Tariff,
)
from netruimte.profiles import read_profile_csv
from netruimte.scenario import load_site
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.sites.plan_file import (
    PLAN_FIELDS,
    PricedPlan,
    default_battery_range,
    request_annex,
    tariff_cost,
)

SITES = Path(__file__).parents[2] / "examples" / "sites"
runner = CliRunner()


EXAMPLES = [
    "bakery-g5",
    "logistics-hub-ev",
    "office-pv",
]
OUT_FILES = {
    "plan.json",
    "dispatch.csv",
    "import.csv",
    "request.json",
    "report.html",
    "summary.pdf",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "netruimte", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture()
def run_main(monkeypatch, capsys):
    """The console entry point :func:`netruimte.cli.main` in this process (exit-code mapping
    included): returns ``(exit code, stdout, stderr)``."""

    def invoke(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["netruimte", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    return invoke


_PLANNED: dict[str, tuple[dict[str, object], Path]] = {}


@pytest.fixture(scope="module")
def plan_of(tmp_path_factory):
    """Plan an example once per module with ``--out DIR --json`` (in process)."""

    def get(name: str) -> tuple[dict[str, object], Path]:
        if name not in _PLANNED:
            out = tmp_path_factory.mktemp(name)
            args = ["site", "plan", str(SITES / f"{name}.toml"), "--out", str(out), "--json"]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (result.output, result.exception)
            _PLANNED[name] = (json.loads(result.stdout), out)
        return _PLANNED[name]

    return get


@pytest.fixture(params=EXAMPLES)
def planned(request, plan_of):
    """Each example: its name, Plan JSON and output folder."""
    return (request.param, *plan_of(request.param))


def test_plan_json_fields(planned):
    name, doc, _ = planned
    assert list(doc)[: len(PLAN_FIELDS)] == list(PLAN_FIELDS)
    assert doc["status"] == "optimal" and doc["reason"] is None
    site = load_site(SITES / f"{name}.toml")
    assert doc["objective"] == site.objective.value
    for key in PLAN_FIELDS[2:-1]:
        assert isinstance(doc[key], float) and np.isfinite(doc[key]), key
    assert doc["peak_import_after_kw"] <= doc["import_kw"] + 1e-6
    lines = doc["cost_breakdown"]
    assert doc["annual_cost_eur"] == pytest.approx(sum(line["eur"] for line in lines))
    before = site.load_kw - (site.pv.kwp * site.pv.kw_per_kwp if site.pv else 0.0)
    if doc["objective"] == "min-connection":
        assert doc["lower_bound_eur"] is None and doc["gap"] is None  # min-cost only
        assert doc["peak_import_before_kw"] == pytest.approx(max(0.0, before.max()))
        assert doc["battery_energy_kwh"] == site.battery.energy_kwh


def test_outputs_written_and_consistent(planned):
    name, doc, out = planned
    assert {p.name for p in out.iterdir()} == OUT_FILES
    assert json.loads((out / "plan.json").read_text()) == doc
    site = load_site(SITES / f"{name}.toml")
    frame = pd.read_csv(out / "dispatch.csv")
    assert len(frame) == len(site.index) == 35_040
    index = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"], utc=True)).tz_convert(site.timezone)
    assert index.equals(site.index)
    imported = frame["import_kw"].to_numpy()
    assert imported.max() == pytest.approx(doc["peak_import_after_kw"])
    assert (imported <= frame["import_limit_kw"] + 1e-6).all()
    shift = frame.filter(like="shiftable_kw:").sum(axis=1)
    supply = imported + frame["pv_used_kw"] + frame["battery_discharge_kw"]
    demand = (frame["load_kw"] - frame["curtailed_kw"] + shift + frame["battery_charge_kw"]
              + frame["export_kw"])  # fmt: skip
    assert np.abs(supply - demand).max() < 1e-6
    profile = read_profile_csv(out / "import.csv", timezone=site.timezone)
    assert profile.index.equals(site.index)
    np.testing.assert_array_equal(profile.to_numpy(), imported)
    html = (out / "report.html").read_text()
    assert site.name in html and "Plotly.newPlot" in html
    assert not re.search(r"<script[^>]+src=", html), "the report must be self-contained"
    for heading in ("How the connection is used", "The peak week", "Monthly peaks",
                    "Battery size and connection", "Cost", "Assumptions and data"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html


@pytest.mark.parametrize("name", ["bakery-g5", "logistics-hub-ev"])  # one LP run is enough
def test_plan_json_without_out_is_the_same(plan_of, name):
    doc, _ = plan_of(name)
    result = runner.invoke(app, ["site", "plan", str(SITES / f"{name}.toml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == doc


def test_bakery_numbers_and_cost_by_hand(plan_of):
    doc, out = plan_of("bakery-g5")
    assert doc["peak_import_before_kw"] == pytest.approx(101.65, abs=0.01)
    assert doc["import_kw"] == pytest.approx(74.63, abs=0.01)
    frame = pd.read_csv(out / "dispatch.csv")
    month = frame["timestamp"].str.slice(0, 7)
    # The example tariff: 30 EUR/kW/year, 2.5 EUR/kW/month, 0.22 EUR/kWh, feed-in 0.05 EUR/kWh.
    expected = (
        doc["import_kw"] * 30.0
        + frame.groupby(month)["import_kw"].max().sum() * 2.5
        + frame["import_kw"].sum() * 0.25 * 0.22
        - frame["export_kw"].sum() * 0.25 * 0.05
    )
    assert doc["annual_cost_eur"] == pytest.approx(expected, rel=1e-12)
    assert (frame["export_kw"] <= 40.0 + 1e-9).all()
    html = (out / "report.html").read_text()
    assert "on an import connection of 74.6 kW" in html
    assert "(load minus PV) is 101.6 kW: the plan needs 27.0 kW (27%) less" in html


def test_logistics_hub_restriction_and_fleet(plan_of):
    _, out = plan_of("logistics-hub-ev")
    frame = pd.read_csv(out / "dispatch.csv")
    local = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert("Europe/Amsterdam")
    minutes = local.dt.hour * 60 + local.dt.minute
    in_block = (minutes >= 16 * 60) & (minutes < 20 * 60)
    assert frame.loc[in_block, "import_kw"].max() <= 50.0 + 1e-6
    fleet = frame["shiftable_kw:EV truck fleet"]
    night = (minutes >= 19 * 60) | (minutes < 7 * 60)
    assert fleet[~night].abs().max() < 1e-9
    # 2 May 19:00 to 3 May 07:00 (no DST): exactly 1200 kWh.
    start = int(np.flatnonzero(local == pd.Timestamp("2025-05-02 19:00", tz="Europe/Amsterdam"))[0])
    assert fleet.iloc[start : start + 48].sum() * 0.25 == pytest.approx(1200.0)
    annex = json.loads((out / "request.json").read_text())
    assert annex["contract"] == "time-block"
    assert annex["restrictions"] == [{"windows": ["16:00-20:00"], "import_kw": 50.0}]
    # the legal form: full kW inside the capacity blocks (outside the restriction window),
    # the restricted level outside them; the old restricted-window key is gone
    assert annex["request"]["capacity_blocks"] == ["20:00-16:00"]
    assert annex["request"]["restricted_kw"] == 50.0
    assert "blocks" not in annex["request"]
    # and it reads back as a waiting-list request with that right
    from netruimte.scenario.waitlist_csv import request_from_mapping

    fields = {**annex["request"], "id": "R", "station": "S", "submitted": "2025-06-01"}
    req = request_from_mapping(fields, base_dir=out)
    assert req.contract.value == "time-block" and req.capacity_blocks == ("20:00-16:00",)


def test_office_min_cost_plan(plan_of):
    doc, out = plan_of("office-pv")
    site = load_site(SITES / "office-pv.toml")
    assert doc["objective"] == "min-cost"
    assert doc["pv_kwp"] == pytest.approx(150.0 + doc["added_pv_kwp"])
    assert 0.0 <= doc["added_pv_kwp"] <= 250.0 + 1e-6
    assert 0.0 <= doc["battery_energy_kwh"] <= 1000.0 + 1e-6
    assert 0.0 <= doc["battery_power_kw"] <= 500.0 + 1e-6
    assert doc["import_kw"] <= doc["peak_import_before_kw"] + 1e-6
    assert doc["peak_import_before_kw"] == pytest.approx(224.511, abs=1e-3)
    # The LP prices its dispatch itself; tariff_cost is an independent implementation.
    frame = pd.read_csv(out / "dispatch.csv").set_index("timestamp")
    frame.index = site.index
    mine = {line.item: line.eur for line in tariff_cost(site, frame, doc["import_kw"])}
    lp = {line["item"]: line["eur"] for line in doc["cost_breakdown"]}
    for item, eur in mine.items():
        assert lp[item] == pytest.approx(eur, rel=1e-9, abs=1e-6), item
    new = doc["added_battery_energy_kwh"] * 30.0 + doc["added_battery_power_kw"] * 10.0
    new += doc["added_pv_kwp"] * 65.0
    assert doc["annual_cost_eur"] == pytest.approx(sum(mine.values()) + new, rel=1e-9)
    # The proven bound and gap of issue 15 are in the JSON: the plan is within 0.1 % of the
    # optimum because the optimum is at least the lower bound.
    assert doc["lower_bound_eur"] <= doc["annual_cost_eur"]
    assert 0.0 <= doc["gap"] <= 1e-3 + 1e-9
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "least cost possible (proven lower bound)" in report
    assert doc["gap"] == pytest.approx(
        (doc["annual_cost_eur"] - doc["lower_bound_eur"]) / doc["annual_cost_eur"], rel=1e-9
    )
    annex = json.loads((out / "request.json").read_text())
    assert annex["contract"] == "firm" and "capacity_blocks" not in annex["request"]


def test_request_annex_round_trip_into_a_waitlist_scenario(planned):
    _, doc, out = planned
    annex = json.loads((out / "request.json").read_text())
    assert annex["site"] == doc["site"] and annex["objective"] == doc["objective"]
    assert annex["import_kw"] == doc["import_kw"] and annex["export_kw"] == doc["export_kw"]
    assert annex["profile_csv"] == "import.csv"
    request = annex["request"]
    assert doc["import_kw"] <= request["kw"] < doc["import_kw"] + 0.01 + 1e-9
    lines = ['[scenario]', 'start = "2026-01-01"', 'end = "2027-01-01"', '[[station]]',
             'id = "ALM"', 'offtake_mw = 1.0', 'load_mw = 0.5', '[[request]]', 'id = "R-1"',
             'station = "ALM"', 'submitted = "2025-06-01"']  # fmt: skip
    lines += [f"{key} = {json.dumps(value)}" for key, value in request.items()]
    (out / "scenario.toml").write_text("\n".join(lines) + "\n")
    try:
        scenario = load_scenario(out / "scenario.toml")
    finally:
        (out / "scenario.toml").unlink()
    (req,) = scenario.requests
    assert req.kw == request["kw"] and req.contract.value == annex["contract"]
    assert req.profile_csv == "import.csv" and req.applicant == doc["site"]
    imported = pd.read_csv(out / "dispatch.csv")["import_kw"].to_numpy()
    # 2025 is not a leap year: the representative year is the profile itself, by wall clock
    # (the repeated October hour averaged, the missing March hour filled).
    assert req.profile_kw.shape == (35_040,)
    assert req.profile_kw.max() <= req.kw
    assert req.profile_kw.max() == pytest.approx(imported.max())
    assert req.profile_kw.sum() == pytest.approx(imported.sum(), rel=2e-3)


def test_curve_json_and_text():
    path = str(SITES / "bakery-g5.toml")
    result = runner.invoke(app, ["site", "curve", path, "--battery-kwh", "0:240:120", "--json"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [set(p) for p in points] == [{"battery_energy_kwh", "battery_power_kw", "import_kw"}] * 3
    assert [p["battery_energy_kwh"] for p in points] == [0.0, 120.0, 240.0]
    assert [p["battery_power_kw"] for p in points] == [0.0, 60.0, 120.0]
    kw = [p["import_kw"] for p in points]
    assert kw[0] > kw[1] > kw[2]
    assert kw[0] == pytest.approx(101.6499, abs=1e-4)  # no battery: the peak of load − PV
    assert kw[1] == pytest.approx(74.6252, abs=1e-4)  # the installed battery: the plan
    text = runner.invoke(app, ["site", "curve", path, "--battery-kwh", "0:120:120"])
    assert text.exit_code == 0
    assert "battery kWh" in text.stdout and "74.63" in text.stdout


def test_curve_default_range_and_null_points():
    path = str(SITES / "logistics-hub-ev.toml")
    result = runner.invoke(app, ["site", "curve", path, "--json", "--c-rate", "0.5"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)
    assert [p["battery_energy_kwh"] for p in points] == [100.0 * i for i in range(11)]
    assert points[0]["import_kw"] is None  # no battery cannot bridge 16:00-20:00 at 50 kW
    kws = [p["import_kw"] for p in points[1:]]
    assert all(a >= b for a, b in itertools.pairwise(kws))


def test_default_battery_range():
    site = load_site(SITES / "bakery-g5.toml")
    assert default_battery_range(site, 101.6, 0.5)[-1] == 250.0  # max(240, 203.2) -> 250
    assert default_battery_range(site, 10.0, 0.5)[-1] == 250.0  # twice the 120 kWh installed
    assert default_battery_range(site, 450.0, 0.5) == [100.0 * i for i in range(11)]


@pytest.fixture()
def infeasible_site(tmp_path):
    """The logistics hub without its battery: 16:00-20:00 at 50 kW cannot be met."""
    text = (SITES / "logistics-hub-ev.toml").read_text()
    text = re.sub(r"(?m)^energy_kwh = 400.*$", "energy_kwh = 0", text)
    text = re.sub(r"(?m)^power_kw = 200$", "power_kw = 0", text)
    path = tmp_path / "hub.toml"
    path.write_text(text)
    return path


def test_infeasible_plan_exits_1_with_reason(infeasible_site, tmp_path, run_main):
    out = tmp_path / "out"
    code, stdout, stderr = run_main("site", "plan", str(infeasible_site), "--json", "--out",
                                    str(out))  # fmt: skip
    assert code == 1
    doc = json.loads(stdout)
    assert doc["status"] == "infeasible"
    assert doc["import_kw"] is None and doc["annual_cost_eur"] is None
    assert "restriction window (50 kW)" in doc["reason"]
    assert doc["reason"] in stderr
    assert {p.name for p in out.iterdir()} == {"plan.json", "report.html"}
    assert "No plan:" in (out / "report.html").read_text()
    code, stdout, stderr = run_main("site", "plan", str(infeasible_site))
    assert code == 1 and "status         infeasible" in stdout
    assert "no battery to bridge it" in stderr


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("roundtrip_efficiency = 0.90", "roundtrip_efficiency = 1.5"),
         "battery.roundtrip_efficiency"),
        (("daily_kwh = 1200", "daily_kwh = \"1200\""), "flex[1].daily_kwh"),
        (("[battery]", "[battery]\ncapacity_kwh = 5"), "battery.capacity_kwh"),
    ],
)  # fmt: skip
def test_bad_site_file_exits_2_naming_the_key(tmp_path, edit, field, run_main):
    text = (SITES / "logistics-hub-ev.toml").read_text()
    assert edit[0] in text
    path = tmp_path / "hub.toml"
    path.write_text(text.replace(edit[0], edit[1], 1))
    for command in ("plan", "curve"):
        code, stdout, stderr = run_main("site", command, str(path), "--json")
        assert code == 2, stderr
        assert stdout == ""
        assert "hub.toml" in stderr and f"field '{field}'" in stderr


def test_bad_options_exit_2(run_main):
    good = str(SITES / "bakery-g5.toml")
    code, _, stderr = run_main("site", "curve", good, "--battery-kwh", "0-100")
    assert code == 2 and "battery-kwh" in stderr
    code, _, stderr = run_main("site", "curve", good, "--c-rate", "0")
    assert code == 2 and "c-rate" in stderr


def test_bad_toml_syntax_exits_2_in_a_real_process(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[site]\nname = "x"\n[load\nprofile = "G5"\n')
    result = run("site", "plan", str(path), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "broken.toml" in result.stderr and "line 3" in result.stderr


TWO_DAYS = Path(__file__).parents[1] / "planner" / "data" / "load-2days.csv"


def _two_day_site(tmp_path: Path, objective: str, restricted_kw: float) -> Path:
    """The 2-day test load (29-30 March 2025, a DST day: 47 h) with a 10:00-14:00 window."""
    (tmp_path / "load.csv").write_text(TWO_DAYS.read_text())
    path = tmp_path / "small.toml"
    path.write_text(
        f'[plan]\nobjective = "{objective}"\n[load]\ncsv = "load.csv"\n'
        f'[[connection.restriction]]\nwindows = ["10:00-14:00"]\nimport_kw = {restricted_kw}\n'
        "[tariff]\ncontracted_eur_per_kw_year = 30\nkwmax_eur_per_kw_month = 3\n"
        "energy_eur_per_kwh = 0.2\n"
    )
    return path


def test_short_profile_cost_pro_rata_and_report(tmp_path, run_main):
    path = _two_day_site(tmp_path, "min-connection", 1000.0)
    code, stdout, _ = run_main("site", "plan", str(path), "--json", "--out", str(tmp_path / "o"))
    assert code == 0
    doc = json.loads(stdout)
    load = read_profile_csv(TWO_DAYS)
    assert len(load) == 96 + 92
    peak = float(load.max())
    assert doc["import_kw"] == pytest.approx(peak, abs=1e-4)  # no battery: the peak itself
    hours = len(load) * 0.25
    expected = (
        peak * 30 * hours / 8760  # 47 h of the year
        + peak * 3 * hours / (31 * 24 - 1)  # 47 h of March (743 h)
        + float(load.sum()) * 0.25 * 0.2
    )
    assert doc["annual_cost_eur"] == pytest.approx(expected, rel=1e-9)
    html = (tmp_path / "o" / "report.html").read_text()
    assert "<h2>The peak days</h2>" in html and "2025-03-29 to 2025-03-30 (2 days)" in html


def test_min_cost_infeasible_exits_1(tmp_path, run_main):
    path = _two_day_site(tmp_path, "min-cost", 0.0)
    code, stdout, stderr = run_main("site", "plan", str(path), "--json")
    assert code == 1
    doc = json.loads(stdout)
    assert doc["status"] == "infeasible" and doc["objective"] == "min-cost"
    assert doc["import_kw"] is None and doc["annual_cost_eur"] is None
    assert "2025-03-29T10:00" in doc["reason"] and doc["reason"] in stderr


# --- the pieces, on hand-solvable sites -----------------------------------------------------


def _tiny_site(**kwargs) -> Site:
    """Two days across a month end: 10 kW on 31 January 2025, 20 kW on 1 February."""
    index = pd.date_range("2025-01-31", periods=192, freq="15min", tz="Europe/Amsterdam")
    load = pd.Series(np.r_[np.full(96, 10.0), np.full(96, 20.0)], index=index)
    return Site(name="tiny", load_kw=load, **kwargs)


def test_tariff_cost_by_hand():
    tariff = Tariff(contracted_eur_per_kw_year=36.5, kwmax_eur_per_kw_month=3.1,
                    energy_eur_per_kwh=0.2, feed_in_eur_per_kwh=0.05)  # fmt: skip
    site = _tiny_site(tariff=tariff)
    frame = pd.DataFrame(
        {"import_kw": site.load_kw, "export_kw": 0.0, "curtailed_kw": 0.0}, index=site.index
    )
    frame.iloc[100, 1] = 8.0  # 2 kWh exported once
    lines = {line.item: line for line in tariff_cost(site, frame, 25.0)}
    assert lines["contracted import capacity"].eur == pytest.approx(25 * 36.5 * 48 / 8760)
    kw_months = 10 * 24 / (31 * 24) + 20 * 24 / (28 * 24)
    assert lines["monthly peak import (kW max)"].quantity == pytest.approx(kw_months)
    assert lines["monthly peak import (kW max)"].eur == pytest.approx(kw_months * 3.1)
    assert lines["imported energy"].quantity == pytest.approx(720.0)
    assert lines["imported energy"].eur == pytest.approx(144.0)
    assert lines["exported energy (feed-in)"].eur == pytest.approx(-0.1)


def test_tariff_cost_with_prices_and_curtailment():
    from netruimte.planner import CurtailableLoad

    site0 = _tiny_site()
    prices = pd.Series(np.where(np.arange(192) < 96, 0.1, 0.3), index=site0.index)
    site = _tiny_site(
        tariff=Tariff(energy_eur_per_kwh=prices),
        curtailable=(CurtailableLoad("dear", 3.0, 2.0), CurtailableLoad("cheap", 1.0, 0.5)),
    )
    frame = pd.DataFrame({"import_kw": site.load_kw, "export_kw": 0.0, "curtailed_kw": 0.0},
                         index=site.index)  # fmt: skip
    frame.iloc[0:4, 2] = 2.0  # 1 h at 2 kW: 1 kW from the cheap load, 1 kW from the dear one
    lines = {line.item: line for line in tariff_cost(site, frame, 20.0)}
    assert lines["imported energy"].eur == pytest.approx(240 * 0.1 + 480 * 0.3)
    assert lines["imported energy"].price == pytest.approx(168.0 / 720.0)
    assert lines["curtailed load"].quantity == pytest.approx(2.0)
    assert lines["curtailed load"].eur == pytest.approx(1 * 0.5 + 1 * 2.0)


def _result(
    status: PlanStatus,
    import_kw: float | None,
    after: float | None,
    eur: float | None,
    reason: str | None,
) -> PlanResult:
    """A min-connection plan with no PV or battery, 20 kW peak before (for the annex)."""
    return PlanResult(status, Objective.MIN_CONNECTION, import_kw, 0.0, 0.0, 0.0, 0.0, 20.0,
                      after, eur, reason)  # fmt: skip


def test_request_annex_firm_and_several_restrictions():
    from netruimte.scenario import parse_window

    restrictions = (
        Restriction((parse_window("16:00-20:00"),), 30.0),
        Restriction((parse_window("07:00-09:00"), parse_window("16:00-20:00")), 12.0),
    )
    cases = ((Connection(), "firm"), (Connection(restrictions=restrictions), "time-block"))
    for connection, contract in cases:
        site = _tiny_site(connection=connection)
        plan = PricedPlan(site, _result(PlanStatus.OPTIMAL, 20.004, 20.004, 1.0, None))
        annex = request_annex(plan)
        assert annex["contract"] == contract
        request = annex["request"]
        assert request["kw"] == 20.01 and request["contract"] == contract
        if contract == "firm":
            assert "capacity_blocks" not in request and annex["restrictions"] == []
        else:
            # full kW outside every restriction window (the legal form)
            assert request["capacity_blocks"] == ["09:00-16:00", "20:00-07:00"]
            assert request["restricted_kw"] == 20.01  # the highest level, capped at kw
            assert annex["restrictions"][1] == {
                "windows": ["07:00-09:00", "16:00-20:00"], "import_kw": 12.0
            }  # fmt: skip
    infeasible = PricedPlan(_tiny_site(), _result(PlanStatus.INFEASIBLE, None, None, None, "why"))
    with pytest.raises(ValueError, match="infeasible"):
        request_annex(infeasible)


def test_unmanaged_import_charges_on_arrival():
    from netruimte.planner import ShiftableLoad
    from netruimte.report.site import before_import_kw, unmanaged_import_kw
    from netruimte.scenario import parse_window

    pv = PV(pd.Series(0.0, index=_tiny_site().index), kwp=0.0)
    site = _tiny_site(
        pv=pv, shiftable=(ShiftableLoad("ev", 30.0, 20.0, parse_window("22:00-02:00")),)
    )
    assert unmanaged_import_kw(_tiny_site()) is None
    extra = (unmanaged_import_kw(site) - before_import_kw(site)).to_numpy()
    # 30 kWh at 20 kW: 1.5 h (6 steps) from 22:00 on 31 January. The nights cut by the
    # profile's start (30 Jan, 00:00-02:00 inside) and end (1 Feb, 22:00-24:00) have 8 of their
    # 16 steps, so half the energy: 3 steps from the first step inside.
    assert np.flatnonzero(extra > 0).tolist() == [0, 1, 2, 88, 89, 90, 91, 92, 93, 184, 185, 186]
    assert np.allclose(extra[extra > 0], 20.0)


def _tariff_eur_by_hand(local: pd.DatetimeIndex, imp: np.ndarray, exp: np.ndarray,
                        contracted_kw: float, site: Site) -> float:  # fmt: skip
    """One whole calendar year, flat prices: the tariff arithmetic written out again."""
    t = site.tariff
    monthly_max = pd.Series(imp, index=local).groupby(local.month).max()
    return (
        contracted_kw * t.contracted_eur_per_kw_year
        + float(monthly_max.sum()) * t.kwmax_eur_per_kw_month
        + float(imp.sum()) * 0.25 * float(t.energy_eur_per_kwh)  # type: ignore[arg-type]
        - float(exp.sum()) * 0.25 * t.feed_in_eur_per_kwh
    )


def test_business_case_equals_a_recomputation_from_the_dispatch(planned):
    """The business case of plan.json against an independent recomputation from dispatch.csv
    (the plan) and from the site's load, PV and flexible loads run on arrival (the baseline)."""
    name, doc, out = planned
    site = load_site(SITES / f"{name}.toml")
    case = doc["business_case"]
    frame = pd.read_csv(out / "dispatch.csv")
    local = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"], utc=True)).tz_convert(site.timezone)
    assert frame["curtailed_kw"].max() == 0.0  # no example curtails: no curtailment line
    imp, exp = frame["import_kw"].to_numpy(), frame["export_kw"].to_numpy()
    plan_eur = _tariff_eur_by_hand(local, imp, exp, doc["import_kw"], site)
    assert case["plan_annual_cost_eur"] == pytest.approx(plan_eur, rel=1e-9)
    # Baseline: load − installed PV (unless the file buys it), each flexible load at full power
    # from the start of its daily window until it has its energy.
    load = frame["load_kw"].to_numpy()
    all_assets = site.economics.invest_in == "all"
    pv = (site.pv.kwp * site.pv.kw_per_kwp.to_numpy()) if site.pv and not all_assets else 0.0
    extra = np.zeros(len(load))
    minutes = local.hour * 60 + local.minute
    for flex in site.shiftable:
        start = flex.window.start.hour * 60 + flex.window.start.minute
        steps = round(flex.daily_kwh / flex.max_kw / 0.25)
        assert steps * 0.25 * flex.max_kw == pytest.approx(flex.daily_kwh)  # whole steps
        for first in np.flatnonzero(np.asarray(minutes == start)):
            extra[first : first + steps] += flex.max_kw
    net = load - pv + extra
    base_imp = np.maximum(net, 0.0)
    limit = site.connection.export_kw
    base_exp = np.minimum(np.maximum(-net, 0.0), np.inf if limit is None else limit)
    assert case["baseline_import_kw"] == pytest.approx(base_imp.max(), rel=1e-9)
    base_eur = _tariff_eur_by_hand(local, base_imp, base_exp, base_imp.max(), site)
    assert case["baseline_annual_cost_eur"] == pytest.approx(base_eur, rel=1e-9)
    assert case["annual_savings_eur"] == pytest.approx(base_eur - plan_eur, rel=1e-9)
    bought = (doc["added_pv_kwp"] + (site.pv.kwp if site.pv and all_assets else 0.0)) * (
        site.pv.capex_eur_per_kwp if site.pv else 0.0
    )
    if site.battery is not None:
        energy = doc["added_battery_energy_kwh"] + (site.battery.energy_kwh if all_assets else 0)
        power = doc["added_battery_power_kw"] + (site.battery.power_kw if all_assets else 0)
        bought += energy * site.battery.capex_eur_per_kwh + power * site.battery.capex_eur_per_kw
    assert case["investment_eur"] == pytest.approx(bought, rel=1e-9)
    rate, years = case["discount_rate"], case["lifetime_years"]
    npv = -bought + sum((base_eur - plan_eur) / (1 + rate) ** y for y in range(1, years + 1))
    assert case["npv_eur"] == pytest.approx(npv, rel=1e-9, abs=1e-6)
    html = (out / "report.html").read_text()
    assert "<h2>Business case</h2>" in html
    assert f"€ {case['baseline_annual_cost_eur']:,.0f}" in html
    import pypdf

    pdf = pypdf.PdfReader(out / "summary.pdf")
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    for value in (base_eur, plan_eur, bought):
        assert f"EUR {value:,.0f}" in text


def test_logistics_cli_compares_with_the_unplanned_peak(plan_of):
    """The text output names the unplanned peak (flexible loads on arrival) beside the plan."""
    doc, _ = plan_of("logistics-hub-ev")
    result = runner.invoke(app, ["site", "plan", str(SITES / "logistics-hub-ev.toml")])
    assert result.exit_code == 0, result.output
    unplanned = doc["business_case"]["baseline_import_kw"]
    assert unplanned > doc["import_kw"]
    assert f"peak unplanned {unplanned:,.2f} kW" in result.output
    assert "peak before" not in result.output


def test_priced_plan_reads_the_planner_fields_off_its_result() -> None:
    """Every Plan JSON field the planner knows is the result's own value (same object), on a
    feasible plan and on an infeasible one; the class attribute keeps its docstring."""
    from netruimte.sites.plan_file import plan_site

    site = load_site(SITES / "bakery-g5.toml")
    feasible = plan_site(site)
    infeasible = PricedPlan(site, dataclasses.replace(feasible.result, import_kw=None, reason="x"))
    delegated = [
        "import_kw", "export_kw", "pv_kwp", "battery_energy_kwh", "battery_power_kw",
        "peak_import_before_kw", "peak_import_after_kw", "annual_cost_eur", "reason",
        "dispatch", "added_pv_kwp", "added_battery_energy_kwh", "added_battery_power_kw",
        "lower_bound_eur", "gap",
    ]  # fmt: skip
    for plan in (feasible, infeasible):
        for name in delegated:
            assert getattr(plan, name) is getattr(plan.result, name), name
    assert feasible.import_kw is not None and infeasible.import_kw is None
    assert infeasible.reason == "x"
    assert "kW" in (PricedPlan.import_kw.__doc__ or "")


def test_min_cost_text_names_the_proven_bound(plan_of):
    """A min-cost plan says how far from the optimum it can be at most (the JSON's lower bound
    and gap); a min-connection plan has no such line."""
    doc, _ = plan_of("office-pv")
    result = runner.invoke(app, ["site", "plan", str(SITES / "office-pv.toml")])
    assert result.exit_code == 0, result.output
    bound, gap = doc["lower_bound_eur"], doc["gap"]
    assert isinstance(bound, float) and isinstance(gap, float)
    line = f"optimum        at least EUR {bound:,.0f}: the plan is within {gap:.3%} of it (proven)"
    assert line in result.output
    bakery = runner.invoke(app, ["site", "plan", str(SITES / "bakery-g5.toml")])
    assert bakery.exit_code == 0 and "optimum" not in bakery.output
