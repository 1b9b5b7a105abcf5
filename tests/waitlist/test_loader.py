"""Scenario TOML and request CSV: the example loads; bad input gives clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from netruimte.errors import InputError
from netruimte.scenario.waitlist_csv import REQUEST_KEYS, load_requests_csv
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import CapacityMode, Contract, explain, monte_carlo, simulate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "waitlist" / "flevoland-small.toml"

HEAD = """
[scenario]
name = "t"
start = "2026-01-01"
end = "2027-01-01"

[[station]]
id = "TOP"
offtake_mw = 100
load_mw = 90

[[station]]
id = "A"
parent = "TOP"
offtake_mw = 10
load_mw = 5
"""

R2 = '\n[[request]]\nid = "R-2"\nstation = "A"\n'
OK5 = R2 + 'kw = 5\nsubmitted = "2024-01-01"\n'
RF = '\n[[reinforcement]]\nid = "RF"\nstation = "A"\ndate = 2027-02-01\n'
SC = "[scenario]\nstart = 2026-01-01\nend = 2027-01-01\n"

REQ = """
[[request]]
id = "R-1"
station = "A"
kw = 250
submitted = "2023-04-03T09:00:00+02:00"
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_loads_and_exercises_every_rule() -> None:
    sc = load_scenario(EXAMPLE)
    assert sc.capacity_mode is CapacityMode.PROFILE
    assert len(sc.requests) >= 20
    result = simulate(sc, compare="fcfs")
    payload = result.to_json_dict()
    json.dumps(payload)
    assert set(payload) == {"policy", "fit", "requests", "stations", "compare"}
    by_id = {r.id: r for r in result.requests}
    text = " ".join(r.explanation for r in result.requests)
    for phrase in (
        "evidence given",
        "without evidence",
        "feed-in never gets category 2/3",
        "score 0.9",
        "without a signed contract",
        "outside the waiting list, drawing no room from the waiting list",
        "use it or lose it",
        "withdrawn on",
        "note: acm-2026 lists function 'drinking-water'",
    ):
        assert phrase in text, phrase
    assert by_id["R-006"].granted_on == dt.date(2026, 1, 1)  # best score first
    assert by_id["R-012"].contract is Contract.TIME_BLOCK and by_id["R-012"].granted_on == dt.date(
        2026, 1, 1
    )
    assert by_id["R-004"].granted_on is not None and by_id["R-004"].granted_on > dt.date(2026, 1, 1)
    # FCFS gives the old data centre its place back
    assert result.compare is not None
    assert result.compare.request("R-004").granted_on == dt.date(2026, 1, 1)
    assert "Request R-016" in explain(result, "R-016")


def test_example_monte_carlo_defaults_come_from_the_file() -> None:
    sc = load_scenario(EXAMPLE)
    assert (sc.runs, sc.seed) == (200, 42)
    res = monte_carlo(sc, 20)
    assert res.runs == 20 and res.seed == 42
    assert "granted_p50" in res.to_json_dict()["requests"][0]


def test_minimal_file_and_defaults(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, HEAD + REQ))
    assert sc.policy.value == "acm-2026" and sc.fit.value == "first-fit"
    assert sc.capacity_mode is CapacityMode.PEAK
    r = sc.requests[0]
    assert r.submitted == dt.datetime(2023, 4, 3, 7, 0, tzinfo=dt.UTC)
    assert (r.direction.value, r.category.value, r.contract.value) == ("offtake", "none", "firm")


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            '\n[[request]]\nid = "R-2"\nstation = "NOPE"\nkw = 1\nsubmitted = "2024-01-01"\n',
            "station",
            "unknown station 'NOPE'",
        ),
        (REQ, "request.id", "duplicate request id 'R-1'"),
        (
            R2 + 'kw = -5\nsubmitted = "2024-01-01"\n',
            "kw",
            "kw must be > 0",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-13-01"\n',
            "submitted",
            "ISO 8601",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\ncategory = "vip"\n',
            "category",
            "unknown category 'vip'",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\nfunction = "casino"\n',
            "function",
            "unknown function 'casino'",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\ncontract = "gold"\n',
            "contract",
            "unknown contract 'gold'",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\nkilowatt = 5\n',
            "kilowatt",
            "unknown request key",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\nean = "871685900000000128"\n',
            "ean",
            "check digit",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2026-11-01"\nfunction = "office"\nneeded = "2030-01-01"\n',
            "needed",
            "only for function 'housing'",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2026-09-01"\nfunction = "housing"\nneeded = "2030-01-01"\n',
            "needed",
            "from 2026-10-01",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2026-11-01"\nfunction = "housing"\nneeded = "2037-01-01"\n',
            "needed",
            "more than 10 years",
        ),
        (
            R2 + 'kw = 5\nsubmitted = "2024-01-01"\ncapacity_blocks = ["16:00-20:00"]\n',
            "capacity_blocks",
            "only for contract 'time-block'",
        ),
        (
            OK5 + 'contract = "time-block"\ncapacity_blocks = ["16:10-20:00"]\n',
            "capacity_blocks",
            "quarter-hour",
        ),
        (
            OK5 + 'contract = "time-block"\nblocks = ["16:00-20:00"]\n',
            "blocks",
            'becomes capacity_blocks = ["20:00-16:00"]',
        ),
        (
            OK5 + 'accepts = ["firm"]\n',
            "accepts.contract",
            "not firm",
        ),
        (
            OK5 + 'accepts = [{ contract = "tdtr", level = 3 }]\n',
            "accepts.level",
            "unknown key 'level' in accepts",
        ),
        (
            OK5 + 'accepts = [{ contract = "tdtr", capacity_blocks = ["22:00-06:00"] }]\n',
            "accepts.capacity_blocks",
            "only for contract 'time-block'",
        ),
        ('\n[[station]]\nid = "A"\nofftake_mw = 1\n', "station.id", "duplicate station id 'A'"),
        (
            '\n[[station]]\nid = "B"\nparent = "C"\nofftake_mw = 1\n'
            '[[station]]\nid = "C"\nparent = "B"\nofftake_mw = 1\n',
            "parent",
            "cycle in the station hierarchy",
        ),
        ('\n[[station]]\nid = "B"\nparent = "X"\nofftake_mw = 1\n', "parent", "unknown parent 'X'"),
        (
            '\n[[reinforcement]]\nid = "RF"\nstation = "A"\ndate = "2027-02-30"\n',
            "date",
            "expected a date",
        ),
        (
            RF + "feedin_mw = 3\n",
            "feedin_mw",
            "has no feedin_mw",
        ),
        (
            RF + 'delay = { distribution = "gauss" }\n',
            "delay.distribution",
            "unknown delay distribution",
        ),
        (
            RF + 'delay = { distribution = "triangular", min_months = 5, mode_months = 1, '
            "max_months = 9 }\n",
            "delay",
            "min_months <= mode_months",
        ),
        ("\n[use_it_or_lose_it]\nafter = 12\n", "after", "unknown key 'after'"),
    ],
)
def test_bad_input_names_file_line_and_field(
    tmp_path: Path, extra: str, field: str, message: str
) -> None:
    path = write(tmp_path, HEAD + REQ + extra)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    err = info.value
    assert message in err.message
    assert err.field == field
    assert err.source == str(path)


def test_error_line_points_at_the_table(tmp_path: Path) -> None:
    text = HEAD + REQ + R2 + 'kw = -5\nsubmitted = "2024-01-01"\n'
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, text))
    line = text.splitlines()[info.value.line - 1]  # type: ignore[operator]
    assert line == "[[request]]"
    assert info.value.line == text.splitlines().index("[[request]]", 20) + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scenario]\nstart = 2026-01-01\n", "missing required key 'end'"),
        (
            "[scenario]\nstart = 2026-01-01\nend = 2025-01-01\n[[station]]\nid='A'\nofftake_mw=1\n",
            "must be after start",
        ),
        (
            SC + "policy = 'lottery'\n[[station]]\nid='A'\nofftake_mw=1\n",
            "unknown policy",
        ),
        (
            SC + "fit = 'best'\n[[station]]\nid='A'\nofftake_mw=1\n",
            "unknown fit",
        ),
        (
            SC + "[[station]]\nid='A'\n",
            "missing required key 'offtake_mw'",
        ),
        (
            SC + "[stations]\n",
            "unknown table 'stations'",
        ),
        ("[scenario\n", "not valid TOML"),
    ],
)
def test_bad_scenario_tables(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        load_scenario(write(tmp_path, text))


def test_requests_from_csv_match_toml(tmp_path: Path) -> None:
    csv_text = (
        "id,station,kw,submitted,category,function,evidence,contract,capacity_blocks,"
        "small_consumer,accepts\n"
        "C-1,A,250,2023-04-03T09:00:00+02:00,basic-needs,education,true,firm,,false,tdtr|non-firm\n"
        "C-2,A,1000,2024-01-01,none,,,time-block,09:00-16:00|20:00-06:00,no,\n"
    )
    write(tmp_path, csv_text, "reqs.csv")
    with pytest.raises(InputError, match="unknown request key 'requests_csv'"):
        load_scenario(write(tmp_path, HEAD + REQ + 'requests_csv = "reqs.csv"\n'))
    head = HEAD.replace('end = "2027-01-01"', 'end = "2027-01-01"\nrequests_csv = "reqs.csv"')
    sc = load_scenario(write(tmp_path, head + REQ))
    ids = [r.id for r in sc.requests]
    assert ids == ["R-1", "C-1", "C-2"]
    c1 = sc.requests[1]
    assert c1.evidence and c1.category.value == "basic-needs" and c1.function == "education"
    assert sc.requests[2].capacity_blocks == ("09:00-16:00", "20:00-06:00")
    assert [a.contract.value for a in c1.accepts] == ["tdtr", "non-firm"]
    assert sc.requests[2].small_consumer is False


def test_csv_errors_name_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "id,station,kw,submitted\nA,S,1,2024-01-01\nB,S,abc,2024-01-01\n", "r.csv"
    )
    with pytest.raises(InputError) as info:
        load_requests_csv(path)
    assert (info.value.line, info.value.field) == (3, "kw")
    path = write(tmp_path, "id,station,kw,submitted,colour\n", "r2.csv")
    with pytest.raises(InputError, match="unknown column 'colour'"):
        load_requests_csv(path)
    path = write(tmp_path, "id,station,kw\n", "r3.csv")
    with pytest.raises(InputError, match="missing required column 'submitted'"):
        load_requests_csv(path)
    path = write(
        tmp_path, "id,station,kw,submitted\nA,S,1,2024-01-01\nA,S,2,2024-01-01\n", "r4.csv"
    )
    with pytest.raises(InputError, match="duplicate request id 'A'") as info:
        load_requests_csv(path)
    assert info.value.line == 3
    path = write(tmp_path, "id;station;kw;submitted;evidence\nA;S;1,5;2024-01-01;maybe\n", "r5.csv")
    with pytest.raises(InputError) as info:
        load_requests_csv(path)
    assert info.value.field == "evidence"
    assert (
        load_requests_csv(
            write(tmp_path, "id;station;kw;submitted\nA;S;1,5;2024-01-01\n", "r6.csv")
        )[0].kw
        == 1.5
    )


def test_csv_columns_are_the_toml_request_keys() -> None:
    assert {"id", "station", "kw", "submitted", "category", "contract", "needed", "ean"} <= set(
        REQUEST_KEYS
    )


def test_housing_reservation_takes_part_per_lead_time(tmp_path: Path) -> None:
    text = HEAD.replace(
        'end = "2027-01-01"', 'end = "2032-01-01"\nreservation_lead_months = 24'
    ) + (
        '\n[[request]]\nid = "H"\nstation = "A"\nkw = 1000\nsubmitted = "2026-10-15"\n'
        'category = "basic-needs"\nfunction = "housing"\nevidence = true\nneeded = "2030-03-01"\n'
    )
    result = simulate(load_scenario(write(tmp_path, text)))
    assert result.request("H").granted_on == dt.date(2028, 3, 1)
    text0 = text.replace("reservation_lead_months = 24", "reservation_lead_months = 120")
    assert simulate(load_scenario(write(tmp_path, text0))).request("H").granted_on == dt.date(
        2026, 11, 1
    )
