"""Users, roles and API tokens.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when the user is added;
only its SHA-256 hex digest is stored, so a copy of the database does not give access. A
presented token is hashed and looked up; the stored and computed digests are compared with
:func:`hmac.compare_digest`.

Roles: ``operator`` may do everything; ``applicant`` sees and changes only its own requests,
site plans and jobs (another applicant's objects answer 404, as if they did not exist).

Every token expires (:data:`TOKEN_DAYS` by default). A browser signs in with a token once and
then holds a *session*: a second random secret in its cookie, stored only as a digest too,
ended by sign-out, by :data:`SESSION_IDLE` without a request, by :data:`SESSION_MAX` after
sign-in, and with the user's token (``users token``, ``users revoke``) or the user
(``users remove``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from netruimte._util import utc_now
from netruimte.errors import Conflict, Forbidden, InputError, NotFound, Unauthorized
from netruimte.storage import Database
from netruimte.storage.tables import User, WebSession

__all__ = [
    "SESSION_IDLE",
    "SESSION_MAX",
    "SYSTEM",
    "TOKEN_DAYS",
    "Principal",
    "Role",
    "add_user",
    "authenticate",
    "authenticate_session",
    "end_session",
    "hash_token",
    "list_users",
    "new_token",
    "own_rows",
    "remove_user",
    "require_operator",
    "revoke_user",
    "rotate_token",
    "start_session",
]

TOKEN_DAYS = 365
"""Days a new token works (``users add/token --days N`` to choose)."""

SESSION_IDLE = dt.timedelta(hours=8)
"""A browser session ends after this long without a request."""

SESSION_MAX = dt.timedelta(days=7)
"""A browser session ends this long after sign-in, however busy."""

_TOUCH_EVERY = dt.timedelta(minutes=1)
"""How stale ``last_seen_at`` may get before a request writes it (writes are not free)."""

_Query = TypeVar("_Query", bound=Select[Any])

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,199}$")


class Role(StrEnum):
    """What a user may do."""

    OPERATOR = "operator"
    APPLICANT = "applicant"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a user (``user_id``), or the system itself (``user_id`` None)."""

    user_id: int | None
    name: str
    role: Role

    @property
    def is_operator(self) -> bool:
        """Operators (and the system) may do everything."""
        return self.role is Role.OPERATOR

    def owns(self, owner_id: int | None) -> bool:
        """Whether this principal may see an object owned by ``owner_id``."""
        return self.is_operator or (owner_id is not None and owner_id == self.user_id)


SYSTEM = Principal(user_id=None, name="system", role=Role.OPERATOR)
"""The principal of the command line and of the server's own start-up work."""


def new_token() -> str:
    """A fresh API token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise InputError(
            "a user name is 1-200 characters: letters, digits, space, '.', '_', '@', '-', "
            f"starting with a letter or digit; got {name!r}",
            field="name",
        )
    return name


def _check_days(days: int) -> dt.datetime:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise InputError(f"a token lasts 1 to 3650 days, got {days!r}", field="days")
    return utc_now() + dt.timedelta(days=days)


def add_user(
    db: Database, name: str, role: Role | str, days: int = TOKEN_DAYS
) -> tuple[Principal, str]:
    """Add a user; returns the principal and its token (shown once, never stored), which
    works for ``days`` days.

    Raises
    ------
    InputError
        Bad name or role.
    Conflict
        The name is taken.
    """
    name = _check_name(name)
    try:
        role = Role(role)
    except ValueError:
        raise InputError(
            f"unknown role {role!r}; expected operator | applicant", field="role"
        ) from None
    until = _check_days(days)
    token = new_token()
    try:
        with db.write() as session:
            user = User(
                name=name,
                role=role.value,
                token_hash=hash_token(token),
                created_at=utc_now(),
                token_expires_at=until,
            )
            session.add(user)
            session.flush()
            principal = Principal(user_id=user.id, name=name, role=role)
            _audit(db, session, "user.add", principal)
    except IntegrityError:
        raise Conflict(f"a user named {name!r} exists already") from None
    return principal, token


def rotate_token(db: Database, name: str, days: int = TOKEN_DAYS) -> str:
    """Give a user a new token (the old one and every browser session stop working);
    returns the new token, which works for ``days`` days."""
    until = _check_days(days)
    token = new_token()
    with db.write() as session:
        user = _user(session, name)
        user.token_hash = hash_token(token)
        user.token_expires_at = until
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        _audit(db, session, "user.token", Principal(user.id, user.name, Role(user.role)))
    return token


def revoke_user(db: Database, name: str) -> None:
    """End a user's access now: the token stops working (no new one is issued) and every
    browser session ends. ``rotate_token`` gives access back."""
    with db.write() as session:
        user = _user(session, name)
        user.token_hash = hash_token(new_token())  # a digest of a secret nobody holds
        user.token_expires_at = utc_now()
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        _audit(db, session, "user.revoke", Principal(user.id, user.name, Role(user.role)))


def remove_user(db: Database, name: str) -> None:
    """Remove a user: token and sessions end; their requests, plans and jobs stay, without an
    owner (operators still see them); the audit trail keeps the name."""
    with db.write() as session:
        user = _user(session, name)
        principal = Principal(user.id, user.name, Role(user.role))
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        session.delete(user)
        session.flush()
        _audit(db, session, "user.remove", principal)


def _user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).one_or_none()
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def list_users(db: Database) -> list[Principal]:
    """All users, by id."""
    with db.read() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        return [Principal(user_id=u.id, name=u.name, role=Role(u.role)) for u in users]


def authenticate(db: Database, token: str | None) -> Principal:
    """The principal a bearer token belongs to.

    Raises
    ------
    Unauthorized
        No token, or an unknown one.
    """
    if not token:
        raise Unauthorized("missing token: send 'Authorization: Bearer <token>'")
    digest = hash_token(token)
    with db.read() as session:
        user = session.scalars(select(User).where(User.token_hash == digest)).one_or_none()
        if user is None or not hmac.compare_digest(user.token_hash, digest):
            raise Unauthorized("invalid token")
        if user.token_expires_at <= utc_now():
            raise Unauthorized("the token has expired; `netruimte users token NAME` issues one")
        return Principal(user_id=user.id, name=user.name, role=Role(user.role))


def start_session(db: Database, token: str) -> tuple[Principal, str]:
    """Sign a browser in with an API token; returns the principal and a new session id for
    the cookie (only its digest is stored)."""
    principal = authenticate(db, token)
    session_id = new_token()
    now = utc_now()
    with db.write() as session:
        session.execute(  # tidy: this user's ended sessions
            delete(WebSession).where(
                WebSession.user_id == principal.user_id,
                (WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - SESSION_IDLE),
            )
        )
        session.add(
            WebSession(
                id_hash=hash_token(session_id),
                user_id=principal.user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_MAX,
            )
        )
    return principal, session_id


def authenticate_session(db: Database, session_id: str | None) -> Principal:
    """The principal of a browser session (Unauthorized when unknown, ended or expired)."""
    if not session_id:
        raise Unauthorized("please sign in")
    digest = hash_token(session_id)
    now = utc_now()
    with db.read() as session:
        row = session.get(WebSession, digest)
        user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            raise Unauthorized("your sign-in is no longer valid; sign in again")
        if row.expires_at <= now or row.last_seen_at <= now - SESSION_IDLE:
            raise Unauthorized("your sign-in has expired; sign in again")
        if user.token_expires_at <= now:
            raise Unauthorized("your token has expired; ask for a new one")
        principal = Principal(user_id=user.id, name=user.name, role=Role(user.role))
        stale = row.last_seen_at <= now - _TOUCH_EVERY
    if stale:
        with db.write() as session:
            row = session.get(WebSession, digest)
            if row is not None:
                row.last_seen_at = now
    return principal


def end_session(db: Database, session_id: str | None) -> None:
    """Sign a browser out: its session id stops working at once."""
    if session_id:
        with db.write() as session:
            session.execute(delete(WebSession).where(WebSession.id_hash == hash_token(session_id)))


def own_rows(
    stmt: _Query, principal: Principal, owner: InstrumentedAttribute[int | None]
) -> _Query:
    """``stmt`` limited to the rows ``principal`` owns (``owner`` is the owner column);
    an operator sees every row."""
    return stmt if principal.is_operator else stmt.where(owner == principal.user_id)


def require_operator(principal: Principal, what: str) -> None:
    """Raise Forbidden unless the principal is an operator."""
    if not principal.is_operator:
        raise Forbidden(f"only an operator may {what}")


def _audit(db: Database, session: Session, action: str, user: Principal) -> None:
    from netruimte.access import audit  # audit needs Principal from this module

    audit.append(
        db,
        session,
        actor=SYSTEM,
        action=action,
        obj=f"user:{user.name}",
        inputs={"user_id": user.user_id, "role": user.role.value},
    )
