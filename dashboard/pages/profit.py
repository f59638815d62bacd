"""Profit and loss: sales, profit and margin by toy and place (with a US map), loss analysis,
and orders and shipping, under the Overview's filters, scope and URL state.

Callbacks are thin adapters (inputs -> profit_view.compute -> figures). The filter bar is the
Overview's (same ids, so its option narrowing and drawer work here too); drill-down goes
category > toy type > toy and region > state > city > store by clicking a bar, and back up by
the breadcrumbs. With "On click: Highlight" (and always on the charts that do not drill), a
click on a category, toy type, toy, region or channel highlights it across the sales, loss and
margin charts, as on the Overview. The URL query string holds the whole view (filters, drill
paths, highlight, promise).
"""

from __future__ import annotations

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

from dashboard.auth.permissions import current_account
from dashboard.components import breadcrumbs, chart_table, drill_clicks, exports, view_state
from dashboard.components.chart_graph import GRAPH_CONFIG, chart_graph
from dashboard.components.empty_state import empty_state
from dashboard.components.filter_bar import FIELDS
from dashboard.components.filter_drawer import filter_drawer, open_button
from dashboard.components.kpi import metric_help
from dashboard.pages import overview_report, people_layout, profit_report, profit_view
from dashboard.pages.overview import (
    clicked_member,
    current_view,
    highlight_data,
    radio,
    toggle_highlight,
)
from dashboard.pages.overview_view import checked_drill
from dashboard.pages.profit_view import GRAPHS, ProfitState
from dashboard.queries import drill
from dashboard.queries.filters import ScopeError, describe
from dashboard.warehouse.store import NoWarehouseError

PAGE = "profit"
CRUMB = "pl-crumb"
SECTIONS = (
    ("Sales and profit", ("pl-prod", "pl-geo", "pl-map")),
    ("Loss analysis", ("pl-loss-toys", "pl-loss-types", "pl-loss-states", "pl-loss-stores",
                       "pl-discount", "pl-channel")),
    ("Orders and shipping", ("pl-ship", "pl-late", "pl-weekday")),
)
TABLES = {  # chart -> (table caption, what one row is)
    "pl-prod": ("Sales and profit by toy level", "Member"),
    "pl-geo": ("Sales and profit by place", "Place"),
    "pl-map": ("Gross margin by state", "State"),
    "pl-loss-toys": ("Loss-making toys", "Toy"),
    "pl-loss-types": ("Loss-making toy types", "Toy type"),
    "pl-loss-states": ("Loss-making states", "State"),
    "pl-loss-stores": ("Loss-making stores", "Store"),
    "pl-discount": ("Gross margin by discount band", "Discount band"),
    "pl-channel": ("Website vs store", "Channel"),
    "pl-ship": ("Average days from order to ship", "Ship mode · region"),
    "pl-late": ("Late shipments by ship mode", "Ship mode"),
    "pl-weekday": ("Orders by weekday", "Weekday"),
}
WIDE = {"pl-prod", "pl-geo"}
DRILL_GRAPHS = {"ov-pl-prod": "prod", "ov-pl-geo": "geo"}
HINT = ("Click a category, toy type, region, state or city bar to drill down; the breadcrumbs "
        "go back up. In “Highlight” mode a click on a category, toy type, toy, region or "
        "channel lights it on the sales, loss and margin charts instead.")


def _titles(state: ProfitState, has_cost: bool) -> dict[str, str]:
    return {key: title for key, (title, _) in
            profit_report.chart_specs(state, has_cost).items()}


def _card(key: str, title: str, hidden: bool) -> dbc.Col:
    graph = chart_graph(f"ov-{key}")
    if key == "pl-map":  # the USA shapes come from the app itself, never from a CDN
        graph.children.config = {**GRAPH_CONFIG, "topojsonURL": dash.get_asset_url("topojson/")}
    header = [html.Span(title, className="fw-semibold", id=f"pl-title-{key}"),
              html.Div(chart_table.table_toggle(key, title), className="ms-auto")]
    return dbc.Col(
        dbc.Card([dbc.CardHeader(header, className="d-flex align-items-center gap-2 bg-white"),
                  dbc.CardBody([graph, chart_table.table_slot(key)], className="p-1"),
                  exports.card_footer(key, title, page=PAGE)], className="h-100"),
        xs=12, lg=12 if key == "pl-map" else 6 if key in WIDE else 4, className="mb-3",
        id=f"pl-card-{key}", style={"display": "none"} if hidden else None,
    )


def layout(**query):
    try:
        view = current_view()
    except NoWarehouseError:
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is no data to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="pl-no-scope")
    state, dropped = profit_view.state_from_query(view, query)
    has_cost = "cost" not in view.domain.unavailable
    titles = _titles(state, has_cost)
    hidden = set() if has_cost else set(profit_view.NEEDS_COST)
    sections = []
    for name, keys in SECTIONS:
        sections.append(html.H2(name, className="h6 text-uppercase text-muted mt-2"))
        sections.append(dbc.Row([_card(k, titles[k], k in hidden) for k in keys],
                                className="g-3"))
    return html.Div([
        dcc.Store(id="pl-query"),
        dcc.Store(id="pl-drill", data={"geo": list(state.geo), "prod": list(state.prod)}),
        dcc.Store(id="pl-highlight", data=highlight_data(state.highlight)),
        html.Div([
            filter_drawer(view.domain, state),
            html.H1(id="pl-summary", className="h5 mb-0"),
            html.Div([
                open_button(view.domain, state),
                dbc.Label("Delivery promise (days)", html_for="pl-promise",
                          className="small text-muted mb-0 ms-md-2"),
                dbc.Input(id="pl-promise", type="number", min=0,
                          max=profit_view.MAX_PROMISE, step=1, value=state.promise,
                          debounce=True, size="sm", style={"width": "5rem"}),
                metric_help("margin_pct"),
                exports.print_link(PAGE, "pl-print"),
            ], className="d-flex flex-wrap align-items-center gap-2"),
            html.Div(" ".join(view_state.date_notes(query.get("start"), query.get("end"),
                                                    view.domain)),
                     id="ov-date-note", className="small text-warning-emphasis", role="status"),
            html.Div(id="pl-notes", className="small"),
            dbc.Alert(profit_report.EMPTY_NOTE, id="pl-empty", color="info", is_open=False),
            dbc.Row(id="pl-kpis", className="g-2"),
        ], className="mb-2 d-flex flex-column gap-2"),
        html.Div([html.Div(_crumbs(state, dropped, view.scope.regions is not None),
                           id="pl-crumbs", className="d-flex flex-column gap-1"),
                  html.Div([html.Span("On click:", className="small text-muted"),
                            radio("pl-click-mode", [("Drill down", "drill"),
                                                     ("Highlight", "highlight")], "drill")],
                           className="d-flex align-items-center gap-2 ms-lg-auto"),
                  html.Div(HINT, className="small text-muted w-100"),
                  html.Div([html.Span(id="pl-highlight-note", className="text-primary-emphasis",
                                      role="status"),
                            dbc.Button("Clear highlight", id="pl-clear-highlight", size="sm",
                                       color="secondary", outline=True,
                                       disabled=state.highlight is None)],
                           className="small d-flex flex-wrap align-items-center gap-2 w-100")],
                 className="d-flex flex-wrap align-items-start gap-2 mb-2"),
        *sections,
    ], id="pl-page")


dash.register_page(__name__, path="/profit", name="Profit & loss",
                   title="Profit and loss · ToyPulse", order=1, layout=layout)


def _crumbs(state: ProfitState, dropped: bool, scoped: bool) -> list:
    out = [breadcrumbs.trail("prod", state.prod, kind=CRUMB),
           breadcrumbs.trail("geo", state.geo, "Your regions" if scoped else None, kind=CRUMB)]
    if dropped:
        out.append(dbc.Alert(drill.DROPPED_NOTE, color="warning",
                             className="py-1 px-2 mb-0 small"))
    return out


def _tiles(report: dict) -> list:
    return [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(tile["label"], className="small text-muted"),
        html.Div(tile["text"], className="h4 mb-0", id=f"pl-tile-{tile['id']}")],
        className="py-2")), xs=6, md=3) for tile in report["tiles"]]


def state_from_inputs(start, end, values: list, drill_data, promise, highlight=None
                      ) -> tuple[ProfitState, bool]:
    """Raw callback inputs (forgeable) as a checked state; was a drill step dropped? A
    highlight outside the viewer's data is dropped here (overview_report._visible)."""
    view = current_view()
    flt = people_layout.checked_filter(view, start, end, dict(zip(FIELDS, values, strict=True)))
    paths = drill_clicks.drill_paths(drill_data)
    state = ProfitState(filter=flt, promise=profit_view.as_promise(promise),
                        highlight=view_state.as_highlight(highlight))
    state, _ = overview_report._visible(state, view)
    return checked_drill(view, state, paths["geo"], paths["prod"])


def render(state: ProfitState, dropped: bool) -> tuple:
    view = current_view()
    state, _ = overview_report._visible(state, view)
    report = profit_report.report_for_state(view, state, [])
    out = profit_view.compute(view, state)
    hidden = profit_view.hidden_graphs(view, out)
    titles = _titles(state, out["has_cost"])
    notes = [html.Div(n) for n in report["notes"] if n != profit_report.EMPTY_NOTE]
    return (describe(state.filter, view.scope), out["empty"], _tiles(report),
            *[out[key] for key in GRAPHS],
            *[{"display": "none"} if key in hidden else None for key in GRAPHS],
            profit_view.to_query(state, view),
            _crumbs(state, dropped, view.scope.regions is not None),
            titles["pl-prod"], titles["pl-geo"], titles["pl-late"], notes,
            report["highlight"], state.highlight is None)


@callback(
    Output("pl-summary", "children"),
    Output("pl-empty", "is_open"),
    Output("pl-kpis", "children"),
    *[Output(f"ov-{key}", "figure") for key in GRAPHS],
    *[Output(f"pl-card-{key}", "style") for key in GRAPHS],
    Output("pl-query", "data"),
    Output("pl-crumbs", "children"),
    Output("pl-title-pl-prod", "children"),
    Output("pl-title-pl-geo", "children"),
    Output("pl-title-pl-late", "children"),
    Output("pl-notes", "children"),
    Output("pl-highlight-note", "children"),
    Output("pl-clear-highlight", "disabled"),
    *people_layout.filter_inputs(Input("pl-drill", "data"), Input("pl-promise", "value"),
                                 Input("pl-highlight", "data")),
)
def update_profit(*args):
    start, end, fields, (drill_data, promise, highlight) = people_layout.unpack(args, 3)
    state, dropped = state_from_inputs(start, end, list(fields.values()), drill_data, promise,
                                       highlight)
    return render(state, dropped)


clientside_callback(  # assets/25-url-state.js, shared by every page
    ClientsideFunction(namespace="toypulse", function_name="writeUrl"),
    Output("pl-query", "id"),
    Input("pl-query", "data"),
)


def drill_target(data, graph, click_data) -> tuple[str, tuple[str, ...]] | None:
    """(axis, the path one level down) when a click on this page's graphs drills, else None."""
    return drill_clicks.drill_target(data, graph, click_data, DRILL_GRAPHS)


@callback(
    Output("pl-drill", "data"),
    *[Input(graph, "clickData") for graph in DRILL_GRAPHS],
    Input(breadcrumbs.crumb_id(ALL, ALL, CRUMB), "n_clicks"),
    State("pl-click-mode", "value"),
    State("pl-drill", "data"),
    prevent_initial_call=True,
)
def drill_click(*args):
    """A bar click goes one level down (in "Drill down" mode), a breadcrumb back up (checked
    again on render)."""
    current, mode = args[-1], args[-2]
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    paths = drill_clicks.drill_paths(current)
    if isinstance(trigger, dict):
        depth = trigger.get("depth")
        if not value or trigger.get("axis") not in paths or not isinstance(depth, int):
            raise PreventUpdate
        paths[trigger["axis"]] = paths[trigger["axis"]][:max(depth, 0)]
    else:
        target = drill_target(current, trigger, value) if mode != "highlight" else None
        if target is None:
            raise PreventUpdate
        paths[target[0]] = target[1]
    return {key: list(path) for key, path in paths.items()}


HIGHLIGHT_GRAPHS = [f"ov-{key}" for key in GRAPHS if key not in ("pl-map", "pl-ship")]


@callback(
    Output("pl-highlight", "data"),
    *[Input(graph, "clickData") for graph in HIGHLIGHT_GRAPHS],
    Input("pl-clear-highlight", "n_clicks"),
    State("pl-click-mode", "value"),
    State("pl-drill", "data"),
    State("pl-highlight", "data"),
    prevent_initial_call=True,
)
def highlight_click(*args):
    """A click on a highlightable bar lights it (again: clears), unless it drills; the button
    clears. Bars of other columns (states, stores, bands, ship modes) change nothing."""
    current, drill_data, mode = args[-1], args[-2], args[-3]
    trigger = ctx.triggered_id
    if trigger == "pl-clear-highlight":
        return None
    click = ctx.triggered[0]["value"] if ctx.triggered else None
    if mode != "highlight" and drill_target(drill_data, trigger, click) is not None:
        raise PreventUpdate  # this click drills down (drill_click)
    return toggle_highlight(current, clicked_member(click))


chart_table.register(TABLES)
exports.register(GRAPHS, page=PAGE, query_store="pl-query", print_id="pl-print")
