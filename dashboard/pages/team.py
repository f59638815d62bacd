"""Team page (`/team`): sales by employee, ranking, target attainment, monthly trend, regional
contribution and sales per employee by region, under the Overview's filters and the viewer's
scope. Layout + thin callbacks (the page; a click's cross-highlight, team_highlight.py);
the numbers and figures come from team_report.compute, the same code path as `dashboard report
--page team`. Admins set monthly targets in a form that posts to /team/targets
(pages/team_targets.py).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask_wtf.csrf import generate_csrf

from dashboard.auth.permissions import current_account
from dashboard.components import breadcrumbs, chart_table
from dashboard.components.empty_state import empty_state
from dashboard.components.view_state import ViewState
from dashboard.figures import theme
from dashboard.pages import people_layout as parts
from dashboard.pages import people_view, team_highlight, team_report, team_targets
from dashboard.pages.overview import current_view, radio
from dashboard.pages.overview_view import query_dict
from dashboard.pages.team_report import CHARTS
from dashboard.queries import drill, team
from dashboard.queries.filters import ScopeError
from dashboard.warehouse.store import NoWarehouseError

PAGE = "team"
KEYS = tuple(CHARTS)
WIDTHS = {"ranking": 6, "attainment": 6, "trend": 12, "regions": 6, "staffing": 6}
RULES = {"ranking": team_report.RANK_RULE, "attainment": team_report.TARGET_RULE}
CLICKABLE = ("ranking", "attainment", "regions", "staffing")
PLACES = ("regions", "staffing")  # in "Drill down" mode a region bar opens its stores
CRUMB = "team-crumb"
DRILL_HINT = ("Drill down: click a region bar to compare its stores (the ranking and trend "
              "follow); the breadcrumb goes back. Choose “Highlight” to highlight a region "
              "instead.")


def targets_form(view) -> html.Details | None:
    """An admin's "Set a monthly target" form (a native disclosure; posts with a CSRF token)."""
    account = current_account()
    if account is None or not account.is_admin:
        return None
    staff = team.people(view.warehouse, view.scope)
    options = [html.Option(f"{name} ({emp})", value=emp)
               for emp, name in zip(staff["employee_id"], staff["name"], strict=True)]
    return html.Details([
        html.Summary("Set a monthly target", className="btn btn-sm btn-outline-primary"),
        html.Form([
            dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            html.Label("Employee", htmlFor="team-target-employee", className="small"),
            html.Select(options, name="employee_id", id="team-target-employee",
                        className="form-select form-select-sm"),
            html.Label("Monthly target (empty = use the data's)", htmlFor="team-target-value",
                       className="small"),
            dbc.Input(name="monthly_target", id="team-target-value", type="text",
                      inputMode="decimal", size="sm"),
            html.Button("Save target", type="submit", id="team-target-save",
                        className="btn btn-sm btn-primary mt-1"),
        ], action=team_targets.ACTION, method="POST",
            className="d-flex flex-column gap-1 p-2 border rounded bg-white mt-1"),
    ], className="team-targets", id="team-targets")


def layout(**query):
    try:
        view = current_view()
    except NoWarehouseError:
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is no data to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="team-no-scope")
    if not team.has_employees(view.warehouse):
        return dbc.Alert(team.NO_EMPLOYEES, color="secondary", id="team-hidden")
    state, _ = people_view.state_for(view, people_view.query_string(query))
    saved = (dbc.Alert("Target saved.", color="success", className="py-1 small",
                       id="team-target-saved") if query.get("target") == "saved" else None)
    cards = [parts.card(PAGE, key, title, WIDTHS[key], RULES.get(key))
             for key, (title, _) in CHARTS.items()]
    asked = team_highlight.parse(query.get("hl"))
    highlight_store, highlight_bar = parts.highlight_parts(PAGE, team_highlight.HINT, asked)
    state, dropped = team_report.drilled(view, state, query_dict(
        people_view.query_string(query)))
    return html.Div([
        parts.query_store(PAGE),
        highlight_store,
        dcc.Store(id="team-drill", data={"geo": list(state.geo)}),
        parts.top(PAGE, view.domain, state, targets_form(view)),
        saved,
        html.Div([html.Div(_crumbs(state.geo, view.scope.regions is not None, dropped),
                           id="team-crumbs"),
                  html.Div([html.Span("On click:", className="small text-muted"),
                            radio("team-click-mode", [("Drill down", "drill"),
                                                       ("Highlight", "highlight")], "drill")],
                           className="d-flex align-items-center gap-2 ms-lg-auto"),
                  html.Div(DRILL_HINT, className="small text-muted w-100")],
                 className="d-flex flex-wrap align-items-start gap-2 mb-2"),
        highlight_bar,
        dbc.Row(cards, className="g-3"),
    ])


dash.register_page(__name__, path="/team", name="Team", title="Team · ToyPulse", order=2,
                   layout=layout)


def _crumbs(geo: tuple[str, ...], scoped: bool, dropped: bool = False) -> list:
    out = [breadcrumbs.trail("geo", geo, "Your regions" if scoped else None, kind=CRUMB,
                             shown="stores" if geo else "regions")]
    if dropped:
        out.append(dbc.Alert(drill.DROPPED_NOTE, color="warning",
                             className="py-1 px-2 mb-0 small"))
    return out


def render(state: ViewState, view=None, highlight=None) -> dict:
    """Every output of the page for one state (its drill path too) and highlight, within the
    request's scope."""
    view = view or current_view()
    query = people_view.query_of(state, view)
    if highlight is not None:
        query = team_highlight.with_query(query, highlight)
    report = team_report.report_for_view(view, query, geo=state.geo)
    figures = {c["id"]: c["figure"] for c in report["charts"]}
    for key in KEYS:
        if key not in figures:
            figures[key] = theme.empty(team.NO_TARGETS if key == "attainment"
                                       else "No sales match these filters")
    rules = set(RULES.values())  # written on their cards already
    return {"summary": report["filters"], "notes": [n for n in report["notes"] if n not in rules],
            "kpis": parts.tiles(report["tiles"]), "figures": figures, "query": report["query"],
            "highlight": report.get("highlight", ""),
            "titles": {c["id"]: c["title"] for c in report["charts"]}}


@callback(
    Output("team-summary", "children"),
    Output("team-notes", "children"),
    Output("team-kpis", "children"),
    *[Output(parts.graph_id(PAGE, key), "figure") for key in KEYS],
    Output("team-query", "data"),
    Output("team-highlight-note", "children"),
    Output("team-clear-highlight", "disabled"),
    Output("team-crumbs", "children"),
    *[Output(f"{PAGE}-title-{key}", "children") for key in PLACES],
    *parts.filter_inputs(Input("team-highlight", "data"), Input("team-drill", "data")),
)
def update_team(*args):
    view = current_view()
    start, end, fields, (highlight, drill_data) = parts.unpack(args, extra=2)
    flt = parts.checked_filter(view, start, end, fields)
    geo = drill_data.get("geo") if isinstance(drill_data, dict) else None
    state, dropped = team_report.drilled(view, ViewState(filter=flt), {}, geo or ())
    out = render(state, view, team_highlight.parse(highlight))
    titles = [out["titles"].get(key, CHARTS[key][0]) for key in PLACES]
    return (out["summary"], parts.notes_list(out["notes"]), out["kpis"],
            *[out["figures"][k] for k in KEYS], out["query"], out["highlight"],
            not out["highlight"], _crumbs(state.geo, view.scope.regions is not None, dropped),
            *titles)


@callback(
    Output("team-drill", "data"),
    *[Input(parts.graph_id(PAGE, key), "clickData") for key in PLACES],
    Input(breadcrumbs.crumb_id(ALL, ALL, CRUMB), "n_clicks"),
    State("team-click-mode", "value"),
    prevent_initial_call=True,
)
def drill_click(*args):
    """In "Drill down" mode a region bar opens its stores; the breadcrumb goes back up."""
    mode = args[-1]
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    if isinstance(trigger, dict):
        if not value or trigger.get("depth") != 0:
            raise PreventUpdate
        return {"geo": []}
    try:
        kind, member = value["points"][0]["customdata"][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        raise PreventUpdate from None
    if mode == "highlight" or kind != "region" or not isinstance(member, str):
        raise PreventUpdate
    return {"geo": [member]}


chart_table.register({f"{PAGE}-{key}": (title, columns[1]) for key, (title, columns)
                      in CHARTS.items()})
parts.register_links(PAGE, KEYS)
parts.register_highlight(PAGE, CLICKABLE, team_highlight.KINDS,
                         drill=("team-click-mode", ("region",)))
