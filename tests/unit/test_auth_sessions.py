"""Server-side sessions: sign-out and account changes end every copy of the cookie, idle and
absolute lifetimes, no renewal on every answer, and two web instances sharing one session store
(Redis, or the app database) as several machines behind a proxy would."""

from __future__ import annotations

import flask
import pytest
import redis
import sqlalchemy as sa
from flask_wtf.csrf import generate_csrf

from dashboard import shared_state
from dashboard.auth import db, passwords, sessions, users
from dashboard.auth import setup as auth_setup
from dashboard.auth.permissions import current_account
from tests import dash_payloads as dp
from tests.auth_helpers import Login, client_for

KEY = "q8Zr3-LmT4vB8nR1sYc6HfJ0dGa3eUoKi5WqXk7Qw2x"
SECRET_ROWS = [11, 22, 33]  # what the data route answers to a signed-in user


class Clock:
    """Stands in for sessions.now, so a test can let hours pass."""

    def __init__(self, start: float):
        self.at = start

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(sessions.now())
    monkeypatch.setattr(sessions, "now", clock)
    return clock


@pytest.fixture(params=["database", "redis"])
def backend(request, monkeypatch) -> str:
    """Each test runs with sessions in the app database and again in a real Redis."""
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    for name in ("env", "debug", "secure_cookies", "session_minutes", "session_absolute_hours"):
        monkeypatch.delenv(f"DASHBOARD_{name.upper()}", raising=False)
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        monkeypatch.setenv("DASHBOARD_REDIS_URL", url)
    else:
        monkeypatch.delenv("DASHBOARD_REDIS_URL", raising=False)
    return request.param


def instance(name: str, app_db_url: str) -> flask.Flask:
    """One web instance (a machine behind the proxy): sign-in machinery and one data route."""
    server = flask.Flask(name)
    auth_setup.init_app(server, app_db_url)

    @server.get("/_data")
    def data():
        return {"user": current_account().username, "rows": SECRET_ROWS}

    @server.get("/token")
    def token():
        return {"csrf": generate_csrf()}

    return server


@pytest.fixture
def pair(backend, tmp_path):
    """Two instances over one app database (and one Redis in the redis case), with a user."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    first, second = instance("first", url), instance("second", url)
    secret = passwords.generate_password()
    users.create(first.extensions[db.EXTENSION], "sam", secret, "analyst")
    return first, second, Login("sam", secret, "analyst", ())


def copy_of(cookie_from, server: flask.Flask):
    """A client on `server` holding a copy of the first client's session cookie."""
    thief = server.test_client()
    thief.set_cookie("toypulse_session", cookie_from.get_cookie("toypulse_session").value)
    return thief


def sign_out(client) -> int:
    token = client.get("/token").get_json()["csrf"]
    return client.post("/logout", data={"csrf_token": token}).status_code


def test_a_cookie_copied_before_sign_out_gets_nothing_after(pair):
    first, _second, login = pair
    client = client_for_server(first, login)
    thief = copy_of(client, first)
    assert thief.get("/_data").get_json()["rows"] == SECRET_ROWS  # the copy works while signed in
    assert sign_out(client) == 303
    for who in (client, thief):
        response = who.get("/_data")
        assert response.status_code == 401
        assert b"11" not in response.get_data() and b"sam" not in response.get_data()


def client_for_server(server: flask.Flask, login: Login):
    return client_for(type("App", (), {"server": server})(), login)


def test_a_session_started_on_one_instance_is_served_by_the_other(pair):
    """A user of a killed instance carries on through the other without signing in again."""
    first, second, login = pair
    client = client_for_server(first, login)
    moved = copy_of(client, second)
    assert moved.get("/_data").get_json() == {"user": "sam", "rows": SECRET_ROWS}
    assert sign_out(moved) == 303  # signing out on the second ends it on the first too
    assert client.get("/_data").status_code == 401


@pytest.mark.parametrize("change", ["deactivate", "role", "password"])
def test_account_changes_end_every_copy_of_the_cookie(pair, change):
    first, second, login = pair
    database = first.extensions[db.EXTENSION]
    client = client_for_server(first, login)
    copies = [copy_of(client, first), copy_of(client, second)]
    assert all(c.get("/_data").status_code == 200 for c in copies)
    if change == "deactivate":
        users.set_active(database, "sam", False, "tests")
    elif change == "role":
        users.set_role(database, "sam", "manager", "tests")
    else:
        users.set_password(database, "sam", passwords.generate_password(), "tests")
    assert [c.get("/_data").status_code for c in [client, *copies]] == [401, 401, 401]


def test_a_session_ends_after_the_idle_time(pair, clock, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_MINUTES", "60")  # three idle spans fit in 12 hours
    first, _second, login = pair
    client = client_for_server(first, login)
    idle = sessions.idle_seconds()
    clock.at += idle - 5
    assert client.get("/_data").status_code == 200  # used just in time: the idle clock restarts
    clock.at += idle - 5
    assert client.get("/_data").status_code == 200
    clock.at += idle + 1
    assert client.get("/_data").status_code == 401
    clock.at += 1  # and it stays ended (the record is gone, not just refused once)
    assert client.get("/_data").status_code == 401


def test_a_session_in_constant_use_still_ends_at_the_absolute_lifetime(pair, clock):
    """A stolen cookie cannot be kept alive forever by using it."""
    first, _second, login = pair
    client = client_for_server(first, login)
    thief = copy_of(client, first)
    started, absolute = clock.at, sessions.absolute_seconds()
    step = sessions.idle_seconds() / 2
    while clock.at + step < started + absolute:
        clock.at += step
        assert thief.get("/_data").status_code == 200
    clock.at = started + absolute + 1
    assert thief.get("/_data").status_code == 401
    assert client.get("/_data").status_code == 401


def test_answers_do_not_renew_the_cookie(pair):
    first, _second, login = pair
    client = client_for_server(first, login)
    response = client.get("/_data")
    assert response.status_code == 200
    assert not [c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("toypulse_session=")]


def test_the_store_keeps_a_hash_of_the_token_never_the_token(pair):
    first, _second, login = pair
    client = client_for_server(first, login)
    with first.test_request_context("/"):
        serializer = first.session_interface.get_signing_serializer(first)
    token = serializer.loads(client.get_cookie("toypulse_session").value)["_user_id"]
    assert len(token) >= 40
    redis_client = shared_state.client(first)
    if redis_client is not None:
        names = [n.decode() for n in redis_client.keys("toypulse:session:*")]
        assert names == [sessions.REDIS_PREFIX + sessions.digest(token)]
        assert 0 < redis_client.ttl(names[0]) <= sessions.idle_seconds() + 1
    else:
        with first.extensions[db.EXTENSION].begin() as conn:
            ids = conn.execute(sa.select(db.sessions.c.id)).scalars().all()
        assert ids == [sessions.digest(token)]


def test_a_made_up_token_in_a_well_signed_cookie_is_anonymous(pair):
    first, _second, _login = pair
    with first.test_request_context("/"):
        serializer = first.session_interface.get_signing_serializer(first)
    forged = first.test_client()
    for token in ("1:0", "x" * 43, sessions.digest("anything")):
        forged.set_cookie("toypulse_session", serializer.dumps({"_user_id": token}))
        assert forged.get("/_data").status_code == 401


# ---- The Dash app itself (sessions in its app database) -----------------------------------


def test_dash_app_cookie_copied_before_sign_out_gets_no_data(app, client_as):
    client = client_as("analyst")
    thief = app.server.test_client()
    thief.set_cookie("toypulse_session", client.get_cookie("toypulse_session").value)
    body = dp.payload(dp.dependency(thief, dp.OVERVIEW), dp.overview_values(),
                      ["ov-f-regions.value"])
    assert dp.post(thief, body).status_code == 200
    assert client.post("/logout", data={"csrf_token": dp.sign_out_token(client)}).status_code \
        == 303
    refused = dp.post(thief, body)
    assert refused.status_code == 401 and b"figure" not in refused.get_data()
    assert thief.get("/_dash-layout").status_code == 401


def test_dash_app_region_change_ends_the_managers_sessions(app):
    database = app.server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    users.create(database, "t-moved", secret, "manager", ["North"], actor="tests")
    client = client_for(app, Login("t-moved", secret, "manager", ("North",)))
    assert client.get("/_dash-layout").status_code == 200
    users.set_regions(database, "t-moved", ["South"], "tests")
    assert client.get("/_dash-layout").status_code == 401
    again = client_for(app, Login("t-moved", secret, "manager", ("South",)))
    assert again.get("/_dash-layout").status_code == 200
