"""Configuration of the web service.

Every setting has a default that works on a fresh machine; the command line
(``netruimte serve --db URL --host H --port N``) and environment variables override them:

==========================  =================================================  ==============
variable                    meaning                                            default
==========================  =================================================  ==============
``NETRUIMTE_DB``            database URL (or an SQLite file path)              ``sqlite:///netruimte.db``
``NETRUIMTE_WORKER``        run the job worker thread in the server (0/1)       ``1``
``NETRUIMTE_BOOTSTRAP``     import the bundled Flevoland scenario when empty    ``1``
``NETRUIMTE_MIGRATE``       apply database migrations at start                  ``1``
``NETRUIMTE_SECURE_COOKIES`` the sign-in cookie's Secure flag (0/1)            over https
``NETRUIMTE_LANGUAGE``      pages' language without ``?lang`` or cookie (nl/en)  ``nl``
==========================  =================================================  ==============
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from netruimte.errors import InputError
from netruimte.i18n import DEFAULT_LANGUAGE, check_language
from netruimte.storage import resolve_db_url

__all__ = ["Settings"]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise InputError(f"expected 0 or 1, got {raw!r}", source="environment", field=name)


@dataclass(frozen=True)
class Settings:
    """What :func:`netruimte.web.app.create_app` needs.

    Parameters
    ----------
    db_url
        Database URL (SQLite file or PostgreSQL).
    worker
        Start the job worker thread with the app.
    bootstrap
        Import the bundled scenario into an empty register at start.
    migrate
        Apply the database migrations at start.
    poll_s, stale_after_s
        Worker queue polling interval and the heartbeat age after which a running job is
        taken to be orphaned (seconds).
    max_upload_bytes
        Largest upload accepted (scenario bundles, site files).
    secure_cookies
        The sign-in cookie's Secure flag: True or False as given, None (default) when the
        request came over https (``NETRUIMTE_SECURE_COOKIES=1`` behind a TLS proxy that does
        not send ``X-Forwarded-Proto``).
    language
        The pages' language when the request has neither ``?lang`` nor the language cookie:
        ``nl`` (default; the users of a Dutch grid are Dutch) or ``en``.
    """

    db_url: str = "sqlite:///netruimte.db"
    worker: bool = True
    bootstrap: bool = True
    migrate: bool = True
    poll_s: float = 1.0
    stale_after_s: float = 120.0
    max_upload_bytes: int = 200 * 1024 * 1024
    secure_cookies: bool | None = None
    language: str = DEFAULT_LANGUAGE

    def __post_init__(self) -> None:
        check_language(self.language, "NETRUIMTE_LANGUAGE")

    @classmethod
    def from_env(cls, db_url: str | None = None) -> Settings:
        """Settings from the environment; ``db_url`` (``--db``) wins over NETRUIMTE_DB."""
        return cls(
            db_url=resolve_db_url(db_url),
            worker=_flag("NETRUIMTE_WORKER", True),
            bootstrap=_flag("NETRUIMTE_BOOTSTRAP", True),
            migrate=_flag("NETRUIMTE_MIGRATE", True),
            secure_cookies=(
                _flag("NETRUIMTE_SECURE_COOKIES", False)
                if os.environ.get("NETRUIMTE_SECURE_COOKIES", "").strip()
                else None
            ),
            language=os.environ.get("NETRUIMTE_LANGUAGE", "").strip() or DEFAULT_LANGUAGE,
        )
