"""User-built stories: scenes checked (bad input says what and where, nothing stored), saved as
versions of a saved view with a scene-by-scene diff, restored; shared with a role and seen by a
North manager within North only (numbers against pandas on the raw rows), presented, printed
and reported by `dashboard report --story NAME`."""

from __future__ import annotations

import json
import re
import uuid

import pandas as pd
import pytest

from dashboard.auth import db, passwords, users
from dashboard.pages import story_report
from dashboard.queries.filters import Scope
from dashboard.story import library, picker, saved
from dashboard.story.scenes import StoryError
from dashboard.views import diff, store
from tests import reference as ref
from tests.auth_helpers import account as account_of
from tests.unit.test_story import without_north_places

YEAR = "start=2025-01-01&end=2025-12-31"
EVERYONE = Scope.everything()
NORTH = Scope(("North",))


def scene(chart: str, query: str = YEAR, page: str = "overview", **extra) -> dict:
    return {"page": page, "chart": chart, "query": query, **extra}


def year_revenue(raw, regions=None) -> float:
    rows = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"),
                      scope=regions)
    return float(rows["revenue"].sum())


@pytest.fixture
def local_db(tmp_path):
    database = db.AppDB(f"sqlite:///{tmp_path / 'stories.db'}")
    made = {}
    for name, role, regions in (("ann", "analyst", ()), ("nora", "manager", ("North",))):
        users.create(database, name, passwords.generate_password(), role, regions, name, "t")
        made[name] = users.by_username(database, name)
    yield database, made
    database.dispose()


def _save(database, who, name, scenes, warehouse, share=None, title="Q"):
    story = saved.check({"title": title, "scenes": scenes}, warehouse, EVERYONE)
    return store.save_story(database, who, name, saved.dumps(story), 1, share=share)


# ---- Checking what the builder sends ---------------------------------------------------------


def test_a_checked_scene_takes_the_pages_chart_title_and_the_drill_level(warehouse):
    query = picker.with_drill(YEAR + "&geo=South", "geo=North")
    assert query == YEAR + "&geo=North"  # the drill chosen replaces the one typed
    made = saved.check_scene(scene("category", query, insights=["regional", "trend"]), 1,
                             warehouse, EVERYONE)
    titles = saved.chart_ids(warehouse, EVERYONE, "overview", query)
    assert made["title"] == titles["category"] and "caption" not in made
    assert made["insights"] == [{"kind": "regional"}, {"kind": "trend"}]
    assert "Places › North" in picker.describe(made)


@pytest.mark.parametrize("raw, message", [
    ({"title": "t", "scenes": [scene("no-such-chart")]}, "scene 1: the overview page has no "
                                                         "chart 'no-such-chart'"),
    ({"title": "t", "scenes": [scene("trend"), scene("trend", "region=North&oops")]},
     "scene 2: the filters 'region=North&oops' are not a page query string"),
    ({"title": "t", "scenes": [scene("trend", "region=<script>")]}, "not a page query string"),
    ({"title": "t", "scenes": [scene("trend", page="story")]}, "scene 1: no page 'story'"),
    ({"title": "t", "scenes": [scene("trend", page="nowhere")]}, "scene 1: no page 'nowhere'"),
    ({"title": "t", "scenes": [scene("trend")] * (saved.MAX_SCENES + 1)},
     f"at most {saved.MAX_SCENES} scenes"),
    ({"title": "t", "scenes": []}, "add at least one scene"),
    ({"title": "t", "scenes": [scene("trend", insights=["horoscope"])]}, "insights must be"),
    ({"title": "t", "scenes": [scene("trend", caption="x" * 200)]}, "caption is too long"),
    # Forged shapes from a hand-made callback: words, never a TypeError.
    ({"title": "t", "scenes": [scene({"x": 1})]}, "scene 1: the overview page has no chart"),
    ({"title": "t", "scenes": [scene("trend", page=["overview"])]}, "scene 1: no page"),
    ({"title": "t", "scenes": [scene("trend", insights=[{"kind": ["trend"]}])]},
     "insights must be"),
    ({"title": "t", "scenes": [scene("trend", query={"a": 1})]}, "must be a page query"),
    ({"title": "t", "scenes": ["trend"]}, "scene 1 is not a scene"),
    ({"title": ["t"], "scenes": [scene("trend")]}, "the title must be text"),
])
def test_bad_input_says_what_and_where_and_stores_nothing(local_db, warehouse, raw, message):
    database, who = local_db
    with pytest.raises(StoryError, match=re.escape(message)):
        story = saved.check(raw, warehouse, EVERYONE)
        store.save_story(database, who["ann"], "bad", saved.dumps(story), 1)
    assert store.visible_views(database, who["ann"]) == []


def test_a_stored_story_checks_again_as_it_was_stored(warehouse):
    first = saved.check({"title": "t", "scenes": [scene("trend", insights=["seasonal"])]},
                        warehouse, EVERYONE)
    assert saved.check(saved.parsed(saved.dumps(first)), warehouse, EVERYONE) == first


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_empty_name_is_refused_and_nothing_stored(local_db, warehouse, name):
    database, who = local_db
    with pytest.raises(store.ViewProblem, match="give the view a name"):
        _save(database, who["ann"], name, [scene("trend")], warehouse)
    assert store.visible_views(database, who["ann"]) == []


def test_a_story_cannot_take_the_name_of_a_saved_view(local_db, warehouse):
    database, who = local_db
    store.save(database, who["ann"], "Q4", "?" + YEAR, 1)
    with pytest.raises(store.ViewProblem, match="already have a saved view called 'Q4'"):
        _save(database, who["ann"], "Q4", [scene("trend")], warehouse)
    assert [v.page for v in store.visible_views(database, who["ann"])] == ["overview"]


# ---- Versions, diff, restore -----------------------------------------------------------------


def test_saving_again_is_a_new_version_with_a_readable_diff_and_restore(local_db, warehouse):
    database, who = local_db
    first = [scene("category", caption="Categories in 2025"), scene("trend"),
             scene("contrib")]
    story_id, n1 = _save(database, who["ann"], "Launch review", first, warehouse)
    # Reordered (trend first), a caption changed, contrib removed, a Profit chart added.
    profit = next(iter(saved.chart_ids(warehouse, EVERYONE, "profit")))
    second = [scene("trend"), scene("category", caption="Categories, the launch year"),
              scene(profit, "", page="profit")]
    _, n2 = _save(database, who["ann"], "Launch review", second, warehouse)
    assert (n1, n2) == (1, 2)
    v1, v2 = store.history(database, who["ann"], story_id)
    assert v2.author == "ann" and v2.saved_at >= v1.saved_at
    words = diff.summary(v1, v2, "story")
    assert re.search(r"Scene moved: “[^”]+” \(overview category\) from 1 to 2", words)
    assert "Scene 2 caption: “Categories in 2025” → “Categories, the launch year”" in words
    assert "Scene removed: " in words and "(overview contrib)" in words
    assert "Scene added at 3: " in words and f"(profit {profit})" in words
    assert diff.summary(None, v1, "story") == "First version."
    assert diff.summary(v1, v1, "story") == "Same scenes as version 1."
    # Restoring version 1 is version 3 with version 1's scenes in version 1's order.
    n3 = store.restore(database, who["ann"], story_id, 1, 2)
    chosen = library.saved_story(database, who["ann"], story_id)
    assert n3 == 3 and chosen.version.n == 3
    assert [s.chart for s in chosen.story.scenes] == ["category", "trend", "contrib"]
    assert chosen.story.scenes[0].caption == "Categories in 2025"
    old = library.saved_story(database, who["ann"], story_id, version=2)
    assert [s.chart for s in old.story.scenes] == ["trend", "category", profit]


# ---- Scope: a shared story seen by a North manager -------------------------------------------


def test_a_north_manager_sees_an_analysts_shared_story_within_north(local_db, warehouse, raw,
                                                                     sample_dir):
    database, who = local_db
    story_id, _ = _save(database, who["ann"], "Regions 2025",
                        [scene("category"), scene("contrib", "")], warehouse, share="manager")
    private_id, _ = _save(database, who["ann"], "Mine", [scene("trend")], warehouse)
    with pytest.raises(library.StoryNotFound):
        library.saved_story(database, who["nora"], private_id)
    chosen = library.saved_story(database, who["nora"], story_id)
    report = story_report.story_report(warehouse, NORTH, chosen.story, "")
    category = report["charts"][0]
    assert sum(row[2] for row in category["rows"]) == pytest.approx(
        year_revenue(raw, ("North",)))
    everyone = story_report.story_report(warehouse, EVERYONE, chosen.story, "")
    assert sum(row[2] for row in everyone["charts"][0]["rows"]) == pytest.approx(
        year_revenue(raw))
    text = without_north_places(json.dumps(report), sample_dir)
    others = sorted(set(raw["region"]) - {"North"})
    assert len(others) >= 3 and report["narrative"]  # narrative included
    for region in others:
        assert not re.search(rf"\b{re.escape(region)}\b", text), region
    assert any(re.search(rf"\b{r}\b", json.dumps(everyone)) for r in others)  # the check bites


# ---- The app: presenter, print page; the command line ---------------------------------------


def _shared_story(app, accounts, warehouse, share="manager") -> int:
    database = app.server.extensions[db.EXTENSION]
    analyst = account_of(app, accounts["analyst"])
    story = saved.check({"title": "For managers", "scenes": [scene("category"),
                                                               scene("trend", "")]},
                        warehouse, EVERYONE)
    name = f"story-{uuid.uuid4().hex[:6]}"
    return store.save_story(database, analyst, name, saved.dumps(story), 1, share=share)[0], \
        name


def test_presenter_and_print_page_show_a_shared_story_in_the_managers_scope(
        app, accounts, client_as, warehouse, raw, sample_dir):
    from tests import dash_payloads as dp

    story_id, _ = _shared_story(app, accounts, warehouse)
    manager = client_as("manager")
    shown = {props.get("id"): props for _t, props in dp.components(
        dp.routed_page(manager, "/story", f"?story={story_id}&scene=2"))}
    assert shown["story-index"]["data"] == 2 and shown["story-count"]["data"] == 2
    assert shown["story-ref"]["data"] == {"story": story_id, "version": 1}
    assert shown["story-title"]["children"] == "For managers"
    assert shown["story-print"]["href"] == f"/print/story?story={story_id}&version=1"
    page = manager.get(f"/print/story?story={story_id}")
    assert page.status_code == 200
    text = without_north_places(page.get_data(as_text=True), sample_dir)
    assert "For managers" in text and "North" in text
    for region in sorted(set(raw["region"]) - {"North"}):
        assert not re.search(rf"\b{re.escape(region)}\b", text), region
    private_id, _ = _shared_story(app, accounts, warehouse, share=None)
    assert manager.get(f"/print/story?story={private_id}").status_code == 404
    assert manager.get("/print/story?story=abc").status_code == 404
    refused = {props.get("id") for _t, props in dp.components(
        dp.routed_page(manager, "/story", f"?story={private_id}"))}
    assert "story-not-found" in refused and "story-graph" not in refused


def test_report_story_name_as_json_is_the_managers_scope(app, accounts, warehouse, warehouse_dir,
                                                         tmp_path, raw, sample_dir):
    from tests.unit.test_report_exports import report

    _, name = _shared_story(app, accounts, warehouse)
    out = tmp_path / "story.json"
    assert report(warehouse_dir, "--as", accounts["manager"].username, "--story", name,
                  "--format", "json", "--out", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["title"] == "For managers" and len(data["charts"]) == 2
    assert data["notes"][0].startswith(f"Story “{name}” by {accounts['analyst'].username}")
    assert sum(row[2] for row in data["charts"][0]["rows"]) == pytest.approx(
        year_revenue(raw, ("North",)))
    text = without_north_places(out.read_text(), sample_dir)
    for region in sorted(set(raw["region"]) - {"North"}):
        assert not re.search(rf"\b{re.escape(region)}\b", text), region


def test_report_story_unknown_name_is_one_clear_line(accounts, warehouse_dir, tmp_path, capsys):
    from tests.unit.test_report_exports import report

    assert report(warehouse_dir, "--as", accounts["manager"].username, "--story", "nope",
                  "--format", "json", "--out", str(tmp_path / "x.json")) == 2
    err = capsys.readouterr().err
    assert "no story 'nope'" in err and "Traceback" not in err


# ---- The builder's callbacks, as the browser calls them --------------------------------------


def _edit(client, scenes, **fields):
    from tests import dash_payloads as dp

    dep = dp.dependency(client, "sb-scenes.data")
    values = {"sb-add.n_clicks": 1, "sb-scenes.data": scenes, "sb-page.value": "overview",
              "sb-chart.value": "trend", "sb-filters.value": YEAR, "sb-drill.value": "top",
              "sb-insights.value": ["trend"]}
    values.update({f"sb-{k}.value": v for k, v in fields.items()})
    body = dp.payload(dep, values, ["sb-add.n_clicks"])
    body["inputs"][1] = []  # the move/remove buttons (a pattern input): none on the page
    response = dp.post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


@pytest.mark.parametrize("fields, words", [
    ({"chart": "nope"}, "Not added: scene 3: the overview page has no chart 'nope'"),
    ({"filters": "region=North&oops"}, "are not a page query string"),
    ({"page": "nowhere"}, "Not added: scene 3: no page 'nowhere'"),
])
def test_the_builder_refuses_a_bad_scene_in_words_and_keeps_its_scenes(client_as, warehouse,
                                                                       fields, words):
    two = [saved.check_scene(scene("trend"), 1, warehouse, EVERYONE)] * 2
    answer = _edit(client_as("analyst"), two, **fields)
    assert "sb-scenes" not in answer  # nothing changed
    assert words in json.dumps(answer["sb-add-message"], ensure_ascii=False)


def test_the_builder_adds_a_checked_scene_and_stops_at_the_limit(client_as, warehouse):
    one = saved.check_scene(scene("trend"), 1, warehouse, EVERYONE)
    answer = _edit(client_as("analyst"), [one], drill="geo=North", caption="Mine")
    added = answer["sb-scenes"]["data"]
    assert len(added) == 2 and added[1]["query"] == YEAR + "&geo=North"
    assert added[1]["caption"] == "Mine" and answer["sb-caption"]["value"] == ""
    full = _edit(client_as("analyst"), [one] * saved.MAX_SCENES)
    assert "sb-scenes" not in full
    assert f"at most {saved.MAX_SCENES} scenes" in json.dumps(full["sb-add-message"])


def test_the_builder_save_refuses_an_empty_name_and_stores_nothing(app, accounts, client_as,
                                                                   warehouse):
    from tests import dash_payloads as dp

    client = client_as("analyst")
    analyst = account_of(app, accounts["analyst"])
    database = app.server.extensions[db.EXTENSION]
    before = len(store.visible_views(database, analyst))
    dep = dp.dependency(client, "sb-save-message.children")
    one = saved.check_scene(scene("trend"), 1, warehouse, EVERYONE)
    for name, words in (("", "Not saved: give the view a name"),
                        ("Forged", "Not saved: scene 1: the overview page has no chart")):
        scenes = [one] if name == "" else [{**one, "chart": "nope"}]
        body = dp.payload(dep, {"sb-save.n_clicks": 1, "sb-scenes.data": scenes,
                                "sb-name.value": name, "sb-share.value": "private"},
                          ["sb-save.n_clicks"])
        answer = dp.post(client, body).get_json()["response"]
        assert words in json.dumps(answer, ensure_ascii=False)
    assert len(store.visible_views(database, analyst)) == before
