"""Secret key, cookie flags, production errors, cross-site writes, lockout and session expiry."""

from __future__ import annotations

import datetime as dt

import flask
import pytest
import sqlalchemy as sa

from dashboard import config
from dashboard.auth import audit, db, hardening, lockout, passwords, users
from dashboard.auth import setup as auth_setup
from tests import dash_payloads as dp
from tests.auth_helpers import Login, client_for, csrf_token, sign_in

STRONG_KEY = "k7Qw2-xZ9pLmT4vB8nR1sYc6HfJ0dGa3eUoKi5WqX"


# ---- Secret key and production start-up ---------------------------------------------------


@pytest.mark.parametrize("key", ["", "secret", "changeme", "dev", "toypulse",
                                 "please-change-me-in-production-now", "short-but-random-7Qw",
                                 "a" * 64, "abababababababababababababababab"])
def test_weak_secret_keys_are_named(key):
    assert hardening.secret_key_problem(key) is not None


def test_a_random_secret_key_is_accepted():
    assert hardening.secret_key_problem(STRONG_KEY) is None


def bare_server(tmp_path, monkeypatch, env: dict) -> flask.Flask:
    """A fresh Flask server with the sign-in machinery only (the Dash app is one per process)."""
    for name in ("env", "secret_key", "debug", "secure_cookies"):
        monkeypatch.delenv(f"DASHBOARD_{name.upper()}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"DASHBOARD_{name.upper()}", value)
    server = flask.Flask("bare")
    auth_setup.init_app(server, f"sqlite:///{tmp_path / 'app.db'}")
    return server


@pytest.mark.parametrize("key", ["", "changeme", "secret"])
def test_production_refuses_to_start_with_a_missing_or_known_key(tmp_path, monkeypatch, key):
    with pytest.raises(hardening.InsecureConfigError, match="refusing to start"):
        bare_server(tmp_path, monkeypatch, {"env": "production", "secret_key": key})


def test_production_refuses_debug_mode(tmp_path, monkeypatch):
    with pytest.raises(hardening.InsecureConfigError, match="DEBUG"):
        bare_server(tmp_path, monkeypatch,
                    {"env": "production", "secret_key": STRONG_KEY, "debug": "1"})


def _signed_in_bare(server) -> tuple[flask.testing.FlaskClient, flask.Response]:
    database = server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    users.create(database, "someone", secret, "analyst")
    client = server.test_client()
    return client, sign_in(client, Login("someone", secret, "analyst", ()))


def test_production_cookies_are_secure_httponly_samesite(tmp_path, monkeypatch):
    server = bare_server(tmp_path, monkeypatch, {"env": "production", "secret_key": STRONG_KEY})
    assert server.secret_key == STRONG_KEY
    _client, response = _signed_in_bare(server)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("toypulse_session="))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


def test_development_cookies_are_httponly_samesite(app, accounts):
    client = app.server.test_client()
    response = sign_in(client, accounts["analyst"])
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("toypulse_session="))
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on a developer's machine
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_production_errors_carry_no_traceback(tmp_path, monkeypatch):
    server = bare_server(tmp_path, monkeypatch, {"env": "production", "secret_key": STRONG_KEY})

    @server.get("/boom")
    def boom():
        raise ValueError("internal detail: /srv/secret/path")

    client, _ = _signed_in_bare(server)
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "internal detail" not in body and "ValueError" not in body
    assert response.get_json() == {"error": "internal error"}


# ---- Cross-site and non-JSON writes ------------------------------------------------------


def _overview_body(client) -> dict:
    return dp.payload(dp.dependency(client, dp.OVERVIEW), dp.overview_values(),
                      ["ov-f-regions.value"])


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "https://evil.example/page"},
], ids=["other-origin", "null-origin", "sec-fetch-cross-site", "other-referer"])
def test_cross_site_posts_are_refused_even_with_a_session(client_as, headers):
    client = client_as("analyst")
    response = dp.post(client, _overview_body(client), headers=headers)
    assert response.status_code == 403
    assert b"figure" not in response.get_data()


def test_same_origin_posts_are_served(client_as):
    client = client_as("analyst")
    response = dp.post(client, _overview_body(client),
                       headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_dash_endpoints_take_json_only(client_as, content_type):
    """What a cross-site <form> can send (no preflight) never reaches a callback."""
    import json

    client = client_as("analyst")
    response = client.post("/_dash-update-component", data=json.dumps(_overview_body(client)),
                           content_type=content_type)
    assert response.status_code == 415


def test_login_needs_its_csrf_token_and_this_site(app, accounts):
    login = accounts["analyst"]
    client = app.server.test_client()
    no_token = client.post("/login", data={"username": login.username,
                                           "password": login.password})
    assert no_token.status_code == 400 and client.get("/_dash-layout").status_code == 401
    token = csrf_token(client.get("/login").get_data(as_text=True))
    cross = client.post("/login", data={"username": login.username, "password": login.password,
                                        "csrf_token": token},
                        headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and client.get("/_dash-layout").status_code == 401


def test_logout_needs_its_csrf_token(client_as):
    client = client_as("analyst")
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/_dash-layout").status_code == 200  # still signed in


# ---- Failed sign-ins ---------------------------------------------------------------------


def _attempt(client, login, password, address):
    return sign_in(client, login, password, environ_base={"REMOTE_ADDR": address})


def test_repeated_failures_lock_the_user_name_out(app, monkeypatch):
    database = app.server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    users.create(database, "t-lock", secret, "analyst", actor="tests")
    login = Login("t-lock", secret, "analyst", ())
    client = app.server.test_client()
    limit = config.get_int("login_max_failures")
    for _ in range(limit):
        assert _attempt(client, login, "wrong-password-123", "10.1.0.1").status_code == 401
    # Now even the right password is refused, from any address, until the window passes.
    locked = _attempt(client, login, secret, "10.1.0.2")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    actions = [e["action"] for e in audit.recent(database, 20) if e["subject"] == "t-lock"]
    assert actions.count("sign_in_failed") == limit and "sign_in_locked" in actions

    with database.begin() as conn:  # the window passes (the failures move back in time)
        conn.execute(sa.update(db.login_failures).values(
            at=db.now() - lockout.window() - dt.timedelta(seconds=1)))
    assert _attempt(client, login, secret, "10.1.0.2").status_code == 303


def test_one_address_failing_for_many_names_is_locked_out(app, accounts):
    client = app.server.test_client()
    limit = config.get_int("login_max_failures") * 4
    for i in range(limit):
        ghost = Login(f"nobody-{i}", "x", "analyst", ())
        assert _attempt(client, ghost, "wrong-password-123", "10.2.0.1").status_code == 401
    assert _attempt(client, accounts["analyst"], None, "10.2.0.1").status_code == 429
    assert _attempt(client, accounts["analyst"], None, "10.2.0.9").status_code == 303


# ---- Sessions -----------------------------------------------------------------------------


def test_a_forged_or_edited_session_cookie_is_anonymous(app, client_as):
    client = client_as("analyst")
    cookie = client.get_cookie("toypulse_session")
    forged = app.server.test_client()
    forged.set_cookie("toypulse_session", cookie.value[:-3] + "AAA")
    assert forged.get("/_dash-layout").status_code == 401
    # a cookie signed with another key, naming the admin's id, is refused too
    other = flask.Flask("other")
    other.secret_key = "another-key-another-key-another-key-42"
    admin_id = users.by_username(app.server.extensions[db.EXTENSION], "t-admin").id
    serializer = other.session_interface.get_signing_serializer(other)
    forged.set_cookie("toypulse_session", serializer.dumps({"_user_id": f"{admin_id}:0"}))
    assert forged.get("/_dash-layout").status_code == 401


def test_a_password_reset_ends_existing_sessions(app):
    database = app.server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    users.create(database, "t-reset", secret, "analyst", actor="tests")
    client = client_for(app, Login("t-reset", secret, "analyst", ()))
    assert client.get("/_dash-layout").status_code == 200
    users.set_password(database, "t-reset", passwords.generate_password(), "tests")
    assert client.get("/_dash-layout").status_code == 401
