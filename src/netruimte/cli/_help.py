"""The root help of ``netruimte``, written without importing Typer.

``netruimte --help`` is answered by :func:`netruimte.cli.main` before Typer is imported (its
import is most of the start-up). The text is the one Typer writes (plain click formatting, as
the root app sets ``rich_markup_mode=None``): the same usage line, the same wrapping at the
same width, the commands' one-line helps shortened by click's rule. The test
``tests/cli/test_cli_startup.py`` compares the two for every width click can choose (50 to 78
columns) and both program names (``netruimte`` and ``python -m netruimte``).
"""

from __future__ import annotations

import os
import sys

from netruimte.cli import COMMANDS

__all__ = ["root_help", "short_help"]

SUMMARY = "netruimte (grid room): living with grid congestion."
"""The root group's help (also in :mod:`netruimte.cli._app`; the test keeps them equal)."""

OPTIONS = (
    ("--version", "Print the version and exit."),
    ("--help", "Show this message and exit."),
)


def short_help(text: str, max_length: int) -> str:
    """click's one-line help: the first sentence, or words up to ``max_length`` and "..."."""
    words = text.split("\n\n", 1)[0].split()
    if not words:
        return ""
    total = 0
    last = len(words) - 1
    i = 0
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > max_length:
            break
        if word[-1] == ".":
            return " ".join(words[: i + 1])
        if total == max_length and i != last:
            break
    else:
        return " ".join(words)
    total += len("...")
    while i > 0:
        total -= len(words[i]) + (i > 0)
        if total <= max_length:
            break
        i -= 1
    return " ".join(words[:i]) + "..."


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    """click's ``wrap_text`` for one paragraph (no word is longer than a line here)."""
    if len(first) + len(text) <= width and "  " not in text and text == text.strip():
        return first + text  # fits: what the wrapper returns, without importing it (and re)
    import textwrap

    wrapper = textwrap.TextWrapper(
        width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False
    )
    return wrapper.fill(text.expandtabs())


def _program_name() -> str:
    """click's program name: the script's name, or ``python -m package``."""
    main = sys.modules.get("__main__")
    path = sys.argv[0]
    package = getattr(main, "__package__", None)
    if package in (None, ""):
        return os.path.basename(path)
    module = str(package)
    name = os.path.splitext(os.path.basename(path))[0]
    if name != "__main__":
        module = f"{module}.{name}"
    return f"python -m {module.lstrip('.')}"


def _width() -> int:
    """click's help width: the terminal's (``COLUMNS`` first), at most 80, minus 2, >= 50."""
    columns = 0
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            stdout = sys.__stdout__
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
        if columns <= 0:
            columns = 80
    return max(min(columns, 80) - 2, 50)


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    """click's ``write_dl`` at indent 2 (every row here fits on one line after shortening)."""
    first_col = min(max(len(name) for name, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    lines = []
    for name, text in rows:
        head = f"  {name}" + " " * (first_col - len(name))
        body = _wrap(text, text_width, "", "").splitlines()
        lines.append(head + (body[0] if body else ""))
        lines += [" " * (first_col + 2) + more for more in body[1:]]
    return lines


def root_help(width: int | None = None, program: str | None = None) -> str:
    """The text of ``netruimte --help`` (with its final newline), as Typer writes it."""
    width = _width() if width is None else width
    program = _program_name() if program is None else program
    prefix = f"Usage: {program} "
    arguments = "[OPTIONS] COMMAND [ARGS]..."
    if width >= len(prefix) + 20:
        usage = _wrap(arguments, width, prefix, " " * len(prefix))
    else:
        indent = " " * (len("Usage: ") + 4)
        usage = prefix + "\n" + _wrap(arguments, width, indent, indent)
    limit = width - 6 - max(len(name) for name in COMMANDS)
    commands = [(name, short_help(entry.help, limit)) for name, entry in COMMANDS.items()]
    lines = [usage, "", _wrap(SUMMARY, width, "  ", "  "), "", "Options:"]
    lines += _definitions(list(OPTIONS), width)
    lines += ["", "Commands:"]
    lines += _definitions(commands, width)
    return "\n".join(lines) + "\n"
