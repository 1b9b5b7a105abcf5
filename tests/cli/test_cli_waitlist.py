"""``netruimte waitlist simulate`` and ``explain`` on the synthetic Flevoland example."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from netruimte.cli import app
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import monte_carlo, simulate

EXAMPLE = Path(__file__).parents[2] / "examples" / "waitlist" / "flevoland-small.toml"
runner = CliRunner()

REQUEST_KEYS = {"id", "category", "rank", "granted_on", "granted_kw", "offers", "explanation"}
PERCENTILE_KEYS = {"granted_p10", "granted_p50", "granted_p90"}
STATION_KEYS = {"id", "offtake_mw", "allocated_mw", "waiting_mw"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(EXAMPLE)


def invoke(*args: str):
    result = runner.invoke(app, ["waitlist", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, so the exit-code mapping is tested too."""
    return subprocess.run(
        [sys.executable, "-m", "netruimte", "waitlist", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def check_block(block: dict, *, percentiles: bool) -> None:
    assert set(block) >= {"policy", "fit", "requests", "stations"}
    for req in block["requests"]:
        keys = REQUEST_KEYS | (PERCENTILE_KEYS if percentiles else set())
        assert set(req) == keys
        assert req["granted_on"] is None or DATE.match(req["granted_on"])
        assert req["category"] in {"none", "congestion-reliever", "safety", "basic-needs"}
        if percentiles:
            days = [req[k] for k in ("granted_p10", "granted_p50", "granted_p90")]
            known = [d for d in days if d is not None]
            assert known == sorted(known)
            # a missing percentile is only followed by missing ones (null = not in the horizon)
            assert days[: len(known)] == known
    for st in block["stations"]:
        assert set(st) == STATION_KEYS


def test_simulate_json_is_the_result_json(scenario):
    result = invoke("simulate", str(EXAMPLE), "--runs", "1", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"policy", "fit", "requests", "stations"}
    check_block(doc, percentiles=False)
    assert doc == json.loads(json.dumps(simulate(scenario).to_json_dict()))
    assert doc["policy"] == "acm-2026" and doc["fit"] == "first-fit"
    assert len(doc["requests"]) == 21 and [s["id"] for s in doc["stations"]] == [
        "FGU", "ALM", "ALM-P", "LLS",
    ]  # fmt: skip


def test_simulate_compare_and_runs_match_the_library(scenario):
    result = invoke(
        "simulate", str(EXAMPLE), "--policy", "acm-2024", "--fit", "strict",
        "--compare", "fcfs", "--runs", "6", "--seed", "7", "--workers", "2", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert doc["policy"] == "acm-2024" and doc["fit"] == "strict"
    check_block(doc, percentiles=True)
    assert set(doc["compare"]) == {"policy", "fit", "requests", "stations"}
    assert doc["compare"]["policy"] == "fcfs"
    check_block(doc["compare"], percentiles=True)
    # the CLI's threaded runner with a progress bar gives the numbers of monte_carlo()
    expected = monte_carlo(
        scenario, 6, 7, policy="acm-2024", fit="strict", compare="fcfs", workers=1
    ).to_json_dict()
    assert doc == json.loads(json.dumps(expected))
    assert "6/6" in result.stderr  # the progress bars go to stderr


def test_simulate_uses_the_scenario_runs_and_seed_by_default(scenario):
    result = invoke("simulate", str(EXAMPLE), "--json")
    doc = json.loads(result.stdout)
    check_block(doc, percentiles=True)  # runs = 200, seed = 42 in the file
    assert doc == json.loads(json.dumps(monte_carlo(scenario, workers=1).to_json_dict()))


def test_simulate_summary_and_out_files(tmp_path, scenario):
    out = tmp_path / "out"
    result = invoke(
        "simulate", str(EXAMPLE), "--compare", "fcfs", "--runs", "12", "--seed", "1",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    for word in ("OS Almere", "ALM-P", "LLS", "safety", "basic needs", "no priority", "fcfs"):
        assert word in text
    assert "Wrote" in text and str(out / "report.html") in text
    names = {p.name for p in out.iterdir()}
    assert names == {"result.json", "requests.csv", "stations.csv", "report.html"}

    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    check_block(doc, percentiles=True)
    assert doc["compare"]["policy"] == "fcfs"

    requests = pd.read_csv(out / "requests.csv")
    assert len(requests) == 2 * 21
    assert list(requests["policy"].unique()) == ["acm-2026", "fcfs"]
    first = requests[requests["policy"] == "acm-2026"].set_index("id")
    for req in doc["requests"]:
        row = first.loc[req["id"]]
        assert (None if pd.isna(row["granted_on"]) else row["granted_on"]) == req["granted_on"]
        assert row["explanation"] == req["explanation"]
    stations = pd.read_csv(out / "stations.csv")
    assert len(stations) == 2 * 4
    main = stations[stations["policy"] == "acm-2026"].set_index("id")
    for st in doc["stations"]:
        assert main.loc[st["id"], "allocated_mw"] == pytest.approx(st["allocated_mw"])

    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", html)  # self-contained: nothing loaded
    assert not re.search(r"<link[^>]+href=", html)
    assert html.count("Plotly.newPlot") >= 7
    assert "SYNTHETIC example" in html  # the note on synthetic inputs, from the file header
    order = [
        html.index(f"<h2>{h}</h2>")
        for h in (
            "Queue over time", "Headroom over time", "Connections per year",
            "How long requests wait", "acm-2026 compared with fcfs", "Uncertainty over 12 runs",
            "Tables",
        )
    ]  # fmt: skip
    assert order == sorted(order)  # plots first, then tables


def test_json_with_out_keeps_stdout_clean(tmp_path):
    result = invoke("simulate", str(EXAMPLE), "--runs", "1", "--json", "--out", str(tmp_path))
    assert json.loads(result.stdout)["policy"] == "acm-2026"
    assert "Wrote" in result.stderr
    assert (tmp_path / "report.html").exists()


def test_broken_scenario_exits_2_naming_line_and_key(tmp_path):
    folder = tmp_path / "sc"
    shutil.copytree(EXAMPLE.parent, folder)
    path = folder / "flevoland-small.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index('id = "R-003"')
    lines.insert(at + 1, "kww = 800")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("simulate", str(path), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "flevoland-small.toml" in result.stderr
    assert f"line {at}" in result.stderr  # the [[request]] header just above the id
    assert "kww" in result.stderr


def test_bad_value_and_bad_options_exit_2(tmp_path):
    folder = tmp_path / "sc"
    shutil.copytree(EXAMPLE.parent, folder)
    path = folder / "flevoland-small.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kw = 800", "kw = -800"), encoding="utf-8"
    )
    result = run("simulate", str(path))
    assert result.returncode == 2
    assert "'kw'" in result.stderr and "line" in result.stderr and "R-003" in result.stderr
    assert (
        runner.invoke(app, ["waitlist", "simulate", str(EXAMPLE), "--policy", "x"]).exit_code == 2
    )
    assert runner.invoke(app, ["waitlist", "simulate", str(EXAMPLE), "--runs", "0"]).exit_code == 2


def test_explain_unknown_request_exits_2():
    result = run("explain", str(EXAMPLE), "R-999", "--runs", "1")
    assert result.returncode == 2
    assert "R-999" in result.stderr and "REQUEST_ID" in result.stderr
    assert "flevoland-small.toml" in result.stderr


def explain(*args: str) -> str:
    result = invoke("explain", str(EXAMPLE), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_explain_waiting_then_granted_request():
    text = explain("R-002", "--runs", "1")
    assert "Category: safety (category 2). Why: safety (police), evidence given." in text
    assert "When it joined the list (2026-01-01):" in text
    assert "rank 3 of 12 waiting for offtake at OS Almere 10-1i (ALM)" in text
    assert "3.500 MW of requests ranked ahead of you" in text
    # profile fit: the first moment offers it the 664 kW that fit in every quarter-hour
    assert (
        "binding node: OS Almere 10-1i (ALM) has 0.000 MW left; you need 0.536 MW more "
        "(you hold 664 kW from partial offers)"
    ) in text
    assert "room expected when ALM-2030 adds 40 MW" in text
    assert "alternatives: would fit now as time-block or tdtr or non-firm" in text
    assert "connected on 2030-07-01, after waiting 54 months" in text
    assert "What you can do:" in text and "connected at once instead of waiting" in text
    assert "Monte Carlo" not in text


def test_explain_upstream_binding_node_and_monte_carlo():
    text = explain("R-016", "--runs", "30", "--seed", "5")
    # first Almere is full, at the end the TenneT region is the binding node
    joined, last = text.split("The last moment it waited (2032-12-01):")
    assert "binding node: OS Almere 10-1i (ALM)" in joined
    # the region's last 1.85 MW were offered to it: it holds them and needs the rest
    assert "binding node: TenneT Flevopolder-Utrecht-Gelderland (FGU) has 0.000 MW left" in last
    assert "you need 8.150 MW more (you hold 1,850 kW from partial offers)" in last
    assert "room expected when FGU-2033 adds 500 MW" in last
    assert "The room comes when FGU-2033 adds 500 MW" in text
    assert "Over 30 Monte Carlo runs" in text


def test_explain_eligibility_advice_and_policy():
    text = explain("R-003", "--runs", "1")
    assert "asked for basic needs (health-care) without evidence: ranks as none" in text
    assert "send the operator evidence of your basic needs function" in text
    fcfs = explain("R-003", "--policy", "fcfs", "--runs", "1")
    assert "Policy fcfs" in fcfs and "first come, first served: categories are not used" in fcfs
    feed = explain("R-008", "--runs", "1")
    assert "feed-in never gets category 2/3" in feed
    assert "a feed-in request never gets category 3" in feed
    small = explain("R-010", "--runs", "1")  # a small consumer before 2026-07-01
    assert "connected on 2026-03-01 outside the waiting list" in small
    joined = explain("R-011", "--runs", "1")  # after 2026-07-01 it joins the list
    assert "rank 8 of 8 waiting for offtake at OS Almere 10-1i (ALM)" in joined
    gone = explain("R-018", "--runs", "1")
    assert "withdrawn on 2027-06-01 while waiting" in gone
    water = explain("R-020", "--runs", "1")
    assert "lists function 'drinking-water' under safety" in water


def test_summary_of_a_large_grid_lists_the_stations_with_the_largest_queue():
    from rich.console import Console

    from netruimte.cli.waitlist import _print_summary
    from tests.waitlist.national import national_scenario

    sc = national_scenario(5, n_regions=2, n_stations=40, n_offtake=600, n_feedin=200, years=3)
    result = simulate(sc)
    console = Console(record=True, width=140)
    _print_summary(console, sc, result, [])
    text = console.export_text()
    assert "the 20 with the largest queue of 42" in text
    top = sorted(result.stations, key=lambda s: -s.waiting_mw)[:20]
    for st in top:
        assert f"({st.id})" in text
    shown = sum(f"({st.id})" in text for st in result.stations)
    assert shown == 20


def test_explain_json_is_the_account(scenario):
    result = invoke("explain", str(EXAMPLE), "R-002", "--runs", "1", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["id"] == "R-002" and doc["station"] == "ALM"
    assert doc["category"] == "safety" and doc["asked_category"] == "safety"
    assert doc["granted_on"] == "2030-07-01" and doc["wait_months"] == 54
    assert doc["at_join"]["rank"] == 3 and doc["at_join"]["rank_of"] == 12
    assert doc["at_join"]["binding_station"] == "ALM"
    assert "granted_p50" not in doc  # one run: no percentiles
    # the same account as the text command
    assert doc["text"].strip() == explain("R-002", "--runs", "1").strip()
    mc = json.loads(invoke("explain", str(EXAMPLE), "R-016", "--runs", "8", "--seed", "5",
                           "--json").stdout)  # fmt: skip
    assert {"granted_p10", "granted_p50", "granted_p90"} <= set(mc)


def test_explain_without_id_lists_and_filters(scenario):
    every = json.loads(invoke("explain", str(EXAMPLE), "--json").stdout)
    assert [r["id"] for r in every] == [r.id for r in scenario.requests]
    alm = json.loads(invoke("explain", str(EXAMPLE), "--station", "ALM", "--json").stdout)
    below = {st.id for st in scenario.grid.stations if st.parent == "ALM"} | {"ALM"}
    assert below != {"ALM"}  # the example has a station under Almere
    assert {r["station"] for r in alm} == below
    assert len(alm) == sum(r.station in below for r in scenario.requests)
    # a station includes the stations below it: the region holds every request
    region = json.loads(invoke("explain", str(EXAMPLE), "--station", "FGU", "--json").stdout)
    assert len(region) == len(scenario.requests)
    safety = json.loads(invoke("explain", str(EXAMPLE), "--category", "safety", "--json").stdout)
    assert safety and {r["category"] for r in safety} == {"safety"}
    who = json.loads(invoke("explain", str(EXAMPLE), "--applicant", "almere", "--json").stdout)
    assert who and all("almere" in r["applicant"].lower() for r in who)
    text = explain("--category", "safety")
    assert f"{len(safety)} of {len(scenario.requests)} requests" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--station", "NOPE"], "--station"),
        (["--category", "urgent"], "--category"),
        (["R-002", "--station", "ALM"], "without REQUEST_ID"),
    ],
)
def test_explain_list_errors_exit_2(args, words):
    result = run("explain", str(EXAMPLE), *args)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
