"""Users, roles and API tokens.

A token is ``secrets.token_urlsafe(32)`` (256 random bits), shown once when the user is added;
only its SHA-256 hex digest is stored, so a copy of the database does not give access. A
presented token is hashed and looked up; the stored and computed digests are compared with
:func:`hmac.compare_digest`.

Roles: ``operator`` may do everything; ``applicant`` sees and changes only its own requests,
site plans and jobs (another applicant's objects answer 404, as if they did not exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from netruimte.errors import InputError
from netruimte.services.errors import Conflict, Forbidden, NotFound, Unauthorized
from netruimte.storage import Database
from netruimte.storage.tables import User

__all__ = [
    "SYSTEM",
    "Principal",
    "Role",
    "add_user",
    "authenticate",
    "hash_token",
    "list_users",
    "new_token",
    "require_operator",
    "rotate_token",
]

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


def add_user(db: Database, name: str, role: Role | str) -> tuple[Principal, str]:
    """Add a user; returns the principal and its token (shown once, never stored).

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
    token = new_token()
    try:
        with db.write() as session:
            user = User(name=name, role=role.value, token_hash=hash_token(token), created_at=_now())
            session.add(user)
            session.flush()
            principal = Principal(user_id=user.id, name=name, role=role)
            _audit(db, session, "user.add", principal)
    except IntegrityError:
        raise Conflict(f"a user named {name!r} exists already") from None
    return principal, token


def rotate_token(db: Database, name: str) -> str:
    """Give a user a new token (the old one stops working); returns the new token."""
    token = new_token()
    with db.write() as session:
        user = session.scalars(select(User).where(User.name == name)).one_or_none()
        if user is None:
            raise NotFound(f"no user named {name!r}")
        user.token_hash = hash_token(token)
        _audit(db, session, "user.token", Principal(user.id, user.name, Role(user.role)))
    return token


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
        return Principal(user_id=user.id, name=user.name, role=Role(user.role))


def require_operator(principal: Principal, what: str) -> None:
    """Raise Forbidden unless the principal is an operator."""
    if not principal.is_operator:
        raise Forbidden(f"only an operator may {what}")


def _audit(db: Database, session: Session, action: str, user: Principal) -> None:
    from netruimte.services import audit  # audit needs Principal from this module

    audit.append(
        db,
        session,
        actor=SYSTEM,
        action=action,
        obj=f"user:{user.name}",
        inputs={"user_id": user.user_id, "role": user.role.value},
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
