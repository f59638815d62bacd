"""Forecast: monthly or weekly revenue and units ahead, with 80% and 95% bands, festivals
shaded, and an honest accuracy table (the model next to seasonal naive in a rolling-origin
backtest; the baseline is shown where the model does not beat it).

Layout reads the URL; one thin callback turns the pickers into a query for forecast_view.compute
(which checks everything, as for a link). The fitted series are kept per data version and scope
(forecast/ahead.py), so a view computed ahead opens without fitting anything.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import services
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components.chart_graph import chart_graph
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.empty_state import empty_state
from dashboard.components.filter_bar import FIELDS, control_id
from dashboard.components.filter_drawer import filter_drawer, open_button
from dashboard.components.view_state import ViewState
from dashboard.forecast.spec import BY, CALENDAR_FILTERS, DIMENSION_KEYS, GRAINS, HORIZON, MEASURES
from dashboard.pages import forecast_view
from dashboard.queries.filters import Filter, ScopeError
from dashboard.queries.registry import METRICS
from dashboard.warehouse.store import NoWarehouseError

# The shared filter bar's fields a forecast applies (seasons and festivals cut the calendar, and
# the history is always the data's whole span, so those controls and the dates are hidden).
FILTER_FIELDS = tuple(f for f in FIELDS if f not in CALENDAR_FILTERS)
HIDDEN = ("dates", *CALENDAR_FILTERS)
URL_KEY = {name: key for key, name in DIMENSION_KEYS.items()}  # Filter field -> URL key
BY_LABELS = {"total": "Whole business", "category": "Category", "region": "Region",
             "store": "Store", "product": "Toy"}


def _cell(value, digits: int, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def accuracy_table(rows: list[list], member: str):
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in
                               forecast_view.ACCURACY_COLUMNS]))
    body = []
    for name, method, m_mase, m_smape, b_mase, b_smape, verdict in rows:
        body.append(html.Tr(
            [html.Th(name, scope="row", className="fw-normal"), html.Td(method),
             html.Td(_cell(m_mase, 2)), html.Td(_cell(m_smape, 1, "%")),
             html.Td(_cell(b_mase, 2)), html.Td(_cell(b_smape, 1, "%")), html.Td(verdict)],
            className="table-active" if name == member else None))
    return html.Div(html.Table([html.Caption("Backtest: model against seasonal naive"), head,
                                html.Tbody(body)],
                               className="table table-sm small mb-0 fc-accuracy"),
                    className="table-responsive")


def _notes(out: dict) -> list:
    return [html.Div(n, className="small text-warning-emphasis") for n in out["notes"]]


def _member_options(out: dict) -> list[dict]:
    return [{"label": out["labels"][m], "value": m} for m in out["members"]]


def _pickers(spec, out: dict):
    def radio(id_, options, value):
        return dbc.RadioItems(id=id_, options=options, value=value, inline=True,
                              className="small")

    return dbc.Row(
        [
            dbc.Col([dbc.Label("Measure", html_for="fc-measure", className="small mb-0"),
                     radio("fc-measure", [{"label": METRICS[m].label, "value": m}
                                          for m in MEASURES], spec.measure)], xs=12, md="auto"),
            dbc.Col([dbc.Label("Grain", html_for="fc-grain", className="small mb-0"),
                     radio("fc-grain", [{"label": "Monthly" if g == "month" else "Weekly",
                                         "value": g} for g in GRAINS], spec.grain)],
                    xs=12, md="auto"),
            dbc.Col([dbc.Label("By", html_for="fc-by", className="small mb-0"),
                     dcc.Dropdown(id="fc-by", options=[{"label": BY_LABELS[b], "value": b}
                                                       for b in BY],
                                  value=spec.by, clearable=False)], xs=6, md=2),
            dbc.Col([dbc.Label("Series", html_for="fc-member", className="small mb-0"),
                     dcc.Dropdown(id="fc-member", options=_member_options(out),
                                  value=out["member"], clearable=False)], xs=6, md=3),
            dbc.Col([dbc.Label("Horizon", html_for="fc-horizon", className="small mb-0"),
                     dcc.Dropdown(id="fc-horizon",
                                  options=[{"label": str(h), "value": h}
                                           for h in range(HORIZON[0], HORIZON[1] + 1)],
                                  value=spec.horizon, clearable=False)], xs=6, md=1),
        ],
        className="g-2 align-items-end mb-2",
    )


FILTER_NOTE = ("Filters narrow the sales each series is built from; a forecast always uses "
               "the data's whole history, so dates, seasons and festivals are not offered here.")


def filter_query(values) -> dict:
    """The filter bar's values as URL query keys (forgeable: forecast_view.compute checks)."""
    out = {}
    for field, value in zip(FILTER_FIELDS, values, strict=True):
        if value:
            out[URL_KEY[field]] = value
    return out


def layout(**query):
    scope = scope_for_request()
    svc = services.current()
    try:
        svc.domain(scope)
    except NoWarehouseError:
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is nothing to "
                         "forecast. Ask an admin to assign your regions.", color="warning",
                         id="fc-no-scope")
    out = forecast_view.compute(svc.warehouse, scope, query, wait=False)
    spec = out["spec"]
    dom = svc.domain(scope)
    state = ViewState(filter=Filter(start=dom.min_date, end=dom.max_date,
                                    **dict(out["seen"].values)))
    return html.Div(
        [
            dcc.Location(id="fc-url", refresh=False),
            dcc.Interval(id="fc-poll", interval=forecast_view.POLL_MS,
                         disabled=out["pending"] is None),
            dcc.Store(id="fc-view", data=query),  # the view a poll asks for again
            filter_drawer(dom, state, HIDDEN),
            html.Div(id="ov-date-note", className="d-none"),  # the shared date-note output
            html.H1("Forecast", className="h4 mb-1"),
            html.Div([open_button(dom, state),
                      html.Span(out["filters"], id="fc-filter-sentence")],
                     className="small text-muted mb-2 d-flex flex-wrap align-items-center "
                               "gap-2"),
            html.P(FILTER_NOTE, className="small text-muted mb-2", id="fc-filter-note"),
            _pickers(spec, out),
            html.Div(_notes(out), id="fc-notes"),
            dbc.Card(dbc.CardBody([
                html.H2(out["title"], id="fc-title", className="h6 mb-1"),
                html.P(out["verdict"], id="fc-verdict", className="small mb-1 fw-semibold",
                       role="status", **{"aria-live": "polite"}),
                chart_graph("fc-graph", out["figure"], className="fc-graph"),
            ]), className="mb-2"),
            dbc.Card(dbc.CardBody([
                html.Div(accuracy_table(out["accuracy"], out["member_label"]),
                         id="fc-accuracy"),
                html.P(out["levels"] or "", id="fc-levels", className="small mt-2 mb-0"),
            ]), className="mb-2"),
            html.P(forecast_view.FESTIVAL_NOTE, className="small text-muted mb-1"),
            html.P(forecast_view.METHOD_NOTE, className="small text-muted"),
        ],
        id="fc-page",
    )


dash.register_page(__name__, path="/forecast", name="Forecast", title="Forecast · ToyPulse",
                   order=4, layout=layout)


@callback(
    Output("fc-title", "children"),
    Output("fc-verdict", "children"),
    Output("fc-graph", "figure"),
    Output("fc-accuracy", "children"),
    Output("fc-levels", "children"),
    Output("fc-notes", "children"),
    Output("fc-member", "options"),
    Output("fc-member", "value"),
    Output("fc-url", "search"),
    Output("fc-filter-sentence", "children"),
    Output("fc-poll", "disabled"),
    Output("fc-view", "data"),
    Input("fc-measure", "value"),
    Input("fc-grain", "value"),
    Input("fc-by", "value"),
    Input("fc-member", "value"),
    Input("fc-horizon", "value"),
    *[Input(control_id(f), "value") for f in FILTER_FIELDS],
    VERSION_INPUT,  # a new data version: the forecast of the new data
    Input("fc-poll", "n_intervals"),  # a background fit in progress: is it ready?
    State("fc-view", "data"),
    prevent_initial_call=True,
)
def update(measure, grain, by, member, horizon, *rest):
    """Any picker or filter changed: the view for the new query (forgeable: compute checks)."""
    svc = services.current()
    scope = scope_for_request()
    changed = dash.ctx.triggered_id
    if changed == "fc-poll" and isinstance(rest[-1], dict):  # the same view, fitted yet?
        query = rest[-1]
    else:
        query = filter_query(rest[:len(FILTER_FIELDS)])
        query.update(measure=measure, grain=grain, by=by, horizon=horizon,
                     member=None if changed == "fc-by" else member)
        query = {k: v for k, v in query.items() if v is not None}
    out = forecast_view.compute(svc.warehouse, scope, query, wait=False)
    return (out["title"], out["verdict"], out["figure"],
            accuracy_table(out["accuracy"], out["member_label"]), out["levels"] or "",
            _notes(out),
            _member_options(out), out["member"], "?" + out["seen"].to_query(), out["filters"],
            out["pending"] is None,
            dash.no_update if out["pending"] is None else query)  # only a poll reads it
