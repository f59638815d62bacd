"""Sign-in limits: per user name and per client address, each locking only itself; exact under
parallel attempts; the client address behind a trusted proxy; repeated failures audited as
counts. Each runs with the counts in the app database and in a real Redis."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from dashboard import config
from dashboard.auth import counters, db, passwords, users
from tests.auth_helpers import Login, bare_instance, csrf_token

ATTACKER = "203.0.113.66"
REAL_USER = "198.51.100.7"
PROXY = "127.0.0.1"


@pytest.fixture
def site(backend, tmp_path, monkeypatch):
    """One instance behind one trusted proxy, with two real users."""
    monkeypatch.setenv("DASHBOARD_TRUSTED_PROXIES", "1")
    for name in ("login_max_failures", "login_address_max_failures", "login_lockout_minutes"):
        monkeypatch.delenv(f"DASHBOARD_{name.upper()}", raising=False)
    server = bare_instance("site", f"sqlite:///{tmp_path / 'app.db'}")
    database = server.extensions[db.EXTENSION]
    logins = {}
    for name in ("rita", "victor"):
        secret = passwords.generate_password()
        users.create(database, name, secret, "analyst")
        logins[name] = Login(name, secret, "analyst", ())
    return server, database, logins


@pytest.fixture
def small_limits(monkeypatch):
    """Lower limits where the number is not the point (each failed try costs an argon2 check)."""
    monkeypatch.setenv("DASHBOARD_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("DASHBOARD_LOGIN_ADDRESS_MAX_FAILURES", "6")


def attempt(server, username: str, password: str, client_address: str,
            forwarded: str | None = None):
    """A sign-in through the proxy: it connects from PROXY and adds the client's address."""
    client = server.test_client()
    headers = {"X-Forwarded-For": forwarded or client_address}
    form = client.get("/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    return client.post("/login", data={
        "username": username, "password": password, "next": "/",
        "csrf_token": csrf_token(form.get_data(as_text=True))},
        headers=headers, environ_base={"REMOTE_ADDR": PROXY})


def audit_rows(database, action: str) -> list:
    with database.begin() as conn:
        return conn.execute(sa.select(db.audit_log).where(db.audit_log.c.action == action)
                            .order_by(db.audit_log.c.id)).all()


def test_made_up_names_from_one_address_never_lock_real_users(site):
    """The defect: 20 failed sign-ins with made-up names locked every user behind the proxy."""
    server, _database, logins = site
    for i in range(config.get_int("login_address_max_failures")):
        assert attempt(server, f"nobody-{i}", "wrong-password-1", ATTACKER).status_code == 401
    slowed = attempt(server, "nobody-x", "wrong-password-1", ATTACKER)
    assert slowed.status_code == 429  # the attacker's address must wait ...
    assert "from your network address" in slowed.get_data(as_text=True)
    assert 0 < int(slowed.headers["Retry-After"]) <= 15 * 60
    # ... and nobody else: real users at other addresses sign in as usual
    assert attempt(server, "rita", logins["rita"].password, REAL_USER).status_code == 303
    assert attempt(server, "victor", logins["victor"].password, "192.0.2.44").status_code == 303


def test_a_locked_account_locks_only_that_account(site, small_limits):
    server, _database, logins = site
    limit = config.get_int("login_max_failures")
    for _ in range(limit):
        assert attempt(server, "rita", "wrong-password-1", ATTACKER).status_code == 401
    locked = attempt(server, "rita", logins["rita"].password, REAL_USER)
    assert locked.status_code == 429  # the right password too, from anywhere, for a while
    assert "ask an admin to reset your password" in locked.get_data(as_text=True)
    # the same address still signs other accounts in: the account lock is the account's only
    assert attempt(server, "victor", logins["victor"].password, ATTACKER).status_code == 303


def test_a_new_password_unlocks_the_account(site, small_limits):
    server, database, logins = site
    for _ in range(config.get_int("login_max_failures") + 2):
        attempt(server, "rita", "wrong-password-1", ATTACKER)
    fresh = passwords.generate_password()
    users.set_password(database, "rita", fresh, "tests")
    assert attempt(server, "rita", fresh, REAL_USER).status_code == 303


@pytest.mark.parametrize("backend", ["database"], indirect=True)  # Redis keeps its own clock
def test_the_lock_ends_with_its_window(site, small_limits, monkeypatch):
    server, _database, logins = site
    for _ in range(config.get_int("login_max_failures")):
        attempt(server, "rita", "wrong-password-1", ATTACKER)
    assert attempt(server, "rita", logins["rita"].password, REAL_USER).status_code == 429
    later = counters.now() + config.get_int("login_lockout_minutes") * 60 + 1
    monkeypatch.setattr(counters, "now", lambda: later)
    assert attempt(server, "rita", logins["rita"].password, REAL_USER).status_code == 303


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(site, small_limits, monkeypatch):
    """A client cannot dodge the address limit by sending made-up X-Forwarded-For headers."""
    monkeypatch.setenv("DASHBOARD_TRUSTED_PROXIES", "0")
    server, _database, _logins = site
    direct = bare_instance("direct", server.extensions[db.EXTENSION].url)
    limit = config.get_int("login_address_max_failures")
    codes = [attempt(direct, f"ghost-{i}", "wrong-password-1", f"10.9.{i}.1").status_code
             for i in range(limit + 1)]
    assert codes == [401] * limit + [429]


def test_a_trusted_proxy_believes_only_the_address_it_added(site, small_limits):
    server, _database, _logins = site
    limit = config.get_int("login_address_max_failures")
    codes = [attempt(server, f"ghost-{i}", "wrong-password-1", ATTACKER,
                     forwarded=f"10.8.{i}.1, {ATTACKER}").status_code for i in range(limit + 1)]
    assert codes == [401] * limit + [429]  # the client's own first entry changed nothing


def count_checks(monkeypatch) -> list:
    """Record every password verification (what a limit must bound)."""
    checks, lock, verify = [], threading.Lock(), passwords.verify_password

    def counted(stored, password):
        with lock:
            checks.append(password)
        return verify(stored, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    return checks


def parallel_attempts(server, names: list[str], address: str) -> list[int]:
    """Sign-in posts sent at the same moment (forms fetched first, as browsers would)."""
    prepared = []
    for name in names:
        client = server.test_client()
        headers = {"X-Forwarded-For": address}
        form = client.get("/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
        prepared.append((client, name, csrf_token(form.get_data(as_text=True)), headers))
    start = threading.Barrier(len(prepared))

    def post(item):
        client, name, token, headers = item
        start.wait()
        return client.post("/login", data={"username": name, "password": "wrong-password-1",
                                           "csrf_token": token, "next": "/"},
                           headers=headers, environ_base={"REMOTE_ADDR": PROXY}).status_code

    with ThreadPoolExecutor(len(prepared)) as pool:
        return list(pool.map(post, prepared))


def test_parallel_attempts_on_one_account_get_exactly_the_limit_of_checks(site, monkeypatch):
    """The defect: 24 parallel attempts got 6 password checks against a limit of 5."""
    server, _database, _logins = site
    checks = count_checks(monkeypatch)
    limit = config.get_int("login_max_failures")
    codes = parallel_attempts(server, ["rita"] * 24, ATTACKER)
    assert len(checks) == limit
    assert sorted(codes) == [401] * limit + [429] * (24 - limit)


def test_parallel_attempts_from_one_address_get_exactly_its_limit(site, small_limits,
                                                                monkeypatch):
    server, _database, _logins = site
    checks = count_checks(monkeypatch)
    limit = config.get_int("login_address_max_failures")
    codes = parallel_attempts(server, [f"ghost-{i}" for i in range(limit + 4)], ATTACKER)
    assert len(checks) == limit
    assert sorted(codes) == [401] * limit + [429] * 4


def test_repeated_failures_are_one_audit_entry_with_a_count(site, small_limits):
    """The defect: every locked sign-in wrote an audit row."""
    server, database, _logins = site
    limit = config.get_int("login_max_failures")
    for _ in range(limit + 12):  # 5 checked failures, then 12 locked tries
        attempt(server, "rita", "wrong-password-1", ATTACKER)
    failed = [r for r in audit_rows(database, "sign_in_failed") if r.subject == "rita"]
    locked = [r for r in audit_rows(database, "sign_in_locked") if r.subject == "rita"]
    assert [(r.times, r.address) for r in failed] == [(limit, ATTACKER)]
    assert [(r.times, r.address) for r in locked] == [(12, ATTACKER)]
    assert locked[0].last_at is not None


def test_an_address_flooding_many_names_is_one_locked_entry(site, small_limits):
    server, database, _logins = site
    limit = config.get_int("login_address_max_failures")
    for i in range(limit + 12):
        attempt(server, f"ghost-{i}", "wrong-password-1", ATTACKER)
    locked = audit_rows(database, "sign_in_locked")
    assert [(r.times, r.subject, r.address) for r in locked] == [(12, None, ATTACKER)]
    assert len(audit_rows(database, "sign_in_failed")) == limit  # one per name it could try
