"""The Customers page in headless Chromium at 1440 and 390 px: the behaviour bars carry the
shares pandas finds over the raw rows, the rules are written on the page, the walk-in count is
said, a North manager's cohorts are North's, and nothing scrolls sideways on a phone.
Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp) as customers-*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains

from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from tests.auth_helpers import browser_sign_in
from tests.browser.test_data_flat_browser import _shot, _shots_desk_and_phone
from tests.unit.test_customers_page import behaviour_of, expected_behaviour

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
TRACE_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.data || !gd.data.length) { return null; }
// bars are listed bottom-up: read them top first, as the page shows them
return gd.data.map(t => ({name: t.name, x: t.x.slice().reverse(), y: t.y.slice().reverse()}));
"""


def _traces(dash_duo, graph: str):
    dash_duo.wait_for_element(f"{graph} .trace.bars .point path", timeout=60)
    return dash_duo.driver.execute_script(TRACE_JS, graph)


def _check_behaviour(traces, expected) -> None:
    assert traces[0]["y"] == ["New", "Returning", "Loyal"]
    for got, want in zip(traces[0]["x"], [expected[g][0] for g in traces[0]["y"]], strict=True):
        assert abs(got - want) < 1e-9
    for got, want in zip(traces[1]["x"], [expected[g][1] for g in traces[1]["y"]], strict=True):
        assert abs(got - want) < 1e-9


def test_analyst_sees_behaviour_shares_and_rules(dash_duo, app, accounts, warehouse, raw):
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    _check_behaviour(_traces(dash_duo, "#ov-customers-behaviour"), expected_behaviour(raw, lo, hi))
    page = dash_duo.find_element("body").text
    for words in ("New = first order", "Champions: R ≥ 4 and F ≥ 4", "Cohort = month",
                  "rows add up to 100%"):
        assert words in page
    assert "have a customer id" in page or "no customer id" in page
    dash_duo.wait_for_element("#ov-customers-cohorts .heatmaplayer", timeout=30)
    assert dash_duo.get_logs() == []  # no callback errors in the console
    _shot(dash_duo, SHOTS, "customers-analyst", 1440)


def test_north_manager_on_a_phone(dash_duo, app, accounts, warehouse, raw):
    north = Scope(("North",))
    lo, hi = domain(warehouse, north).default_range()
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    _check_behaviour(_traces(dash_duo, "#ov-customers-behaviour"),
                     expected_behaviour(raw, lo, hi, ["North"]))
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    _shot(dash_duo, SHOTS, "customers-north", 390)


@pytest.fixture
def flat_served(app, tmp_path, monkeypatch):
    """The session app serving an imported flat export (segments, no employees) for one test."""
    from dashboard.cli import main
    from dashboard.services import EXTENSION, Services
    from dashboard.warehouse.store import Warehouse
    from tests.flat_export import write_flat_export

    root = tmp_path / "warehouse"
    assert main(["--warehouse", str(root), "import",
                 str(write_flat_export(tmp_path / "superstore.csv"))]) == 0
    served = app.server.extensions[EXTENSION]
    reader = Warehouse(root)
    with app.server.app_context():
        served.cache.clear()
    monkeypatch.setitem(app.server.extensions, EXTENSION, Services(reader, served.cache))
    yield root
    reader.close()
    with app.server.app_context():
        served.cache.clear()


def test_a_flat_export_shows_segments_and_hides_the_team(dash_duo, app, accounts, flat_served):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    traces = _traces(dash_duo, "#ov-customers-segments")
    assert traces[0]["y"] == ["Consumer", "Corporate", "Home Office"]
    assert abs(sum(traces[0]["x"]) - 1) < 1e-9 and abs(sum(traces[1]["x"]) - 1) < 1e-9
    page = dash_duo.find_element("body").text
    assert "no customer age group" in page  # the age × category chart says why it is missing
    _shot(dash_duo, SHOTS, "customers-flat", 1440)
    dash_duo.driver.get(dash_duo.server.url + "/team")
    dash_duo.wait_for_element("#team-hidden", timeout=30)
    assert "no employees" in dash_duo.find_element("#team-hidden").text
    _shot(dash_duo, SHOTS, "team-flat-hidden", 1440)


def test_a_click_on_returning_highlights_those_customers(dash_duo, app, accounts, warehouse,
                                                         raw):
    """Clicking the Returning bar (a wide one: the Loyal bar is a few pixels) says how many
    returning customers there are (pandas' count), draws their split over the RFM groups on
    that chart, goes into the URL, and "Clear highlight" undoes it."""
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    groups, _ = behaviour_of(raw, lo, hi)
    returning = int((groups == "Returning").sum())
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/customers")
    traces = _traces(dash_duo, "#ov-customers-behaviour")
    assert traces[0]["y"] == ["New", "Returning", "Loyal"]
    bars = dash_duo.find_elements("#ov-customers-behaviour .trace.bars .point path")
    top_to_bottom = sorted(bars[:3], key=lambda b: b.rect["y"])  # the first trace's bars
    ActionChains(dash_duo.driver).move_to_element(top_to_bottom[1]).click().perform()
    note = f"Highlighting Returning customers: {returning:,} customers"
    until(lambda: note in dash_duo.find_element("#customers-highlight-note").text, timeout=60)
    until(lambda: len(_traces(dash_duo, "#ov-customers-rfm")) == 3, timeout=60)
    legend = [e.text for e in dash_duo.find_elements("#ov-customers-rfm .legendtext")]
    assert "Returning customers (selected): share of them" in legend
    assert "hl=behaviour" in dash_duo.driver.current_url
    _shots_desk_and_phone(dash_duo, SHOTS, "customers-highlight")
    dash_duo.find_element("#customers-clear-highlight").click()
    until(lambda: dash_duo.find_element("#customers-highlight-note").text == "", timeout=60)
    until(lambda: len(_traces(dash_duo, "#ov-customers-rfm")) == 2, timeout=60)
    assert "hl=" not in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []
