"""The exceptions netruimte raises for bad input and for problems without a solution.

The CLI maps :class:`InputError` to exit code 2 and :class:`NoSolutionError` to exit code 1
(see ``docs/cli.md``). Messages always name where the problem is (file, line, field) and what
was expected, so a user can fix the input without reading code.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "Conflict",
    "Forbidden",
    "InputError",
    "NetruimteError",
    "NoSolutionError",
    "NotFound",
    "ServiceError",
    "TooMany",
    "Unauthorized",
    "Unavailable",
]


class NetruimteError(Exception):
    """Base class of every error netruimte raises on purpose."""


class InputError(NetruimteError, ValueError):
    """Input that cannot be used: a malformed file, a wrong key, a value out of range.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    source
        The file (or other named input) the problem is in, if any.
    line
        1-based line number in ``source``, if the problem is on one line.
    field
        The column, key or field name, if the problem is in one field.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.line = line
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source is not None:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class NoSolutionError(NetruimteError):
    """A well-formed question that has no answer, e.g. an infeasible site plan.

    The message says why, and when (a timestamp) where that applies.
    """


# --- errors of the use cases (the web layer maps each to an HTTP status) ---
class ServiceError(NetruimteError):
    """Base class; ``status`` is the HTTP status the API answers with."""

    status = 400
    retry_after: int | None = None

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        self.message = message
        if retry_after is not None:
            self.retry_after = retry_after
        super().__init__(message)


class NotFound(ServiceError):
    """No such object, or it belongs to another applicant (never say which)."""

    status = 404


class Forbidden(ServiceError):
    """The caller's role may not do this (e.g. an applicant triggering a run)."""

    status = 403


class Unauthorized(ServiceError):
    """No valid token where one is required."""

    status = 401


class Conflict(ServiceError):
    """The action does not fit the current state (a grant without room, a second withdrawal)."""

    status = 409


class TooMany(ServiceError):
    """The caller asks too often or holds too much (sign-in attempts, queued jobs, stored
    files); ``retry_after`` in seconds when waiting helps."""

    status = 429


class Unavailable(ServiceError):
    """The database is busy for longer than a request may wait; try again shortly."""

    status = 503
    retry_after = 2
