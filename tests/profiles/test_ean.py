"""EAN-18 and EAN-13 validation (GS1 mod-10), with the examples of docs/sources.md [dso-ean]."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netruimte.errors import InputError
from netruimte.profiles import validate_ean13, validate_ean18
from netruimte.profiles.ean import gs1_check_digit


def test_valid_examples():
    assert validate_ean18("871685900000000127") == "871685900000000127"
    assert validate_ean18(871685900000000127) == "871685900000000127"
    for code in ("8716871000002", "8712423014022", "8716892000005"):
        assert validate_ean13(code) == code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("871685900000000128", "check digit 8, expected 7"),
        ("87168590000000012", "exactly 18 digits"),
        ("87168590000000012X", "exactly 18 digits"),
        ("54168590000000012" + str(gs1_check_digit("54168590000000012")), "starts with 871"),
        ("", "exactly 18 digits"),
    ],
)
def test_invalid_ean18(code, fragment):
    with pytest.raises(InputError, match=fragment) as info:
        validate_ean18(code, field="request.ean", source="requests.csv")
    assert "requests.csv" in str(info.value)
    assert "request.ean" in str(info.value)


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_any_body_with_its_check_digit_is_valid(body):
    code = "871" + body + str(gs1_check_digit("871" + body))
    assert validate_ean18(code) == code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(InputError):
        validate_ean18(wrong)
