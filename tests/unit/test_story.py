"""The default story: its scenes load, each scene's chart is the page's own chart and its
narrative is what the insights say under the scene's filters and the viewer's scope, checked
against pandas over the raw sample rows; a North manager's story names no other region."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from dashboard import insights
from dashboard.components import view_state
from dashboard.figures.formats import Numbers
from dashboard.pages import overview_report, story_report
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from dashboard.report.registry import PAGES, page_function
from dashboard.story import build
from dashboard.story.scenes import StoryError, default_story, load, scene_number
from tests import reference as ref

NORTH = Scope(("North",))


def test_default_story_has_the_scenes_the_brief_asks_for():
    story = default_story()
    assert 5 <= len(story.scenes) <= 6
    titles = [s.title for s in story.scenes]
    assert titles == ["Seasonal patterns", "Best-sellers by age group", "Regional gaps",
                      "Category performance", "What changed against last year",
                      "Inside the leading region"]
    kinds = {kind for s in story.scenes for kind, _ in s.insights}
    assert kinds == set(insights.KINDS)  # every insight kind is told somewhere
    assert any("geo=" in s.query for s in story.scenes)  # one scene at a drill level


@pytest.mark.parametrize("text,message", [
    ("{", "not valid JSON"),
    ('{"scenes": []}', "needs a list of scenes"),
    ('{"scenes": [{"title": "x", "page": "overview"}]}', "scene 1 needs a chart"),
    ('{"scenes": [{"title": "x", "page": "overview", "chart": "trend", "span": "week"}]}',
     "span must be one of"),
    ('{"scenes": [{"title": "x", "page": "overview", "chart": "trend", '
     '"insights": [{"kind": "horoscope"}]}]}', "each insight needs a kind"),
])
def test_a_bad_story_says_what_is_wrong(text, message):
    with pytest.raises(StoryError, match=message):
        load(text)


@pytest.mark.parametrize("asked,expected,noted", [
    (None, 1, False), ("3", 3, False), ("6", 6, False), ("0", 1, True), ("99", 6, True),
    ("abc", 1, True), ("<b>2</b>", 1, True), (4, 4, False)])
def test_scene_number_from_a_link(asked, expected, noted):
    number, note = scene_number(asked, 6)
    assert number == expected
    assert (note is not None) == noted


def test_each_scene_shows_the_page_chart_and_the_insights_of_its_filters(warehouse):
    story = default_story()
    found = domain(warehouse, Scope.everything())
    for number, scene in enumerate(story.scenes, 1):
        item = build.build_scene(warehouse, Scope.everything(), scene, number)
        page = overview_report.page_report(warehouse, Scope.everything(), item["query"])
        chart = next(c for c in page["charts"] if c["id"] == scene.chart)
        assert item["chart"]["figure"] == chart["figure"]
        assert item["chart"]["rows"] == chart["rows"]
        flt = view_state.from_query(build.query_dict(item["query"]), found).filter
        ctx = insights.context(warehouse, flt, Scope.everything())
        expected = [insights.run(kind, ctx, **dict(opts)).sentence for kind, opts in
                    scene.insights]
        assert item["narrative"] == expected
        assert item["caption"] == (scene.caption or chart["title"])


def test_seasonal_scene_against_pandas(warehouse, raw):
    item = build.build_scene(warehouse, Scope.everything(), default_story().scenes[0], 1)
    per_month = raw.groupby("month")["revenue"].sum()  # every date: the scene's span is "all"
    by_calendar = per_month.groupby(per_month.index.month).mean()
    ratio = by_calendar.max() / by_calendar.mean()
    assert f"peak month of 2023–2025 on average: {ratio:.1f}x" in item["narrative"][0]


def test_leading_region_is_the_viewers_own(warehouse, raw):
    scene = default_story().scenes[5]
    lo, hi = domain(warehouse, Scope.everything()).default_range()
    year = ref.select(raw, lo, hi)
    top = year.groupby("region")["revenue"].sum().idxmax()
    assert build.resolve(scene, warehouse, Scope.everything(),
                         domain(warehouse, Scope.everything())) == f"region={top}&geo={top}"
    assert build.resolve(scene, warehouse, NORTH, domain(warehouse, NORTH)) == \
        "region=North&geo=North"


def test_story_report_is_registered_and_whole(warehouse):
    assert PAGES["story"] == "dashboard.pages.story_report:page_report"
    report = page_function("story")(warehouse, Scope.everything(), "")
    assert report["page"] == "story" and report["data_version"] == int(warehouse.version)
    assert [c["id"] for c in report["charts"]] == [f"scene-{n}" for n in range(1, 7)]
    assert all(c["figure"]["data"] and c["rows"] for c in report["charts"])
    assert len(report["narrative"]) == sum(len(s.insights) for s in default_story().scenes)
    json.dumps(report)  # what `dashboard report --format json` writes
    one = story_report.page_report(warehouse, Scope.everything(), "scene=99")
    assert [s["number"] for s in one["scenes"]] == [6]
    assert one["notes"][0] == "The story has 6 scenes; showing scene 6."


def test_a_north_managers_story_names_no_other_region(warehouse, raw, sample_dir):
    report = story_report.page_report(warehouse, NORTH, "")
    text = json.dumps(report)
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    text = without_north_places(text, sample_dir)
    others = sorted(set(raw["region"]) - {"North"})
    assert len(others) >= 3
    for region in others:
        assert not re.search(rf"\b{re.escape(region)}\b", text), region
    north = ref.select(raw, *domain(warehouse, NORTH).default_range(), ("North",))
    states_text = " ".join(report["scenes"][2]["narrative"])
    assert "states of North" in states_text or "No notable gap" in states_text
    # One region: the scenes that compare regions compare the manager's stores instead.
    titles = [scene["title"] for scene in report["scenes"]]
    assert titles[4:] == ["Month by month, store by store", "Your stores compared"]
    sold = set(north.merge(stores[["store_id", "name"]], on="store_id")["name"])
    heat, contrib = report["charts"][4:]
    assert {row[0] for row in heat["rows"]} == sold  # a row per store, its months across
    assert {row[1] for row in contrib["rows"]} == sold  # [series, store, share]
    assert report["charts"][2]["rows"] != report["charts"][5]["rows"]  # no repeated scene
    total = north["revenue"].sum()
    assert f"revenue is {Numbers().value(total, 'currency')}" in report["scenes"][3]["narrative"][0]


def without_north_places(text: str, sample_dir) -> str:
    """The text without North's own store, city and state names, which may hold a region's
    word ("South Rachael Mall" is a North store), as JSON and as HTML write them."""
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    mine = stores[stores["region"] == "North"]
    for name in sorted({*map(str, mine["name"]), *map(str, mine["city"]),
                        *map(str, mine["state"])}, key=len, reverse=True):
        for written in (json.dumps(name)[1:-1], json.dumps(name, ensure_ascii=False)[1:-1],
                        html.escape(name), name):
            text = text.replace(written, "")
    return text


@pytest.mark.parametrize("asked", [3, 6, "abc", 99, None])
def test_the_scene_callback_keeps_a_manager_in_north(client_as, raw, asked, sample_dir):
    from tests import dash_payloads as dp

    client = client_as("manager")
    dep = dp.dependency(client, "story-graph.figure")
    response = dp.post(client, dp.payload(dep, {"story-index.data": asked},
                                          ["story-index.data"]))
    assert response.status_code == 200
    text = without_north_places(response.get_data(as_text=True), sample_dir)
    assert "Scene " in text and "North" in text
    for region in sorted(set(raw["region"]) - {"North"}):
        assert not re.search(rf"\b{re.escape(region)}\b", text), (asked, region)


def _story_page(client, search: str = "") -> dict:
    from tests import dash_payloads as dp

    body = dp.payload(dp.dependency(client, dp.PAGES),
                      {"_pages_location.pathname": "/story", "_pages_location.search": search},
                      ["_pages_location.pathname"])
    response = dp.post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {props.get("id"): props for _t, props in dp.components(response.get_json())}


def test_a_deep_link_opens_its_scene_and_a_bad_one_says_so(client_as):
    analyst = client_as("analyst")
    shown = _story_page(analyst, "?scene=4")
    assert shown["story-scene-title"]["children"] == "Category performance"
    assert shown["story-index"]["data"] == 4
    bad = _story_page(analyst, "?scene=%3Cscript%3E")
    assert bad["story-index"]["data"] == 1
    assert "There is no scene '<script>'; the story starts at scene 1." in json.dumps(
        bad["story-notes"], ensure_ascii=False)


def test_a_manager_without_regions_is_told_why(client_as):
    shown = _story_page(client_as("manager_none"))
    assert "story-no-scope" in shown and "story-graph" not in shown


def test_an_empty_start_shows_the_empty_state(client_as, empty_warehouse):
    shown = _story_page(client_as("analyst"))
    assert "story-graph" not in shown
    assert "No data has been imported yet" in json.dumps(shown)


def test_the_printable_story_is_the_managers_own(client_as, raw, sample_dir):
    response = client_as("manager").get("/print/story")
    assert response.status_code == 200
    text = without_north_places(response.get_data(as_text=True), sample_dir)
    for number, scene in enumerate(default_story().scenes, 1):
        shown = scene.one_region or scene  # a one-region viewer's own version of the scene
        assert f"Scene {number}: {html.escape(shown.title)}" in text
    for region in sorted(set(raw["region"]) - {"North"}):
        assert not re.search(rf"\b{re.escape(region)}\b", text), region
