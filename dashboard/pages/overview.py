"""Overview: KPI tiles and the seven charts, driven by the filter bar and cross-highlighting.

Callbacks are thin adapters (inputs -> query -> figures) and plain functions, so tests call
them directly. The URL query string holds the whole view; the layout reads it on load and a
clientside callback writes it back (history.replaceState) when the view changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import services
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components import breadcrumbs, chart_table, view_state
from dashboard.components.empty_state import empty_state
from dashboard.components.filter_bar import FIELDS, control_id
from dashboard.components.filter_drawer import filter_drawer, open_button
from dashboard.components.kpi import kpi_tiles, metric_help
from dashboard.components.view_state import ViewState
from dashboard.figures import charts, theme
from dashboard.figures.colors import Colors
from dashboard.figures.formats import Numbers
from dashboard.queries import drill
from dashboard.queries import overview as metrics
from dashboard.queries.filters import ScopeError, describe
from dashboard.queries.options import Domain
from dashboard.queries.registry import currency_symbol
from dashboard.queries.sources import Highlight
from dashboard.warehouse.schema import FILTER_COLUMNS
from dashboard.warehouse.store import NoWarehouseError

GRAPHS = ("trend", "top", "contrib", "heatmap", "category", "subcategory", "age", "gender")
HIGHLIGHT_TO_FIELD = {
    "region": "regions", "category": "categories", "subcategory": "subcategories",
    "product_name": "products", "age_group": "age_groups", "gender": "genders",
    "channel": "channels",
}
GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True,
                "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
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
HIDDEN_BY = {"age": "age_group", "gender": "gender", "subcategory": "subcategory"}


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
                    dcc.Loading(dcc.Graph(id=f"ov-{key}", config=GRAPH_CONFIG),
                                delay_show=250, type="circle"),
                    chart_table.table_slot(key)],
                    className="p-1",
                ),
            ],
            className="h-100",
            id=f"ov-card-{key}",
        ),
        xs=12, lg=width, className="mb-3",
    )


def _radio(id_: str, options: list[tuple[str, object]], value) -> dbc.RadioItems:
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
    scope = scope_for_request()
    try:
        domain = services.current().domain(scope)
    except NoWarehouseError:  # the empty start: the next step for this role
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:  # a manager with no region: nothing to show, and say why
        return dbc.Alert("No region is assigned to your account yet, so there is no data to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="ov-no-scope")
    state = view_state.from_query(query, domain)
    if "geo" not in query:
        state = replace(state, geo=default_geo(scope))
    state, dropped = checked_drill(state, state.geo, state.prod, scope, domain)
    contrib_title, heat_title, category_title = breadcrumbs.titles(state.geo, state.prod)
    hidden = {key for key, dim in HIDDEN_BY.items() if dim in domain.unavailable}
    cards = [
        _graph_card("trend", "Monthly sales trend",
                    _radio("ov-trend-by", [("Category", "category"), ("Region", "region")],
                           state.trend_by), width=12),
        _graph_card("top", "Top toys" if "age_group" in domain.unavailable
                    else "Top toys by age group",
                    _radio("ov-top-n", [("Top 3", 3), ("Top 5", 5), ("Top 10", 10)],
                           state.top_n)),
        _graph_card("contrib", contrib_title, helps=("share", "growth_share")),
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
            dcc.Store(id="ov-highlight", data=_highlight_data(state.highlight)),
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
                            _radio("ov-measure", [("Revenue", "revenue"), ("Units", "units")],
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
                        ],
                        className="ov-toolbar d-flex flex-wrap align-items-center gap-1",
                    ),
                    html.Div(
                        [
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
            _drill_bar(state, dropped, scope.regions is not None),
            dbc.Row(cards, className="g-3"),
        ]
    )


dash.register_page(__name__, path="/", name="Overview", title="Overview · ToyPulse", order=0,
                   layout=layout)


def _highlight_data(highlight: Highlight | None) -> dict | None:
    return None if highlight is None else {"column": highlight.column, "value": highlight.value}


# ---- Drill-down paths ---------------------------------------------------------------------


def default_geo(scope) -> tuple[str, ...]:
    """A manager of one region starts inside it (its states); everyone else at the regions."""
    regions = set(scope.regions or ())
    return tuple(regions) if len(regions) == 1 else ()


def drill_members(axis: str, scope, domain: Domain) -> drill.Members:
    svc = services.current()
    return svc.cached("drill-members", scope, (axis,), lambda: drill.members(
        svc.warehouse, scope, axis, domain.min_date, domain.max_date))


def checked_drill(state: ViewState, geo, prod, scope, domain: Domain) -> tuple[ViewState, bool]:
    """The state with drill paths the scope can see (and the filters allow); was any dropped?"""
    kept, dropped = {}, False
    for axis, path in (("geo", geo), ("prod", prod)):
        if not path:
            kept[axis] = ()
            continue
        kept[axis], lost = drill.validate(axis, path, drill_members(axis, scope, domain),
                                          state.filter)
        dropped |= lost
    return replace(state, **kept), dropped


def _drill_data(state: ViewState) -> dict:
    return {"geo": list(state.geo), "prod": list(state.prod)}


def _drill_bar(state: ViewState, dropped: bool, scoped: bool) -> html.Div:
    return html.Div(
        [
            html.Div(breadcrumbs.crumbs(state.geo, state.prod, dropped, scoped), id="ov-crumbs",
                     className="d-flex flex-column gap-1"),
            html.Div(
                [html.Span("On click:", className="small text-muted"),
                 _radio("ov-click-mode", [("Drill down", "drill"), ("Highlight", "highlight")],
                        "drill")],
                className="d-flex align-items-center gap-2 ms-lg-auto"),
            html.Div(breadcrumbs.HINT, className="small text-muted w-100", id="ov-drill-hint"),
        ],
        className="d-flex flex-wrap align-items-start gap-2 mb-2", id="ov-drill-bar",
    )


# ---- The view ----------------------------------------------------------------------------


def render(state: ViewState, hidden_dims: tuple[str, ...] = ()) -> dict:
    """All outputs for one view state: computed within the request's scope, cached."""
    scope = scope_for_request()
    svc = services.current()
    domain = svc.domain(scope)

    def compute() -> dict:
        scan = metrics.run_overview(svc.warehouse, state.filter, scope, state.highlight,
                                    state.top_n, state.measure)
        out = figures_for(scan, state, domain)
        if not out["empty"]:
            out.update(drilled_figures(state, scope, domain))
        return out

    outputs = svc.cached("overview", scope, (state,), compute)
    outputs["summary"] = describe(state.filter, scope)
    outputs["query"] = view_state.to_query(state, domain)
    return outputs


def comparable_periods(state: ViewState, domain: Domain) -> set[str]:
    """Comparison periods the data covers whole; a change against half-loaded data misleads."""
    periods = metrics.comparison_periods(state.filter.start, state.filter.end)
    return {name for name in ("previous", "year_ago") if periods[name][0] >= domain.min_date}


def chart_look(state: ViewState, domain: Domain) -> charts.Look:
    """Currency, member colours (from the whole warehouse, so filters never recolour a member)
    and the months the range covers only in part."""
    catalog = services.current().warehouse.catalog()
    members: dict[str, set[str]] = {}
    for fields in catalog.members_by_region.values():
        for name, values in fields.items():
            members.setdefault(FILTER_COLUMNS.get(name, name), set()).update(values)
    colors = Colors.from_members(members, {"age_group": charts.AGE_ORDER})
    return charts.Look(Numbers(currency_symbol(catalog.meta)), colors,
                       partial_months(state.filter.start, state.filter.end, domain))


def partial_months(start, end, domain: Domain) -> dict:
    """Month start -> "1–15 Dec" for a month that the range (within the data) covers in part."""
    lo, hi = max(start, domain.min_date), min(end, domain.max_date)
    out = {}
    if lo > hi:
        return out
    if lo.day != 1:
        last = hi if (hi.year, hi.month) == (lo.year, lo.month) else \
            (lo.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out[lo.replace(day=1)] = f"{lo.day}–{last.day} {lo:%b}"
    if (hi + dt.timedelta(days=1)).day != 1:
        first = lo if (hi.year, hi.month) == (lo.year, lo.month) else hi.replace(day=1)
        out[hi.replace(day=1)] = f"{first.day}–{hi.day} {hi:%b}"
    return out


TOY_TYPES_SHOWN = 15


def _toy_types(scan, hl, measure: str):
    """The top toy types, plus a highlighted one ranked lower; a note when some are left out."""
    types = metrics.subcategory_bars(scan)
    order = types[measure].rank(ascending=False, method="first")
    keep = order <= TOY_TYPES_SHOWN
    if hl is not None and hl.column == "subcategory":
        keep |= types["subcategory"] == hl.value
    note = None
    if len(types) > TOY_TYPES_SHOWN:
        note = f"Top {TOY_TYPES_SHOWN} of {len(types)} toy types"
        if keep.sum() > TOY_TYPES_SHOWN:
            note += f", plus {hl.value} (highlighted)"
    return types[keep], float(types[measure].sum()), note


def figures_for(scan: metrics.OverviewScan, state: ViewState, domain: Domain) -> dict:
    measure, hl = state.measure, state.highlight
    if scan.is_empty:
        blank = theme.empty()
        return {"empty": True, "kpis": [], **{key: blank for key in GRAPHS}}
    look = chart_look(state, domain)
    kpis = metrics.kpis(scan)
    covered = comparable_periods(state, domain)
    for tile in kpis.values():
        for period in {"previous", "year_ago"} - covered:
            tile[f"change_{period}"] = None
    contribution = metrics.regional_contribution(scan)
    if "previous" not in covered:
        contribution["growth_share_pct"] = float("nan")
    top = metrics.top_toys_by_age(scan)
    hl_note = None
    if hl is not None:
        hl_revenue = scan.frames["age"]["hl_revenue"].sum()
        total = kpis["revenue"]["value"]
        share = hl_revenue / total if total else 0
        hl_note = {"revenue": f"{hl.value}: {look.numbers.value(hl_revenue, 'currency')} "
                              f"({share:.1%})"}
    categories = metrics.category_bars(scan)
    if "previous" in covered:
        before = metrics.previous_by(scan, "category", measure)
        categories[f"prev_{measure}"] = categories["category"].map(before).fillna(0.0)
    types, types_total, types_note = _toy_types(scan, hl, measure)
    return {
        "empty": False,
        "kpis": kpi_tiles(kpis, hl_note, look.numbers, domain.unavailable),
        "trend": charts.trend_chart(metrics.monthly_sales_trend(scan, state.trend_by),
                                    state.trend_by, measure, hl, scan.festivals, look=look),
        "top": charts.bar_chart(top, "product_name", measure, hl, height=420, look=look)
        if "age_group" in domain.unavailable else
        charts.top_toys_chart(top, measure, hl, look=look, top_n=state.top_n),
        "contrib": charts.contribution_chart(contribution, hl, look=look),
        "heatmap": charts.heatmap_chart(metrics.regional_heatmap(scan, measure), measure, hl,
                                        look=look),
        "category": charts.bar_chart(categories, "category", measure, hl, look=look),
        "subcategory": charts.bar_chart(types, "subcategory", measure, hl, look=look,
                                        total=types_total, note=types_note,
                                        height=max(340, 22 * len(types) + 60)),
        "age": charts.share_chart(metrics.age_share(scan), "age_group", hl, look=look),
        "gender": charts.share_chart(metrics.gender_share(scan), "gender", hl, look=look),
    }


def _chart_highlight(hl: Highlight | None, axis: str, column: str) -> Highlight | None:
    """A drilled chart shows a highlight of its own members, or of another dimension; one of a
    level above it (the region, when showing states) would light everything or nothing."""
    if hl is None or hl.column == column or hl.column not in drill.LEVELS[axis]:
        return hl
    return None


def drilled_figures(state: ViewState, scope, domain: Domain) -> dict:
    """Contribution and heat map one level below the place path; categories below the toy path."""
    if not state.geo and not state.prod:
        return {}
    warehouse = services.current().warehouse
    look = chart_look(state, domain)
    previous = metrics.comparison_periods(state.filter.start, state.filter.end)["previous"]
    covered = comparable_periods(state, domain)
    out = {}
    if state.geo:
        column = drill.level_of("geo", state.geo)
        hl = _chart_highlight(state.highlight, "geo", column)
        level = drill.level_data(warehouse, state.filter, scope, "geo", state.geo, previous, hl)
        frame = drill.labelled(level, drill_members("geo", scope, domain))
        shares = drill.contribution(frame, column)
        if "previous" not in covered:
            shares["growth_share_pct"] = float("nan")
        rows = max(340, 26 * len(shares) + 80)
        out["contrib"] = charts.contribution_chart(shares, hl, look=look, column=column,
                                                   height=rows)
        out["heatmap"] = charts.heatmap_chart(drill.heatmap(frame, state.measure), state.measure,
                                              hl, look=look, column=column,
                                              height=max(340, 22 * len(shares) + 120))
    if state.prod:
        column = drill.level_of("prod", state.prod)
        hl = _chart_highlight(state.highlight, "prod", column)
        level = drill.level_data(warehouse, state.filter, scope, "prod", state.prod, previous,
                                 hl)
        bars = drill.bars(level.frame, column, state.measure)
        if "previous" not in covered:
            bars = bars.drop(columns=[f"prev_{state.measure}"])
        out["category"] = charts.bar_chart(bars, column, state.measure, hl, look=look,
                                           height=max(340, 22 * len(bars) + 60))
    return out


def state_from_inputs(start, end, values: list, highlight, trend_by, measure, top_n,
                      drill_data=None) -> tuple[ViewState, bool]:
    """Coerce raw callback inputs (which any client can forge) into a ViewState; also say
    whether a drill step was dropped (unknown, or outside the scope or the filters)."""
    svc = services.current()
    scope = scope_for_request()
    domain = svc.domain(scope)
    try:
        flt = view_state.make_filter(start, end, domain, **dict(zip(FIELDS, values, strict=True)))
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    state = ViewState(
        filter=flt,
        highlight=view_state.as_highlight(highlight),
        trend_by=view_state.choice(trend_by, view_state.TREND_BY, "category"),
        measure=view_state.choice(measure, view_state.MEASURES, "revenue"),
        top_n=view_state.choice(top_n, view_state.TOP_N, 5),
    )
    paths = drill_data if isinstance(drill_data, dict) else {}
    return checked_drill(state, paths.get("geo") or (), paths.get("prod") or (), scope, domain)


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
)
def update_overview(start, end, *rest):
    values, options = list(rest[: len(FIELDS)]), rest[len(FIELDS):]
    highlight, trend_by, measure, top_n = options[:4]
    drill_data = options[4] if len(options) > 4 else None
    state, dropped = state_from_inputs(start, end, values, highlight, trend_by, measure, top_n,
                                       drill_data)
    out = render(state)
    note = (f"Highlighting {state.highlight.value}: click it again or “Clear highlight” to undo."
            if state.highlight else "")
    no_hl = state.highlight is None
    return (out["summary"], out["empty"], out["kpis"], *[out[k] for k in GRAPHS], out["query"],
            note, no_hl, no_hl,
            breadcrumbs.crumbs(state.geo, state.prod, dropped,
                               scope_for_request().regions is not None),
            *breadcrumbs.titles(state.geo, state.prod))


clientside_callback(
    """
    function(query) {
        if (query === undefined || query === null) { return window.dash_clientside.no_update; }
        const url = window.location.pathname + query;
        if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(null, "", url);
        }
        return window.dash_clientside.no_update;
    }
    """,
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
    return _highlight_data(highlight)


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


# ---- Drill-down clicks and breadcrumbs ----------------------------------------------------

DRILL_GRAPHS = {"ov-contrib": "geo", "ov-heatmap": "geo", "ov-category": "prod"}


def drill_paths(data) -> dict[str, tuple[str, ...]]:
    """The drill store's paths (forgeable: anything odd counts as no path)."""
    data = data if isinstance(data, dict) else {}
    return {axis: view_state.as_path(data.get(axis), drill.max_depth(axis))
            for axis in drill.LEVELS}


def drill_target(data, graph, click_data) -> tuple[str, tuple[str, ...]] | None:
    """(axis, the path one level down) when this click on this graph drills, else None: the
    click must be on a member of the level the chart shows, and that level not the last."""
    axis = DRILL_GRAPHS.get(graph) if isinstance(graph, str) else None
    if axis is None:
        return None
    try:
        column, member = click_data["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    path = drill_paths(data)[axis]
    if not isinstance(member, str) or len(path) >= drill.max_depth(axis):
        return None
    if column != drill.level_of(axis, path):
        return None
    return axis, (*path, member)


def go_up(data, axis, depth) -> dict:
    """The paths with `axis` cut back to its first `depth` steps (a breadcrumb click)."""
    paths = drill_paths(data)
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
    target = drill_target(current, trigger, value) if mode != "highlight" else None
    if target is None:
        raise PreventUpdate
    paths = drill_paths(current)
    paths[target[0]] = target[1]
    return {key: list(path) for key, path in paths.items()}
