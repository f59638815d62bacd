"""The Story page in headless Chromium: an analyst presents the default story end to end by
arrow keys and buttons (title, caption, narrative and progress of every scene, the URL's
?scene=N, a deep link, full screen); a North manager's story, at phone width, names no other
region anywhere on the page or in its charts. Screenshots go to $TOYPULSE_SCREENSHOTS (default
/tmp) as story-*.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from dashboard.story import build
from dashboard.story.scenes import default_story
from tests import reference as ref
from tests.auth_helpers import browser_sign_in
from tests.browser import axe
from tests.unit.test_story import without_north_places

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
LABELS_JS = """
const gd = document.querySelector('#story-graph .js-plotly-plot');
if (!gd || !gd.data) { return null; }
return gd.data.flatMap(t => [t.name || ''].concat(t.x || [], t.y || [], t.text || [],
    (t.customdata || []).flat(2))).map(String).join(' ');
"""


def _shown(dash_duo) -> dict:
    return {
        "title": dash_duo.find_element("#story-scene-title").text,
        "caption": dash_duo.find_element("#story-caption").text,
        "progress": dash_duo.find_element("#story-progress-text").text,
        "narrative": [li.text for li in dash_duo.find_elements("#story-narrative li")],
    }


def _wait_scene(dash_duo, number: int, count: int) -> None:
    dash_duo.wait_for_text_to_equal("#story-progress-text", f"Scene {number} of {count}",
                                    timeout=20)
    until(lambda: dash_duo.driver.current_url.endswith(f"/story?scene={number}")
          or (number == 1 and dash_duo.driver.current_url.endswith("/story")), timeout=10)


def _key(dash_duo, key) -> None:
    dash_duo.find_element("body").send_keys(key)


def test_analyst_presents_the_default_story(dash_duo, app, accounts, warehouse, raw):
    expected = build.build_story(warehouse, Scope.everything(), default_story())
    count = len(expected)
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    top = ref.select(raw, lo, hi).groupby("region")["revenue"].sum().idxmax()  # pandas
    assert expected[-1]["caption"].endswith(f"in {top}")
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/story")
    nav = dash_duo.find_element("header").text
    assert "Story" in nav
    for number, item in enumerate(expected, 1):
        _wait_scene(dash_duo, number, count)
        until(lambda item=item: _shown(dash_duo)["narrative"] == item["narrative"], timeout=20)
        shown = _shown(dash_duo)
        assert shown["title"] == item["title"]
        assert shown["caption"] == item["caption"]
        assert len(shown["narrative"]) >= 1
        assert dash_duo.find_element("#story-prev").get_attribute("disabled") == (
            "true" if number == 1 else None)
        if number == 1:
            dash_duo.driver.save_screenshot(str(SHOTS / "story-analyst-1.png"))
        if number < count:  # keys and buttons in turn
            if number % 2:
                _key(dash_duo, Keys.ARROW_RIGHT)
            else:
                dash_duo.find_element("#story-next").click()
    assert dash_duo.find_element("#story-next").get_attribute("disabled") == "true"
    _key(dash_duo, Keys.ARROW_RIGHT)  # nothing after the last scene
    _wait_scene(dash_duo, count, count)
    _key(dash_duo, Keys.ARROW_LEFT)
    _wait_scene(dash_duo, count - 1, count)
    dash_duo.find_element("#story-prev").click()
    _wait_scene(dash_duo, count - 2, count)
    assert _shown(dash_duo)["title"] == expected[count - 3]["title"]

    dash_duo.driver.get(dash_duo.server.url + "/story?scene=3")  # a deep link
    dash_duo.wait_for_text_to_equal("#story-progress-text", f"Scene 3 of {count}", timeout=20)
    assert _shown(dash_duo)["narrative"] == expected[2]["narrative"]
    assert dash_duo.find_element("#story-open").get_attribute("href") == \
        dash_duo.server.url + "/" + (f"?{expected[2]['query']}" if expected[2]["query"] else "")
    dash_duo.find_element("#story-table summary").click()  # the chart as a table
    heads = [th.text for th in dash_duo.find_elements("#story-table tbody th")]
    regions = set(ref.select(raw, lo, hi)["region"])
    assert heads and set(heads) <= regions
    dash_duo.find_element("#story-fullscreen").click()
    until(lambda: dash_duo.driver.execute_script(
        "return document.fullscreenElement && document.fullscreenElement.id") == "story-stage",
        timeout=10)
    dash_duo.driver.save_screenshot(str(SHOTS / "story-analyst-fullscreen.png"))
    _key(dash_duo, "f")  # F leaves full screen again
    until(lambda: dash_duo.driver.execute_script("return document.fullscreenElement") is None,
          timeout=10)
    assert dash_duo.get_logs() == []


def test_north_managers_story_names_no_other_region(dash_duo, app, accounts, raw, sample_dir):
    others = sorted(set(raw["region"]) - {"North"})
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(dash_duo.server.url + "/story")
    count = len(default_story().scenes)
    for number in range(1, count + 1):
        _wait_scene(dash_duo, number, count)
        until(lambda: dash_duo.driver.execute_script(LABELS_JS), timeout=20)
        # North's own store names may hold a region's word ("South Rachael Mall").
        text = without_north_places(dash_duo.find_element("#story-stage").text, sample_dir)
        labels = without_north_places(dash_duo.driver.execute_script(LABELS_JS), sample_dir)
        for region in others:
            pattern = rf"\b{re.escape(region)}\b"
            assert not re.search(pattern, text), (number, region)
            assert not re.search(pattern, labels), (number, region)
        assert dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth") <= 390  # no sideways scroll
        if number in (1, count):
            found = axe.blocking(dash_duo.driver)
            assert found == [], f"axe on scene {number}:\n{axe.describe(found)}"
        if number == count:
            assert "North" in text
            dash_duo.driver.save_screenshot(str(SHOTS / "story-north-phone.png"))
        else:
            dash_duo.find_element("#story-next").click()
    assert dash_duo.get_logs() == []
