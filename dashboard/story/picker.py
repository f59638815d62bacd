"""What the story builder offers: pages, their charts, drill levels, saved views to take
filters from, and one line that names a scene. Pure of Flask (the page passes what it needs)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dashboard.components.view_state import DRILL_KEYS
from dashboard.insights import KINDS
from dashboard.queries.options import Domain
from dashboard.report.registry import PAGES
from dashboard.story.saved import PAGE
from dashboard.views import store

INSIGHT_LABELS = {"trend": "Trend", "seasonal": "Seasonal peak", "drivers": "What drove the "
                  "change", "concentration": "Concentration", "unusual": "Unusual change",
                  "bestsellers": "Best-sellers by age group", "regional": "Regional gaps"}
DRILL_NAMES = {"geo": "Places", "prod": "Toys"}
TOP = "top"  # the drill level "no drill-down" (a select shows an empty value as blank)


def page_options() -> list[dict]:
    return [{"label": name.capitalize(), "value": name} for name in PAGES if name != PAGE]


def insight_options() -> list[dict]:
    return [{"label": INSIGHT_LABELS.get(kind, kind), "value": kind} for kind in KINDS]


def drill_options(page: str, found: Domain) -> list[dict]:
    """The Overview's drill levels as the viewer may see them: top, one region, one category
    (the page checks a deeper path again). Other pages have no drill level."""
    top = [{"label": "Top level (no drill-down)", "value": TOP}]
    if page != "overview":
        return top
    return top + [{"label": f"Places › {r}", "value": urlencode({"geo": r})}
                  for r in found.members.get("regions", ())] + \
        [{"label": f"Toys › {c}", "value": urlencode({"prod": c})}
         for c in found.members.get("categories", ())]


def with_drill(filters: str, drill: str) -> str:
    """The filters with the drill level chosen here in place of any drill they held."""
    pairs = [(k, v) for k, v in parse_qsl((filters or "").strip().lstrip("?"),
                                          keep_blank_values=True) if k not in DRILL_KEYS]
    pairs += parse_qsl(drill) if drill and drill != TOP else []
    return urlencode(pairs)


def view_options(views: list[store.SavedView]) -> list[dict]:
    """Saved page views whose filters a scene may take (value: "page|query")."""
    return [{"label": f"{v.name} ({v.owner})", "value": f"{v.page}|{v.latest.page_query}"}
            for v in views if v.page != store.STORY]


def describe(scene: dict) -> str:
    drill = [f"{DRILL_NAMES[k]} › {v}" for k, v in parse_qsl(scene.get("query", ""))
             if k in DRILL_KEYS]
    filters = [f"{k}={v}" for k, v in parse_qsl(scene.get("query", "")) if k not in DRILL_KEYS]
    parts = [f"{scene['page'].capitalize()} · {scene['chart']}"]
    parts += [", ".join(filters)] if filters else ["default filters"]
    parts += drill
    return " · ".join(parts)
