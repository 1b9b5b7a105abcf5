"""Reading TOML with limits: a size and a nesting depth that no real input file comes near.

Python's ``tomllib`` parses nested arrays and inline tables recursively, so a file of 50,000
opening brackets ends in a ``RecursionError`` deep inside the parser. Every TOML the program
reads from a user goes through :func:`parse_toml_text`, which refuses such a file first with
an :class:`~netruimte.errors.InputError` naming it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from netruimte.errors import InputError

__all__ = ["MAX_TOML_BYTES", "MAX_TOML_DEPTH", "parse_toml_text", "read_toml_file"]

MAX_TOML_BYTES = 32 * 1024 * 1024
"""Largest TOML file read (a scenario's many requests belong in ``requests_csv`` files)."""

MAX_TOML_DEPTH = 32
"""Deepest nesting of tables and arrays accepted."""

_TOKENS = re.compile(r"""\\.|\"\"\"|'''|"|'|#|\n|[\[\]{}]""")


def _nesting(text: str) -> int:
    """The deepest nesting of brackets and braces in TOML text, outside strings and comments.

    One pass over the few characters that matter, before the parser, so that a deeply nested
    file is refused before any recursion limit is reached. Table headers (``[[request]]``)
    count two. In a literal string (``'…'``) a backslash is plain text, so the character
    after it is skipped here; that can only matter for a quote, which then ends the string
    one token later: the bound stays an upper bound for every valid file we know of.
    """
    depth = deepest = 0
    quote = ""  # the open string's delimiter
    comment = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if comment:
            comment = token != "\n"
        elif quote:
            if token == quote or (token == "\n" and len(quote) == 1):
                quote = ""  # closed (or an unclosed one-line string: the parser says so)
        elif token in ('"', "'", '"""', "'''"):
            quote = token
        elif token == "#":
            comment = True
        elif token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return deepest


def parse_toml_text(text: str, name: str | Path) -> dict[str, Any]:
    """Parse TOML text with limits on size and nesting (InputError naming the file and line)."""
    if len(text) > MAX_TOML_BYTES:
        raise InputError(
            f"the TOML file is too large (over {MAX_TOML_BYTES // (1024 * 1024)} MB); put the "
            "requests in a requests_csv file",
            source=name,
        )
    if _nesting(text) > MAX_TOML_DEPTH:
        raise InputError(
            f"the TOML file is nested too deeply (more than {MAX_TOML_DEPTH} levels)", source=name
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:  # before Python 3.14 the line is only in the message
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise InputError(f"not valid TOML: {exc}", source=name, line=line) from None
    except RecursionError:
        raise InputError(
            f"the TOML file is nested too deeply (more than {MAX_TOML_DEPTH} levels)", source=name
        ) from None
    if _depth(data) > MAX_TOML_DEPTH:
        raise InputError(
            f"the TOML file is nested too deeply (more than {MAX_TOML_DEPTH} levels)", source=name
        )
    return data


def read_toml_file(path: Path, kind: str) -> tuple[str, dict[str, Any]]:
    """The text and the tables of a TOML file, read through :func:`parse_toml_text`.

    A missing file, a folder, text that is not UTF-8 and bad TOML (with its line) raise
    :class:`InputError` naming the file; ``kind`` says what the file should have been ("a
    folder, not a {kind} TOML file").
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=path) from None
    except IsADirectoryError:
        raise InputError(f"a folder, not a {kind} TOML file", source=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=path) from None
    return text, parse_toml_text(text, path)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest
