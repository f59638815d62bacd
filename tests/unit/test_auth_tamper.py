"""Forged callback requests from a signed-in North manager: only North rows, or an error.

Each test posts a /_dash-update-component request built from the app's own dependency list (the
shape the browser sends; tests/browser/test_auth_browser.py checks a captured real one matches)
with one value forged, then checks the figures against pandas over the raw rows AND the SQL the
query layer ran: every read of a sales table carries the scope condition bound to North.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.auth import db, users
from dashboard.warehouse.schema import FACT_TABLES, ROLLUPS
from tests import dash_payloads as dp
from tests import reference as ref

# Every table that holds sales rows: the fact tables and every rollup (from the schema, so a new
# rollup is covered without touching this test).
_TABLES = sorted([*FACT_TABLES.values(), *(r.name for r in ROLLUPS)], key=len, reverse=True)
DATA_TABLES = re.compile(rf"\bFROM ({'|'.join(_TABLES)})\b")
SCOPE_SQL = "region IN (?)"  # scope_condition for a one-region scope


@pytest.fixture
def sql_log(app):
    """Every (sql, params) the warehouse runs during the test; the cache starts empty."""
    services = app.server.extensions["toypulse"]
    log: list[tuple[str, list]] = []
    services.cache.clear()
    services.warehouse.on_execute = lambda sql, params: log.append((sql, params))
    yield log
    services.warehouse.on_execute = None


@pytest.fixture
def north(client_as):
    return client_as("manager")


def data_reads(log):
    return [(sql, params) for sql, params in log if DATA_TABLES.search(sql)]


def assert_scoped_to_north(log) -> None:
    """Every part of every statement that reads sales rows has the scope bound to North."""
    reads = data_reads(log)
    assert reads, "the request ran no query at all"
    for sql, params in reads:
        for part in sql.split("UNION ALL"):
            if DATA_TABLES.search(part):
                assert SCOPE_SQL in part, f"unscoped read: {part}"
        assert params.count("North") >= len(DATA_TABLES.findall(sql)), (sql, params)
        assert "OR 1=1" not in sql and "South" not in sql and "DROP" not in sql.upper()


def run_overview(client, **overrides):
    dep = dp.dependency(client, dp.OVERVIEW)
    return dp.post(client, dp.payload(dep, dp.overview_values(**overrides),
                                      ["ov-f-regions.value"]))


def north_revenue(raw, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)) -> float:
    return ref.select(raw, start, end, regions=("North",))["revenue"].sum()


def test_untouched_request_shows_north_only(north, sql_log, raw):
    response = run_overview(north)
    assert response.status_code == 200
    out = dp.outputs(response)
    assert dp.heatmap_regions(out) == {"North"}
    assert dp.category_revenue(out) == pytest.approx(north_revenue(raw))
    assert_scoped_to_north(sql_log)


@pytest.mark.parametrize("forged", [
    ["North", "South"],
    None,
    ["South", "North"] * 5000,  # a 10,000-item list (capped, then de-duplicated)
], ids=["north-and-south", "null", "10000-items-with-north"])
def test_forged_regions_that_include_north_show_north_only(north, sql_log, raw, forged):
    response = run_overview(north, **{"ov-f-regions.value": forged})
    assert response.status_code == 200
    out = dp.outputs(response)
    assert dp.heatmap_regions(out) == {"North"}
    assert dp.category_revenue(out) == pytest.approx(north_revenue(raw))
    assert out["ov-empty.is_open"] is False
    assert_scoped_to_north(sql_log)


@pytest.mark.parametrize("forged", [
    "South",
    "*",
    "' OR 1=1--",
    [f"Region {i}" for i in range(10_000)],
    ["South"] * 10_000,
], ids=["south", "star", "sql-injection", "10000-unknown", "10000-south"])
def test_forged_regions_outside_scope_show_nothing(north, sql_log, forged):
    response = run_overview(north, **{"ov-f-regions.value": forged})
    assert response.status_code == 200
    out = dp.outputs(response)
    assert out["ov-empty.is_open"] is True
    assert dp.heatmap_regions(out) == set()
    assert dp.category_revenue(out) == 0.0
    assert_scoped_to_north(sql_log)
    bound = [p for _sql, params in data_reads(sql_log) for p in params]
    if isinstance(forged, str):
        assert forged in bound  # the forged text travelled as a bound value, never as SQL


@pytest.mark.parametrize("forged", [{}, {"$ne": 1}, [1, 2], 42, [["North"]]],
                         ids=["empty-object", "mongo-operator", "numbers", "number", "nested"])
def test_malformed_regions_are_refused(north, sql_log, forged):
    response = run_overview(north, **{"ov-f-regions.value": forged})
    assert response.status_code == 204  # PreventUpdate: nothing is sent back
    assert response.get_data() == b""
    assert all(SCOPE_SQL in sql for sql, _ in data_reads(sql_log))


@pytest.mark.parametrize("store", [
    {"column": "region", "value": "South"},
    {"column": "region) OR (1=1", "value": "x"},
    {"column": "product_name", "value": "' OR 1=1--"},
    {"column": ["region"], "value": {"$gt": ""}},
    "region:South",
], ids=["highlight-south", "injected-column", "injected-value", "objects", "url-form"])
def test_forged_highlight_store(north, sql_log, raw, store):
    response = run_overview(north, **{"ov-highlight.data": store})
    assert response.status_code == 200
    out = dp.outputs(response)
    assert dp.heatmap_regions(out) == {"North"}
    assert dp.category_revenue(out) == pytest.approx(north_revenue(raw))
    assert_scoped_to_north(sql_log)


def test_forged_dates_and_options_stay_in_scope(north, sql_log, raw):
    response = run_overview(north, **{
        "ov-dates.start_date": "1900-01-01", "ov-dates.end_date": "2999-12-31",
        "ov-trend-by.value": "region; DROP TABLE sales_fact", "ov-measure.value": "cost",
        "ov-top-n.value": 10**9})
    assert response.status_code == 200
    out = dp.outputs(response)
    assert dp.heatmap_regions(out) == {"North"}
    everything = north_revenue(raw, dt.date(1900, 1, 1), dt.date(2999, 12, 31))
    assert dp.category_revenue(out) == pytest.approx(everything)
    assert_scoped_to_north(sql_log)


def test_forged_state_in_the_interaction_callback(north, sql_log, raw):
    """State values (highlight, filters) are forged too: the answer holds no rows, and what it
    sets, fed back to the main callback, still shows nothing outside North."""
    dep = dp.dependency(north, "ov-highlight.data")
    values = {"ov-highlight.data": {"column": "region", "value": "South"},
              "ov-f-regions.value": ["South"], "ov-filter-selection.n_clicks": 1}
    response = dp.post(north, dp.payload(dep, values, ["ov-filter-selection.n_clicks"]))
    assert response.status_code == 200
    out = dp.outputs(response)
    assert out["ov-f-regions.value"] == ["South"]
    assert not any("figure" in key or "kpis" in key for key in out)
    follow = dp.outputs(run_overview(north, **{"ov-f-regions.value": out["ov-f-regions.value"]}))
    assert follow["ov-empty.is_open"] is True and dp.heatmap_regions(follow) == set()

    reset = {"ov-reset.n_clicks": 1, "ov-f-regions.value": ["South"]}
    response = dp.post(north, dp.payload(dep, reset, ["ov-reset.n_clicks"]))
    assert dp.outputs(response)["ov-f-regions.value"] == []
    assert_scoped_to_north(sql_log)  # the reset's date range came from North's data


def test_forged_page_router_cannot_open_admin(north):
    dep = dp.dependency(north, dp.PAGES)
    body = dp.payload(dep, {"_pages_location.pathname": "/admin", "_pages_location.search": ""},
                      ["_pages_location.pathname"])
    response = dp.post(north, body)
    # the router answers with the "for admins" card (what the page area shows), nothing more
    assert response.status_code == 200
    assert b"adm-" not in response.get_data() and b"This page is for admins" in response.get_data()


def test_forged_calls_to_admin_callbacks_change_and_reveal_nothing(north, app, accounts):
    database = app.server.extensions[db.EXTENSION]
    before = users.list_accounts(database)
    cases = [
        ("adm-users.children", {"adm-version.data": 1}, ["adm-version.data"]),
        ("adm-audit.children", {"adm-version.data": 1, "adm-audit-text.value": "t-"},
         ["adm-audit-text.value"]),
        ("adm-role.value", {"adm-user.value": accounts["admin"].username}, ["adm-user.value"]),
        ("adm-message.children", {"adm-create.n_clicks": 1, "adm-new-username.value": "evil",
                                  "adm-new-role.value": "admin"}, ["adm-create.n_clicks"]),
        ("adm-message.children", {"adm-save.n_clicks": 1, "adm-user.value": "t-north",
                                  "adm-role.value": "admin", "adm-active.value": ["on"]},
         ["adm-save.n_clicks"]),
        ("adm-message.children", {"adm-reset-password.n_clicks": 1,
                                  "adm-user.value": accounts["admin"].username},
         ["adm-reset-password.n_clicks"]),
    ]
    for output, values, changed in cases:
        response = dp.post(north, dp.payload(dp.dependency(north, output), values, changed))
        assert response.status_code == 403, output
        assert accounts["admin"].username.encode() not in response.get_data()
    assert users.list_accounts(database) == before
    assert users.by_username(database, "evil") is None


def test_forged_output_names_get_an_error_not_data(north, sql_log):
    dep = dp.dependency(north, dp.OVERVIEW)
    body = dp.payload(dep, dp.overview_values(), ["ov-f-regions.value"])
    body["output"] = "ov-secret.children"
    body["outputs"] = {"id": "ov-secret", "property": "children"}
    response = dp.post(north, body)
    assert response.status_code >= 400
    assert data_reads(sql_log) == []


def test_manager_without_regions_gets_an_error_never_all_rows(client_as, sql_log):
    nobody = client_as("manager_none")
    response = run_overview(nobody)
    assert response.status_code == 403
    assert b"figure" not in response.get_data()
    assert data_reads(sql_log) == []  # refused before any query was built
    dep = dp.dependency(nobody, dp.PAGES)  # the page itself says why, and offers no filter
    page = dp.post(nobody, dp.payload(dep, {"_pages_location.pathname": "/"},
                                      ["_pages_location.pathname"])).get_json()
    ids = {props.get("id") for _type, props in dp.components(page)}
    assert "ov-no-scope" in ids and "ov-f-regions" not in ids


def _drill_members(out: dict) -> set[str]:
    """Every member the contribution chart and heat map name."""
    contrib = {m for trace in out["ov-contrib.figure"]["data"] for _c, m in trace["customdata"]}
    return contrib | dp.heatmap_regions(out)


def test_forged_drill_outside_scope_shows_nothing_of_it(north, sql_log, sample_dir):
    """A forged drill path (another region, or a South state under North) is dropped: the
    charts show North's own states and no other region's region, state, city or store."""
    import pandas as pd

    stores = pd.read_parquet(sample_dir / "stores.parquet")
    mine = stores[stores["region"] == "North"]
    theirs = stores[stores["region"] != "North"]
    foreign = (set(theirs[["region", "state", "city", "name"]].to_numpy().ravel())
               - set(mine[["region", "state", "city", "name"]].to_numpy().ravel()))
    south = theirs[theirs["region"] == "South"].iloc[0]
    states = set(mine["state"])
    for forged, expected, query in (
        ({"geo": ["South"], "prod": []}, {"North"}, ""),
        ({"geo": ["South", south["state"]]}, {"North"}, ""),
        ({"geo": ["North", south["state"], south["city"]]}, states, "geo=North"),
        ({"geo": "South"}, {"North"}, ""), ({"geo": [{"$ne": 1}]}, {"North"}, ""),
        ({"geo": ["' OR 1=1--"]}, {"North"}, ""),
    ):
        response = run_overview(north, **{"ov-drill.data": forged})
        assert response.status_code == 200
        out = dp.outputs(response)
        shown = _drill_members(out)
        assert shown == expected, forged  # dropped back to the last step inside the scope
        assert not shown & foreign
        assert ("geo=" in out["ov-query.data"]) == bool(query), forged
        assert out["ov-query.data"].endswith(query) and "South" not in out["ov-query.data"]
    assert_scoped_to_north(sql_log)

    response = run_overview(north, **{"ov-drill.data": {"geo": ["North"], "prod": []}})
    shown = _drill_members(dp.outputs(response))
    assert shown == set(mine["state"]) and not shown & foreign
    assert_scoped_to_north(sql_log)


# ---- a store manager (one North store): the store condition on every read ------------------

STORE_SQL = "CAST(store_id AS VARCHAR) IN (?)"  # scope_condition for a one-store scope


@pytest.mark.parametrize("forged", [None, ["North", "South"], ["South"], "' OR 1=1--"],
                         ids=["null", "north-and-south", "south", "sql-injection"])
def test_store_manager_forged_regions_stay_in_their_store(client_as, accounts, sql_log, raw,
                                                          forged):
    store, = accounts["store_manager"].stores
    response = run_overview(client_as("store_manager"), **{"ov-f-regions.value": forged})
    assert response.status_code == 200
    out = dp.outputs(response)
    mine = raw[(raw["store_id"] == store)
               & raw["date"].between(dt.datetime(2025, 1, 1), dt.datetime(2025, 12, 31))]
    inside = forged is None or (isinstance(forged, list) and "North" in forged)
    assert dp.category_revenue(out) == pytest.approx(mine["revenue"].sum() if inside else 0)
    reads = data_reads(sql_log)
    assert reads
    for sql, params in reads:
        for part in sql.split("UNION ALL"):
            if DATA_TABLES.search(part):
                assert STORE_SQL in part, f"read without the store condition: {part}"
        assert params.count(store) >= len(DATA_TABLES.findall(sql)), (sql, params)
        assert "OR 1=1" not in sql and "South" not in sql
