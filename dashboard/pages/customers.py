"""Customers page (`/customers`): segments from the data, new / returning / loyal customers,
RFM groups, monthly cohort retention and age group × category preferences, under the
Overview's filters and the viewer's scope. Layout + thin callbacks (the page; a click's
cross-highlight of a customer group, customers_highlight.py); numbers and figures come from
customers_report.compute, the same code path as `dashboard report --page customers`.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard.auth.permissions import current_account
from dashboard.components import chart_table, page_highlight
from dashboard.components.empty_state import empty_state
from dashboard.components.view_state import ViewState
from dashboard.figures import theme
from dashboard.pages import customers_highlight, customers_report, people_view
from dashboard.pages import people_layout as parts
from dashboard.pages.customers_report import CHARTS, RULES
from dashboard.pages.overview import current_view
from dashboard.queries import customers as cq
from dashboard.queries.filters import ScopeError
from dashboard.warehouse.store import NoWarehouseError

PAGE = "customers"
KEYS = tuple(CHARTS)
WIDTHS = {"segments": 6, "behaviour": 6, "rfm": 6, "cohorts": 6, "age_category": 12}
CLICKABLE = ("segments", "behaviour", "rfm")
MISSING = {"segments": customers_report.NO_SEGMENTS, "age_category": customers_report.NO_AGE}


def layout(**query):
    try:
        view = current_view()
    except NoWarehouseError:
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is no data to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="customers-no-scope")
    if not cq.has_customers(view.warehouse):
        return dbc.Alert(cq.NO_CUSTOMERS, color="secondary", id="customers-hidden")
    state, _ = people_view.state_for(view, people_view.query_string(query))
    cards = [parts.card(PAGE, key, title, WIDTHS[key], RULES.get(key))
             for key, (title, _) in CHARTS.items()]
    store, bar = parts.highlight_parts(PAGE, customers_highlight.HINT,
                                       customers_highlight.parse(query.get("hl")))
    return html.Div([parts.query_store(PAGE), store, parts.top(PAGE, view.domain, state), bar,
                     dbc.Row(cards, className="g-3")])


dash.register_page(__name__, path="/customers", name="Customers", title="Customers · ToyPulse",
                   order=3, layout=layout)


def render(state: ViewState, view=None, highlight=None) -> dict:
    """Every output of the page for one state and highlight, within the request's scope."""
    view = view or current_view()
    query = people_view.query_of(state, view)
    if highlight is not None:
        query = page_highlight.with_query(query, highlight)
    report = customers_report.report_for_view(view, query)
    figures = {c["id"]: c["figure"] for c in report["charts"]}
    for key in KEYS:
        if key not in figures:
            figures[key] = theme.empty(MISSING.get(key, "No sales match these filters"))
    hidden = {key: key in MISSING and MISSING[key] in report["notes"] for key in KEYS}
    rules = set(RULES.values())  # written on their cards already
    return {"summary": report["filters"], "notes": [n for n in report["notes"] if n not in rules],
            "kpis": parts.tiles(report["tiles"]), "figures": figures, "query": report["query"],
            "hidden": hidden, "highlight": report.get("highlight", "")}


@callback(
    Output("customers-summary", "children"),
    Output("customers-notes", "children"),
    Output("customers-kpis", "children"),
    *[Output(parts.graph_id(PAGE, key), "figure") for key in KEYS],
    *[Output(f"{PAGE}-card-{key}", "style") for key in KEYS],
    Output("customers-query", "data"),
    Output("customers-highlight-note", "children"),
    Output("customers-clear-highlight", "disabled"),
    *parts.filter_inputs(Input("customers-highlight", "data")),
)
def update_customers(*args):
    view = current_view()
    start, end, fields, (highlight,) = parts.unpack(args, extra=1)
    flt = parts.checked_filter(view, start, end, fields)
    out = render(ViewState(filter=flt), view, customers_highlight.parse(highlight))
    return (out["summary"], parts.notes_list(out["notes"]), out["kpis"],
            *[out["figures"][k] for k in KEYS],
            *[{"display": "none"} if out["hidden"][k] else {} for k in KEYS], out["query"],
            out["highlight"], not out["highlight"])


chart_table.register({f"{PAGE}-{key}": (title, columns[1]) for key, (title, columns)
                      in CHARTS.items()})
parts.register_links(PAGE, KEYS)
parts.register_highlight(PAGE, CLICKABLE, customers_highlight.KINDS)
