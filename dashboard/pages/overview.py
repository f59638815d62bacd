"""Overview: KPI tiles and the seven charts, driven by the filter bar and cross-highlighting.

Callbacks are thin adapters (inputs -> query -> figures) and plain functions, so tests call
them directly. The URL query string holds the whole view; the layout reads it on load and a
clientside callback writes it back (history.replaceState) when the view changes.
"""

from __future__ import annotations

from dataclasses import replace

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate

from dashboard import services
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components import breadcrumbs, chart_table, drill_clicks, exports, view_state
from dashboard.components.chart_graph import chart_graph
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.empty_state import empty_state
from dashboard.components.filter_bar import FIELDS, control_id
from dashboard.components.filter_drawer import filter_drawer, open_button
from dashboard.components.kpi import kpi_tiles, metric_help
from dashboard.components.save_view import save_view_form
from dashboard.components.view_state import ViewState
from dashboard.pages import overview_view
from dashboard.pages.overview_saved import saved_view_banner
from dashboard.pages.overview_view import (
    GRAPHS,
    HIGHLIGHT_TO_FIELD,
    View,
    by_stores,
    checked_drill,
    default_geo,
    drill_members,
    hidden_graphs,
    shown_geo,
    state_from_query,
)
from dashboard.queries import drill
from dashboard.queries.filters import ScopeError
from dashboard.queries.sources import Highlight
from dashboard.warehouse.store import NoWarehouseError

# Each chart's table view (chart_table): caption and what one row is.
TABLES = {
    "trend": ("Monthly sales trend", "Series · month"),
    "top": ("Top toys by age group", "Toy"),
    "contrib": ("Regional contribution", "Region"),
    "heatmap": ("Regional demand by month", "Region · month"),
    "category": ("Revenue by category", "Category"),
    "subcategory": ("Revenue by toy type", "Toy type"),
    "age": ("Share by age group", "Age group"),
    "gender": ("Share by gender", "Gender"),
}


def _graph_card(key: str, title: str, controls=None, width: int = 6,
                helps: tuple[str, ...] = ()) -> dbc.Col:
    header = [html.Span(title, className="fw-semibold", id=f"ov-title-{key}"),
              *(metric_help(m) for m in helps)]
    tools = [] if controls is None else [controls]
    header.append(html.Div([*tools, chart_table.table_toggle(key, title)],
                           className="ms-auto d-flex flex-wrap align-items-center gap-1"))
    return dbc.Col(
        dbc.Card(
            [
                dbc.CardHeader(header, className="d-flex align-items-center gap-2 bg-white"),
                dbc.CardBody([
                    chart_graph(f"ov-{key}"),
                    chart_table.table_slot(key)],
                    className="p-1",
                ),
                exports.card_footer(key, title),
            ],
            className="h-100",
            id=f"ov-card-{key}",
        ),
        xs=12, lg=width, className="mb-3",
    )


def radio(id_: str, options: list[tuple[str, object]], value) -> dbc.RadioItems:
    return dbc.RadioItems(
        id=id_, value=value, inline=True, className="btn-group btn-group-sm",
        inputClassName="btn-check", labelClassName="btn btn-outline-secondary",
        labelCheckedClassName="active",
        options=[{"label": label, "value": v} for label, v in options],
    )


def _unavailable_note(unavailable: tuple[str, ...]):
    names = {"age_group": "customer age group", "gender": "customer gender",
             "channel": "sales channel", "subcategory": "toy type"}
    missing = [names[d] for d in unavailable if d in names]
    if not missing:
        return None
    return dbc.Alert(
        f"This data has no {', '.join(missing)}, so the charts and filters for "
        f"{'it' if len(missing) == 1 else 'them'} are hidden.",
        color="secondary", className="py-2 small",
    )


def layout(**query):
    try:
        view = current_view()
    except NoWarehouseError:  # the empty start: the next step for this role
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:  # a manager with no region: nothing to show, and say why
        return dbc.Alert("No region is assigned to your account yet, so there is no data to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="ov-no-scope")
    scope, domain = view.scope, view.domain
    state, dropped = state_from_query(view, query)
    saved, saved_note = saved_view_banner(query.get("view"), query.get("version"), query)
    contrib_title, heat_title, category_title = breadcrumbs.titles(
        shown_geo(view, state.geo), state.prod, by_stores(state))
    hidden = hidden_graphs(domain)
    cards = [
        _graph_card("trend", "Monthly sales trend",
                    radio("ov-trend-by", [("Category", "category"), ("Region", "region")],
                           state.trend_by), width=12),
        _graph_card("top", "Top toys" if "age_group" in domain.unavailable
                    else "Top toys by age group",
                    radio("ov-top-n", [("Top 3", 3), ("Top 5", 5), ("Top 10", 10)],
                           state.top_n)),
        _graph_card("contrib", contrib_title, radio(
            "ov-places", [("Next level", "next"), ("Stores", "stores")], state.places),
            helps=("share", "change_share")),
        _graph_card("heatmap", heat_title),
        _graph_card("category", category_title),
        _graph_card("subcategory", "Revenue by toy type"),
        _graph_card("age", "Share by age group", width=3),
        _graph_card("gender", "Share by gender", width=3),
    ]
    for card, key in zip(cards, GRAPHS, strict=True):
        if key in hidden:  # kept in the layout (callbacks output to it), just not shown
            card.style = {"display": "none"}
    return html.Div(
        [
            dcc.Store(id="ov-highlight", data=highlight_data(state.highlight)),
            dcc.Store(id="ov-query"),
            dcc.Store(id="ov-drill", data=_drill_data(state)),
            # One grid, two arrangements (assets/50-phone.css): on a phone the KPIs come first
            # and the filters wait in a drawer; from 768 px the filters sit inline on top.
            html.Div(
                [
                    filter_drawer(domain, state),
                    html.H1(id="ov-summary", className="h5 mb-0 ov-summary"),
                    html.Div(
                        [
                            open_button(domain, state),
                            radio("ov-measure", [("Revenue", "revenue"), ("Units", "units")],
                                   state.measure),
                            metric_help("revenue"), metric_help("units"),
                            dbc.Button("Filter to selection", id="ov-filter-selection",
                                       size="sm", color="primary", outline=True,
                                       className="ms-2", disabled=state.highlight is None),
                            dbc.Button("Clear highlight", id="ov-clear-highlight", size="sm",
                                       color="secondary", outline=True, className="ms-2",
                                       disabled=state.highlight is None),
                            dbc.Button("Reset", id="ov-reset", size="sm", color="secondary",
                                       className="ms-2"),
                            exports.print_link(),
                            save_view_form(view_state.to_query(state, domain), saved),
                        ],
                        className="ov-toolbar d-flex flex-wrap align-items-center gap-1",
                    ),
                    html.Div(
                        [
                            saved_note,
                            html.Div(id="ov-highlight-note", className="small text-primary"),
                            html.Div(" ".join(view_state.date_notes(
                                query.get("start"), query.get("end"), domain)),
                                id="ov-date-note", className="small text-warning-emphasis",
                                role="status"),
                            _unavailable_note(domain.unavailable),
                            dbc.Alert(id="ov-empty", color="info", is_open=False,
                                      children="No sales match these filters. Widen the date "
                                      "range or remove a filter."),
                        ],
                        className="ov-notes",
                    ),
                    dbc.Row(id="ov-kpis", className="g-2 ov-kpis"),
                ],
                className="ov-top mb-2",
            ),
            _drill_bar(replace(state, geo=shown_geo(view, state.geo)), dropped,
                       scope.regions is not None),
            dbc.Row(cards, className="g-3"),
        ]
    )


dash.register_page(__name__, path="/", name="Overview", title="Overview · ToyPulse", order=0,
                   layout=layout)


def highlight_data(highlight: Highlight | None) -> dict | None:
    return None if highlight is None else {"column": highlight.column, "value": highlight.value}


# ---- Drill-down paths ---------------------------------------------------------------------


def _drill_data(state: ViewState) -> dict:
    return {"geo": list(state.geo), "prod": list(state.prod)}


def _drill_bar(state: ViewState, dropped: bool, scoped: bool) -> html.Div:
    return html.Div(
        [
            html.Div(breadcrumbs.crumbs(state.geo, state.prod, dropped, scoped,
                                       by_stores(state)), id="ov-crumbs",
                     className="d-flex flex-column gap-1"),
            html.Div(
                [html.Span("On click:", className="small text-muted"),
                 radio("ov-click-mode", [("Drill down", "drill"), ("Highlight", "highlight")],
                        "drill")],
                className="d-flex align-items-center gap-2 ms-lg-auto"),
            html.Div(breadcrumbs.HINT, className="small text-muted w-100", id="ov-drill-hint"),
        ],
        className="d-flex flex-wrap align-items-start gap-2 mb-2", id="ov-drill-bar",
    )


# ---- The view ----------------------------------------------------------------------------


def current_view() -> View:
    """The request's view: the served warehouse, the signed-in account's scope, the cache."""
    svc = services.current()
    scope = scope_for_request()
    return View(svc.warehouse, scope, svc.domain(scope), svc.cached)


def render(state: ViewState, view: View | None = None) -> dict:
    """All outputs for one view state: computed within the request's scope, cached."""
    view = view or current_view()
    outputs = dict(overview_view.compute(view, state))
    outputs["kpis"] = [] if outputs["empty"] else kpi_tiles(
        outputs["kpis"], outputs["hl_note"], outputs["numbers"], view.domain.unavailable)
    outputs["summary"] = overview_view.focus_sentence(view, state)
    outputs["query"] = view_state.to_query(state, view.domain)
    return outputs


def state_from_inputs(start, end, values: list, highlight, trend_by, measure, top_n,
                      drill_data=None, places=None) -> tuple[ViewState, bool]:
    """Coerce raw callback inputs (which any client can forge) into a ViewState; also say
    whether a drill step was dropped (unknown, or outside the scope or the filters)."""
    view = current_view()
    try:
        flt = view_state.make_filter(start, end, view.domain,
                                     **dict(zip(FIELDS, values, strict=True)))
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    state = ViewState(
        filter=flt,
        highlight=view_state.as_highlight(highlight),
        trend_by=view_state.choice(trend_by, view_state.TREND_BY, "category"),
        measure=view_state.choice(measure, view_state.MEASURES, "revenue"),
        top_n=view_state.choice(top_n, view_state.TOP_N, 5),
        places=view_state.choice(places, view_state.PLACES, "next"),
    )
    paths = drill_data if isinstance(drill_data, dict) else {}
    return checked_drill(view, state, paths.get("geo") or (), paths.get("prod") or ())


@callback(
    Output("ov-summary", "children"),
    Output("ov-empty", "is_open"),
    Output("ov-kpis", "children"),
    *[Output(f"ov-{key}", "figure") for key in GRAPHS],
    Output("ov-query", "data"),
    Output("ov-highlight-note", "children"),
    Output("ov-filter-selection", "disabled"),
    Output("ov-clear-highlight", "disabled"),
    Output("ov-crumbs", "children"),
    Output("ov-title-contrib", "children"),
    Output("ov-title-heatmap", "children"),
    Output("ov-title-category", "children"),
    Input("ov-dates", "start_date"),
    Input("ov-dates", "end_date"),
    *[Input(control_id(f), "value") for f in FIELDS],
    Input("ov-highlight", "data"),
    Input("ov-trend-by", "value"),
    Input("ov-measure", "value"),
    Input("ov-top-n", "value"),
    Input("ov-drill", "data"),
    Input("ov-places", "value"),
    VERSION_INPUT,  # a new data version redraws the page (components/data_version.py)
)
def update_overview(start, end, *rest):
    values, options = list(rest[: len(FIELDS)]), rest[len(FIELDS):]
    highlight, trend_by, measure, top_n = options[:4]
    drill_data = options[4] if len(options) > 4 else None
    places = options[5] if len(options) > 5 else None
    state, dropped = state_from_inputs(start, end, values, highlight, trend_by, measure, top_n,
                                       drill_data, places)
    out = render(state)
    note = (f"Highlighting {state.highlight.value}: click it again or “Clear highlight” to undo."
            if state.highlight else "")
    no_hl = state.highlight is None
    shown = shown_geo(current_view(), state.geo)
    return (out["summary"], out["empty"], out["kpis"], *[out[k] for k in GRAPHS], out["query"],
            note, no_hl, no_hl,
            breadcrumbs.crumbs(shown, state.prod, dropped,
                               scope_for_request().regions is not None, by_stores(state)),
            *breadcrumbs.titles(shown, state.prod, by_stores(state)))


clientside_callback(  # assets/25-url-state.js, shared by every page
    ClientsideFunction(namespace="toypulse", function_name="writeUrl"),
    Output("ov-query", "id"),
    Input("ov-query", "data"),
)


# ---- Cross-highlight, filter to selection, reset ----------------------------------------


def clicked_member(click_data) -> dict | None:
    """The [column, value] a click carries (customdata), or None for a click on nothing."""
    try:
        point = click_data["points"][0]
    except (TypeError, KeyError, IndexError):
        return None
    custom = point.get("customdata")
    if isinstance(custom, list) and len(custom) == 2 and all(isinstance(c, str) for c in custom):
        highlight = view_state.as_highlight({"column": custom[0], "value": custom[1]})
    elif isinstance(custom, str) and isinstance(point.get("y"), str):  # heat-map cell
        highlight = view_state.as_highlight({"column": "region", "value": point["y"]})
    else:
        highlight = None
    return highlight_data(highlight)


def toggle_highlight(current: dict | None, clicked: dict | None) -> dict | None:
    """A click highlights a member; a second click on the same member clears it."""
    if clicked is None:
        raise PreventUpdate
    return None if clicked == current else clicked


@callback(
    Output("ov-highlight", "data"),
    Output("ov-dates", "start_date"),
    Output("ov-dates", "end_date"),
    *[Output(control_id(f), "value") for f in FIELDS],
    *[Input(f"ov-{key}", "clickData") for key in GRAPHS if key != "trend"],
    Input("ov-trend", "clickData"),
    Input("ov-clear-highlight", "n_clicks"),
    Input("ov-filter-selection", "n_clicks"),
    Input("ov-reset", "n_clicks"),
    State("ov-highlight", "data"),
    *[State(control_id(f), "value") for f in FIELDS],
    State("ov-drill", "data"),
    State("ov-click-mode", "value"),
    prevent_initial_call=True,
)
def interact(*args):
    trigger = ctx.triggered_id
    current = args[len(GRAPHS) + 3]
    values = list(args[len(GRAPHS) + 4:len(GRAPHS) + 4 + len(FIELDS)])
    drill_data, mode = args[len(GRAPHS) + 4 + len(FIELDS):] or (None, None)
    keep = [dash.no_update] * (2 + len(FIELDS))
    if trigger == "ov-clear-highlight":
        return None, *keep
    if trigger == "ov-reset":
        domain = services.current().domain(scope_for_request())
        start, end = domain.default_range()
        return None, start.isoformat(), end.isoformat(), *[[] for _ in FIELDS]
    if trigger == "ov-filter-selection":
        highlight = view_state.as_highlight(current)
        if highlight is None:
            raise PreventUpdate
        return None, dash.no_update, dash.no_update, *filter_to_selection(values, highlight)
    click = ctx.triggered[0]["value"] if ctx.triggered else None
    if mode != "highlight" and drill_target(drill_data, trigger, click) is not None:
        raise PreventUpdate  # this click drills down (drill_click), it does not highlight
    clicked = clicked_member(click)
    return toggle_highlight(current, clicked), *keep


def filter_to_selection(values: list, highlight: Highlight) -> list:
    """The filter values with the highlighted member as the filter of its dimension."""
    field = HIGHLIGHT_TO_FIELD[highlight.column]
    return [[highlight.value] if f == field else value for f, value in zip(FIELDS, values,
                                                                             strict=True)]


chart_table.register(TABLES)
exports.register(GRAPHS)


# ---- Drill-down clicks and breadcrumbs ----------------------------------------------------

DRILL_GRAPHS = {"ov-contrib": "geo", "ov-heatmap": "geo", "ov-category": "prod"}


def drill_target(data, graph, click_data) -> tuple[str, tuple[str, ...]] | None:
    """(axis, the path one level down) when this click on this Overview graph drills."""
    return drill_clicks.drill_target(data, graph, click_data, DRILL_GRAPHS)


def store_target(data, graph, click_data) -> str | None:
    """The label of the store a click picked on a place chart comparing stores (above the
    store level), else None; the callback finds the store's full path."""
    if not isinstance(graph, str) or DRILL_GRAPHS.get(graph) != "geo":
        return None
    try:
        column, member = click_data["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    path = drill_clicks.drill_paths(data)["geo"]
    if column != "store_id" or not isinstance(member, str) or len(path) >= drill.STORE_STEP:
        return None
    return member


def go_up(data, axis, depth) -> dict:
    """The paths with `axis` cut back to its first `depth` steps (a breadcrumb click)."""
    paths = drill_clicks.drill_paths(data)
    if axis not in paths or not isinstance(depth, int) or depth < 0:
        raise PreventUpdate
    paths[axis] = paths[axis][:depth]
    return {key: list(value) for key, value in paths.items()}


@callback(
    Output("ov-drill", "data"),
    *[Input(graph, "clickData") for graph in DRILL_GRAPHS],
    Input(breadcrumbs.crumb_id(ALL, ALL), "n_clicks"),
    Input("ov-reset", "n_clicks"),
    State("ov-drill", "data"),
    State("ov-click-mode", "value"),
    prevent_initial_call=True,
)
def drill_click(*args):
    """A click on a drillable bar goes one level down; a breadcrumb goes back up; Reset goes
    back to where the page starts. Paths are checked again by the main callback."""
    current, mode = args[-2], args[-1]
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    if trigger == "ov-reset":
        return {"geo": list(default_geo(scope_for_request())), "prod": []}
    if isinstance(trigger, dict):  # a breadcrumb; a new one appearing has n_clicks 0
        if not value:
            raise PreventUpdate
        return go_up(current, trigger.get("axis"), trigger.get("depth"))
    store = store_target(current, trigger, value) if mode != "highlight" else None
    if store is not None:  # a store picked among all stores of the path: go straight to it
        found = drill_members(current_view(), "geo")
        path = drill.store_path(drill.store_step(store, found), found)
        if path is None:
            raise PreventUpdate
        paths = drill_clicks.drill_paths(current)
        return {**{k: list(v) for k, v in paths.items()}, "geo": list(path)}
    target = drill_target(current, trigger, value) if mode != "highlight" else None
    if target is None:
        raise PreventUpdate
    axis, path = target
    if axis == "geo" and len(path) == drill.STORE_STEP + 1:  # a store bar names its store
        path = (*path[:-1], drill.store_step(path[-1], drill_members(current_view(), "geo")))
    paths = drill_clicks.drill_paths(current)
    paths[axis] = path
    return {key: list(path) for key, path in paths.items()}
