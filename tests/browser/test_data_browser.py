"""The Data page in headless Chromium: upload files, confirm the mapping, read the preview,
confirm it, watch the import run, read the report, roll back; and the page fits a phone."""

from __future__ import annotations

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.warehouse import store
from tests.auth_helpers import browser_sign_in
from tests.ingest_support import SALES_ROWS, write_export


def _upload(dash_duo, paths) -> None:
    dash_duo.wait_for_element("#data-upload-frame", timeout=20)
    driver = dash_duo.driver
    driver.switch_to.frame(driver.find_element(By.ID, "data-upload-frame"))
    try:
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "files"))
        driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))
        driver.find_element(By.ID, "upload").click()
    finally:
        driver.switch_to.default_content()


def _click(dash_duo, selector: str) -> None:
    """Scroll the element to the middle and click it, waiting while the page still moves."""

    def clicked(driver) -> bool:
        element = driver.find_element(By.CSS_SELECTOR, selector)
        # Bootstrap scrolls smoothly; jump instead, so the element is under the pointer.
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        try:
            element.click()
        except (ElementClickInterceptedException, StaleElementReferenceException):
            return False
        return True

    WebDriverWait(dash_duo.driver, 20, poll_frequency=0.2).until(clicked)


def test_upload_confirm_mapping_import_report_and_rollback(dash_duo, app, accounts,
                                                           warehouse_dir, tmp_path):
    before = store.current_version(warehouse_dir)
    files = write_export(tmp_path / "export")
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.get(dash_duo.server_url + "/data")
    try:
        _upload(dash_duo, [p for p, _ in files])
        dash_duo.wait_for_element("#data-mapping-card", timeout=20)
        # The proposal, as the user sees it: each file's role and each column's field.
        dash_duo.wait_for_contains_text("#data-mapping-card", "sales.csv")
        cells = [c.text for c in dash_duo.find_elements("#data-mapping-card td")]
        assert "sales.units" in " ".join(cells) and "products.unit_price" in " ".join(cells)
        assert "sales.csv · Product_ID → products.csv · Product_ID" in dash_duo.find_element(
            "#data-mapping-card").text

        # The constants and empty-cell tables are offered, folded, below the mapping.
        assert "Fields the files lack" in dash_duo.find_element("#data-extras").text
        _click(dash_duo, "#data-import")
        dash_duo.wait_for_element("#data-confirm", timeout=60)  # the preview comes first
        assert store.current_version(warehouse_dir) == before
        _click(dash_duo, "#data-confirm")
        dash_duo.wait_for_element("#data-done", timeout=60)
        rows = len(SALES_ROWS) + 3 + 2
        dash_duo.wait_for_text_to_equal(
            "#data-report-summary", f"{rows} rows read, {rows} kept, 0 rejected.")
        fixed = dash_duo.find_element("#data-report-fixed").text
        assert "value_aliases" in fixed and "derived_revenue" in fixed
        new_version = store.current_version(warehouse_dir)
        assert new_version == max(store.list_versions(warehouse_dir)) != before
        dash_duo.wait_for_contains_text("#data-history-table", "t-admin")

        # Roll back to what was served before; the new version stays in the history.
        dash_duo.find_element(f"#data-history-table button[id*='\"version\":{before}']").click()
        dash_duo.wait_for_contains_text("#data-rollback-done", f"Now serving version {before}")
        assert store.current_version(warehouse_dir) == before
        assert dash_duo.get_logs() == []
    finally:
        if store.current_version(warehouse_dir) != before:
            store.set_current(warehouse_dir, before)


def test_refused_upload_says_why_and_page_fits_a_phone(dash_duo, app, accounts, warehouse_dir,
                                                      tmp_path):
    before = store.current_version(warehouse_dir)
    files = write_export(tmp_path / "bad", "Sale_ID,Date,Units\n1,2024-01-05\n")
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    dash_duo.driver.get(dash_duo.server_url + "/data")
    _upload(dash_duo, [files[2][0]])
    dash_duo.wait_for_element("#data-failed", timeout=20)
    text = dash_duo.find_element("#data-failed").text
    assert "file sales.csv, row 2, column 'Units'" in text and "Nothing was changed" in text
    assert store.current_version(warehouse_dir) == before
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    assert dash_duo.get_logs() == []
