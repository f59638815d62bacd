"""Shared fixtures: one seeded sample retailer, generated and loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import auth_helpers, redis_server, reference

# Builds in tests do not start the background forecast fit (tests/unit/test_forecast_*.py
# call forecast.ahead themselves).
os.environ.setdefault("DASHBOARD_FORECAST_AHEAD", "off")
SAMPLE_ROWS = int(os.environ.get("TOYPULSE_TEST_ROWS", "150000"))


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    from dashboard import sample, sample_inventory

    folder = tmp_path_factory.mktemp("sample")
    sample.generate(folder, rows=SAMPLE_ROWS, seed=11)
    sample_inventory.write(folder, seed=11)  # the stock snapshot (expiries from today)
    return folder


@pytest.fixture(scope="session")
def warehouse_dir(sample_dir, tmp_path_factory) -> Path:
    from dashboard.warehouse.build import build_version, parquet_sources

    root = tmp_path_factory.mktemp("warehouse")
    build_version(root, parquet_sources(sample_dir), info={"source": "test sample"})
    return root


@pytest.fixture(scope="session")
def warehouse(warehouse_dir):
    from dashboard.warehouse.store import Warehouse

    wh = Warehouse(warehouse_dir)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server (Debian's package) started for this test session."""
    from dashboard.bench import servers

    try:
        servers.postgres_bin()
    except FileNotFoundError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not installed: `python3 tasks.py test` installs it")
    with servers.local_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def chdb_url(tmp_path_factory) -> str:
    """A ClickHouse engine (chdb, in-process) over a new data folder."""
    return f"chdb://{tmp_path_factory.mktemp('chdb')}"


@pytest.fixture(scope="session", params=["duckdb", "postgres", "clickhouse"])
def any_warehouse(request, warehouse, warehouse_dir):
    """The session's sample warehouse on each backend: its DuckDB build, copied to a server."""
    if request.param == "duckdb":
        yield warehouse
        return
    from dashboard.warehouse import backends, store

    url = request.getfixturevalue("postgres_url" if request.param == "postgres" else "chdb_url")
    backends.publish(store.version_file(warehouse_dir, store.current_version(warehouse_dir)),
                     url)
    reader = backends.open_warehouse(warehouse_dir, url)
    yield reader
    reader.close()


@pytest.fixture(scope="session")
def raw(sample_dir):
    return reference.raw_lines(sample_dir)


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('appdb') / 'app.db'}"


@pytest.fixture(scope="session", autouse=True)
def app_db_environment(app_db_url):
    """Command-line code (imports, user commands) opens the test app database, never data/."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DASHBOARD_APP_DB_URL", app_db_url)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def app(warehouse_dir, app_db_url):
    """One Dash app for the session (Dash registers page callbacks once per process)."""
    from dashboard.app import create_app

    return create_app(warehouse_dir, app_db_url)


@pytest.fixture(scope="session")
def accounts(app):
    """Sign-in details per role: admin, analyst, manager (North), manager_south, manager_none."""
    return auth_helpers.make_accounts(app)


@pytest.fixture
def request_ctx(app, accounts):
    """A request signed in as the analyst (every region), for calling callbacks directly."""
    from dashboard.auth import login

    with app.server.test_request_context("/"):
        login.sign_in(auth_helpers.account(app, accounts["analyst"]))
        yield app


@pytest.fixture
def client_as(app, accounts):
    """client_as("manager") -> a Flask test client signed in through /login as that role."""
    return lambda role: auth_helpers.client_for(app, accounts[role])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server for the shared-state tests, stopped when the session ends."""
    process, url = redis_server.start(tmp_path_factory.mktemp("redis"))
    yield url
    redis_server.stop(process)


BARE_SECRET_KEY = "q8Zr3-LmT4vB8nR1sYc6HfJ0dGa3eUoKi5WqXk7Qw2x"  # shared by bare instances


@pytest.fixture(params=["database", "redis"])
def backend(request, monkeypatch) -> str:
    """Each test runs with shared state (sessions, sign-in counts) in the app database and again
    in a real Redis; bare instances share one secret key, as the machines of one site do."""
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", BARE_SECRET_KEY)
    for name in ("env", "debug", "secure_cookies", "session_minutes", "session_absolute_hours"):
        monkeypatch.delenv(f"DASHBOARD_{name.upper()}", raising=False)
    if request.param == "redis":
        import redis

        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        monkeypatch.setenv("DASHBOARD_REDIS_URL", url)
    else:
        monkeypatch.delenv("DASHBOARD_REDIS_URL", raising=False)
    return request.param


EMPTY_SAMPLE_ROWS = 20_000  # what "Load the sample data" generates in the empty-start tests


@pytest.fixture
def empty_warehouse(app, tmp_path, monkeypatch) -> Path:
    """The session app serving a new, empty warehouse folder for one test.

    Dash hands its callbacks to the first app of a process, so a second app could not answer
    them; the test swaps what the one app serves (its Services) and puts it back afterwards.
    The cache is cleared both ways: version 1 of this warehouse is not version 1 of the other.
    """
    from dashboard.services import EXTENSION, Services
    from dashboard.warehouse.store import Warehouse

    root = tmp_path / "empty-warehouse"
    root.mkdir()
    served = app.server.extensions[EXTENSION]
    reader = Warehouse(root)
    monkeypatch.setenv("DASHBOARD_SAMPLE_ROWS", str(EMPTY_SAMPLE_ROWS))
    with app.server.app_context():
        served.cache.clear()
    monkeypatch.setitem(app.server.extensions, EXTENSION, Services(reader, served.cache))
    yield root
    reader.close()
    with app.server.app_context():
        served.cache.clear()
