"""A user-built story: what the builder sends, checked before anything is stored.

A saved story is a saved view (dashboard/views/store.py, page "story") whose versions hold the
story as JSON in the same shape as default_story.json: a title and scenes, each a page, one of
that page's page_report charts, the page's query string (filters and drill level) and an
optional caption and insight kinds. `check` says in words what is wrong (which scene, which
field) and changes nothing; `changes` says what moved between two versions.
"""

from __future__ import annotations

import json
import unicodedata
from urllib.parse import parse_qsl

from dashboard.insights import KINDS
from dashboard.queries.filters import Scope
from dashboard.report.registry import PAGES, page_function
from dashboard.story.scenes import Scene, Story, StoryError

MAX_SCENES = 12
MAX_QUERY = 2000
MAX_TEXT = 160
DEFAULT_INSIGHTS = ("trend",)
PAGE = "story"  # the saved_views.page of a story


def _text(value, where: str, field: str, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise StoryError(f"{where}: the {field} must be text")
    value = " ".join(value.split())
    if required and not value:
        raise StoryError(f"{where}: give the {field}")
    if len(value) > MAX_TEXT:
        raise StoryError(f"{where}: the {field} is too long (at most {MAX_TEXT} characters)")
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise StoryError(f"{where}: the {field} cannot hold control characters")
    return value


def clean_query(query, where: str) -> str:
    """A page query string ("?" optional), refused in words when it is not one."""
    if not isinstance(query, str):
        raise StoryError(f"{where}: the filters must be a page query string")
    query = query.strip()
    query = query.partition("?")[2] if "?" in query else query  # a pasted address: its query
    if len(query) > MAX_QUERY:
        raise StoryError(f"{where}: the filters are too long (at most {MAX_QUERY} characters)")
    if any(ord(c) < 32 or c in " <>\"" for c in query):
        raise StoryError(f"{where}: the filters {query[:40]!r} are not a page query string "
                         "(write them as region=North&start=2025-01-01)")
    try:
        parse_qsl(query, keep_blank_values=True, strict_parsing=True) if query else None
    except ValueError as exc:
        raise StoryError(f"{where}: the filters {query[:40]!r} are not a page query string "
                         "(write them as region=North&start=2025-01-01)") from exc
    return query


def chart_ids(warehouse, scope: Scope, page: str, query: str = "") -> dict[str, str]:
    """The charts of a registered page at this query, id -> title (its page_report's; a
    forecast not kept yet is started in the background, not fitted inside the request)."""
    return {c["id"]: c["title"] for c in
            page_function(page, in_request=True)(warehouse, scope, query)["charts"]}


def check_scene(raw, number: int, warehouse, scope: Scope) -> dict:
    """One scene as stored: checked against the page's real charts at the scene's filters."""
    where = f"scene {number}"
    if not isinstance(raw, dict):
        raise StoryError(f"{where} is not a scene")
    page = raw.get("page")
    if not isinstance(page, str) or page not in PAGES or page == PAGE:
        shown = ", ".join(sorted(p for p in PAGES if p != PAGE))
        raise StoryError(f"{where}: no page {str(page)[:40]!r} (choose one of {shown})")
    query = clean_query(raw.get("query", ""), where)
    chart = raw.get("chart")
    charts = chart_ids(warehouse, scope, page, query)
    if not isinstance(chart, str) or chart not in charts:
        raise StoryError(f"{where}: the {page} page has no chart {str(chart)[:40]!r} (its "
                         f"charts: {', '.join(charts) or 'none for this data'})")
    kinds = raw.get("insights", list(DEFAULT_INSIGHTS))
    kinds = [k.get("kind") if isinstance(k, dict) else k  # as stored, or as the builder sends
             for k in (kinds if isinstance(kinds, list) else [None])]
    if any(not isinstance(k, str) or k not in KINDS for k in kinds):
        raise StoryError(f"{where}: insights must be among {', '.join(KINDS)}")
    scene = {"title": _text(raw.get("title"), where, "title") or charts[chart],
             "page": page, "chart": chart, "query": query,
             "insights": [{"kind": k} for k in dict.fromkeys(kinds)]}
    caption = _text(raw.get("caption"), where, "caption")
    if caption:
        scene["caption"] = caption
    return scene


def check(raw, warehouse, scope: Scope) -> dict:
    """The story the builder sent, as stored ({"title", "scenes"}); StoryError says what is
    wrong. Charts are checked within the saver's scope (a page's chart list is the same for
    everyone; a scope cannot make one appear)."""
    if not isinstance(raw, dict):
        raise StoryError("a story needs a title and a list of scenes")
    scenes = raw.get("scenes")
    if not isinstance(scenes, list) or not scenes:
        raise StoryError("add at least one scene before saving")
    if len(scenes) > MAX_SCENES:
        raise StoryError(f"a story holds at most {MAX_SCENES} scenes (this one has "
                         f"{len(scenes)})")
    title = _text(raw.get("title"), "the story", "title")
    return {"title": title, "scenes": [check_scene(s, i, warehouse, scope)
                                       for i, s in enumerate(scenes, 1)]}


def dumps(story: dict) -> str:
    return json.dumps(story, sort_keys=True, separators=(",", ":"))


def parsed(text: str) -> dict:
    """A stored version's story (the JSON `check` made); empty scenes when unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {"title": "", "scenes": []}
    if not isinstance(value, dict) or not isinstance(value.get("scenes"), list):
        return {"title": "", "scenes": []}
    return value


def as_story(name: str, story: dict) -> Story:
    """The stored story as the presenter's Story (scenes.Scene checks each shape again)."""
    scenes = tuple(Scene.from_dict(s, i) for i, s in enumerate(story.get("scenes", []), 1))
    if not scenes:
        raise StoryError(f"the story {name!r} has no scenes")
    return Story(name, story.get("title") or name, scenes)


def _label(scene: dict) -> str:
    return f"“{scene.get('title', '?')}” ({scene.get('page')} {scene.get('chart')})"


def _key(scene: dict) -> tuple:
    return scene.get("page"), scene.get("chart"), scene.get("query", "")


def changes(old_text: str, new_text: str) -> list[str]:
    """Version `old` to `new` in words: scenes added, removed, moved; caption, title and
    filters changed. Scenes are matched by page, chart and filters."""
    old, new = parsed(old_text), parsed(new_text)
    out = []
    if (old.get("title") or "") != (new.get("title") or ""):
        out.append(f"Title: “{old.get('title') or 'none'}” → “{new.get('title') or 'none'}”")
    before, after = list(old["scenes"]), list(new["scenes"])
    unmatched = list(range(len(before)))
    pairs = []  # (old index, new index)
    for j, scene in enumerate(after):
        i = next((i for i in unmatched if _key(before[i]) == _key(scene)), None)
        if i is None:  # same chart, other filters: a changed scene, not a new one
            i = next((i for i in unmatched if _key(before[i])[:2] == _key(scene)[:2]), None)
        if i is None:
            out.append(f"Scene added at {j + 1}: {_label(scene)}")
            continue
        unmatched.remove(i)
        pairs.append((i, j))
    out += [f"Scene removed: {_label(before[i])}" for i in unmatched]
    kept_old = sorted(i for i, _ in pairs)
    rank = {i: r for r, i in enumerate(kept_old)}
    for r, (i, j) in enumerate(pairs):
        was, now = before[i], after[j]
        if rank[i] != r:
            out.append(f"Scene moved: {_label(now)} from {i + 1} to {j + 1}")
        for field, name in (("caption", "caption"), ("title", "title"), ("query", "filters")):
            a, b = was.get(field) or "", now.get(field) or ""
            if a != b:
                out.append(f"Scene {j + 1} {name}: “{a or 'none'}” → “{b or 'none'}”")
        kinds = ([k.get("kind") for k in was.get("insights", [])],
                 [k.get("kind") for k in now.get("insights", [])])
        if kinds[0] != kinds[1]:
            out.append(f"Scene {j + 1} insights: {', '.join(kinds[0]) or 'none'} → "
                       f"{', '.join(kinds[1]) or 'none'}")
    return out
