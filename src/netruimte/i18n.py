"""Dutch and English: message catalogues, translation, numbers and dates per locale.

Message ids are the English text itself; English needs no catalogue. The Dutch catalogues are
TOML files ``netruimte/web/locale/*.nl.toml`` (one per area: ``pages``, ``map``, ``reports``,
``workflows``, ...), each a flat table ``"English text" = "Nederlandse tekst"``. All files are
merged when first needed; a message id defined twice with different translations, a value that
is not a string, or a translation whose ``{placeholders}`` differ from its message id's is an
:class:`~netruimte.errors.InputError` naming the file(s).

Placeholders follow :meth:`str.format`: ``gettext("nl", "{n} requests ahead", n=3)``.

**Missing translations.** In English a message id is its own text. In Dutch a message id that no
catalogue defines shows in English and is *collected* while collecting is on
(:func:`collect_missing`, or the environment variable ``NETRUIMTE_I18N_COLLECT=1`` for a whole
process), so a test can assert that no page or report has an untranslated string.

**Formats.** ``fmt_number("nl", 1234.5)`` is ``1.234,5``, in English ``1,234.5``;
``fmt_date("nl", date(2026, 12, 7))`` is ``7 december 2026`` (``style="short"``: ``07-12-2026``),
in English ``7 Dec 2026`` (short: ``2026-12-07``, ISO, which English readers of Dutch grid
documents meet everywhere).

This module is pure (standard library only) so that both the web pages and the reports use it;
:mod:`netruimte.web.i18n` adds the request's language (query parameter and cookie).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import string
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal, Self

from netruimte.errors import InputError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "Language",
    "Msg",
    "catalogue",
    "check_language",
    "collect_missing",
    "fmt_date",
    "fmt_datetime",
    "fmt_number",
    "gettext",
    "join",
    "load_catalogues",
    "lookup",
    "missing",
]

Language = Literal["nl", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")
DEFAULT_LANGUAGE: Final[Language] = "nl"
"""The service's and the Flevoland demo's default: its users are Dutch."""

LOCALE_DIR = Path(__file__).resolve().parent / "web" / "locale"
"""Where the ``*.nl.toml`` catalogues live (package data)."""

_MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def check_language(value: str, field: str = "lang") -> Language:
    """``value`` as a language, or an InputError naming ``field``."""
    if value == "nl":
        return "nl"
    if value == "en":
        return "en"
    raise InputError(f"unknown language {value!r}; expected nl | en", field=field)


def _fields(text: str) -> set[str]:
    """The names of the ``{placeholders}`` of a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def load_catalogues(directory: Path) -> dict[str, str]:
    """Merge every ``*.nl.toml`` of ``directory`` into one msgid -> Dutch table.

    Raises
    ------
    InputError
        A file is not TOML, a value is not a string, the placeholders of a translation differ
        from its message id's, or two files translate one message id differently.
    """
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.nl.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not a valid TOML catalogue: {exc}", source=str(path)) from exc
        for msgid, text in table.items():
            if not isinstance(text, str):
                raise InputError(
                    f"expected a string translation, got {type(text).__name__}",
                    source=str(path),
                    field=msgid,
                )
            try:
                wanted, got = _fields(msgid), _fields(text)
            except ValueError as exc:
                raise InputError(f"bad placeholder: {exc}", source=str(path), field=msgid) from exc
            if wanted != got:
                raise InputError(
                    f"placeholders {sorted(got)} differ from the message id's {sorted(wanted)}",
                    source=str(path),
                    field=msgid,
                )
            if msgid in merged and merged[msgid] != text:
                raise InputError(
                    f"translated differently in {origin[msgid]} ({merged[msgid]!r}) "
                    f"and in {path.name} ({text!r})",
                    source=str(path),
                    field=msgid,
                )
            merged[msgid] = text
            origin.setdefault(msgid, path.name)
    return merged


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, str]:
    """The merged Dutch catalogue of the package (loaded once)."""
    return load_catalogues(LOCALE_DIR)


_lock = threading.Lock()
_collecting = 0
_missing: set[str] = set()


@contextmanager
def collect_missing() -> Iterator[set[str]]:
    """Collect the Dutch message ids without a translation while the block runs.

    Yields the set the block fills (a message id as written, before its placeholders are
    filled in); nested blocks share one set.
    """
    global _collecting
    with _lock:
        if _collecting == 0:
            _missing.clear()
        _collecting += 1
    try:
        yield _missing
    finally:
        with _lock:
            _collecting -= 1


def missing() -> frozenset[str]:
    """The message ids collected so far (see :func:`collect_missing`)."""
    with _lock:
        return frozenset(_missing)


def _note_missing(msgid: str) -> None:
    if _collecting or os.environ.get("NETRUIMTE_I18N_COLLECT", "") == "1":
        with _lock:
            _missing.add(msgid)


class _LocaleFormatter(string.Formatter):
    """:meth:`str.format` with numbers and dates per locale.

    A number with a format spec (``{mw:,.1f}``) is formatted the English way and, in Dutch,
    its separators swapped (1.234,5); a date or date-time without a spec is in Dutch written as
    :func:`fmt_date` writes it and in English as ISO; a :class:`Msg` inside is translated too.
    """

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Msg):
            return value.in_language(self.lang)
        if isinstance(value, dt.date) and not format_spec:
            # Dutch readers get "7 december 2026"; English keeps ISO dates, as the reports had
            return fmt_date("nl", value) if self.lang == "nl" else value.isoformat()[:10]
        text = str(super().format_field(value, format_spec))
        if (
            self.lang == "nl"
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and format_spec
        ):
            return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text


def gettext(lang: str, msgid: str, /, **kw: Any) -> str:
    """``msgid`` in ``lang``, its ``{placeholders}`` filled from ``kw``.

    In English the message id is the text. In Dutch a message id without translation shows
    in English (and is collected, see :func:`collect_missing`). Numbers with a format spec and
    dates in ``kw`` are written per locale (:class:`_LocaleFormatter`).
    """
    if isinstance(msgid, Msg):
        return msgid.in_language(lang)
    if not msgid.strip():
        return msgid
    text = msgid
    if lang == "nl":
        found = catalogue().get(msgid)
        if found is None:
            _note_missing(msgid)
        else:
            text = found
    elif lang != "en":
        check_language(lang)
    return _LocaleFormatter(lang).format(text, **kw) if kw else text


def lookup(lang: str, text: str) -> str:
    """``text`` in ``lang`` when a catalogue has it, else as it is (nothing collected): for
    data that may be a known word (a category in a table cell) or a name."""
    if isinstance(text, Msg):
        return text.in_language(lang)
    if lang != "nl":
        return text
    return catalogue().get(text, text)


class Msg(str):
    """A text that knows its message id: English as a ``str``, translatable later.

    ``Msg("{n:,} requests", n=1200)`` is the string ``"1,200 requests"`` wherever a string is
    expected, and ``.in_language("nl")`` is ``"1.200 aanvragen"``. The report builders write
    their sentences so; the renderer translates them into the report's language.
    """

    msgid: str
    kw: dict[str, Any]

    def __new__(cls, msgid: str, /, **kw: Any) -> Self:
        english = _LocaleFormatter("en").format(msgid, **kw) if kw else msgid
        obj = super().__new__(cls, english)
        obj.msgid = msgid
        obj.kw = kw
        return obj

    def in_language(self, lang: str) -> str:
        """The text in ``lang``."""
        return gettext(lang, self.msgid, **self.kw)


def fmt_number(lang: str, value: Any, digits: int = 1) -> str:
    """A number with the locale's separators (nl ``1.234,5``, en ``1,234.5``).

    None is an en dash, an infinite value '∞'.
    """
    if value is None:
        return "–"
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if math.isnan(x):
        return "–"
    text = f"{x:,.{digits}f}"
    if lang == "nl":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def fmt_date(lang: str, value: Any, style: str = "long") -> str:
    """A date (a date, date-time or ISO text) in the locale's words; an en dash for none.

    ``style="long"``: nl ``7 december 2026``, en ``7 Dec 2026``; ``style="short"``: nl
    ``07-12-2026``, en ``2026-12-07``.
    """
    day = _as_date(value)
    if day is None:
        return "–"
    if style == "short":
        return day.strftime("%d-%m-%Y") if lang == "nl" else day.isoformat()
    if style != "long":
        raise InputError(f"unknown date style {style!r}; expected long | short", field="style")
    months = _MONTHS_NL if lang == "nl" else _MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"


def fmt_datetime(lang: str, value: Any) -> str:
    """An instant in UTC to the minute: nl ``7 december 2026 14:05 UTC``; an en dash for none."""
    if value is None or value == "":
        return "–"
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    return f"{fmt_date(lang, stamp)} {stamp:%H:%M} UTC"


class Joined(Msg):
    """Texts joined by ``sep`` (sentences of one paragraph), each translated on its own."""

    parts: tuple[str, ...]
    sep: str

    def __new__(cls, parts: Iterable[str], sep: str = " ") -> Self:
        items = tuple(parts)
        obj = super().__new__(cls, sep.join(items).replace("{", "{{").replace("}", "}}"))
        obj.parts = items
        obj.sep = sep
        return obj

    def in_language(self, lang: str) -> str:
        """Each part in ``lang``, joined."""
        return self.sep.join(gettext(lang, part) for part in self.parts)


def join(parts: Iterable[str], sep: str = " ") -> Joined:
    """``parts`` (messages or message ids) as one text, translated part by part."""
    return Joined(parts, sep)
