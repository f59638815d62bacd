"""A scene made concrete for one viewer: its query resolved (dates, {top_region}), its chart
taken from the page-data contract (dashboard.report.registry: the page's own page_report, so
the story shows exactly the page's chart), and its narrative computed by dashboard/insights
under the scene's filters and the viewer's scope. Pure of Flask: the page, the CLI report and
tests call it alike."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

from dashboard import insights
from dashboard.components import view_state
from dashboard.queries import overview
from dashboard.queries.filters import Scope
from dashboard.queries.options import Domain, domain
from dashboard.report.registry import UnknownPage, page_function
from dashboard.story.scenes import PLACEHOLDERS, Scene, Story

TOY_TYPES_NOTE = re.compile(r"Top \d+ of \d+ toy types")


def query_dict(query: str) -> dict:
    """A query string as a page layout receives it: one value a string, repeats a list."""
    parsed = parse_qs((query or "").lstrip("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _leaders(warehouse, scope: Scope, found: Domain) -> dict[str, str]:
    """The viewer's leading region and category over the default range (within the scope)."""
    start, end = found.default_range()
    scan = overview.run_overview(warehouse, view_state.make_filter(start, end, found), scope)
    regions = overview.regional_contribution(scan)
    categories = overview.category_bars(scan)
    return {"top_region": str(regions["region"].iloc[0]) if len(regions) else "",
            "top_category": str(categories["category"].iloc[0]) if len(categories) else ""}


def resolve(scene: Scene, warehouse, scope: Scope, found: Domain) -> str:
    """The scene's query string for this viewer (no leading '?')."""
    pairs = [(k, v) for k, values in parse_qs(scene.query, keep_blank_values=True).items()
             for v in values]
    if any("{" in v for _, v in pairs):
        leaders = _leaders(warehouse, scope, found)
        pairs = [(k, v.format(**leaders) if v.strip("{}") in PLACEHOLDERS else v)
                 for k, v in pairs]
    keys = {k for k, _ in pairs}
    if scene.span == "all" and not keys & {"start", "end"}:
        pairs += [("start", found.min_date.isoformat()), ("end", found.max_date.isoformat())]
    return urlencode(pairs)


def _other_chart_note(note: str, chart: str) -> bool:
    """A page note about one of its other charts ("Top 15 of 40 toy types") says nothing about
    this scene's chart."""
    return chart != "subcategory" and TOY_TYPES_NOTE.match(note) is not None


def build_scene(warehouse, scope: Scope, scene: Scene, number: int,
                in_request: bool = False) -> dict:
    """One scene for one viewer: title, caption, chart (from the page's report) and narrative.
    `in_request` (the story page, its print page): a forecast not kept yet is started in the
    background and the scene says it is fitting (`pending`) instead of fitting inline."""
    found = domain(warehouse, scope)
    if scene.one_region is not None and len(found.members.get("regions", ())) == 1:
        scene = scene.one_region
    query = resolve(scene, warehouse, scope, found)
    notes: list[str] = []
    try:
        report = page_function(scene.page, in_request)(warehouse, scope, query)
    except UnknownPage as exc:
        report = {"charts": [], "filters": "", "notes": [str(exc)]}
    chart = next((c for c in report["charts"] if c["id"] == scene.chart), None)
    notes.extend(n for n in report.get("notes", []) if not _other_chart_note(n, scene.chart))
    if report.get("fitting"):  # "Fitting N series for this view (...)"
        notes.append(report["fitting"])
    elif chart is None:
        notes.append(f"The {scene.page} page has no chart {scene.chart!r} for this data.")
    flt = view_state.from_query(query_dict(query), found).filter
    ctx = insights.context(warehouse, flt, scope)
    said = []
    for kind, options in scene.insights:
        try:
            result = insights.run(kind, ctx, **dict(options))
        except (TypeError, ValueError) as exc:
            said.append({"kind": kind, "sentence": f"This {kind} insight could not be "
                         f"computed: {exc}.", "notable": False})
            continue
        said.append({"kind": kind, "sentence": result.sentence, "notable": result.notable})
    return {
        "number": number, "title": scene.title,
        "caption": scene.caption or (chart["title"] if chart else scene.title),
        "page": scene.page, "chart_id": scene.chart, "query": query,
        "filters": report.get("filters", ""), "notes": notes, "chart": chart,
        "insights": said, "narrative": [item["sentence"] for item in said],
        "pending": bool(report.get("fitting")),  # the story page asks again until it is not
    }


def build_story(warehouse, scope: Scope, story: Story) -> list[dict]:
    return [build_scene(warehouse, scope, scene, i) for i, scene in
            enumerate(story.scenes, 1)]
