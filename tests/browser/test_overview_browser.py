"""The Overview in headless Chromium: filters, cross-highlight, URL state, no console errors."""

from __future__ import annotations

import datetime as dt

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.figures.theme import format_number
from tests import reference as ref
from tests.auth_helpers import browser_sign_in


def _pick(dash_duo, control_id: str, option: str) -> None:
    dash_duo.find_element(f"#{control_id}").click()
    dash_duo.wait_for_element(f"[role=option] input[value='{option}']")
    for element in dash_duo.find_elements("[role=option]"):
        if element.text.startswith(f"{option} ("):  # options carry their line count
            element.click()
            break
    dash_duo.find_element("body").send_keys("\ue00c")  # Escape closes the list


def _click_bar(dash_duo, graph_id: str, index: int) -> None:
    bars = dash_duo.find_elements(f"#{graph_id} .trace.bars .point path")
    ActionChains(dash_duo.driver).move_to_element(bars[index]).click().perform()


def test_filter_highlight_and_reload_from_url(dash_duo, app, raw, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=20)
    year = ref.select(raw, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(year["revenue"].sum(), "currency"))

    _pick(dash_duo, "ov-f-regions", "North")
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=15)
    north = year[year["region"] == "North"]
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(north["revenue"].sum(), "currency"))
    assert "region=North" in dash_duo.driver.current_url

    # In "Highlight" mode (a click would drill otherwise), click the top category bar: it stays
    # bright, the others dim, the note says what is lit.
    dash_duo.driver.find_element(
        By.XPATH, "//*[@id='ov-click-mode']//label[normalize-space()='Highlight']").click()
    dash_duo.wait_for_element("#ov-category .trace.bars .point path")
    top_category = north.groupby("category")["revenue"].sum().idxmax()
    bars = dash_duo.find_elements("#ov-category .trace.bars .point path")
    _click_bar(dash_duo, "ov-category", len(bars) - 1)  # largest bar is drawn last (top)
    dash_duo.wait_for_contains_text("#ov-highlight-note", f"Highlighting {top_category}")
    assert "hl=category" in dash_duo.driver.current_url
    # Other charts keep their marks (dimmed, not removed): every region row stays in the heat map.
    dash_duo.wait_for_element("#ov-heatmap .heatmaplayer")

    # A copied link reproduces the view.
    url = dash_duo.driver.current_url
    dash_duo.driver.get(url)
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=20)
    dash_duo.wait_for_contains_text("#ov-highlight-note", f"Highlighting {top_category}")

    # "Filter to selection" turns the highlight into a filter; reset returns to the default.
    dash_duo.find_element("#ov-filter-selection").click()
    dash_duo.wait_for_text_to_equal("#ov-summary", f"North, 2025, {top_category}", timeout=15)
    assert dash_duo.find_element("#ov-highlight-note").text == ""
    dash_duo.find_element("#ov-reset").click()
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=15)

    assert dash_duo.get_logs() == []


def test_no_match_state_and_narrow_screen(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    dash_duo.driver.get(dash_duo.server_url + "/?start=2019-01-01&end=2019-01-31"
                        "&category=No+such+category")
    dash_duo.wait_for_element("#ov-empty", timeout=20)
    dash_duo.wait_for_contains_text("#ov-empty", "No sales match these filters", timeout=20)
    # dates before the data are moved to its first day, and the page says so
    dash_duo.wait_for_contains_text("#ov-date-note", "the start date 1 Jan 2019 was moved to")
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "#ov-kpis .card") == []
    assert dash_duo.get_logs() == []


def _wait_until(dash_duo, condition, timeout: float) -> None:
    WebDriverWait(dash_duo.driver, timeout).until(lambda _: condition())


def _options(dash_duo, control_id: str) -> list[str]:
    dash_duo.find_element(f"#{control_id}").click()
    dash_duo.wait_for_element("[role=option]")
    texts = [e.text for e in dash_duo.find_elements("[role=option]")]
    dash_duo.find_element("body").send_keys("\ue00c")
    return texts


def test_filters_narrow_with_counts_and_reset_restores_every_control(dash_duo, app, raw,
                                                                     accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=20)
    year = ref.select(raw, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    ages = year.groupby("age_group").size()
    order = ["0-2", "3-5", "6-8", "9-12", "13+", "Unknown"]
    assert _options(dash_duo, "ov-f-age_groups") == [
        f"{a} ({ages[a]:,})" for a in order if a in ages.index]  # by age, not as text

    _pick(dash_duo, "ov-f-categories", "Dolls")
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025, Dolls", timeout=15)
    dolls = year[year["category"] == "Dolls"].groupby("subcategory").size()
    _wait_until(dash_duo, lambda: len(_options(dash_duo, "ov-f-subcategories")) == len(dolls),
                        timeout=10)
    assert _options(dash_duo, "ov-f-subcategories") == [
        f"{t} ({n:,})" for t, n in sorted(dolls.items(), key=lambda kv: kv[0].casefold())]

    dash_duo.find_elements("#ov-measure label")[1].click()  # Units
    dash_duo.find_elements("#ov-top-n label")[2].click()  # Top 10
    dash_duo.find_elements("#ov-trend-by label")[1].click()  # Region
    _wait_until(dash_duo, lambda: "top=10" in dash_duo.driver.current_url
                        and "measure=units" in dash_duo.driver.current_url
                        and "trend=region" in dash_duo.driver.current_url, timeout=10)
    dash_duo.find_element("#ov-reset").click()
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=15)
    _wait_until(dash_duo, lambda: dash_duo.driver.current_url.rstrip("/").endswith(
        str(dash_duo.server_url).rstrip("/")) or "?" not in dash_duo.driver.current_url,
        timeout=10)
    checked = [e.get_attribute("value") for e in dash_duo.find_elements(
        "#ov-measure input:checked, #ov-top-n input:checked, #ov-trend-by input:checked")]
    assert sorted(checked) == sorted(["revenue", "5", "category"])
    assert dash_duo.get_logs() == []
