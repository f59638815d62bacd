"""The empty start: the app serves with no data, every page says what to do next for the
person's role, and "Load the sample data" is an admin-only, forgery-checked, audited server
action whose result matches pandas over the same sample."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from dashboard import config
from dashboard.auth import audit, db
from dashboard.ingest.locking import import_lock
from dashboard.ingest.pipeline import run_import
from dashboard.ingest.sample_load import load_sample_if_empty
from dashboard.warehouse import store
from dashboard.warehouse.store import Warehouse
from tests import dash_payloads as dp
from tests import reference as ref
from tests.conftest import BARE_SECRET_KEY, EMPTY_SAMPLE_ROWS
from tests.ingest_support import expected_revenue, write_export

ADMIN_TEXT = "No sales data yet"
ASK_TEXT = "No data has been imported yet; ask an admin"


def props(layout: dict) -> list[dict]:
    return [p for _type, p in dp.components(layout)]


def texts(layout: dict) -> str:
    """Every string child in a layout, joined (what a reader sees, roughly)."""
    out = []
    for p in props(layout):
        children = p.get("children")
        for child in children if isinstance(children, list) else [children]:
            if isinstance(child, str):
                out.append(child)
    return " ".join(out)


def sample_token(layout: dict) -> str:
    """The CSRF token of the "Load the sample data" form in a page."""
    form = next(p for p in props(layout) if p.get("id") == "empty-sample-form")
    return next(p["value"] for _t, p in dp.components(form) if p.get("name") == "csrf_token")


def overview(client, start: str, end: str) -> dict:
    body = dp.payload(dp.dependency(client, dp.OVERVIEW), dp.overview_values(start, end),
                      ["ov-f-regions.value"])
    response = dp.post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return dp.outputs(response)


def category_bars(out: dict) -> dict[str, float]:
    """Category -> bar length (labels are HTML-escaped for Plotly, as Plotly renders HTML)."""
    trace = out["ov-category.figure"]["data"][0]
    return {html.unescape(str(label)): value
            for label, value in zip(dp.array(trace["y"]), dp.array(trace["x"]), strict=True)}


def sample_events(app) -> list[dict]:
    database = app.server.extensions[db.EXTENSION]
    return [e for e in audit.recent(database, 200, action="import")
            if e["subject"] == "sample data"]


# ---- Starting with nothing -------------------------------------------------------------------

START_SCRIPT = r"""
import sys

import dash

from dashboard import cli
from dashboard.auth import db, users
from tests import auth_helpers, dash_payloads as dp

served = {}
dash.Dash.run = lambda self, **kwargs: served.update(app=self, **kwargs)  # no real server
code = cli.main(["--warehouse", sys.argv[1], "run", "--port", "8999"])
app = served["app"]
users.create(app.server.extensions[db.EXTENSION], "boss", sys.argv[2], "admin", (), "", "test")
client = auth_helpers.client_for(app, auth_helpers.Login("boss", sys.argv[2], "admin", ()))
router = dp.dependency(client, dp.PAGES)
for path in ("/", "/data", "/admin"):
    body = dp.payload(router, {"_pages_location.pathname": path}, ["_pages_location.pathname"])
    answer = dp.post(client, body)
    print("PAGE", path, answer.status_code, "No sales data yet" in answer.get_data(as_text=True))
print("CODE", code)
"""


def test_the_app_starts_on_an_empty_warehouse_in_a_fresh_process(tmp_path):
    """`dashboard run` on a new data folder serves (it used to exit 2), with no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env.update(DASHBOARD_DATA_DIR=str(tmp_path), DASHBOARD_SECRET_KEY=BARE_SECRET_KEY,
               DASHBOARD_APP_DB_URL=f"sqlite:///{tmp_path / 'app.db'}",
               PYTHONPATH=str(config.ROOT))
    done = subprocess.run(
        [sys.executable, "-c", START_SCRIPT, str(tmp_path / "warehouse"), "Start-empty-pw-9!"],
        capture_output=True, text=True, env=env, cwd=config.ROOT, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "Traceback" not in log and "ERROR" not in log, log
    assert "no data loaded yet: the app starts empty" in done.stdout
    assert "CODE 0" in done.stdout
    assert "PAGE / 200 True" in done.stdout  # the admin's empty state
    assert "PAGE /data 200" in done.stdout and "PAGE /admin 200" in done.stdout
    assert store.current_version(tmp_path / "warehouse") is None  # nothing loaded by itself


def test_admin_sees_the_empty_state_with_both_actions(empty_warehouse, client_as):
    layout = dp.routed_page(client_as("admin"), "/")
    assert ADMIN_TEXT in texts(layout)
    found = props(layout)
    assert any(p.get("id") == "empty-import" and p.get("href") == "/data" for p in found)
    form = next(p for p in found if p.get("id") == "empty-sample-form")
    assert form["action"] == "/data/sample" and form["method"] == "POST"
    assert sample_token(layout)
    assert any(p.get("id") == "empty-load-sample" and p.get("children") == "Load the sample data"
               for p in found)
    assert "ov-kpis" not in json.dumps(layout)  # no Overview parts that would query


@pytest.mark.parametrize("role", ["analyst", "manager", "manager_none"])
def test_others_are_told_to_ask_an_admin_without_admin_buttons(empty_warehouse, client_as, role):
    layout = dp.routed_page(client_as(role), "/")
    text = json.dumps(layout)
    assert ASK_TEXT in texts(layout)
    assert ADMIN_TEXT not in text and "Load the sample data" not in text
    assert "/data/sample" not in text and '"href": "/data"' not in text


def test_data_and_admin_pages_work_on_an_empty_warehouse(empty_warehouse, client_as):
    admin = client_as("admin")
    data = dp.routed_page(admin, "/data")
    found = props(data)
    assert any(p.get("id") == "data-upload-frame" for p in found)
    assert any(p.get("id") == "data-no-versions" for p in found)
    assert any(p.get("id") == "empty-sample-form" for p in found)
    admin_page = dp.routed_page(admin, "/admin")
    assert "No sales data yet" in texts(admin_page)
    assert any(p.get("id") == "adm-users" for p in props(admin_page))


def test_a_data_callback_on_an_empty_warehouse_is_a_clear_refusal_not_a_500(empty_warehouse,
                                                                            client_as):
    client = client_as("analyst")
    body = dp.payload(dp.dependency(client, dp.OVERVIEW), dp.overview_values(),
                      ["ov-f-regions.value"])
    response = dp.post(client, body)
    assert response.status_code == 409
    assert response.get_json() == {"error": "no data has been imported yet"}


# ---- "Load the sample data" ----------------------------------------------------------------


def _post_sample(client, token, **kwargs):
    return client.post("/data/sample", data={} if token is None else {"csrf_token": token},
                       **kwargs)


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_sample_load_refuses_non_admins(empty_warehouse, app, client_as, role):
    token = sample_token(dp.routed_page(client_as("admin"), "/"))
    client = client_as(role)
    before = len(sample_events(app))
    response = _post_sample(client, token)
    assert response.status_code == 403 and response.get_json() == {"error": "admins only"}
    assert store.list_versions(empty_warehouse) == []
    assert len(sample_events(app)) == before
    assert ASK_TEXT in texts(dp.routed_page(client, "/"))


def test_sample_load_refuses_anonymous(empty_warehouse, app):
    response = _post_sample(app.server.test_client(), "anything")
    assert response.status_code == 401
    assert store.list_versions(empty_warehouse) == []


@pytest.mark.parametrize("token", [None, "", "not-a-token", "forged.token.value"])
def test_sample_load_refuses_a_missing_or_forged_token(empty_warehouse, app, client_as, token):
    before = len(sample_events(app))
    response = _post_sample(client_as("admin"), token)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "nothing was changed" in response.get_data(as_text=True)
    assert store.list_versions(empty_warehouse) == [] and len(sample_events(app)) == before


def test_sample_load_refuses_a_post_from_another_site(empty_warehouse, client_as):
    admin = client_as("admin")
    # even with a valid token and the admin's cookie
    token = sample_token(dp.routed_page(admin, "/"))
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Referer": "https://evil.example/page"}):
        response = _post_sample(admin, token, headers=headers)
        assert response.status_code == 403, headers
    assert store.list_versions(empty_warehouse) == []


def test_sample_load_is_refused_while_an_import_runs(empty_warehouse, client_as):
    admin = client_as("admin")
    token = sample_token(dp.routed_page(admin, "/"))
    with import_lock(empty_warehouse, "someone else"):
        response = _post_sample(admin, token)
    assert response.status_code == 303 and response.location.endswith("/?sample=busy")
    assert store.list_versions(empty_warehouse) == []
    layout = dp.routed_page(admin, "/", "?sample=busy")
    assert "Another import is running" in texts(layout)
    assert "<b>" not in texts(dp.routed_page(admin, "/", "?sample=<b>hi</b>"))  # only fixed notices


def test_admin_loads_the_sample_and_the_overview_matches_pandas(empty_warehouse, app, client_as,
                                                                tmp_path):
    admin = client_as("admin")
    token = sample_token(dp.routed_page(admin, "/"))
    before = len(sample_events(app))  # the app database is the session's: count, not absolute
    response = _post_sample(admin, token)
    assert response.status_code == 303 and urlparse(response.location).path == "/"
    assert len(sample_events(app)) == before + 1
    assert store.list_versions(empty_warehouse) == [1]
    assert store.current_version(empty_warehouse) == 1
    assert not list((empty_warehouse / "imports").iterdir())  # the scratch files are gone

    event = sample_events(app)[0]
    assert event["actor"] == "t-admin" and "version 1" in event["detail"]
    assert f"{EMPTY_SAMPLE_ROWS:,} rows" in event["detail"]
    manifest = json.loads((store.versions_dir(empty_warehouse) / "0001.json").read_text())
    assert manifest["user"] == "t-admin" and manifest["source"] == "sample"

    # The Overview replaces the empty state, and its numbers are pandas' over the same sample.
    layout = dp.routed_page(admin, "/")
    assert ADMIN_TEXT not in texts(layout) and "ov-kpis" in json.dumps(layout)
    from dashboard import sample

    sample.generate(tmp_path / "reference", rows=EMPTY_SAMPLE_ROWS,
                    seed=config.get_int("sample_seed"))
    raw = ref.raw_lines(tmp_path / "reference")
    assert len(raw) == EMPTY_SAMPLE_ROWS
    rows = ref.select(raw, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    out = overview(admin, "2025-01-01", "2025-12-31")
    expected = rows.groupby("category")["revenue"].sum()
    assert category_bars(out) == pytest.approx(expected.to_dict())
    assert dp.heatmap_regions(out) == set(rows["region"])

    # A second click (another tab, another admin) adds nothing on top.
    again = _post_sample(admin, token)
    assert again.status_code == 303 and store.list_versions(empty_warehouse) == [1]
    assert len(sample_events(app)) == before + 1


def test_the_sample_does_not_load_over_data_someone_imported(empty_warehouse, tmp_path):
    run_import(write_export(tmp_path / "export"), empty_warehouse, user="t-admin")
    loaded = load_sample_if_empty(empty_warehouse, "t-admin")
    assert loaded.version is None and store.list_versions(empty_warehouse) == [1]


# ---- The first version reaches every worker without a restart ---------------------------------


def test_a_worker_that_saw_an_empty_warehouse_serves_the_first_import(empty_warehouse, client_as,
                                                                      tmp_path):
    admin = client_as("admin")
    assert ADMIN_TEXT in texts(dp.routed_page(admin, "/"))  # this worker has looked: nothing there
    idle_worker = Warehouse(empty_warehouse)  # another worker's reader, made before the import
    try:
        # Another process imports (the Data page runs imports as their own process).
        run_import(write_export(tmp_path / "export"), empty_warehouse, user="t-admin")
        assert store.current_version(empty_warehouse) == 1
        out = overview(admin, "2024-01-01", "2024-12-31")
        assert dp.category_revenue(out) == pytest.approx(expected_revenue())
        assert "ov-kpis" in json.dumps(dp.routed_page(client_as("analyst"), "/"))
        assert idle_worker.version == 1
    finally:
        idle_worker.close()
