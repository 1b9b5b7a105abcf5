"""The CLI never prints a traceback for bad input: exit 2 and a message naming file and field.

Each case is one reproduction of issue 12; ``main()`` runs in-process with ``sys.argv`` set,
exactly as the console script does.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from netruimte.cli import main
from tests.service.conftest import TINY_TOML

SITE = '[site]\nname = "x"\n[plan]\nobjective = "min-connection"\n[load]\ncsv = "{csv}"\n'


def _profile(path: Path, peak: str) -> None:
    start = dt.datetime(2025, 6, 2)
    lines = ["timestamp,kw"] + [
        f"{(start + dt.timedelta(minutes=15 * i)).isoformat()},{peak if i == 50 else '100'}"
        for i in range(2 * 96)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["netruimte", *args])
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err
    assert done.value.code == 2, err
    assert "Traceback" not in err and err.startswith("error: "), err
    return err


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "deep.toml").write_text("[scenario]\nx = " + "[" * 50_000)
    (tmp_path / "end.toml").write_text(TINY_TOML.replace('end = "2027-01-01"', "end = 9999-01-01"))
    zone = TINY_TOML.replace('fit = "first-fit"', 'timezone = "Mars/Olympus"')
    (tmp_path / "zone.toml").write_text(zone)
    (tmp_path / "kw.toml").write_text(TINY_TOML.replace("kw = 600", "kw = 1e308", 1))
    dot = TINY_TOML.replace("load_mw = 8\n", 'load_mw = 8\nload_csv = "."\n', 1)
    (tmp_path / "dot.toml").write_text(dot)
    _profile(tmp_path / "huge.csv", "1e308")
    (tmp_path / "huge.toml").write_text(SITE.format(csv="huge.csv"))
    (tmp_path / "sitedot.toml").write_text(SITE.format(csv="."))
    _profile(tmp_path / "fine.csv", "300")
    (tmp_path / "fine.toml").write_text(SITE.format(csv="fine.csv"))
    (tmp_path / "existing.json").write_text("{}")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("waitlist", "simulate", "folder"), ["folder", "a folder"]),
        (("waitlist", "simulate", "deep.toml"), ["deep.toml", "nested too deeply"]),
        (("waitlist", "simulate", "end.toml"), ["end.toml", "field 'end'", "2200-12-31"]),
        (("waitlist", "simulate", "zone.toml"), ["zone.toml", "field 'timezone'", "Mars"]),
        (("waitlist", "simulate", "kw.toml"), ["kw.toml", "line 38", "field 'kw'", "1e+07"]),
        (("waitlist", "simulate", "dot.toml"), ["dot.toml", "field 'load_csv'", "a folder"]),
        (("waitlist", "simulate", "TINY", "--out", "existing.json"), ["existing.json"]),
        (("site", "plan", "huge.toml"), ["huge.toml", "field 'load.csv'", "1e+07 kW"]),
        (("site", "plan", "sitedot.toml"), ["sitedot.toml", "field 'load.csv'", "folder"]),
        (("site", "plan", "fine.toml", "--out", "existing.json"), ["'--out'", "existing.json"]),
        (
            ("users", "add", "x", "--role", "applicant", "--db", "/no/such/dir/x.db"),
            ["'--db'", "cannot use the database: unable to open database file"],
        ),
    ],
)
def test_bad_input_exits_2_naming_file_and_field(
    files: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    words: list[str],
) -> None:
    if "TINY" in args:
        (files / "tiny.toml").write_text(TINY_TOML)
        args = tuple("tiny.toml" if a == "TINY" else a for a in args)
    err = _run(monkeypatch, capsys, *args)
    for word in words:
        assert word in err, (word, err)


def test_db_path_with_a_hash_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (
        ("db", "upgrade"),
        ("users", "add", "ann", "--role", "applicant"),
        ("audit", "verify"),
    ):
        monkeypatch.setattr(sys, "argv", ["netruimte", *args, "--db", "a#b.db"])
        with pytest.raises(SystemExit) as done:
            main()
        out = capsys.readouterr()
        assert done.value.code == 0, out.err
    assert (tmp_path / "a#b.db").exists()


def test_users_commands_refuse_with_exit_2_and_close_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused change to a user (a name taken, an unknown user) is exit 2 naming it; the
    users written before are listed."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int | str | None, str, str]:
        monkeypatch.setattr(sys, "argv", ["netruimte", *args, "--db", "u.db"])
        with pytest.raises(SystemExit) as done:
            main()
        out = capsys.readouterr()
        return done.value.code, out.out, out.err

    assert run("users", "add", "ann", "--role", "applicant")[0] == 0
    code, _, err = run("users", "add", "ann", "--role", "applicant")
    assert code == 2 and "ann" in err
    code, _, err = run("users", "token", "nobody")
    assert code == 2 and "nobody" in err
    code, out, _ = run("users", "list", "--json")
    assert code == 0 and json.loads(out) == [{"name": "ann", "role": "applicant"}]
