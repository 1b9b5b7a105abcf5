"""Fleets and Monte Carlo on a real Dask cluster (scheduler + 2 worker processes) and locally.

Every result is compared with the sequential run in this process: same seed, same numbers; the
same rows (apart from timing) for every site, exactly once, also when a worker is killed while
the fleet runs.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from distributed import Client
from typer.testing import CliRunner

from netruimte.cli import app, main
from netruimte.errors import InputError
from netruimte.scale.cluster import dask_client, parse_scheduler
from netruimte.scale.fleet import (
    FleetResult,
    SiteRow,
    SiteStatus,
    plan_fleet,
    plan_fleet_sequential,
    read_results,
    write_results,
)
from netruimte.scale.fleet_input import Fleet, load_fleet
from netruimte.scale.montecarlo import monte_carlo_distributed, run_chunks
from netruimte.sites.plan_file import plan_site
from netruimte.waitlist import Scenario, monte_carlo
from tests.scale.conftest import DaskProcesses
from tests.waitlist.national import national_scenario

ROOT = Path(__file__).parents[2]
EXAMPLE_CSV = ROOT / "examples" / "fleet" / "sites.csv"
BAD_ROW = "Kapotte Accu (example),2025,,,G2,100000,,,,50,25,1.5,minimise,0,,,30.0,2.5,0.22,0.00"


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example fleet twice over (17 sites: slow enough to kill a worker mid-run) plus one
    site with a bad battery efficiency."""
    text = EXAMPLE_CSV.read_text(encoding="utf-8")
    text = text.replace("../profiles/", f"{ROOT / 'examples' / 'profiles'}/")
    lines = text.splitlines()
    rows = [line for line in lines if line and not line.startswith("#")][1:]
    copies = [row.replace(" (example)", " II (example)", 1) for row in rows]
    path = tmp_path_factory.mktemp("fleet") / "fleet.csv"
    path.write_text("\n".join([*lines, *copies, BAD_ROW]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fleet(fleet_file: Path) -> Fleet:
    return load_fleet(fleet_file)


@pytest.fixture(scope="module")
def sequential(fleet: Fleet) -> FleetResult:
    return plan_fleet_sequential(fleet, plan_site)


def untimed(result: FleetResult) -> list[SiteRow]:
    return [row.untimed() for row in result.rows]


def test_reference_fleet_has_every_outcome(fleet: Fleet, sequential: FleetResult) -> None:
    assert len(fleet) == 17
    assert sequential.count(SiteStatus.OPTIMAL) == 14
    assert sequential.count(SiteStatus.INFEASIBLE) == 2
    [bad] = [r for r in sequential.rows if r.status is SiteStatus.ERROR]
    assert bad.name == "Kapotte Accu (example)"
    assert bad.error is not None
    assert f"{fleet.source}, line 22, field 'battery_roundtrip_efficiency'" in bad.error
    assert "expected a number in (0, 1], got 1.5" in bad.error


def test_fleet_on_cluster_equals_sequential(
    cluster: DaskProcesses, fleet: Fleet, sequential: FleetResult, tmp_path: Path
) -> None:
    seen: list[int] = []
    result = plan_fleet(
        fleet, plan_site, scheduler=cluster.address, progress=lambda r: seen.append(r.position)
    )
    assert sorted(seen) == list(range(len(fleet)))
    assert untimed(result) == untimed(sequential)
    assert result.workers == 2 and result.threads == 2
    assert result.scheduler == cluster.address
    assert all(row.seconds > 0 for row in result.rows)
    parquet, summary = write_results(result, tmp_path / "out")
    assert read_results(parquet) == list(result.rows)
    document = json.loads(summary.read_text())
    assert document["sites"] == 17 and document["error"] == 1 and document["infeasible"] == 2
    assert document["import_kw_total"] == pytest.approx(
        sum(r.import_kw or 0.0 for r in sequential.rows if r.status is SiteStatus.OPTIMAL)
    )


def test_killing_a_worker_mid_fleet_loses_and_duplicates_nothing(
    own_cluster: DaskProcesses, fleet: Fleet, sequential: FleetResult
) -> None:
    seen: list[int] = []
    killed: dict[str, object] = {}
    with Client(own_cluster.address, timeout="20s") as client:
        pids = client.run(os.getpid)  # worker address -> process id

        def on_row(row: SiteRow) -> None:
            seen.append(row.position)
            if killed:
                return
            busy = {w: keys for w, keys in client.processing().items() if keys}
            assert busy, "no task in flight when the first result arrived"
            address, keys = sorted(busy.items())[0]
            pid = int(pids[address])
            assert pid in own_cluster.worker_pids()
            os.kill(pid, signal.SIGKILL)
            killed.update(address=address, keys=list(keys), pid=pid)

        result = plan_fleet(fleet, plan_site, client=client, progress=on_row)
        survivors = client.scheduler_info()["workers"]
    assert killed["keys"], "the killed worker had no task to lose"
    assert killed["address"] not in survivors and len(survivors) == 1
    assert sorted(seen) == list(range(len(fleet)))  # each site reported exactly once
    assert [row.name for row in result.rows] == [e.name for e in fleet.entries]
    assert untimed(result) == untimed(sequential)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """A reduced national-shape scenario with reinforcement delays and withdrawals."""
    return national_scenario(5, n_regions=2, n_stations=12, n_offtake=500, n_feedin=300, years=4)


def test_monte_carlo_on_cluster_equals_sequential(
    cluster: DaskProcesses, scenario: Scenario
) -> None:
    reference = monte_carlo(scenario, 23, 11, compare="fcfs", workers=1)
    doc = reference.to_json_dict()
    p50 = [r["granted_p50"] for r in doc["requests"]]
    p10 = [r["granted_p10"] for r in doc["requests"]]
    assert p10 != p50, "the runs must differ for this check to mean anything"
    with Client(cluster.address, timeout="20s") as client:
        for chunk in (1, 5, 23, None):
            got = monte_carlo_distributed(
                scenario, 23, 11, compare="fcfs", client=client, chunk=chunk
            )
            assert got.to_json_dict() == doc
        other = monte_carlo_distributed(scenario, 23, 12, client=client, chunk=4)
    assert other.to_json_dict() != monte_carlo(scenario, 23, 11, workers=1).to_json_dict()


def test_monte_carlo_on_cluster_passes_the_rule_options_on(
    cluster: DaskProcesses, scenario: Scenario
) -> None:
    """``policy`` and ``fit`` reach the runner through ``**options``."""
    default = monte_carlo(scenario, 6, 4, workers=1).to_json_dict()
    for options in ({"policy": "fcfs"}, {"fit": "strict"}):
        expected = monte_carlo(scenario, 6, 4, workers=1, **options).to_json_dict()
        assert expected != default, f"{options} must change the result for this check to bite"
        with Client(cluster.address, timeout="20s") as client:
            got = monte_carlo_distributed(scenario, 6, 4, client=client, chunk=2, **options)
        assert got.to_json_dict() == expected


def test_monte_carlo_progress_counts_every_run(cluster: DaskProcesses, scenario: Scenario) -> None:
    done: list[int] = []
    monte_carlo_distributed(
        scenario, 10, 3, scheduler=cluster.address, chunk=3, progress=done.append
    )
    assert sorted(done) == [1, 3, 3, 3]


def test_monte_carlo_on_default_local_cluster_equals_sequential(scenario: Scenario) -> None:
    expected = monte_carlo(scenario, 8, 2, workers=1).to_json_dict()
    assert monte_carlo_distributed(scenario, 8, 2).to_json_dict() == expected


def test_cli_waitlist_simulate_on_the_cluster_equals_threads(cluster: DaskProcesses) -> None:
    scenario = str(ROOT / "examples" / "waitlist" / "flevoland-small.toml")
    args = ["waitlist", "simulate", scenario, "--runs", "12", "--seed", "5", "--json"]
    local = CliRunner().invoke(app, [*args, "--workers", "1"])
    spread = CliRunner().invoke(app, [*args, "--scheduler", cluster.address])
    assert local.exit_code == 0, local.output
    assert spread.exit_code == 0, spread.output
    doc = json.loads(spread.stdout)
    assert any(r["granted_p50"] is not None for r in doc["requests"])
    assert doc == json.loads(local.stdout)


def test_cli_fleet_plan_against_the_cluster(
    cluster: DaskProcesses, fleet_file: Path, sequential: FleetResult, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["fleet", "plan", str(fleet_file), "--scheduler", cluster.address, "--out", str(out),
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output  # one site failed on bad input
    summary = json.loads(result.stdout)
    assert summary["sites"] == 17 and summary["optimal"] == 14
    assert summary["scheduler"] == cluster.address
    assert [r.untimed() for r in read_results(out / "results.parquet")] == untimed(sequential)
    assert "error: 1 of 17 sites failed; see the problems in summary.json" in result.stderr
    table = CliRunner().invoke(
        app, ["fleet", "plan", str(EXAMPLE_CSV), "--scheduler", cluster.address, "--out",
              str(tmp_path / "ex"), "--objective", "min-connection"],
    )  # fmt: skip
    assert table.exit_code == 1, table.output  # the example's infeasible time-block site
    assert "Werkplaats Blokstroom (example)" in table.stdout
    assert "8: 7 optimal, 1 infeasible, 0 error" in table.stdout
    assert "no solution for 1 of 8 sites; see their reasons in summary.json" in table.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scheduler", "localhost:8786"], "expected a scheduler address tcp://HOST:PORT"),
        (["--objective", "cheapest"], "expected min-connection or min-cost"),
        (["--workers", "0"], "expected at least 1 worker"),
    ],
)
def test_cli_bad_options_exit_2(
    args: list[str], words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["netruimte", "fleet", "plan", str(EXAMPLE_CSV), *args])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_cli_bad_fleet_exits_2_before_starting_a_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "fleet.csv"
    bad.write_text("name,colour\nA,red\n")
    monkeypatch.setattr(sys, "argv", ["netruimte", "fleet", "plan", str(bad)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert f"{bad}, line 1, field 'colour': unknown column" in capsys.readouterr().err


def test_scheduler_addresses() -> None:
    assert parse_scheduler(" tcp://10.0.0.5:8786 ") == "tcp://10.0.0.5:8786"
    assert parse_scheduler("tcp://[::1]:8786") == "tcp://[::1]:8786"
    for bad in ("10.0.0.5:8786", "tcp://host", "tcp://host:0", "tcp://host:70000", "ucx://h:1"):
        with pytest.raises(InputError, match="tcp://HOST:PORT"):
            parse_scheduler(bad)


def test_no_scheduler_listening_is_a_clear_error() -> None:
    from tests.scale.conftest import _free_port

    address = f"tcp://127.0.0.1:{_free_port()}"
    with (
        pytest.raises(InputError, match=f"no Dask scheduler answered at {address}"),
        dask_client(address, timeout_s=1.0),
    ):
        pass


def test_run_chunks() -> None:
    assert run_chunks(7, 3) == [(0, 3), (3, 6), (6, 7)]
    assert run_chunks(3, 5) == [(0, 3)]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InputError, match="chunk"):
            run_chunks(5, bad)  # type: ignore[arg-type]


def test_a_scheduler_without_workers_is_a_clear_error(tmp_path: Path) -> None:
    from tests.scale.conftest import dask_processes

    with (
        dask_processes(tmp_path / "logs", n_workers=0) as procs,
        pytest.raises(InputError, match="has no workers"),
        dask_client(procs.address, timeout_s=1.0),
    ):
        pass


def test_a_site_that_kills_its_worker_is_an_error_row(tmp_path: Path) -> None:
    """Dask gives up on a task that killed a worker (allowed-failures 0 here); the fleet goes
    on, and that site is reported as an error with Dask's reason. (A task that happened to wait
    on the same worker dies with it and is reported the same way; every other site is planned.)
    """
    from tests.scale.conftest import dask_processes
    from tests.scale.crashing import CRASH_NAME, crash_or_plan

    path = tmp_path / "fleet.csv"
    rows = [f"{CRASH_NAME},2025,G0,1000"] + [f"ok{k},2025,G1,{2000 + k}" for k in range(5)]
    path.write_text("name,year,profile,annual_kwh\n" + "\n".join(rows) + "\n")
    fleet = load_fleet(path)
    config = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    with dask_processes(tmp_path / "logs", scheduler_config=config) as procs:
        result = plan_fleet(fleet, crash_or_plan, scheduler=procs.address)
    expected = plan_fleet_sequential(load_fleet(path), plan_site).rows
    assert [r.position for r in result.rows] == list(range(6))
    crashed = result.rows[0]
    assert crashed.status is SiteStatus.ERROR
    assert crashed.error is not None
    assert crashed.error.startswith("the task failed on the cluster: KilledWorker")
    planned = [r.untimed() for r in result.rows[1:] if r.status is not SiteStatus.ERROR]
    assert len(planned) >= 3  # the surviving worker went on with the rest
    assert planned == [e.untimed() for e in expected[1:] if e.name in {p.name for p in planned}]
    for row in result.rows[1:]:
        if row.status is SiteStatus.ERROR:
            assert row.error is not None and "KilledWorker" in row.error
