"""Reading a TOML file: the site and the scenario reader refuse the same bad files alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from netruimte.errors import InputError
from netruimte.scenario.site_toml import load_site
from netruimte.scenario.toml_limits import read_toml_file
from netruimte.scenario.waitlist_toml import load_scenario

READERS: list[tuple[Callable[[Path], Any], str]] = [
    (load_site, "site"),
    (load_scenario, "scenario"),
]


@pytest.mark.parametrize(("read", "kind"), READERS)
def test_bad_files_are_refused_naming_the_file(
    read: Callable[[Path], Any], kind: str, tmp_path: Path
) -> None:
    cases = {
        tmp_path / "missing.toml": "file not found",
        tmp_path: f"a folder, not a {kind} TOML file",
    }
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    cases[latin] = "not UTF-8 text (invalid continuation byte)"
    bad = tmp_path / "bad.toml"
    bad.write_text('[a]\nx = 1\n\nx = "again\n', encoding="utf-8")
    for path, message in cases.items():
        with pytest.raises(InputError) as err:
            read(path)
        assert err.value.message == message
        assert err.value.source == str(path)
    with pytest.raises(InputError) as err:
        read(bad)
    assert err.value.message.startswith("not valid TOML")
    assert (err.value.source, err.value.line) == (str(bad), 4)


def test_read_toml_file_gives_the_text_and_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text('[scenario]\nname = "x"\n', encoding="utf-8")
    assert read_toml_file(path, "scenario") == (
        '[scenario]\nname = "x"\n',
        {"scenario": {"name": "x"}},
    )
