"""Shared page parts in headless Chromium: the one URL writer (assets/25-url-state.js) keeps
the saved view (view=) and version (version=) on Profit, Team and Customers as on the Overview,
while writing the page's own state (a key it does not know is dropped); heat maps list their
rows bottom-up, so the first row renders on top: the Customers cohorts oldest first, as pandas
finds them over the raw rows, and the Profit ship modes in the page's order.
Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp) as shared-*.png."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from dash.testing.wait import until

from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from tests.auth_helpers import browser_sign_in
from tests.browser.test_data_flat_browser import _shot
from tests.unit.test_customers_page import expected_cohorts

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
# A graph's rendered y tick labels, top to bottom (as the reader sees them).
TICKS_JS = """
const ticks = [...document.querySelectorAll(arguments[0] + ' .yaxislayer-above .ytick text')];
return ticks.map(t => [t.getBoundingClientRect().top, t.textContent])
            .sort((a, b) => a[0] - b[0]).map(t => t[1]);
"""


def _query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


@pytest.mark.parametrize("page", ["profit", "team", "customers"])
def test_url_keeps_the_saved_view_and_version(dash_duo, app, accounts, page):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(f"{dash_duo.server.url}/{page}?region=North&view=7&version=3&bogus=1")
    # The writer ran once the page wrote its own state (its query has no `bogus`).
    until(lambda: "bogus" not in _query(dash_duo), timeout=60)
    query = _query(dash_duo)
    assert query["view"] == ["7"] and query["version"] == ["3"]
    assert query["region"] == ["North"]
    assert dash_duo.get_logs() == []


def test_heat_map_rows_render_first_on_top(dash_duo, app, accounts, warehouse, raw):
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    graph = "#ov-customers-cohorts"
    dash_duo.wait_for_element(f"{graph} .heatmaplayer", timeout=60)
    cohorts = {label for label, _k in expected_cohorts(raw, lo, hi)}
    expected = sorted(cohorts, key=lambda label: pd.Timestamp(label.split(" (")[0]))
    until(lambda: dash_duo.driver.execute_script(TICKS_JS, graph) == expected, timeout=30)
    # Redraw (a filter change and back): the rows keep their order.
    dash_duo.driver.get(dash_duo.server.url + "/customers?region=North")
    dash_duo.wait_for_element(f"{graph} .heatmaplayer", timeout=60)
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    dash_duo.wait_for_element(f"{graph} .heatmaplayer", timeout=60)
    until(lambda: dash_duo.driver.execute_script(TICKS_JS, graph) == expected, timeout=30)
    _shot(dash_duo, SHOTS, "shared-customers-cohorts", 1440)
    dash_duo.driver.get(dash_duo.server.url + "/profit?start=2025-01-01&end=2025-12-31")
    dash_duo.wait_for_element("#ov-pl-ship .heatmaplayer", timeout=60)
    expected = _fastest_modes(raw, "2025-01-01", "2025-12-31")
    until(lambda: dash_duo.driver.execute_script(TICKS_JS, "#ov-pl-ship") == expected,
          timeout=30)
    assert dash_duo.get_logs() == []


def _fastest_modes(raw, lo: str, hi: str) -> list[str]:
    """Ship modes by average days from order to ship over shipped orders, fastest first (the
    page's stated order), by pandas over the raw lines."""
    rows = raw[raw["date"].between(pd.Timestamp(lo), pd.Timestamp(hi))
               & raw["ship_date"].notna() & (raw["ship_mode"] != "In store")]
    days = (pd.to_datetime(rows["ship_date"]) - rows["date"]).dt.days
    orders = rows.assign(days=days).groupby("order_id").agg(
        mode=("ship_mode", "max"), days=("days", "max"))
    mean = orders.groupby("mode")["days"].mean()
    return sorted(mean.index, key=lambda m: (round(mean[m], 9), m))
