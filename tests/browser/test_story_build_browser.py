"""The story builder in headless Chromium: an analyst builds a 2-scene story, reorders it by
keyboard, is told in words what is wrong with a malformed filter and an empty name, saves,
reloads (the order kept), and presents it (scene titles, captions, narrative, deep link). At
390 px neither the builder nor the presenter scrolls sideways. Screenshots go to
$TOYPULSE_SCREENSHOTS (default /tmp) as story-build-*.png."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from dashboard.auth import db
from dashboard.queries.filters import Scope
from dashboard.story import build, library, saved
from dashboard.views import store
from tests.auth_helpers import account, browser_sign_in
from tests.browser import axe

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
YEAR = "start=2025-01-01&end=2025-12-31"
WIDEST_JS = """const d = document.documentElement;
const wide = [...document.querySelectorAll('body *')].filter(
  e => e.getBoundingClientRect().right > d.clientWidth + 0.5).slice(-6).map(
  e => e.tagName + '#' + e.id + '.' + String(e.className.baseVal ?? e.className).slice(0, 40)
       + ' ' + Math.round(e.getBoundingClientRect().right));
return [d.scrollWidth, d.clientWidth, window.innerWidth, ...wide];"""
DRAWN_JS = """const gd = document.querySelector('#story-graph .js-plotly-plot');
return !!(gd && gd.data && gd.data.length && gd.querySelector('.main-svg'));"""


def _titles(dash_duo) -> list[str]:
    return _texts(dash_duo, "#sb-list .sb-scene-title")


def _texts(dash_duo, selector: str) -> list[str]:
    """Texts read in one script (the list may be redrawn between two element reads)."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim())",
        selector)


def _add_scene(dash_duo, chart: str, filters: str, caption: str = "") -> None:
    Select(dash_duo.find_element("#sb-chart")).select_by_value(chart)
    for field, value in (("#sb-filters", filters), ("#sb-caption", caption)):
        box = dash_duo.find_element(field)  # select all + delete: React sees the change
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.DELETE)
        box.send_keys(value)
    dash_duo.find_element("#sb-add").click()


def _no_sideways_scroll(dash_duo) -> bool:
    # The client area (the window less its scrollbar): a chart sized before the vertical
    # scrollbar appeared once overhung it by 3 px and drew a sideways scrollbar.
    return dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_analyst_builds_reorders_saves_and_presents_a_story(dash_duo, app, accounts, warehouse):
    name = f"Launch {uuid.uuid4().hex[:6]}"
    charts = saved.chart_ids(warehouse, Scope.everything(), "overview")
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/story/build")
    dash_duo.wait_for_element("#sb-empty", timeout=20)
    until(lambda: "category" in [o.get_attribute("value") for o in
                                 dash_duo.find_elements("#sb-chart option")], timeout=20)

    _add_scene(dash_duo, "category", YEAR, "Categories in 2025")
    dash_duo.wait_for_element("#sb-scene-1", timeout=20)
    _add_scene(dash_duo, "trend", "region=North&oops")  # a malformed filter: nothing added
    dash_duo.wait_for_contains_text("#sb-problem", "not a page query string", timeout=20)
    assert _titles(dash_duo) == [charts["category"]]
    _add_scene(dash_duo, "trend", YEAR)
    dash_duo.wait_for_element("#sb-scene-2", timeout=20)
    assert _titles(dash_duo) == [charts["category"], charts["trend"]]
    captions = _texts(dash_duo, "#sb-list .sb-caption")
    assert captions == ["Categories in 2025"]  # the second scene took no caption

    # Reorder by keyboard: focus "Move scene 2 up" and press Enter.
    up = dash_duo.find_element("[aria-label='Move scene 2 up']")
    dash_duo.driver.execute_script("arguments[0].focus()", up)
    up.send_keys(Keys.ENTER)
    until(lambda: _titles(dash_duo) == [charts["trend"], charts["category"]], timeout=20)
    dash_duo.driver.save_screenshot(str(SHOTS / "story-build-1440.png"))

    dash_duo.find_element("#sb-save").click()  # no name yet: said, nothing saved
    dash_duo.wait_for_contains_text("#sb-problem", "give the view a name", timeout=20)
    dash_duo.find_element("#sb-name").send_keys(name)
    dash_duo.find_element("#sb-title").send_keys("Launch review")
    Select(dash_duo.find_element("#sb-share")).select_by_value("manager")
    dash_duo.find_element("#sb-save").click()
    dash_duo.wait_for_contains_text("#sb-saved", "Saved as version 1", timeout=20)

    database = app.server.extensions[db.EXTENSION]
    analyst = account(app, accounts["analyst"])
    view = store.by_name(database, analyst, name, store.STORY)
    assert view.shared_role == "manager" and view.versions == 1

    dash_duo.driver.get(dash_duo.server.url + f"/story/build?story={view.id}")  # reload
    until(lambda: _titles(dash_duo) == [charts["trend"], charts["category"]], timeout=20)
    assert dash_duo.find_element("#sb-name").get_attribute("value") == name

    expected = build.build_story(warehouse, Scope.everything(),
                                 library.saved_story(database, analyst, view.id).story)
    dash_duo.driver.get(dash_duo.server.url + f"/story?story={view.id}")
    dash_duo.wait_for_text_to_equal("#story-progress-text", "Scene 1 of 2", timeout=20)
    assert dash_duo.find_element("#story-title").text == "Launch review"
    assert dash_duo.find_element("#story-scene-title").text == charts["trend"]
    until(lambda: _texts(dash_duo, "#story-narrative li") == expected[0]["narrative"],
          timeout=20)
    dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal("#story-progress-text", "Scene 2 of 2", timeout=20)
    assert dash_duo.find_element("#story-caption").text == "Categories in 2025"
    until(lambda: re.search(rf"story={view.id}.*scene=2", dash_duo.driver.current_url),
          timeout=10)
    until(lambda: _texts(dash_duo, "#story-narrative li") == expected[1]["narrative"],
          timeout=20)
    dash_duo.driver.save_screenshot(str(SHOTS / "story-build-present-1440.png"))

    dash_duo.driver.get(dash_duo.server.url + f"/story?story={view.id}&scene=2")  # deep link
    dash_duo.wait_for_text_to_equal("#story-progress-text", "Scene 2 of 2", timeout=20)
    assert dash_duo.find_element("#story-print").get_attribute("href").endswith(
        f"/print/story?story={view.id}&version=1")

    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server.url + f"/story/build?story={view.id}")
    until(lambda: len(_titles(dash_duo)) == 2, timeout=20)
    assert _no_sideways_scroll(dash_duo)
    found = axe.blocking(dash_duo.driver)
    assert found == [], f"axe on the builder:\n{axe.describe(found)}"
    dash_duo.driver.save_screenshot(str(SHOTS / "story-build-390.png"))
    dash_duo.driver.get(dash_duo.server.url + f"/story?story={view.id}")
    dash_duo.wait_for_text_to_equal("#story-progress-text", "Scene 1 of 2", timeout=20)
    assert dash_duo.find_element("#story-caption").text == charts["trend"]  # no caption given
    until(lambda: dash_duo.driver.execute_script(DRAWN_JS), timeout=20)
    assert _no_sideways_scroll(dash_duo), dash_duo.driver.execute_script(WIDEST_JS)
    dash_duo.driver.save_screenshot(str(SHOTS / "story-build-present-390.png"))
    assert dash_duo.get_logs() == []


TRACES_JS = """const gd = document.querySelector('#story-graph .js-plotly-plot');
return gd && gd._fullData ? gd._fullData.map(t => [t.name, t.y ? Array.from(t.y) : []]) : [];"""


def test_a_forecast_scene_fits_in_the_background_and_then_draws(dash_duo, app, accounts,
                                                                 warehouse, raw, monkeypatch):
    """A saved story's Forecast scene of a view nobody has fitted: the presenter says
    "Fitting 1 series" at once (no fit in the request) and, once the background job has kept
    the result, draws the forecast by itself (no reload) with the toy's units as history."""
    from dashboard.forecast import jobs
    from dashboard.forecast.spec import from_query

    started = []  # the background process is run by the test below, when it chooses
    monkeypatch.setattr(jobs.subprocess, "Popen", lambda command, **_: started.append(command))
    toy = raw["product_name"].value_counts().index[5]
    query = {"measure": "units", "toy": toy}
    story = saved.check({"title": "Toy outlook", "scenes": [
        {"page": "forecast", "chart": "forecast", "query": urlencode(query)}]},
        warehouse, Scope.everything())
    name = f"fc-{uuid.uuid4().hex[:6]}"
    database = app.server.extensions[db.EXTENSION]
    story_id = store.save_story(database, account(app, accounts["analyst"]), name,
                                saved.dumps(story), 1)[0]
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + f"/story?story={story_id}")
    dash_duo.wait_for_contains_text("#story-notes", "Fitting 1 series for this view",
                                    timeout=20)
    assert len(started) == 1  # the scene started one job and fitted nothing itself
    dash_duo.driver.save_screenshot(str(SHOTS / "story-forecast-fitting-1440.png"))

    job = jobs.job_file(warehouse, Scope.everything(), from_query(query))
    assert jobs.run(warehouse, job) == 0  # what the background process does
    until(lambda: "Fitting" not in dash_duo.find_element("#story-notes").text, timeout=20,
          msg="the scene never picked up the kept forecast")
    until(lambda: any(n == "Actual" for n, _ in dash_duo.driver.execute_script(TRACES_JS)),
          timeout=20, msg="the forecast was not drawn")
    history = next(y for n, y in dash_duo.driver.execute_script(TRACES_JS) if n == "Actual")
    want = float(raw.loc[raw["product_name"] == toy, "units"].sum())
    assert sum(v for v in history if v is not None) == pytest.approx(want, rel=1e-9)
    dash_duo.driver.save_screenshot(str(SHOTS / "story-forecast-drawn-1440.png"))
    assert dash_duo.get_logs() == []
