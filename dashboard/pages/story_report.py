"""The Story's machine-readable twin: `page_report(warehouse, scope, query) -> dict`.

Every scene of the default story as the viewer's scope sees it: its chart (the page's own chart
data, via the page-data contract) and its narrative. `query` may hold `scene=N` for one scene.
Pure of Flask, so `dashboard report --page story`, exports and tests call it alike.
"""

from __future__ import annotations

from dashboard.queries.filters import Scope
from dashboard.story import build
from dashboard.story.scenes import default_story, scene_number


def _seen(scope: Scope) -> str:
    return "every region" if scope.regions is None else ", ".join(sorted(scope.regions))


def page_report(warehouse, scope: Scope, query: str) -> dict:
    story = default_story()
    params = build.query_dict(query)
    numbers = list(range(1, len(story.scenes) + 1))
    notes = []
    if "scene" in params:
        number, note = scene_number(params["scene"], len(story.scenes))
        numbers = [number]
        notes += [note] if note else []
    scenes = [build.build_scene(warehouse, scope, story.scenes[n - 1], n) for n in numbers]
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
