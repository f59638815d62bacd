"""Near-real-time refresh in headless Chromium: an open Overview picks up a new data version
within a few seconds, without a reload, and says which version it shows."""

from __future__ import annotations

import datetime as dt

from dashboard import sample
from dashboard.figures.theme import format_number
from dashboard.warehouse.build import build_version, parquet_sources
from tests import reference as ref
from tests.auth_helpers import browser_sign_in


def _year_revenue(folder) -> str:
    year = ref.select(ref.raw_lines(folder), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return format_number(year["revenue"].sum(), "currency")


def test_an_open_overview_shows_a_new_version_without_a_reload(
        dash_duo, app, accounts, empty_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", "1")
    first, second = tmp_path / "first", tmp_path / "second"
    sample.generate(first, rows=20_000, seed=3)
    sample.generate(second, rows=30_000, seed=4)
    build_version(empty_warehouse, parquet_sources(first), info={"source": "first"})

    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value", _year_revenue(first), timeout=30)
    assert "(version 1)" in dash_duo.find_element("#data-as-of").text
    assert dash_duo.find_element("#data-as-of").text.startswith("Data as of ")
    # Mark the page: a reload would lose this, a refresh in place keeps it.
    dash_duo.driver.execute_script("window.__notReloaded = true")

    build_version(empty_warehouse, parquet_sources(second), info={"source": "second"})
    dash_duo.wait_for_contains_text("#data-as-of", "(version 2)", timeout=15)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value", _year_revenue(second), timeout=15)
    assert dash_duo.driver.execute_script("return window.__notReloaded === true")
    dash_duo.driver.save_screenshot("/tmp/refresh-after-1440.png")
    assert dash_duo.get_logs() == []
