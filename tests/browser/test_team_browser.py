"""The Team page in headless Chromium at 1440 and 390 px: the ranking bars are in the order
pandas ranks the employees (over the raw rows), the labels carry their ranks, the rules are on
the page, a North manager sees North's people only, and nothing scrolls sideways on a phone.
Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp) as team-*.png."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains

from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from tests import reference as ref
from tests.auth_helpers import browser_sign_in
from tests.browser.test_data_flat_browser import _shot, _shots_desk_and_phone

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
BAR_LABELS_JS = """
const gd = document.querySelector('#ov-team-ranking .js-plotly-plot');
if (!gd || !gd.data || !gd.data.length) { return null; }
return gd.data[0].y.slice().reverse();  // bars are listed bottom-up: top first
"""


def _expected_top(raw, sample_dir, lo, hi, regions=None) -> list[str]:
    """The top 15 employees by revenue, by pandas: '#rank Name' (competition ranks)."""
    rows = ref.select(raw, lo, hi, scope=regions)
    employees = pd.read_parquet(sample_dir / "employees.parquet")
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    staff = employees.merge(stores[["store_id", "region"]], on="store_id")
    if regions:
        staff = staff[staff["region"].isin(regions)]
    revenue = rows.groupby("employee_id")["revenue"].sum()
    staff = staff.assign(revenue=staff["employee_id"].astype(str).map(revenue).fillna(0.0))
    staff["rank"] = staff["revenue"].rank(method="min", ascending=False).astype(int)
    staff["tie"] = staff["rank"].map(staff["rank"].value_counts()) > 1
    staff = staff.sort_values(["rank", "name"]).head(15)
    return [f"#{r}{'=' if t else ''} {n}"
            for r, t, n in zip(staff["rank"], staff["tie"], staff["name"], strict=True)]


def _wait_bars(dash_duo):
    dash_duo.wait_for_element("#ov-team-ranking .trace.bars .point path", timeout=60)
    return dash_duo.driver.execute_script(BAR_LABELS_JS)


def test_analyst_sees_the_ranking_in_pandas_order(dash_duo, app, accounts, warehouse, raw,
                                                  sample_dir):
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/team")
    labels = _wait_bars(dash_duo)
    assert labels == _expected_top(raw, sample_dir, lo, hi)
    assert dash_duo.find_element("#team-summary").text.startswith("All regions")
    page = dash_duo.find_element("body").text
    assert "competition style" in page and "months covered" in page
    assert "Set a monthly target" not in page  # analysts do not set targets
    assert dash_duo.find_element("#tile-employees").text.replace(",", "").isdigit()
    assert dash_duo.get_logs() == []  # no callback errors in the console
    # The table view lists the bars top-down, as the chart shows them.
    dash_duo.find_element("#ov-table-toggle-team-ranking").click()
    dash_duo.wait_for_element("#ov-table-team-ranking tbody th", timeout=30)
    headers = [th.text for th in dash_duo.find_elements("#ov-table-team-ranking tbody th")]
    assert headers == labels
    _shot(dash_duo, SHOTS, "team-analyst", 1440)
    # The URL holds the view (the Overview's keys): a link with a region and dates reproduces it.
    dash_duo.driver.get(dash_duo.server.url + "/team?region=North&start=2025-01-01&end=2025-06-30")
    dash_duo.wait_for_text_to_equal("#team-summary", "North, Jan 2025 – Jun 2025", timeout=30)
    until(lambda: dash_duo.driver.execute_script(BAR_LABELS_JS) == _expected_top(
        raw, sample_dir, dt.date(2025, 1, 1), dt.date(2025, 6, 30), ["North"]), timeout=30)
    assert "region=North" in dash_duo.driver.current_url


def test_north_manager_on_a_phone(dash_duo, app, accounts, warehouse, raw, sample_dir):
    north = Scope(("North",))
    lo, hi = domain(warehouse, north).default_range()
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server.url + "/team")
    labels = _wait_bars(dash_duo)
    assert labels == _expected_top(raw, sample_dir, lo, hi, ["North"])
    # a manager of one region lands inside it: the place charts compare North's stores
    places = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-team-regions .js-plotly-plot').data[0].y;")
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    assert set(places) <= set(stores.loc[stores["region"] == "North", "name"]) and places
    assert dash_duo.find_element("#team-title-regions").text.startswith(
        "Contribution by store in North")
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    _shot(dash_duo, SHOTS, "team-north", 390)


def test_admin_sets_a_target_on_the_page(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.get(dash_duo.server.url + "/team")
    _wait_bars(dash_duo)

    def submit(value: str) -> None:
        dash_duo.find_element("#team-targets summary").click()
        dash_duo.find_element("#team-target-value").send_keys(value)
        dash_duo.find_element("#team-target-save").click()
        dash_duo.wait_for_element("#team-target-saved", timeout=30)

    employee = dash_duo.find_element("#team-target-employee").get_attribute("value")
    submit("1")
    until(lambda: "set by an admin" in dash_duo.find_element("#team-notes").text, timeout=30)
    _shot(dash_duo, SHOTS, "team-admin-target", 1440)
    assert dash_duo.find_element("#team-target-employee").get_attribute("value") == employee
    submit("")  # empty: back to the data's target
    until(lambda: "set by an admin" not in dash_duo.find_element("#team-notes").text, timeout=30)


POINT_OPACITY_JS = """
const paths = document.querySelectorAll('#ov-team-ranking .trace.bars .point path');
return Array.from(paths).map(p => Number(getComputedStyle(p).opacity)).reverse();  // top first
"""


def test_a_click_highlights_an_employee_on_every_chart(dash_duo, app, accounts, warehouse, raw,
                                                       sample_dir):
    """Clicking the third bar lights that employee (the other bars dim, on screen), names them
    with their rank, goes into the URL, and "Clear highlight" undoes it; at 390 px the page
    still fits."""
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    expected = _expected_top(raw, sample_dir, lo, hi)
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/team")
    assert _wait_bars(dash_duo) == expected
    bars = dash_duo.find_elements("#ov-team-ranking .trace.bars .point path")
    # listed bottom-up: the third from the top (Plotly's drag layer takes a plain element click)
    ActionChains(dash_duo.driver).move_to_element(bars[len(bars) - 3]).click().perform()
    name = expected[2].split(" ", 1)[1]
    until(lambda: f"Highlighting {name}" in dash_duo.find_element("#team-highlight-note").text,
          timeout=30)
    assert f"rank {expected[2].split(' ')[0]}" in dash_duo.find_element(
        "#team-highlight-note").text
    until(lambda: dash_duo.driver.execute_script(POINT_OPACITY_JS)[2] == 1, timeout=30)
    opacity = dash_duo.driver.execute_script(POINT_OPACITY_JS)
    assert opacity[2] == 1 and all(o < 0.5 for i, o in enumerate(opacity) if i != 2)
    lines = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-team-trend .js-plotly-plot').data"
        ".map(t => [t.name, t.opacity]);")
    assert [name, 1] in lines and ["Team average", 0.25] in lines
    assert "hl=employee" in dash_duo.driver.current_url
    _shots_desk_and_phone(dash_duo, SHOTS, "team-highlight")
    dash_duo.find_element("#team-clear-highlight").click()
    until(lambda: dash_duo.find_element("#team-highlight-note").text == "", timeout=30)
    until(lambda: all(o == 1 for o in dash_duo.driver.execute_script(POINT_OPACITY_JS)),
          timeout=30)
    assert "hl=" not in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_analyst_drills_into_a_region_and_back(dash_duo, app, accounts, warehouse, raw,
                                               sample_dir):
    """A click on West's contribution bar (Drill down, the default) compares West's stores and
    ranks West's people as pandas does; the breadcrumb goes back to every region."""
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/team")
    _wait_bars(dash_duo)
    bars = dash_duo.find_elements("#ov-team-regions .trace.bars .point path")
    labels = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-team-regions .js-plotly-plot').data[0].y;")
    west = bars[labels.index("West")]
    ActionChains(dash_duo.driver).move_to_element(west).click().perform()
    dash_duo.wait_for_text_to_equal("#team-title-regions",
                                    "Contribution by store in West (employee sales)", timeout=30)
    until(lambda: dash_duo.driver.execute_script(BAR_LABELS_JS) == _expected_top(
        raw, sample_dir, lo, hi, ["West"]), timeout=30)
    assert "geo=West" in dash_duo.driver.current_url
    assert dash_duo.find_element("#team-highlight-note").text == ""  # a drill, not a highlight
    _shot(dash_duo, SHOTS, "team-west-stores", 1440)
    dash_duo.find_element("#ov-trail-geo button").click()  # "All regions"
    dash_duo.wait_for_text_to_equal("#team-title-regions",
                                    "Regional contribution (employee sales)", timeout=30)
    assert dash_duo.get_logs() == []
