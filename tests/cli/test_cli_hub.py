"""``netruimte hub plan`` on the examples, the outputs, the request annex and bad hub files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from netruimte.cli import main
from netruimte.planner import min_connection
from netruimte.profiles import read_profile_csv
from netruimte.scenario import load_site
from netruimte.scenario.hub_toml import load_hub
from netruimte.scenario.waitlist_toml import load_scenario

HUBS = Path(__file__).parents[2] / "examples" / "hubs"
HUB_FIELDS = {"status", "import_kw", "sum_member_import_kw", "members", "reason"}


@pytest.fixture()
def run_main(monkeypatch, capsys):
    """:func:`netruimte.cli.main` in this process: ``(exit code, stdout, stderr)``."""

    def invoke(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["netruimte", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    return invoke


@pytest.fixture(scope="module")
def park(tmp_path_factory):
    """The business-park example planned once through the CLI with --out and --json."""
    out = tmp_path_factory.mktemp("park")
    mp = pytest.MonkeyPatch()
    mp.setattr(sys, "argv", ["netruimte", "hub", "plan", str(HUBS / "business-park" / "hub.toml"),
                             "--json", "--out", str(out)])  # fmt: skip
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit) as exc:
        main()
    mp.undo()
    assert exc.value.code in (0, None)
    return json.loads(stdout.getvalue()), out


def test_business_park_example_joint_connection_below_the_sum(park):
    doc, _ = park
    assert set(doc) >= HUB_FIELDS
    assert doc["status"] == "optimal" and doc["reason"] is None
    assert doc["method"] == "aggregate-kernel"
    member_keys = [
        "name", "import_kw_alone", "peak_import_kw", "peak_export_kw", "pv_kwp",
        "battery_energy_kwh", "battery_power_kw", "added_pv_kwp", "added_battery_energy_kwh",
        "added_battery_power_kw",
    ]  # fmt: skip
    assert [list(m) for m in doc["members"]] == [member_keys] * 3
    # Each member alone: exactly the single-site engine on its own file.
    for member, name in zip(doc["members"], ("bakery", "office", "depot"), strict=True):
        site = load_site(HUBS / "business-park" / f"{name}.toml")
        assert member["name"] == site.name
        assert member["import_kw_alone"] == min_connection(site).import_kw
    total = sum(m["import_kw_alone"] for m in doc["members"])
    assert doc["sum_member_import_kw"] == pytest.approx(total)
    assert doc["import_kw"] < 0.75 * total  # the diversity gain of the example (about 1/3)
    assert doc["diversity_gain_kw"] == pytest.approx(total - doc["import_kw"])
    assert doc["peak_import_after_kw"] <= doc["import_kw"] + 1e-6


def test_business_park_outputs_and_the_request_annex_round_trip(park):
    doc, out = park
    assert {p.name for p in out.iterdir()} == {
        "plan.json", "dispatch.csv", "import.csv", "request.json",
    }  # fmt: skip
    assert json.loads((out / "plan.json").read_text()) == doc
    wide = pd.read_csv(out / "dispatch.csv")
    assert len(wide) == 35_040
    names = [m["name"] for m in doc["members"]]
    for name in names:
        assert f"{name}:import_kw" in wide and f"{name}:battery_charge_kw" in wide
    net = sum(wide[f"{n}:import_kw"] - wide[f"{n}:export_kw"] for n in names)
    assert (net - (wide["hub_import_kw"] - wide["hub_export_kw"])).abs().max() < 1e-9
    assert wide["hub_import_kw"].max() <= doc["import_kw"] + 1e-6
    profile = read_profile_csv(out / "import.csv")
    assert profile.max() == pytest.approx(wide["hub_import_kw"].max())
    annex = json.loads((out / "request.json").read_text())
    assert annex["hub"] == "Bedrijventerrein Stichtse Kant (example)"
    assert [m["name"] for m in annex["members"]] == names
    assert annex["contract"] == "firm" and annex["profile_csv"] == "import.csv"
    request = annex["request"]
    assert request["applicant"] == annex["hub"]
    assert doc["import_kw"] <= request["kw"] < doc["import_kw"] + 0.01 + 1e-9
    # The request block reads back as ONE waiting-list request.
    lines = ['[scenario]', 'start = "2026-01-01"', 'end = "2027-01-01"', '[[station]]',
             'id = "ALM"', 'offtake_mw = 1.0', 'load_mw = 0.5', '[[request]]', 'id = "HUB-1"',
             'station = "ALM"', 'submitted = "2025-06-01"']  # fmt: skip
    lines += [f"{key} = {json.dumps(value)}" for key, value in request.items()]
    (out / "scenario.toml").write_text("\n".join(lines) + "\n")
    try:
        scenario = load_scenario(out / "scenario.toml")
    finally:
        (out / "scenario.toml").unlink()
    (req,) = scenario.requests
    assert req.kw == request["kw"] and req.applicant == annex["hub"]
    assert req.profile_kw is not None and req.profile_kw.max() <= req.kw


def test_cable_pooling_example_text_output(run_main):
    code, stdout, stderr = run_main("hub", "plan", str(HUBS / "cable-pooling" / "hub.toml"))
    assert code == 0, stderr
    assert "aggregate-kernel" in stdout and "Zonnepark (example)" in stdout
    hub = load_hub(HUBS / "cable-pooling" / "hub.toml")
    assert [m.name for m in hub.members] == [
        "Zonnepark (example)", "Batterij (example)", "Koelhuis (example)",
    ]  # fmt: skip
    assert hub.export_kw == 1000.0 and hub.import_kw is None


def test_cable_pooling_example_json(run_main):
    code, stdout, _ = run_main("hub", "plan", str(HUBS / "cable-pooling" / "hub.toml"), "--json")
    assert code == 0
    doc = json.loads(stdout)
    alone = {m["name"]: m["import_kw_alone"] for m in doc["members"]}
    # The park's sun and the battery lower the cold store's connection by a third or more.
    assert doc["import_kw"] < 0.7 * alone["Koelhuis (example)"]
    assert doc["export_kw"] == 1000.0
    assert max(m["peak_export_kw"] for m in doc["members"]) > 1000.0  # netted inside the hub


# --- bad hub files --------------------------------------------------------------------------


def _csv(path: Path, start: str = "2025-01-06", tz: str = "Europe/Amsterdam") -> str:
    kw, days = 10.0, 1
    stamps = pd.date_range(pd.Timestamp(start).tz_localize(tz),
                           periods=96 * days, freq="15min")  # fmt: skip
    lines = ["timestamp,kw"] + [f"{s.isoformat()},{kw}" for s in stamps]
    path.write_text("\n".join(lines) + "\n")
    return path.name


def _site(
    folder: Path, name: str, extra: str = "", start: str = "2025-01-06", tz: str | None = None
) -> str:
    csv = _csv(folder / f"{name}.csv", start=start, tz=tz or "Europe/Amsterdam")
    extra = extra or (f'timezone = "{tz}"' if tz else "")
    (folder / f"{name}.toml").write_text(
        f'[site]\nname = "{name}"\n{extra}\n[load]\ncsv = "{csv}"\n'
        '[connection]\nexport_kw = "unlimited"\n'
    )
    return f"{name}.toml"


def _hub(folder: Path, members: list[str], extra: str = "") -> Path:
    text = '[hub]\nname = "h"\n' + "".join(f'[[member]]\nsite = "{m}"\n' for m in members)
    path = folder / "hub.toml"
    path.write_text(text + extra)
    return path


def test_a_small_hub_file_plans(tmp_path, run_main):
    hub = _hub(tmp_path, [_site(tmp_path, "a"), _site(tmp_path, "b")])
    code, stdout, stderr = run_main("hub", "plan", str(hub), "--json")
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["import_kw"] == pytest.approx(20.0, abs=1e-4)
    assert doc["sum_member_import_kw"] == pytest.approx(20.0)


def _bad_cases(tmp_path: Path) -> list[tuple[Path, str, str]]:
    """(hub file, file named in the message, key named in the message)."""
    cases = []
    folder = tmp_path / "missing"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a"), "nowhere.toml"]), "hub.toml",
                  "member[2].site"))  # fmt: skip
    folder = tmp_path / "duplicate"
    folder.mkdir()
    a = _site(folder, "a")
    cases.append((_hub(folder, [a, a]), "hub.toml", "member[2].site"))
    folder = tmp_path / "unknown-key"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a")], '[plan]\nobjectiv = "min-cost"\n'),
                  "hub.toml", "plan.objectiv"))  # fmt: skip
    folder = tmp_path / "unknown-member-key"
    folder.mkdir()
    path = _hub(folder, [_site(folder, "a")])
    path.write_text(path.read_text().replace('site = "a.toml"', 'site = "a.toml"\nkw = 5'))
    cases.append((path, "hub.toml", "member[1].kw"))
    folder = tmp_path / "unknown-section"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a")], "[battery]\nenergy_kwh = 5\n"), "hub.toml",
                  "battery"))  # fmt: skip
    folder = tmp_path / "timezone"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a"),
                                _site(folder, "b", tz="Europe/London")]),
                  "hub.toml", "member[2].site"))  # fmt: skip
    folder = tmp_path / "year"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a"), _site(folder, "b", start="2026-01-05")]),
                  "hub.toml", "member[2].site"))  # fmt: skip
    folder = tmp_path / "bad-member"
    folder.mkdir()
    member = _site(folder, "a")
    (folder / member).write_text((folder / member).read_text() + "[pv]\nkwq = 3\n")
    cases.append((_hub(folder, [member]), "a.toml", "pv.kwq"))
    folder = tmp_path / "objective"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a")], '[plan]\nobjective = "cheap"\n'),
                  "hub.toml", "plan.objective"))  # fmt: skip
    folder = tmp_path / "import"
    folder.mkdir()
    cases.append((_hub(folder, [_site(folder, "a")], '[connection]\nimport_kw = "lots"\n'),
                  "hub.toml", "connection.import_kw"))  # fmt: skip
    folder = tmp_path / "no-members"
    folder.mkdir()
    cases.append((_hub(folder, []), "hub.toml", "member"))
    return cases


def test_bad_hub_files_exit_2_naming_file_and_key(tmp_path, run_main):
    for path, named_file, key in _bad_cases(tmp_path):
        code, stdout, stderr = run_main("hub", "plan", str(path), "--json", "--out",
                                        str(path.parent / "out"))  # fmt: skip
        assert code == 2, (path.parent.name, stderr)
        assert stdout == ""
        assert named_file in stderr and f"field '{key}'" in stderr, (path.parent.name, stderr)
        assert not (path.parent / "out").exists()  # nothing half-written


def test_messages_say_what_was_expected(tmp_path):
    cases = {p.parent.name: p for p, _, _ in _bad_cases(tmp_path)}
    from netruimte.errors import InputError

    expected = {
        "missing": "member site file not found",
        "duplicate": "member names must be unique",
        "unknown-key": "unknown key; expected one of objective",
        "timezone": "share one time zone",
        "year": "same year and span",
        "no-members": "[[member]]",
    }
    for name, text in expected.items():
        with pytest.raises(InputError) as exc:
            load_hub(cases[name])
        assert text in str(exc.value), (name, str(exc.value))


def test_infeasible_hub_exits_1_and_still_prints_json(tmp_path, run_main):
    a = _site(tmp_path, "a")
    b = _site(tmp_path, "b")
    # b's own cable holds 5 kW but its load is 10 kW: no joint limit helps.
    (tmp_path / b).write_text((tmp_path / b).read_text().replace(
        'export_kw = "unlimited"', 'export_kw = "unlimited"\nimport_kw = 5'))  # fmt: skip
    code, stdout, stderr = run_main("hub", "plan", str(_hub(tmp_path, [a, b])), "--json")
    assert code == 1
    doc = json.loads(stdout)
    assert doc["status"] == "infeasible" and doc["import_kw"] is None
    assert doc["reason"] and doc["reason"] in stderr


def test_min_cost_hub_through_the_cli(tmp_path, run_main):
    """Three flat 10 kW loads, one of them at a neighbour that may add a battery; the hub pays
    100 EUR/kW/year for its contract and battery power costs 500 EUR/kW/year, so no battery
    is bought: the joint contract is 30 kW and the cost its one-day share of the year."""
    a, b = _site(tmp_path, "a"), _site(tmp_path, "b")
    (tmp_path / "n.toml").write_text(
        '[site]\nname = "n"\n[load]\ncsv = "a.csv"\n'
        "[battery]\nmax_energy_kwh = 100\nmax_power_kw = 50\ncost_eur_per_kw_year = 500\n"
        '[connection]\nexport_kw = "unlimited"\n'
    )
    extra = '[plan]\nobjective = "min-cost"\n[tariff]\ncontracted_eur_per_kw_year = 100\n'
    hub = _hub(tmp_path, [a, b, "n.toml"], extra)
    code, stdout, stderr = run_main("hub", "plan", str(hub), "--json", "--out",
                                    str(tmp_path / "out"))  # fmt: skip
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["objective"] == "min-cost" and doc["method"] == "joint-lp"
    assert doc["import_kw"] == pytest.approx(30.0, abs=1e-6)  # n's own 10 kW load too
    assert doc["members"][2]["added_battery_power_kw"] == pytest.approx(0.0, abs=1e-9)
    assert doc["annual_cost_eur"] == pytest.approx(100.0 * 30.0 / 365.0, rel=1e-9)
    assert (tmp_path / "out" / "request.json").exists()
