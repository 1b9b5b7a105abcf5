"""EAN codes of the Dutch energy market: EAN-18 for connection points, EAN-13 for parties.

The check digit is the GS1 mod-10 check: from the digit left of the check digit going left,
the digits are weighted 3, 1, 3, 1, ...; the check digit is ``(10 - sum mod 10) mod 10``.
Dutch connection points start with ``871``.

References
----------
GS1 General Specifications, section 7.9 (check digit calculation). See docs/sources.md [gs1-check].
"""

from __future__ import annotations

__all__ = ["gs1_check_digit", "validate_ean13", "validate_ean18"]

NL_PREFIX = "871"


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits but the check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _validate(code: object, length: int, *, field: str, source: str | None) -> str:
    from netruimte.errors import InputError

    text = str(code).strip() if code is not None else ""
    if len(text) != length or not text.isdigit():
        raise InputError(
            f"expected an EAN-{length} of exactly {length} digits, got {text!r}",
            source=source,
            field=field,
        )
    expected = gs1_check_digit(text[:-1])
    if int(text[-1]) != expected:
        raise InputError(
            f"EAN-{length} {text} has check digit {text[-1]}, expected {expected} (GS1 mod-10)",
            source=source,
            field=field,
        )
    return text


def validate_ean18(code: object, *, field: str = "ean", source: str | None = None) -> str:
    """Validate a Dutch connection-point EAN-18 and return it as a string of digits.

    Raises
    ------
    InputError
        Not 18 digits, not starting with ``871``, or a wrong check digit.
    """
    from netruimte.errors import InputError

    text = _validate(code, 18, field=field, source=source)
    if not text.startswith(NL_PREFIX):
        raise InputError(
            f"a Dutch connection EAN-18 starts with {NL_PREFIX}, got {text}",
            source=source,
            field=field,
        )
    return text


def validate_ean13(code: object, *, field: str = "ean", source: str | None = None) -> str:
    """Validate a market-party EAN-13 (e.g. a grid operator) and return it."""
    return _validate(code, 13, field=field, source=source)
