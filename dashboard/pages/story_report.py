"""The Story's machine-readable twin: `page_report(warehouse, scope, query) -> dict`.

Every scene of the default story (or, through `story_report`, any saved story) as the viewer's
scope sees it: its chart (the page's own chart data, via the page-data contract) and its
narrative. `query` may hold `scene=N` for one scene. Pure of Flask, so `dashboard report`,
exports and tests call it alike; `report_for_request` is /print/story's way in, where
`?story=ID` names a saved story the signed-in account may see.
"""

from __future__ import annotations

from dashboard.queries.filters import Scope
from dashboard.story import build
from dashboard.story.scenes import Story, default_story, scene_number


def _seen(scope: Scope) -> str:
    return "every region" if scope.regions is None else ", ".join(sorted(scope.regions))


def page_report(warehouse, scope: Scope, query: str) -> dict:
    return story_report(warehouse, scope, default_story(), query)


def report_for_request(svc, scope: Scope, query: str) -> dict:
    """/print/story[?story=ID&version=N]: a saved story when named, checked against the
    signed-in account (one it may not see is a 404, as for a missing page)."""
    import flask

    from dashboard.auth import db
    from dashboard.auth.permissions import current_account
    from dashboard.story import library

    params = build.query_dict(query)
    try:
        chosen = library.choose(db.current(), current_account(), params.get("story"),
                                params.get("version"))
    except library.StoryNotFound:
        flask.abort(404)
    rest = "&".join(p for p in query.split("&") if p.partition("=")[0] == "scene")
    found = story_report(svc.warehouse, scope, chosen.story, rest, in_request=True)
    if chosen.ref:  # the print page's "Back" goes to this story
        found["query"] = "?" + "&".join(f"{k}={v}" for k, v in chosen.ref.items())
    return found


def story_report(warehouse, scope: Scope, story: Story, query: str,
                 in_request: bool = False) -> dict:
    params = build.query_dict(query)
    numbers = list(range(1, len(story.scenes) + 1))
    notes = []
    if "scene" in params:
        number, note = scene_number(params["scene"], len(story.scenes))
        numbers = [number]
        notes += [note] if note else []
    scenes = [build.build_scene(warehouse, scope, story.scenes[n - 1], n, in_request)
              for n in numbers]
    charts, narrative = [], []
    for item in scenes:
        chart = item["chart"] or {"figure": {"data": [], "layout": {}}, "columns": [],
                                  "rows": []}
        charts.append({"id": f"scene-{item['number']}", "title":
                       f"Scene {item['number']}: {item['title']} – {item['caption']}",
                       "figure": chart["figure"], "columns": chart["columns"],
                       "rows": chart["rows"], "narrative": list(item["narrative"])})
        narrative += [f"Scene {item['number']} – {item['title']}: {s}"
                      for s in item["narrative"]]
        notes += [f"Scene {item['number']}: {n}" for n in item["notes"]]
    return {
        "page": "story", "title": story.title, "data_version": int(warehouse.version),
        "filters": f"{len(scenes)} scene{'s' if len(scenes) > 1 else ''}, each with its own "
                   f"filters and drill level; as seen within {_seen(scope)}.",
        "notes": notes, "tiles": [], "charts": charts, "narrative": narrative,
        "scenes": [{key: item[key] for key in ("number", "title", "caption", "page",
                                               "chart_id", "query", "filters", "notes",
                                               "narrative")} for item in scenes],
    }
