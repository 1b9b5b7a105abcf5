"""Every page in Dutch has no untranslated string.

Two checks per page: the message ids that the Dutch catalogues lack while the page renders
(collected by :func:`netruimte.i18n.collect_missing`, engine explanations included), and a
heuristic for English written into a template without ``_()``: a visible text node (or a
``title``, ``aria-label``, ``placeholder`` or ``alt``) that equals an English message id whose
Dutch translation differs. Text marked ``lang="en"`` is English on purpose (a service's error
message, which the API words in English, next to its Dutch summary).
``test_the_check_finds_an_untranslated_string`` shows that both checks fail on a deliberately
untranslated string.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from netruimte.i18n import catalogue, collect_missing
from netruimte.web.pages.render import templates
from tests.service.conftest import Users, bearer
from tests.service.test_pages import page_routes, today, world  # noqa: F401 (fixtures)

_ATTRS = ("title", "aria-label", "placeholder", "alt")
_SKIP = ("script", "style", "code")


class _Texts(HTMLParser):
    """The visible text nodes and the readable attributes of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # marked English on purpose: a service's error message, the switch's "English"
        if tag in _SKIP or ("lang", "en") in attrs:
            self._skip += 1
            self._skipping.append(tag)
        for name, value in attrs:
            if name in _ATTRS and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def english_left(html: str) -> list[str]:
    """Text of ``html`` that is an English message id with a different Dutch translation."""
    parser = _Texts()
    parser.feed(html)
    table = catalogue()
    return [t for t in parser.texts if t in table and table[t] != t]


def _check(html: str, seen: set[str], where: str) -> None:
    assert '<html lang="nl">' in html, where
    left = english_left(html)
    assert not seen, f"{where}: message ids without a Dutch translation: {sorted(seen)}"
    assert not left, f"{where}: English text in the Dutch page: {left}"


def test_the_check_finds_an_untranslated_string() -> None:
    page = templates.from_string(
        '{% extends "base.html" %}{% block content %}'
        '<p>{{ _("A sentence nobody translated") }}</p><p>Capacity map</p>'
        "<p>{{ _('Capacity map') }}</p>{% endblock %}"
    )
    context: dict[str, Any] = {
        "data": {},
        "title": "Kaart",
        "nav": {"path": "/", "user": None},
        "request_path": "/",
        "plotly_url": "",
        "lang": "nl",
        "language_links": {"nl": "/?lang=nl", "en": "/?lang=en"},
    }
    with collect_missing() as seen:
        html = page.render(context)
    assert seen == {"A sentence nobody translated"}
    assert english_left(html) == ["Capacity map"]  # the raw text; the _() one is Dutch
    assert "Capaciteitskaart" in html
    try:
        _check(html, seen, "the deliberately untranslated page")
    except AssertionError as exc:
        assert "A sentence nobody translated" in str(exc)
    else:  # pragma: no cover - the point of this test
        raise AssertionError("the check let an untranslated string through")


def test_every_page_in_dutch_has_no_untranslated_string(client, world, users: Users) -> None:  # noqa: F811
    values = {"station_id": "A", "request_id": "R1", "plan_id": str(world["plans"]["alice"])}
    checked = []
    for who, token in (("operator", users.operator_token), ("applicant", users.alice_token)):
        for route in page_routes():
            if route.path.endswith((".csv", "/report", "/export")) or "{sha256}" in route.path:
                continue  # files, not pages (the report is checked with the reports)
            url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
            if who == "applicant" and url == "/queue":
                url = "/stations/B"  # the applicant may not see the queue; another station
            # an applicant is refused the operator's pages, with a refusal in Dutch
            expected = 403 if who == "applicant" and url.startswith("/operator") else 200
            with collect_missing() as seen:
                res = client.get(url, params={"lang": "nl"}, headers=bearer(token))
                assert res.status_code == expected, (who, url, res.text[:300])
                _check(res.text, seen, f"{url} as {who}")
            checked.append(url)
    errors = [
        ("/requests/NOPE", {}, 404),
        ("/queue", {}, 403),
        ("/capacity-map", {"on": "not-a-date"}, 422),
    ]
    for url, params, status in errors:
        with collect_missing() as seen:
            res = client.get(
                url, params={**params, "lang": "nl"}, headers=bearer(users.alice_token)
            )
            assert res.status_code == status, (url, res.text[:300])
            _check(res.text, seen, url)
    with collect_missing() as seen:
        res = client.get("/login", params={"lang": "nl", "next": "/queue"})
        _check(res.text, seen, "/login signed out")
    assert len(checked) >= 16
