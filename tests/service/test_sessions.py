"""Sign-in sessions, token expiry, revoking and removing users, sign-in rate limiting.

The cookie is a server-side session id, never the API token; sign-out ends the session at
once (a copy of the cookie stops working); sessions end when idle and at an absolute limit;
tokens expire; ``users revoke`` and ``users remove`` end access; wrong sign-ins are limited
per client with 429 and Retry-After.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from sqlalchemy import select, update

from netruimte.access import auth
from netruimte.access.auth import SESSION_IDLE, SESSION_MAX
from netruimte.cli import main
from netruimte.errors import Unauthorized
from netruimte.storage import Database
from netruimte.storage.tables import User, WebSession
from netruimte.web.app import create_app
from netruimte.web.pages.render import COOKIE
from netruimte.web.pages.throttle import SignInThrottle
from netruimte.web.settings import Settings
from tests.service.conftest import TestClient, Users, bearer, form_token


def _sign_in(client, token: str) -> str:  # type: ignore[no-untyped-def]
    res = client.post("/login", data={"token": token}, follow_redirects=False)
    assert res.status_code == 303, res.text
    return str(res.cookies[COOKIE])


def test_cookie_is_a_session_id_revoked_at_sign_out(client, users: Users, db: Database) -> None:
    session_id = _sign_in(client, users.alice_token)
    assert session_id != users.alice_token and len(session_id) >= 40
    with db.read() as s:  # only a digest is stored
        [row] = s.scalars(select(WebSession)).all()
        assert row.id_hash == auth.hash_token(session_id) and row.id_hash != session_id
    assert client.get("/requests").status_code == 200
    assert (
        client.post(
            "/logout", data={"csrf_token": form_token(client)}, follow_redirects=False
        ).status_code
        == 303
    )
    client.cookies.clear()
    # a copy of the cookie no longer works after sign-out
    client.cookies.set(COOKIE, session_id)
    res = client.get("/requests", follow_redirects=False)
    assert res.status_code == 303 and "/login" in res.headers["location"]
    # the raw API token as a cookie never signs a browser in
    client.cookies.set(COOKIE, users.alice_token)
    res = client.get("/requests", follow_redirects=False)
    assert res.status_code == 303
    client.cookies.clear()
    # and the API token itself still works for the API
    assert client.get("/api/v1/me", headers=bearer(users.alice_token)).status_code == 200


def test_sessions_end_when_idle_and_at_the_absolute_limit(
    client, users: Users, db: Database
) -> None:
    session_id = _sign_in(client, users.alice_token)
    digest = auth.hash_token(session_id)
    now = dt.datetime.now(dt.UTC)
    with db.write() as s:  # seen recently, but signed in long ago
        s.execute(
            update(WebSession)
            .where(WebSession.id_hash == digest)
            .values(expires_at=now - dt.timedelta(seconds=1))
        )
    with pytest.raises(Unauthorized, match="expired"):
        auth.authenticate_session(db, session_id)
    session_id = _sign_in(client, users.alice_token)
    digest = auth.hash_token(session_id)
    assert auth.authenticate_session(db, session_id).name == "alice"
    with db.write() as s:  # idle too long
        s.execute(
            update(WebSession)
            .where(WebSession.id_hash == digest)
            .values(last_seen_at=now - SESSION_IDLE - dt.timedelta(seconds=1))
        )
    with pytest.raises(Unauthorized, match="expired"):
        auth.authenticate_session(db, session_id)
    session_id = _sign_in(client, users.alice_token)
    with db.read() as s:
        row = s.get(WebSession, auth.hash_token(session_id))
        assert row is not None
        assert row.expires_at - row.created_at == SESSION_MAX


def test_tokens_expire(db: Database, users: Users, client) -> None:
    _, token = auth.add_user(db, "carol", "applicant", days=1)
    assert auth.authenticate(db, token).name == "carol"
    with db.write() as s:
        s.execute(
            update(User)
            .where(User.name == "carol")
            .values(token_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    with pytest.raises(Unauthorized, match="expired"):
        auth.authenticate(db, token)
    res = client.get("/api/v1/me", headers=bearer(token))
    assert res.status_code == 401 and "expired" in res.json()["message"]
    assert client.post("/login", data={"token": token}).status_code == 401
    fresh = auth.rotate_token(db, "carol", days=30)
    assert auth.authenticate(db, fresh).name == "carol"
    with pytest.raises(Exception, match="1 to 3650 days"):
        auth.add_user(db, "dave", "applicant", days=0)


def test_revoke_and_remove_end_access_at_once(
    db: Database, users: Users, client, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    session_id = _sign_in(client, users.bob_token)
    client.cookies.clear()
    for args in (("users", "revoke", "bob"), ("users", "remove", "alice")):
        monkeypatch.setattr(sys, "argv", ["netruimte", *args, "--db", db.url])
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 0, capsys.readouterr().err
    for token in (users.bob_token, users.alice_token):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    with pytest.raises(Unauthorized):
        auth.authenticate_session(db, session_id)
    assert [u.name for u in auth.list_users(db)] == ["op", "bob"]
    # bob gets access back with a new token; alice is gone
    assert auth.authenticate(db, auth.rotate_token(db, "bob")).name == "bob"
    monkeypatch.setattr(sys, "argv", ["netruimte", "users", "remove", "alice", "--db", db.url])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2 and "no user named 'alice'" in capsys.readouterr().err
    actions = [
        e["action"]
        for e in client.get(
            "/api/v1/audit", params={"limit": 100}, headers=bearer(users.operator_token)
        ).json()["items"]
    ]
    assert "user.revoke" in actions and "user.remove" in actions


def test_wrong_sign_ins_are_limited_with_429(client, users: Users) -> None:
    for _ in range(5):
        assert client.post("/login", data={"token": "guess"}).status_code == 401
    res = client.post("/login", data={"token": "guess"})
    assert res.status_code == 429 and 1 <= int(res.headers["Retry-After"]) <= 60
    # the right token has to wait too: guesses cannot be interleaved with it
    res = client.post("/login", data={"token": users.alice_token}, follow_redirects=False)
    assert res.status_code == 429
    twin = client.post("/login", data={"token": "x"}, headers={"Accept": "application/json"})
    assert twin.status_code == 429 and twin.json()["error"] == "too-many"


def test_throttle_window_slides() -> None:
    now = [0.0]
    throttle = SignInThrottle(failures=3, window_s=60, clock=lambda: now[0])
    for t in (0.0, 10.0, 20.0):
        now[0] = t
        assert throttle.retry_after("a") is None
        throttle.failed("a")
    now[0] = 30.0
    assert throttle.retry_after("a") == 30 and throttle.retry_after("b") is None
    now[0] = 60.0
    assert throttle.retry_after("a") is None  # the failure at 0 s has left the window


@pytest.mark.parametrize(("secure", "expected"), [(True, True), (None, False), (False, False)])
def test_secure_flag_as_configured(db: Database, users: Users, secure, expected) -> None:
    app = create_app(
        Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False, secure_cookies=secure)
    )
    with TestClient(app) as client:
        res = client.post("/login", data={"token": users.alice_token}, follow_redirects=False)
        assert ("Secure" in res.headers["set-cookie"]) is expected
    with TestClient(app, base_url="https://testserver") as client:
        res = client.post("/login", data={"token": users.alice_token}, follow_redirects=False)
        assert ("Secure" in res.headers["set-cookie"]) is (secure is not False)
