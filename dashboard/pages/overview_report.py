"""The Overview's machine-readable twin: `page_report(warehouse, scope, query) -> dict`.

Pure of Flask, so the CLI (`dashboard report`), the exports, the print page, the story and tests
call it alike. The figures come from overview_view.compute, the page's own code path; each
chart's table is read back from its figure (report/tables.py), so it holds exactly the marks
drawn. A link may carry filter values or a highlight the viewer cannot see (a forged
`region=South` for a North manager): they still match nothing, and the report never echoes
their names.
"""

from __future__ import annotations

from dataclasses import replace

from dashboard.components import breadcrumbs, view_state
from dashboard.components.kpi import tile_values
from dashboard.components.view_state import ViewState
from dashboard.pages import overview_view
from dashboard.pages.overview_view import GRAPHS, HIGHLIGHT_TO_FIELD, View, by_stores, shown_geo
from dashboard.queries import drill
from dashboard.queries.filters import Scope, describe
from dashboard.queries.registry import METRICS
from dashboard.report.tables import marks
from dashboard.warehouse.schema import FILTER_COLUMNS

EMPTY_NOTE = "No sales match these filters. Widen the date range or remove a filter."
MISSING = {"age_group": "customer age group", "gender": "customer gender",
           "channel": "sales channel", "subcategory": "toy type"}


def _level(axis: str, path: tuple[str, ...]) -> str:
    return drill.NAMES[drill.level_of(axis, path)][0].capitalize()


def chart_specs(state: ViewState, unavailable: tuple[str, ...],
                shown_geo: tuple[str, ...] | None = None) -> list[tuple[str, str, list]]:
    """(id, title, column names) of each chart shown, in the page's order; `shown_geo` is the
    place path as titles name it (a store by its name)."""
    measure = METRICS[state.measure].label
    contrib, heat, category = breadcrumbs.titles(
        state.geo if shown_geo is None else shown_geo, state.prod, by_stores(state))
    place = "Store" if by_stores(state) else _level("geo", state.geo)
    product = _level("prod", state.prod)
    no_age = "age_group" in unavailable
    specs = {
        "trend": ("Monthly sales trend", [state.trend_by.capitalize(), "Month", measure]),
        "top": ("Top toys" if no_age else "Top toys by age group",
                ["Series" if no_age else "Age group", "Toy", measure]),
        "contrib": (contrib, ["Series", place, "Share"]),
        "heatmap": (heat, [place, "Month", measure]),
        "category": (category, ["Series", product, measure]),
        "subcategory": ("Revenue by toy type", ["Series", "Toy type", measure]),
        "age": ("Share by age group", ["Series", "Age group", "Revenue"]),
        "gender": ("Share by gender", ["Series", "Gender", "Revenue"]),
    }
    hidden = overview_view.hidden_graphs_for(unavailable)
    return [(key, *specs[key]) for key in GRAPHS if key not in hidden]


def _visible(state: ViewState, view: View) -> tuple[ViewState, list[str]]:
    """The state as it may be described to this viewer: filter values and a highlight outside
    their data are counted, never named (the query still gets them, and matches nothing)."""
    members = view.domain.members
    notes = []
    unseen = sum(1 for name in FILTER_COLUMNS for value in getattr(state.filter, name)
                 if value not in members.get(name, ()))
    if unseen:
        notes.append(f"{unseen} filter value{'s' if unseen > 1 else ''} in the link "
                     f"{'are' if unseen > 1 else 'is'} not in the data you can see; no sales "
                     "match "
                     f"{'them' if unseen > 1 else 'it'}.")
    hl = state.highlight
    if hl is not None and hl.value not in members.get(HIGHLIGHT_TO_FIELD[hl.column], ()):
        notes.append("The highlighted member in the link is not in the data you can see, so "
                     "nothing is highlighted.")
        state = replace(state, highlight=None)
    return state, notes


def _seen(state: ViewState, view: View) -> ViewState:
    """The state with only the filter values the viewer can see (for words and links)."""
    members = view.domain.members
    return replace(state, filter=replace(state.filter, **{
        name: tuple(v for v in getattr(state.filter, name) if v in members.get(name, ()))
        for name in FILTER_COLUMNS}))


def filter_sentence(state: ViewState, view: View) -> str:
    """What the report shows, in words: the filters (only values the viewer can see) and the
    drill-down paths."""
    parts = [describe(_seen(state, view).filter, view.scope)]
    if state.geo:
        parts.append(f"places: {' › '.join(state.geo)}")
    if state.prod:
        parts.append(f"toys: {' › '.join(state.prod)}")
    if state.highlight is not None:
        parts.append(f"highlighting {state.highlight.value}")
    return "; ".join(parts)


def _unavailable_note(unavailable: tuple[str, ...]) -> list[str]:
    missing = [MISSING[d] for d in unavailable if d in MISSING]
    if not missing:
        return []
    return [f"This data has no {', '.join(missing)}, so the charts for "
            f"{'it' if len(missing) == 1 else 'them'} are left out."]


def report_for_state(view: View, state: ViewState, notes: list[str]) -> dict:
    """The page-data dict for a checked state (the print route and page_report share it)."""
    state, hidden_notes = _visible(state, view)
    out = overview_view.compute(view, state)
    notes = [*notes, *hidden_notes, *_unavailable_note(view.domain.unavailable)]
    if out["empty"]:
        notes.append(EMPTY_NOTE)
    notes.extend(out.get("notes", []))
    tiles = [] if out["empty"] else [
        {key: tile[key] for key in ("id", "label", "value", "text", "change_previous",
                                    "change_previous_text", "change_year_ago",
                                    "change_year_ago_text")}
        for tile in tile_values(out["kpis"], out["numbers"], view.domain.unavailable)]
    if out.get("hl_note"):
        notes.append(f"Highlighted: {out['hl_note']['revenue']}")
    charts = []
    for key, title, columns in chart_specs(state, view.domain.unavailable,
                                           shown_geo(view, state.geo)):
        figure = out[key]
        charts.append({"id": key, "title": title, "figure": figure, "columns": columns,
                       "rows": [] if out["empty"] else marks(figure)})
    return {
        "page": "overview", "title": "Overview", "data_version": int(view.warehouse.version),
        "filters": filter_sentence(state, view),
        "query": view_state.to_query(_seen(state, view), view.domain),
        "notes": notes, "tiles": tiles, "charts": charts,
    }


def report_for_view(view: View, query: str) -> dict:
    """The Overview for `query` as the view's scope sees it (the app passes its cache)."""
    params = overview_view.query_dict(query)
    state, dropped = overview_view.state_from_query(view, params)
    notes = view_state.date_notes(params.get("start"), params.get("end"), view.domain)
    if dropped:
        notes.append(drill.DROPPED_NOTE)
    return report_for_state(view, state, notes)


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The Overview for `query` (its URL query string) as `scope` sees it."""
    return report_for_view(View.of(warehouse, scope), query)
