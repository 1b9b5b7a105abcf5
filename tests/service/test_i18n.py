"""The language mechanism: catalogues, gettext, formats, ``?lang`` and the cookie."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netruimte.errors import InputError
from netruimte.i18n import (
    catalogue,
    collect_missing,
    fmt_date,
    fmt_datetime,
    fmt_number,
    gettext,
    load_catalogues,
)
from netruimte.web.app import create_app
from netruimte.web.i18n import COOKIE
from netruimte.web.settings import Settings

from .conftest import TestClient


def test_gettext_translates_fills_placeholders_and_falls_back_to_the_msgid() -> None:
    assert gettext("en", "Sign out") == "Sign out"
    assert gettext("nl", "Sign out") == "Uitloggen"
    assert gettext("en", "{n} requests ahead", n=3) == "3 requests ahead"
    with collect_missing() as seen:
        assert gettext("nl", "A sentence nobody translated {x}", x=1) == (
            "A sentence nobody translated 1"
        )
        assert gettext("en", "English needs no catalogue") == "English needs no catalogue"
    assert seen == {"A sentence nobody translated {x}"}
    with pytest.raises(InputError, match="unknown language 'de'"):
        gettext("de", "Sign out")


def test_missing_msgids_are_collected_only_while_collecting() -> None:
    gettext("nl", "Not collected outside a block")
    with collect_missing() as seen:
        assert "Not collected outside a block" not in seen
        gettext("nl", "Collected inside")
        assert "Collected inside" in seen


def test_numbers_per_locale() -> None:
    assert fmt_number("nl", 1234.5) == "1.234,5"
    assert fmt_number("en", 1234.5) == "1,234.5"
    assert fmt_number("nl", 1234567.891, 2) == "1.234.567,89"
    assert fmt_number("en", -0.25, 2) == "-0.25"
    assert fmt_number("nl", 3, 0) == "3"
    assert fmt_number("nl", None) == "–"
    assert fmt_number("en", float("inf")) == "∞"


def test_dates_per_locale() -> None:
    day = dt.date(2026, 12, 7)
    assert fmt_date("nl", day) == "7 december 2026"
    assert fmt_date("en", day) == "7 Dec 2026"
    assert fmt_date("nl", day, "short") == "07-12-2026"
    assert fmt_date("en", day, "short") == "2026-12-07"
    assert fmt_date("nl", "2026-03-01T10:00:00+01:00") == "1 maart 2026"
    assert fmt_date("en", None) == "–"
    assert fmt_datetime("nl", "2026-03-01T10:05:00+01:00") == "1 maart 2026 09:05 UTC"
    with pytest.raises(InputError, match=r"long \| short"):
        fmt_date("nl", day, "medium")


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_catalogues_merge_and_a_conflict_names_both_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.nl.toml", '"Yes" = "Ja"\n"No" = "Nee"\n')
    _write(tmp_path, "b.nl.toml", '"Yes" = "Ja"\n"{n} MW" = "{n} MW"\n')
    assert load_catalogues(tmp_path) == {"Yes": "Ja", "No": "Nee", "{n} MW": "{n} MW"}
    _write(tmp_path, "c.nl.toml", '"No" = "Neen"\n')
    with pytest.raises(InputError) as info:
        load_catalogues(tmp_path)
    assert "a.nl.toml" in str(info.value) and "c.nl.toml" in str(info.value)
    assert info.value.field == "No"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"{n} MW" = "{m} MW"\n', "placeholders"),
        ('"Yes" = 1\n', "expected a string"),
        ('"Yes" = \n', "not a valid TOML"),
    ],
)
def test_bad_catalogues_are_refused_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    _write(tmp_path, "bad.nl.toml", text)
    with pytest.raises(InputError, match=message) as info:
        load_catalogues(tmp_path)
    assert info.value.source is not None and info.value.source.endswith("bad.nl.toml")


def test_the_package_catalogues_load() -> None:
    table = catalogue()
    assert table["Sign out"] == "Uitloggen"
    assert all(isinstance(v, str) and v for v in table.values())


def test_settings_refuse_an_unknown_language() -> None:
    with pytest.raises(InputError, match=r"expected nl \| en"):
        Settings(language="fr")


def test_lang_sets_the_cookie_and_the_cookie_wins_after(db) -> None:
    app = create_app(Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False))
    with TestClient(app) as client:
        first = client.get("/login")
        assert '<html lang="nl">' in first.text  # the service's default
        assert "Inloggen" in first.text
        assert COOKIE not in first.cookies
        switched = client.get("/login?lang=en")
        assert '<html lang="en">' in switched.text
        assert switched.cookies.get(COOKIE) == "en"
        assert "Max-Age=31536000" in switched.headers["set-cookie"]
        again = client.get("/login")  # no ?lang: the cookie decides
        assert '<html lang="en">' in again.text
        back = client.get("/login?lang=nl")
        assert '<html lang="nl">' in back.text and back.cookies.get(COOKIE) == "nl"
        assert '<html lang="nl">' in client.get("/login").text
        bad = client.get("/login?lang=de")
        assert bad.status_code == 422
        assert bad.json()["field"] == "lang"
        client.cookies.set(COOKIE, "xx")  # an unknown cookie is ignored, not an error
        assert '<html lang="nl">' in client.get("/login").text


def test_the_language_switch_keeps_the_page_and_its_query(db) -> None:
    app = create_app(
        Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False, language="en")
    )
    with TestClient(app) as client:
        html = client.get("/login?next=%2Fqueue").text
        assert 'href="/login?next=%2Fqueue&amp;lang=nl" data-action="set-language"' in html
        assert '<html lang="en">' in html
