"""Dutch for the waiting-list engine's explanations.

The engine (:mod:`netruimte.waitlist.explain`) writes its explanations in English, composed of
fragments joined by ``"; "`` ("basic needs (education), evidence given: rank 2 of 5 at Almere
on 2026-07-01; 1.500 MW ahead of you; does not fit: ..."). Each fragment has one of a fixed set
of shapes with names, dates and numbers filled in; this module knows those shapes as regular
expressions with their Dutch wording, so an explanation is translated fragment by fragment
without the pure engine knowing about languages. Names (stations, works), dates and numbers
pass through; dates are written per locale.

A fragment of no known shape stays English and is recorded as missing (message id
``"explanation: <fragment>"``), so the tests that forbid untranslated strings also catch a new
wording in the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Self

from netruimte.i18n import Msg, _note_missing, fmt_date

__all__ = ["Explanation", "translate_explanation"]

_DATE = r"\d{4}-\d{2}-\d{2}"

_CATEGORY_NL: Final = {
    "no priority": "geen voorrang",
    "congestion reliever": "congestieverzachter",
    "safety": "veiligheid",
    "basic needs": "basisbehoeften",
    "none": "geen",
    "congestion-reliever": "congestieverzachter",
    "basic-needs": "basisbehoeften",
}
_CONTRACT_NL: Final = {
    "firm": "vast",
    "time-block": "tijdsblok",
    "tdtr": "tijdsduurgebonden (TDTR)",
    "non-firm": "niet-vast",
}
_DIRECTION_NL: Final = {"offtake": "afname", "feed-in": "invoeding"}
_STATUS_NL: Final = {"waiting": "wachtend", "granted": "toegekend", "withdrawn": "ingetrokken"}


def _dates(text: str) -> str:
    """ISO dates in ``text`` written the Dutch way (7 december 2026)."""
    return re.sub(_DATE, lambda m: fmt_date("nl", m.group(0)), text)


def _number(text: str) -> str:
    """An English number (1,234.5) written the Dutch way (1.234,5)."""
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _numbers(text: str) -> str:
    """Every English number in ``text`` written the Dutch way (dates left alone)."""
    return re.sub(
        r"(?<![\d-])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d-])\d+\.\d+",
        lambda m: _number(m.group(0)),
        text,
    )


def _category(text: str) -> str:
    return _CATEGORY_NL.get(text, text)


def _contracts(text: str) -> str:
    return " of ".join(_CONTRACT_NL.get(c, c) for c in text.split(" or "))


def _head_nl(text: str) -> str | None:
    """The eligibility head of a ranked fragment ("basic needs (education), evidence given")."""
    for pattern, build in _HEADS:
        m = re.fullmatch(pattern, text)
        if m:
            return build(m)
    return None


Builder = Callable[[re.Match[str]], str]

_FUNC = r"(?P<func> \([^)]*\))?"

_HEADS: Final[list[tuple[str, Builder]]] = [
    (
        r"first come, first served(?: \(asked for (?P<cat>[^)]*)\))?",
        lambda m: (
            "wie het eerst komt, het eerst maalt"
            + (f" (gevraagd: {_category(m['cat'])})" if m["cat"] else "")
        ),
    ),
    (r"no priority asked" + _FUNC, lambda m: "geen voorrang gevraagd" + (m["func"] or "")),
    (
        r"congestion reliever without a signed contract: ranks as none",
        lambda m: "congestieverzachter zonder getekend contract: telt als geen voorrang",
    ),
    (
        r"congestion reliever, contract signed, no score given",
        lambda m: "congestieverzachter, contract getekend, geen score opgegeven",
    ),
    (
        r"congestion reliever, contract signed, score (?P<s>\S+)",
        lambda m: f"congestieverzachter, contract getekend, score {_numbers(m['s'])}",
    ),
    (
        r"asked for (?P<cat>[a-z ]+)" + _FUNC + r", but feed-in never gets category 2/3: "
        r"ranks as none",
        lambda m: (
            f"gevraagd: {_category(m['cat'])}{m['func'] or ''}, maar invoeding krijgt "
            "nooit categorie 2/3: telt als geen voorrang"
        ),
    ),
    (
        r"asked for (?P<cat>[a-z ]+)" + _FUNC + r" without evidence: ranks as none",
        lambda m: (
            f"gevraagd: {_category(m['cat'])}{m['func'] or ''} zonder bewijs: telt als "
            "geen voorrang"
        ),
    ),
    (
        r"(?P<cat>safety|basic needs|congestion reliever)" + _FUNC + r", evidence given",
        lambda m: f"{_category(m['cat'])}{m['func'] or ''}, bewijs geleverd",
    ),
]


def _ranked(m: re.Match[str]) -> str | None:
    head = _head_nl(m["head"])
    if head is None:
        return None
    return f"{head}: plaats {m['rank']} van {m['of']} bij {m['at']} op {_dates(m['on'])}"


def _granted(m: re.Match[str]) -> str:
    text = f"toegekend op {_dates(m['on'])}"
    if m["alt"]:
        alt = _CONTRACT_NL.get(m["alt"], m["alt"])
        text += f" als {alt} (een alternatief recht dat de aanvraag accepteert)"
    if m["rf"]:
        text += f" toen {m['rf']} {_numbers(m['mw'])} MW toevoegde bij {m['at']}"
    if m["months"]:
        text += f" na {m['months']} maanden wachten"
    return text


def _offers(text: str) -> str:
    return ", ".join(
        re.sub(
            rf"^(?P<kw>[\d,.]+) kW on (?P<on>{_DATE})$",
            lambda m: f"{_number(m['kw'])} kW op {_dates(m['on'])}",
            part,
        )
        for part in text.split(", ")
    )


def _chain(text: str) -> str:
    return ", daarna ".join(
        re.sub(r" until (?P<u>\S+)$", lambda m: f" tot {_dates(m['u'])}", part)
        for part in text.split(", then ")
    )


_FRAGMENTS: Final[list[tuple[str, Callable[[re.Match[str]], str | None]]]] = [
    (
        r"no planned work makes room for you: (?P<n>.+) stays short",
        lambda m: f"geen geplande versterking maakt ruimte voor u: {m['n']} blijft krap",
    ),
    (
        rf"room for your kW expected on (?P<on>{_DATE}) after (?P<works>.+) \(binding node over "
        r"time: (?P<chain>.+); requests ranked ahead of you come first\)",
        lambda m: (
            f"ruimte voor uw kW verwacht op {_dates(m['on'])} na "
            f"{m['works'].replace(' and ', ' en ')} (knelpunt in de tijd: {_chain(m['chain'])}; "
            "aanvragen die voor u staan gaan voor)"
        ),
    ),
    (
        r"partial offers taken: (?P<o>.+) \(kept\)",
        lambda m: f"deelaanbiedingen aangenomen: {_offers(m['o'])} (behouden)",
    ),
    (
        r"partial offers taken: (?P<o>.+)",
        lambda m: f"deelaanbiedingen aangenomen: {_offers(m['o'])}",
    ),
    (r"in parts: (?P<o>.+)", lambda m: f"in delen: {_offers(m['o'])}"),
    (
        r"nobody ranked above you was offered room at (?P<n>.+) while you waited",
        lambda m: f"niemand boven u kreeg ruimte aangeboden bij {m['n']} terwijl u wachtte",
    ),
    (
        r"went ahead of you at (?P<n>.+?): (?P<k>\d+) higher-ranked request\(s\) "
        r"\((?P<kinds>[^)]*)\)"
        r"(?:, (?P<p>\d+) of them still waiting for the rest of a partial offer)?",
        lambda m: (
            f"gingen u voor bij {m['n']}: {m['k']} hoger geplaatste aanvra(a)g(en) ("
            + ", ".join(
                f"{v} {_category(k)}"
                for v, _, k in (x.partition(" ") for x in m["kinds"].split(", "))
            )
            + ")"
            + (f", waarvan {m['p']} nog wachten op de rest van een deelaanbod" if m["p"] else "")
        ),
    ),
    (
        rf"small consumer \(up to 3x80 A\): connected on (?P<on>{_DATE}) outside the waiting list, "
        r"(?:from the room reserved for small consumers at (?P<at>.+)|drawing no room from the "
        r"waiting list) \(small consumers join the list from 2026-07-01\)",
        lambda m: (
            f"kleinverbruiker (tot 3x80 A): aangesloten op {_dates(m['on'])} buiten de "
            "wachtrij, "
            + (
                f"uit de ruimte die bij {m['at']} voor kleinverbruikers is gereserveerd"
                if m["at"]
                else "zonder ruimte van de wachtrij te gebruiken"
            )
            + " (kleinverbruikers komen vanaf 1 juli 2026 op de wachtrij)"
        ),
    ),
    (
        rf"withdrawn on (?P<on>{_DATE}) before it took part",
        lambda m: f"ingetrokken op {_dates(m['on'])} voordat de aanvraag meedeed",
    ),
    (
        r"housing reservation for (?P<n>.+): takes part from (?P<o>\S+)",
        lambda m: f"reservering voor woningbouw voor {m['n']}: doet mee vanaf {_dates(m['o'])}",
    ),
    (
        rf"submitted (?P<s>{_DATE}): takes part after the horizon \((?P<e>{_DATE})\)",
        lambda m: f"ingediend op {_dates(m['s'])}: doet pas na de horizon ({_dates(m['e'])}) mee",
    ),
    (
        rf"(?P<head>.+): rank (?P<rank>\d+) of (?P<of>\d+) at (?P<at>.+) on (?P<on>{_DATE})",
        _ranked,
    ),
    (
        r"small consumer waiting for the reserved room \(its own first-come line\) until it "
        r"joins the list on 2026-07-01",
        lambda m: (
            "kleinverbruiker die wacht op de gereserveerde ruimte (een eigen rij op "
            "volgorde van binnenkomst) tot die op 1 juli 2026 op de wachtrij komt"
        ),
    ),
    (r"(?P<mw>[\d,.]+) MW ahead of you", lambda m: f"{_number(m['mw'])} MW staat vóór u"),
    (
        rf"granted on (?P<on>{_DATE})"
        r"(?: as (?P<alt>\S+) \(an alternative right it accepts\))?"
        r"(?: when (?P<rf>\S+) added (?P<mw>\S+) MW at (?P<at>.+?))?"
        r"(?: after waiting (?P<months>\d+) months)?",
        _granted,
    ),
    (
        rf"contract lowered to (?P<kw>\S+) kW on (?P<on>{_DATE}) \(use it or lose it\)",
        lambda m: (
            f"contract verlaagd naar {_numbers(m['kw'])} kW op {_dates(m['on'])} "
            "(use it or lose it)"
        ),
    ),
    (rf"withdrawn on (?P<on>{_DATE})", lambda m: f"ingetrokken op {_dates(m['on'])}"),
    (
        r"held back at (?P<n>.+): a higher-ranked request does not fit there \(strict\)",
        lambda m: f"opgehouden bij {m['n']}: een hoger geplaatste aanvraag past daar niet (strikt)",
    ),
    (
        r"does not fit: (?P<n>.+) has (?P<left>\S+) MW left, "
        r"you need (?P<need>\S+) MW(?P<more> more)?",
        lambda m: (
            f"past niet: {m['n']} heeft nog {_number(m['left'])} MW, u hebt "
            f"{_number(m['need'])} MW{' meer' if m['more'] else ''} nodig"
        ),
    ),
    (
        r"would fit now as (?P<c>.+)",
        lambda m: f"zou nu passen als {_contracts(m['c'])}",
    ),
    (
        r"note: (?P<p>\S+) lists function '(?P<f>[^']+)' under (?P<c>[a-z ]+)",
        lambda m: f"let op: {m['p']} noemt de functie '{m['f']}' onder {_category(m['c'])}",
    ),
    (r"the operator checks the evidence", lambda m: "de netbeheerder controleert het bewijs"),
    (
        r"a firm request of up to (?P<kw>\d+) kW would fit now",
        lambda m: f"een vaste aanvraag tot {m['kw']} kW zou nu passen",
    ),
]

_LINES: Final[list[tuple[str, Callable[[re.Match[str]], str | None]]]] = [
    (
        r"Request (?P<id>\S+): (?P<kw>\S+) kW (?P<d>\S+) \((?P<c>\S+)\) at (?P<at>.+)",
        lambda m: (
            f"Aanvraag {m['id']}: {_numbers(m['kw'])} kW {_DIRECTION_NL.get(m['d'], m['d'])}"
            f" ({_CONTRACT_NL.get(m['c'], m['c'])}) bij {m['at']}"
        ),
    ),
    (
        r"Policy (?P<p>\S+), fit (?P<f>\S+), capacity (?P<c>\S+)\.",
        lambda m: f"Beleid {m['p']}, passen {m['f']}, capaciteit {m['c']}.",
    ),
    (
        r"Asked for: (?P<a>\S+); ranks as: (?P<r>\S+)\.",
        lambda m: f"Gevraagd: {_category(m['a'])}; telt als: {_category(m['r'])}.",
    ),
    (
        r"Status at the end: (?P<s>\S+)\.",
        lambda m: f"Status aan het eind: {_STATUS_NL.get(m['s'], m['s'])}.",
    ),
    (
        rf"Rank (?P<r>\d+) of (?P<o>\d+) at its station on (?P<on>{_DATE})\.",
        lambda m: f"Plaats {m['r']} van {m['o']} bij het station op {_dates(m['on'])}.",
    ),
    (rf"Granted on (?P<on>{_DATE})\.", lambda m: f"Toegekend op {_dates(m['on'])}."),
    (rf"Withdrawn on (?P<on>{_DATE})\.", lambda m: f"Ingetrokken op {_dates(m['on'])}."),
    (
        r"Binding node: (?P<how>held back \(strict\) at|full at) (?P<n>\S+)"
        r"(?: \((?P<mw>\S+) MW left\))?\.",
        lambda m: (
            "Knelpunt: "
            + ("opgehouden (strikt) bij" if m["how"].startswith("held") else "vol bij")
            + f" {m['n']}"
            + (f" (nog {_number(m['mw'])} MW)" if m["mw"] else "")
            + "."
        ),
    ),
    (
        r"Alternative: (?P<a>.+)\.",
        lambda m: None if (t := _fragment(m["a"])) is None else f"Alternatief: {t}.",
    ),
    (
        r"Monte Carlo \((?P<n>\d+) runs\): P10 (?P<p10>\S+), P50 (?P<p50>\S+), P90 (?P<p90>\S+) "
        r"\(None = not within the horizon\); withdrawn in (?P<w>\d+)% of runs\.",
        lambda m: (
            f"Monte Carlo ({m['n']} runs): P10 {_dates(m['p10'])}, P50 {_dates(m['p50'])}, "
            f"P90 {_dates(m['p90'])} (None = niet binnen de horizon); ingetrokken in {m['w']}% "
            "van de runs."
        ),
    ),
    (
        r"In short: (?P<t>.+)",
        lambda m: None if (t := _sentence(m["t"])) is None else f"Kort gezegd: {t}",
    ),
]


def _split(text: str) -> list[str]:
    """``text`` split at ``"; "`` outside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
            i += 1
        i += 1
    parts.append(text[start:])
    return parts


def _fragment(text: str) -> str | None:
    for pattern, build in _FRAGMENTS:
        m = re.fullmatch(pattern, text)
        if m:
            out = build(m)
            if out is not None:
                return out
    return None


def _sentence(text: str) -> str | None:
    out: list[str] = []
    for part in _split(text):
        done = _fragment(part)
        if done is None:
            return None
        out.append(done)
    return "; ".join(out)


def translate_explanation(lang: str, text: str | None) -> str:
    """An engine explanation (one line of fragments, or the multi-line detail) in ``lang``.

    English is returned as it is; in Dutch a fragment or line of no known shape stays
    English and is recorded as missing (see :func:`netruimte.i18n.collect_missing`).
    """
    if not text:
        return text or ""
    if lang != "nl":
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        done: str | None = None
        for pattern, build in _LINES:
            m = re.fullmatch(pattern, line)
            if m:
                done = build(m)
                break
        else:
            done = _sentence(line)
        if done is None:
            _note_missing(f"explanation: {line}")
            done = line
        lines.append(done)
    return "\n".join(lines)


class Explanation(Msg):
    """An engine explanation as a message: English as a ``str``, Dutch by its shapes."""

    def __new__(cls, text: str) -> Self:
        obj = super().__new__(cls, text.replace("{", "{{").replace("}", "}}"))
        obj.msgid = text
        return obj

    def in_language(self, lang: str) -> str:
        """The explanation in ``lang`` (a final full stop kept)."""
        text = str(self)
        stop = text.endswith(".")
        done = translate_explanation(lang, text[:-1] if stop else text)
        return done + "." if stop else done
