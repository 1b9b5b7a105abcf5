"""Errors of the service layer; the web layer maps each to an HTTP status.

Bad input raises :class:`netruimte.errors.InputError` (422, naming the field) like everywhere
else in netruimte; the classes here cover what only a shared service has: objects that are not
there (or not yours), roles that may not do something, and states that forbid an action.
"""

from __future__ import annotations

from netruimte.errors import NetruimteError

__all__ = [
    "Conflict",
    "Forbidden",
    "NotFound",
    "ServiceError",
    "TooMany",
    "Unauthorized",
    "Unavailable",
]


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
