"""The profit and loss page in headless Chromium, as an analyst and as the North manager, at 1440
and 390 px: the tiles and the ranked bars' rendered order against pandas over the raw sample
rows, a click drilling category > toy type, the US map drawn from the app's own topojson (no
CDN: the test browser has no internet), labels, no console errors, no sideways scroll at 390 px.
Screenshots go to $TOYPULSE_SCREENSHOTS (default /work/notes) as profit-*.png."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard.figures.theme import format_number
from tests import reference as ref
from tests.auth_helpers import browser_sign_in
from tests.browser import axe

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/work/notes"))
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
# The rendered y tick labels of a graph, top to bottom (as the reader sees them).
TICKS_JS = """
const ticks = [...document.querySelectorAll(arguments[0] + ' .yaxislayer-above .ytick text')];
return ticks.map(t => [t.getBoundingClientRect().top, t.textContent])
            .sort((a, b) => a[0] - b[0]).map(t => t[1]);
"""


@pytest.fixture(scope="module")
def lines(raw, sample_dir) -> pd.DataFrame:
    """The raw lines with their store's state (the sample's lines carry no state of their own)."""
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state"]]
    return raw.merge(stores.astype(str), on="store_id", how="left")


def _ticks(dash_duo, graph: str) -> list[str]:
    return dash_duo.driver.execute_script(TICKS_JS, f"#{graph}")


def _profit_order(rows, column: str) -> list[str]:
    """Members by gross profit, largest first, ties by name (the page's stated order)."""
    sums = rows.assign(profit=rows["revenue"] - rows["cost"]).groupby(column)["profit"].sum()
    return sorted(sums.index, key=lambda m: (-round(sums[m], 6), m))


def _wait_order(dash_duo, graph: str, expected: list[str]) -> None:
    dash_duo.wait_for_element(f"#{graph} .yaxislayer-above .ytick text", timeout=30)
    dash_duo._wait_for_callbacks()
    deadline = dt.datetime.now() + dt.timedelta(seconds=20)
    while _ticks(dash_duo, graph) != expected and dt.datetime.now() < deadline:
        pass
    assert _ticks(dash_duo, graph) == expected


def _shot(dash_duo, name: str, width: int) -> None:
    """The whole page at `width` px; at 390 px it must not scroll sideways."""
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 768})
    dash_duo._wait_for_callbacks()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": int(height), "deviceScaleFactor": 1, "mobile": width < 768})
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"profit-{name}-{width}.png"))
    if width < 768:  # a phone page is too tall to read whole: also in screen-high parts
        for i, top in enumerate(range(0, int(height), 1600)):
            part = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "clip": {"x": 0, "y": top, "width": width,
                                          "height": min(1600, int(height) - top), "scale": 1}})
            (SHOTS / f"profit-{name}-{width}-part{i + 1}.png").write_bytes(
                base64.b64decode(part["data"]))
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px wide)"


def _click_top_bar(dash_duo, graph: str) -> None:
    bars = dash_duo.find_elements(f"#{graph} .trace.bars .point path")
    top = min(bars, key=lambda b: b.rect["y"])
    ActionChains(dash_duo.driver).move_to_element(top).click().perform()


def test_analyst_sees_profit_drills_and_the_map(dash_duo, app, lines, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server_url + "/profit")
    dash_duo.wait_for_text_to_equal("#pl-summary", "All regions, 2025", timeout=30)
    year = ref.select(lines, *YEAR)
    dash_duo.wait_for_text_to_equal("#pl-tile-revenue", format_number(year["revenue"].sum(),
                                                                      "currency"))
    profit = year["revenue"].sum() - year["cost"].sum()
    dash_duo.wait_for_text_to_equal("#pl-tile-profit", format_number(profit, "currency"))
    dash_duo.wait_for_text_to_equal("#pl-tile-margin_pct",
                                    format_number(profit / year["revenue"].sum(), "pct"))

    categories = _profit_order(year, "category")
    _wait_order(dash_duo, "ov-pl-prod", categories)
    assert dash_duo.find_element("#pl-title-pl-prod").text == "Gross profit by category"
    _wait_order(dash_duo, "ov-pl-geo", _profit_order(year, "region"))

    # The map: one shape per state with sales, drawn from /assets/topojson (offline).
    dash_duo.wait_for_element("#ov-pl-map .choroplethlocation", timeout=30)
    drawn = dash_duo.find_elements("#ov-pl-map .choroplethlocation")
    assert len(drawn) == year["state"].nunique()

    found = axe.blocking(dash_duo.driver)
    assert found == [], axe.describe(found)
    _shot(dash_duo, "analyst", 1440)
    _shot(dash_duo, "analyst", 390)

    # Drill: the top category bar opens its toy types, in pandas' order.
    _click_top_bar(dash_duo, "ov-pl-prod")
    top = categories[0]
    dash_duo.wait_for_text_to_equal("#pl-title-pl-prod", f"Gross profit by toy type in {top}",
                                    timeout=20)
    _wait_order(dash_duo, "ov-pl-prod", _profit_order(year[year["category"] == top],
                                                      "subcategory"))
    assert "prod=" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_north_manager_sees_only_north(dash_duo, app, lines, accounts):
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.get(dash_duo.server_url + "/profit")
    dash_duo.wait_for_text_to_equal("#pl-summary", "North (your regions), 2025", timeout=30)
    north = ref.select(lines, *YEAR, scope=("North",))
    dash_duo.wait_for_text_to_equal("#pl-tile-revenue", format_number(north["revenue"].sum(),
                                                                      "currency"))
    # A manager of one region starts inside it: the place bars are North's states.
    _wait_order(dash_duo, "ov-pl-geo", _profit_order(north, "state"))
    _wait_order(dash_duo, "ov-pl-prod", _profit_order(north, "category"))
    _shot(dash_duo, "north", 1440)
    _shot(dash_duo, "north", 390)
    assert dash_duo.get_logs() == []


OPACITY_JS = """
const paths = document.querySelectorAll(arguments[0] + ' .trace.bars:first-child .point path');
return Array.from(paths).map(p => [p.getBoundingClientRect().top,
                                   Number(getComputedStyle(p).opacity)])
            .sort((a, b) => a[0] - b[0]).map(p => p[1]);  // top to bottom
"""


def test_analyst_highlights_a_category_across_the_page(dash_duo, app, lines, accounts):
    """In "Highlight" mode the top category bar stays lit and the rest dim (on screen, not
    drilled), the place bars get the category's part drawn over them, the sentence says its
    revenue as pandas sums it, the URL keeps it, and "Clear highlight" undoes it."""
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server_url + "/profit")
    year = ref.select(lines, *YEAR)
    categories = _profit_order(year, "category")
    _wait_order(dash_duo, "ov-pl-prod", categories)
    dash_duo.driver.find_element(
        By.XPATH, "//*[@id='pl-click-mode']//label[normalize-space()='Highlight']").click()
    _click_top_bar(dash_duo, "ov-pl-prod")
    top = categories[0]
    note = format_number(year.loc[year["category"] == top, "revenue"].sum(), "currency")
    deadline = dt.datetime.now() + dt.timedelta(seconds=20)
    while (f"Highlighting {top}: revenue {note} " not in
           dash_duo.find_element("#pl-highlight-note").text and dt.datetime.now() < deadline):
        pass
    assert f"Highlighting {top}: revenue {note} " in dash_duo.find_element(
        "#pl-highlight-note").text
    assert dash_duo.find_element("#pl-title-pl-prod").text == "Gross profit by category"
    opacity = dash_duo.driver.execute_script(OPACITY_JS, "#ov-pl-prod")
    assert opacity[0] == 1 and all(o < 0.5 for o in opacity[1:])
    dash_duo.wait_for_element("#ov-pl-geo .legendtext", timeout=20)
    legend = [e.text for e in dash_duo.find_elements("#ov-pl-geo .legendtext")]
    assert f"{top} (selected)" in legend
    assert "hl=category" in dash_duo.driver.current_url
    found = axe.blocking(dash_duo.driver)
    assert found == [], axe.describe(found)
    _shot(dash_duo, "highlight", 1440)
    _shot(dash_duo, "highlight", 390)
    dash_duo.find_element("#pl-clear-highlight").click()
    dash_duo.wait_for_text_to_equal("#pl-highlight-note", "", timeout=20)
    assert "hl=" not in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
