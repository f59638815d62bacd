"""Saved views in headless Chromium: save a view, change a filter and an option, save again,
read the diff in the history, restore the first version and open it: the Overview shows the
restored filters (numbers against pandas). Screenshots go to $TOYPULSE_SCREENSHOTS (/tmp)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from dashboard.figures.theme import format_number
from tests import reference as ref
from tests.auth_helpers import browser_sign_in
from tests.browser import axe
from tests.browser.test_overview_browser import _pick
from tests.browser.test_phone_browser import PHONE

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))


def _save(dash_duo, name: str | None = None, share: str | None = None) -> None:
    dash_duo.find_element("#views-save-open").click()
    field = dash_duo.wait_for_element("#views-save-name")
    if name is not None:
        field.clear()
        field.send_keys(name)
    if share is not None:
        Select(dash_duo.find_element("#views-save-share")).select_by_visible_text(share)
    dash_duo.find_element("#views-save-submit").click()
    dash_duo.wait_for_element("#views-saved", timeout=20)


def _top(dash_duo, label: str) -> None:
    dash_duo.driver.find_element(
        By.XPATH, f"//*[@id='ov-top-n']//label[normalize-space()='{label}']").click()


def _wait_url(dash_duo, *parts: str) -> None:
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: all(p in d.current_url for p in parts))


SMALL_TARGETS_JS = """
return [...document.querySelectorAll(arguments[0])].filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return [e.id || e.textContent.trim().slice(0, 30), r.width, r.height]; })
  .filter(([_, w, h]) => w < 44 || h < 44);
"""
TARGETS = ("main .btn, main summary, .views-name, .views-back, "
           ".views-save-form .form-control, .views-save-form .form-select")


def _phone_checks(dash_duo, where: str) -> None:
    """At 390 px: every button, link-button and form field at least 44 px, and no serious or
    critical axe-core violation."""
    small = dash_duo.driver.execute_script(SMALL_TARGETS_JS, TARGETS)
    assert small == [], f"{where}: touch targets under 44 px: {small}"
    found = axe.blocking(dash_duo.driver)
    assert found == [], f"{where}:\n{axe.describe(found)}"


def test_save_edit_diff_restore_and_open(dash_duo, app, raw, accounts):
    name = f"North top five {uuid.uuid4().hex[:6]}"
    year = ref.select(raw, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    north = format_number(year.loc[year["region"] == "North", "revenue"].sum(), "currency")
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/?region=North")
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=30)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value", north, timeout=30)

    _save(dash_duo, name, "Analysts")  # version 1: North, top 5
    assert dash_duo.find_element("#views-title").text == name
    assert dash_duo.find_element("#views-saved").text == "Saved as version 1."
    assert "shared with: analysts · 1 version" in dash_duo.find_element("#views-meta").text
    assert dash_duo.find_element("#views-diff-1").text == "First version."

    dash_duo.find_element("#views-open-latest").click()  # back to the Overview, from the view
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=30)
    dash_duo.wait_for_contains_text("#ov-saved-view", f"Saved view “{name}” · version 1 of 1")
    _pick(dash_duo, "ov-f-regions", "South")
    dash_duo.wait_for_text_to_equal("#ov-summary", "North and South, 2025", timeout=30)
    _wait_url(dash_duo, "region=South", "view=")
    dash_duo.driver.refresh()  # a reload keeps the line, and it says the page was changed
    dash_duo.wait_for_contains_text("#ov-saved-view", f"Saved view “{name}” · version 1 of 1",
                                    timeout=30)
    assert "changed since it was opened" in dash_duo.find_element("#ov-saved-view").text
    dash_duo.wait_for_text_to_equal("#ov-summary", "North and South, 2025", timeout=30)
    _top(dash_duo, "Top 10")
    _wait_url(dash_duo, "region=South", "top=10")
    _save(dash_duo)  # the name is offered again: version 2

    assert dash_duo.find_element("#views-saved").text == "Saved as version 2."
    assert dash_duo.find_element("#views-diff-2").text == (
        "Region: North → North, South; Top N: 5 → 10.")
    items = dash_duo.find_elements("#views-history > *")
    assert [i.get_attribute("id") for i in items] == ["views-version-2", "views-version-1"]
    dash_duo.driver.save_screenshot(str(SHOTS / "views-history-1440.png"))

    dash_duo.find_element("#views-restore-1").click()
    dash_duo.wait_for_text_to_equal("#views-saved", "Saved as version 3.", timeout=20)
    assert dash_duo.find_element("#views-diff-3").text == (
        "Region: North, South → North; Top N: 10 → 5.")
    assert "Restored version 1" in dash_duo.find_element("#views-version-3").text
    assert "3 versions" in dash_duo.find_element("#views-meta").text

    dash_duo.find_element("#views-open-latest").click()
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=30)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value", north, timeout=30)
    dash_duo.wait_for_contains_text("#ov-saved-view", "version 3 of 3")
    checked = dash_duo.driver.find_element(
        By.CSS_SELECTOR, "#ov-top-n label.active").text
    assert checked == "Top 5"

    dash_duo.driver.get(dash_duo.server.url + "/views")
    dash_duo.wait_for_element("#views-table", timeout=20)
    row = next(r for r in dash_duo.find_elements(".views-row") if name in r.text)
    cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
    assert cells[:4] == [name, "t-analyst", "Analysts", "3"]
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    dash_duo.driver.save_screenshot(str(SHOTS / "views-list-390.png"))
    _phone_checks(dash_duo, "views list")
    link = row.find_element(By.CSS_SELECTOR, ".views-name")
    dash_duo.driver.get(link.get_attribute("href"))
    dash_duo.wait_for_element("#views-history", timeout=20)
    _phone_checks(dash_duo, "view history")
    dash_duo.driver.get(dash_duo.server.url + "/?region=North")
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=30)
    opener = dash_duo.find_element("#views-save-open")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});", opener)
    opener.click()
    dash_duo.wait_for_element("#views-save-name")
    _phone_checks(dash_duo, "Overview with the save form open")
    dash_duo.driver.save_screenshot(str(SHOTS / "views-save-390.png"))
    assert dash_duo.get_logs() == []
