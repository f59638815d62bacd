"""Drill-down in headless Chromium: names read from the rendered figures, checked with pandas.

An analyst clicks North in the contribution chart and sees North's states, goes a level down,
reloads the URL (the level stays) and climbs back with the breadcrumb. A North manager lands on
North's states, drills to cities and stores, and no chart names another region's places.
Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp) as drill-*.png.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from dash.testing.errors import TestingTimeoutError
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard.figures.theme import format_number
from tests import reference as ref
from tests.auth_helpers import browser_sign_in

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
# Members a rendered graph names: (trace y labels, customdata member) of every trace.
MEMBERS_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.data) { return null; }
return gd.data.flatMap(t => (t.customdata || []).flat(1).filter(c => Array.isArray(c))
                                 .map(c => c[1]).concat(t.y || []));
"""
# {member: x} of the trace named arguments[1] (a horizontal bar series).
SERIES_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
const t = gd.data.find(t => t.name === arguments[1]);
return t ? Object.fromEntries(t.customdata.map((c, i) => [c[1], t.x[i]])) : null;
"""
FIRST_TRACE_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
return gd.data[0].customdata.map(c => c[1]);
"""


@pytest.fixture(scope="module")
def lines(raw, sample_dir):
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state", "name"]]
    return raw.merge(stores.rename(columns={"name": "store_name"}), on="store_id", how="left")


def _members(dash_duo, graph: str) -> set[str]:
    return {str(m) for m in dash_duo.driver.execute_script(MEMBERS_JS, f"#{graph}") or []}


def _hovered(dash_duo, graph: str) -> str:
    return " ".join(e.text for e in dash_duo.find_elements(f"#{graph} .hoverlayer .hovertext"))


def _click_member(dash_duo, graph: str, member: str) -> None:
    """Click the bar of `member` in the first trace of a horizontal bar chart, once its own
    tooltip shows (Plotly reports a click on the point it hovers). Each try finds the bar
    again and comes to it from outside the plot: a redraw between the move and the tooltip
    (a late callback) replaces the bar and drops the hover."""
    until(lambda: dash_duo.find_element(f"#{graph}").get_attribute("data-dash-is-loading")
          is None, timeout=60, msg=f"{graph} kept loading")
    for dx, dy in ((0.5, 0.5), (0.25, 0.5), (0.5, 0.3), (0.5, 0.7)):  # from the top-left corner
        order = dash_duo.driver.execute_script(FIRST_TRACE_JS, f"#{graph}")
        bar = dash_duo.find_elements(f"#{graph} .trace.bars .point path")[order.index(member)]
        dash_duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", bar)
        width, height = bar.rect["width"], bar.rect["height"]
        ActionChains(dash_duo.driver).move_to_element_with_offset(
            dash_duo.find_element(f"#ov-title-{graph.removeprefix('ov-')}"), 1, 1).perform()
        ActionChains(dash_duo.driver).move_to_element_with_offset(
            bar, int(width * dx), int(height * dy)).perform()
        try:
            until(lambda: _hovered(dash_duo, graph).startswith(member), timeout=3)
            break
        except TestingTimeoutError:
            continue
    else:
        raise AssertionError(f"no tooltip for {member} in {graph}: {_hovered(dash_duo, graph)}")
    ActionChains(dash_duo.driver).click().perform()


def _wait_title(dash_duo, graph: str, text: str) -> None:
    dash_duo.wait_for_text_to_equal(f"#ov-title-{graph}", text, timeout=60)


def _wait_members(dash_duo, graph: str, expected: set[str]) -> None:
    until(lambda: _members(dash_duo, graph) == expected, timeout=60,
          msg=f"{graph} never named {sorted(expected)}: {sorted(_members(dash_duo, graph))}")


def _crumb(dash_duo, axis: str, name: str) -> None:
    button = dash_duo.driver.find_element(
        By.XPATH, f"//*[@id='ov-trail-{axis}']//button[normalize-space()='{name}']")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button)
    button.click()


def _shot(dash_duo, name: str, element: str = "#ov-drill-bar", height: int = 1100) -> None:
    """A full-width picture of the page from `element` down (`height` CSS px)."""
    top, width = dash_duo.driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [r.top + window.scrollY, document.documentElement.clientWidth];", element)
    shot = dash_duo.driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": max(0, top - 8), "width": width, "height": height, "scale": 1}})
    (SHOTS / name).write_bytes(base64.b64decode(shot["data"]))


def _phone(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})


def test_analyst_drills_a_region_and_climbs_back(dash_duo, app, lines, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=30)
    year = ref.select(lines, *YEAR)
    north = year[year["region"] == "North"]
    dash_duo.wait_for_element("#ov-contrib .trace.bars .point path", timeout=60)
    _wait_members(dash_duo, "ov-contrib", set(year["region"]))

    _click_member(dash_duo, "ov-contrib", "North")
    _wait_title(dash_duo, "contrib", "Contribution % by state in North")
    _wait_members(dash_duo, "ov-contrib", set(north["state"]))
    _wait_members(dash_duo, "ov-heatmap", set(north["state"]))
    assert "geo=North" in dash_duo.driver.current_url
    assert dash_duo.find_element("#ov-highlight-note").text == ""  # a drill, not a highlight
    # The drill narrows the whole page: the tiles now show North alone.
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=30)
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(north["revenue"].sum(), "currency"),
                                    timeout=30)

    state = north.groupby("state")["revenue"].sum().idxmax()
    _click_member(dash_duo, "ov-contrib", state)
    _wait_title(dash_duo, "contrib", f"Contribution % by city in North › {state}")
    cities = set(north.loc[north["state"] == state, "city"])
    _wait_members(dash_duo, "ov-contrib", cities)
    _shot(dash_duo, "drill-analyst-city-1440.png")

    # The URL keeps the level.
    dash_duo.driver.get(dash_duo.driver.current_url)
    _wait_title(dash_duo, "contrib", f"Contribution % by city in North › {state}")
    _wait_members(dash_duo, "ov-contrib", cities)
    trail = dash_duo.find_element("#ov-trail-geo").text
    assert "All regions" in trail and "North" in trail and state in trail

    # A category bar drills to its toy types.
    dolls = year[year["category"] == "Dolls"]
    _click_member(dash_duo, "ov-category", "Dolls")
    _wait_title(dash_duo, "category", "Revenue by toy type in Dolls")
    _wait_members(dash_duo, "ov-category", set(dolls["subcategory"]))

    # Breadcrumbs climb back: one step, then to the top.
    _crumb(dash_duo, "geo", "North")
    _wait_title(dash_duo, "contrib", "Contribution % by state in North")
    _crumb(dash_duo, "geo", "All regions")
    _wait_title(dash_duo, "contrib", "Regional contribution %")
    _wait_members(dash_duo, "ov-contrib", set(year["region"]))
    assert "geo=" not in dash_duo.driver.current_url and "prod=Dolls" in dash_duo.driver.current_url

    # "Highlight" mode: the same click highlights the region instead of drilling.
    dash_duo.driver.find_element(
        By.XPATH, "//*[@id='ov-click-mode']//label[normalize-space()='Highlight']").click()
    _click_member(dash_duo, "ov-contrib", "West")
    dash_duo.wait_for_contains_text("#ov-highlight-note", "Highlighting West", timeout=30)
    assert dash_duo.find_element("#ov-title-contrib").text == "Regional contribution %"
    assert dash_duo.get_logs() == []


def test_north_manager_compares_their_cities_and_stores(dash_duo, app, lines, accounts):
    browser_sign_in(dash_duo, app, accounts["manager"])
    year = ref.select(lines, *YEAR)
    north = year[year["region"] == "North"]
    others = year[year["region"] != "North"]
    mine = set(north[["state", "city", "store_name"]].to_numpy().ravel()) | {"North"}
    foreign = (set(others[["region", "state", "city", "store_name"]].to_numpy().ravel())
               - mine)

    def names_on_page() -> set[str]:
        return set().union(*(_members(dash_duo, f"ov-{g}") for g in
                             ("contrib", "heatmap", "category", "subcategory", "trend")))

    # Lands on North broken down by state: both charts compare North's states.
    _wait_title(dash_duo, "contrib", "Contribution % by state in North")
    _wait_members(dash_duo, "ov-contrib", set(north["state"]))
    _wait_members(dash_duo, "ov-heatmap", set(north["state"]))
    assert "geo=North" in dash_duo.driver.current_url
    trail = dash_duo.find_element("#ov-trail-geo").text
    assert "Your regions" in trail and "All regions" not in trail
    assert not names_on_page() & foreign
    _shot(dash_duo, "drill-manager-states-1440.png")

    state = north.groupby("state")["revenue"].sum().idxmax()
    _click_member(dash_duo, "ov-contrib", state)
    in_state = north[north["state"] == state]
    _wait_members(dash_duo, "ov-contrib", set(in_state["city"]))
    city = in_state.groupby("city")["revenue"].sum().idxmax()
    _click_member(dash_duo, "ov-contrib", city)
    stores = set(in_state.loc[in_state["city"] == city, "store_name"])
    _wait_title(dash_duo, "contrib", f"Contribution % by store in North › {state} › {city}")
    _wait_members(dash_duo, "ov-contrib", stores)
    _wait_members(dash_duo, "ov-heatmap", stores)
    assert not names_on_page() & foreign
    _shot(dash_duo, "drill-manager-stores-1440.png")
    _shot(dash_duo, "drill-manager-stores-heatmap-1440.png", "#ov-card-heatmap", 700)

    # A forged link into another region: dropped with a note, nothing of it shown.
    south = others[others["region"] == "South"]
    dash_duo.driver.get(dash_duo.server_url + "/?geo=South&geo=" + south["state"].iloc[0])
    dash_duo.wait_for_element("#ov-drill-dropped", timeout=30)
    _wait_title(dash_duo, "contrib", "Regional contribution %")
    _wait_members(dash_duo, "ov-contrib", {"North"})
    assert not names_on_page() & foreign
    assert "South" not in dash_duo.find_element("#ov-drill-bar").text

    # On a phone the breadcrumbs and both compared charts still fit, no sideways scroll.
    _phone(dash_duo)
    dash_duo.driver.get(dash_duo.server_url + f"/?geo=North&geo={state}")
    _wait_members(dash_duo, "ov-contrib", set(in_state["city"]))
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
    _shot(dash_duo, "drill-manager-cities-390.png", height=844)
    _shot(dash_duo, "drill-manager-contrib-390.png", "#ov-card-contrib", 600)
    _shot(dash_duo, "drill-manager-heatmap-390.png", "#ov-card-heatmap", 700)
    assert dash_duo.get_logs() == []


def test_north_manager_finds_the_weakest_store_and_in_what(dash_duo, app, lines, accounts):
    """"Which of my stores underperforms, and in what": Stores compares all North's stores;
    a click on the one that lost most opens it, by category, with the category that lost most
    named among its bars."""
    browser_sign_in(dash_duo, app, accounts["manager"])
    _wait_title(dash_duo, "contrib", "Contribution % by state in North")
    # An empty Region filter covers only their region, and says so.
    assert dash_duo.find_element("#ov-f-regions").text == "All yours: North"
    year = ref.select(lines, *YEAR, regions=("North",))
    before = ref.select(lines, dt.date(2024, 1, 2), dt.date(2024, 12, 31), regions=("North",))
    growth = (year.groupby("store_name")["revenue"].sum()
              .sub(before.groupby("store_name")["revenue"].sum(), fill_value=0))
    growth = growth[year["store_name"].unique()]
    weakest = growth.idxmin()

    next(x for x in dash_duo.find_elements("#ov-places label") if x.text == "Stores").click()
    _wait_title(dash_duo, "contrib", "Contribution % by store in North")
    _wait_members(dash_duo, "ov-contrib", set(year["store_name"]))
    _wait_members(dash_duo, "ov-heatmap", set(year["store_name"]))
    assert "places=stores" in dash_duo.driver.current_url
    until(lambda: "(stores)" in dash_duo.find_element("#ov-trail-geo").text, timeout=30,
          msg="the trail did not say the charts compare stores")
    _shot(dash_duo, "drill-manager-all-stores-1440.png", "#ov-card-contrib", 900)

    _click_member(dash_duo, "ov-contrib", weakest)
    store = year[year["store_name"] == weakest]
    row = store.iloc[0]
    _wait_title(dash_duo, "contrib", f"Contribution % by category in North › {row['state']} › "
                                     f"{row['city']} › {weakest}")
    until(lambda: {html.unescape(m) for m in _members(dash_duo, "ov-contrib")}
          == set(store["category"]), timeout=60, msg="the store's categories never showed")
    change = (store.groupby("category")["revenue"].sum()
              .sub(before[before["store_name"] == weakest].groupby("category")["revenue"].sum(),
                   fill_value=0))[store["category"].unique()]
    lost = change.idxmin()
    assert lost in {html.unescape(m) for m in _members(dash_duo, "ov-contrib")}
    # The hatched bars: each category's change over the size of the store's whole change, so
    # the one that lost most reads most negative and a grower reads positive (the store fell).
    drawn = dash_duo.driver.execute_script(SERIES_JS, "#ov-contrib", "Share of the change")
    assert {html.unescape(k): v for k, v in drawn.items()} == pytest.approx(
        (change / abs(change.sum())).to_dict())
    assert min(drawn, key=drawn.get) == lost
    assert weakest in dash_duo.find_element("#ov-trail-geo").text
    ticks = [t.text for t in dash_duo.find_elements("#ov-trend .yaxislayer-above .ytick text")]
    assert ticks and all(re.fullmatch(r"\$\d{1,3}(,\d{3})*(\.\d+)?[kMB]?", t) for t in ticks), \
        ticks  # the store's monthly revenue reaches $3,000: thousands separated
    _shot(dash_duo, "drill-manager-store-categories-1440.png", "#ov-drill-bar", 1300)
    assert dash_duo.get_logs() == []
