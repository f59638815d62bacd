"""The empty start in headless Chromium: an admin on a warehouse with nothing in it sees what to do
(desktop and phone), loads the sample with one click and lands on the Overview's KPIs; and a
first import through the Data page becomes the Overview without a restart."""

from __future__ import annotations

import datetime as dt

from selenium.webdriver.common.by import By

from dashboard import config, sample
from dashboard.figures.theme import format_number
from dashboard.warehouse import store
from tests import reference as ref
from tests.auth_helpers import browser_sign_in
from tests.browser.test_data_browser import _click, _upload
from tests.conftest import EMPTY_SAMPLE_ROWS
from tests.ingest_support import expected_revenue, write_export


def _phone(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


def _no_sideways_scroll(dash_duo, width: int) -> None:
    scroll = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px wide)"


def test_admin_on_an_empty_warehouse_loads_the_sample_and_sees_the_kpis(
        dash_duo, app, accounts, empty_warehouse, tmp_path):
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.wait_for_contains_text("#empty-state", "No sales data yet", timeout=20)
    assert dash_duo.find_element("#empty-import").get_attribute("href").endswith("/data")
    assert dash_duo.find_element("#empty-load-sample").text == "Load the sample data"
    _no_sideways_scroll(dash_duo, 1440)
    dash_duo.driver.save_screenshot("/tmp/empty-admin-1440.png")

    _phone(dash_duo)
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#empty-load-sample", timeout=20)
    _no_sideways_scroll(dash_duo, 390)
    dash_duo.driver.save_screenshot("/tmp/empty-admin-390.png")
    dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    _click(dash_duo, "#empty-load-sample")
    # The post answers with a redirect to the Overview, now over the sample.
    dash_duo.wait_for_element("#ov-kpi-revenue-value", timeout=90)
    assert store.current_version(empty_warehouse) == 1
    sample.generate(tmp_path / "reference", rows=EMPTY_SAMPLE_ROWS,
                    seed=config.get_int("sample_seed"))
    year = ref.select(ref.raw_lines(tmp_path / "reference"), dt.date(2025, 1, 1),
                      dt.date(2025, 12, 31))
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=20)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(year["revenue"].sum(), "currency"))
    dash_duo.driver.save_screenshot("/tmp/empty-after-sample-1440.png")
    assert dash_duo.driver.find_elements(By.ID, "empty-state") == []
    assert dash_duo.get_logs() == []


def test_analyst_on_an_empty_warehouse_is_told_to_ask_an_admin(dash_duo, app, accounts,
                                                               empty_warehouse):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.wait_for_contains_text(
        "#empty-state", "No data has been imported yet; ask an admin", timeout=20)
    assert dash_duo.driver.find_elements(By.ID, "empty-load-sample") == []
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "a[href='/data']") == []
    dash_duo.driver.save_screenshot("/tmp/empty-analyst-1440.png")
    assert dash_duo.get_logs() == []


def test_first_import_through_the_data_page_on_an_empty_warehouse(dash_duo, app, accounts,
                                                                  empty_warehouse, tmp_path):
    files = write_export(tmp_path / "export")
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.wait_for_element("#empty-import", timeout=20)
    _click(dash_duo, "#empty-import")  # the empty state's way to the Data page
    dash_duo.wait_for_element("#data-no-versions", timeout=20)
    _upload(dash_duo, [p for p, _ in files])
    dash_duo.wait_for_element("#data-mapping-card", timeout=20)
    _click(dash_duo, "#data-import")
    dash_duo.wait_for_element("#data-confirm", timeout=60)  # the preview first
    assert store.current_version(empty_warehouse) is None
    _click(dash_duo, "#data-confirm")
    dash_duo.wait_for_contains_text("#data-done", "version 1 is now live", timeout=90)
    assert store.current_version(empty_warehouse) == 1
    dash_duo.wait_for_contains_text("#data-history-table", "t-admin")

    _click(dash_duo, "#data-open-overview")
    dash_duo.wait_for_element("#ov-kpi-revenue-value", timeout=30)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(expected_revenue(), "currency"))
    assert dash_duo.get_logs() == []
