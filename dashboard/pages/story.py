"""Story: the default story, or a saved one (`?story=ID[&version=N]`, built on /story/build),
in presenter mode, one scene at a time.

Next/previous by buttons and arrow keys (assets/60-story.js), full screen (Fullscreen API),
progress ("Scene 2 of 6" and a bar), a deep link per scene (/story?story=4&scene=3). Each
scene's chart comes from its page's report and its narrative from dashboard/insights, both
computed under the viewer's scope (a North manager's story speaks only of North) and cached
per scope.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import services
from dashboard.auth import db
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components.chart_graph import chart_graph
from dashboard.components.chart_table import figure_table
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.empty_state import empty_state
from dashboard.pages.forecast_view import POLL_MS
from dashboard.queries.filters import ScopeError
from dashboard.story import build, library
from dashboard.story.scenes import scene_number
from dashboard.warehouse.store import NoWarehouseError

KEYS_HINT = ("Keys: → or Page Down for the next scene, ← or Page Up for the previous, "
             "F for full screen.")


def chosen_story(ref) -> library.Chosen:
    """The story a link or the page's store names, as this account may see it."""
    ref = ref if isinstance(ref, dict) else {}
    return library.choose(db.current(), current_account(), ref.get("story"), ref.get("version"))


def scene(chosen: library.Chosen, number: int) -> dict:
    """Scene `number` of the chosen story for this request's viewer (cached per scope)."""
    svc = services.current()
    scope = scope_for_request()
    one = chosen.story.scenes[number - 1]  # in the key too: an edited scene is computed anew
    return svc.cached("story-scene", scope, (*chosen.key, number, one),
                      lambda: build.build_scene(svc.warehouse, scope, one, number,
                                                in_request=True),
                      keep=lambda item: not item["pending"])  # asked again until it is fitted


def print_link(chosen: library.Chosen) -> str:
    return "/print/story" + (f"?{urlencode(chosen.ref)}" if chosen.ref else "")


def progress(number: int, count: int) -> tuple[str, int]:
    return f"Scene {number} of {count}", round(100 * number / count)


def narrative(item: dict) -> list:
    """The scene's sentences; one where nothing passed its threshold reads quieter."""
    return [html.Li(said["sentence"], className="mb-2" if said["notable"] else
                    "mb-2 text-body-secondary") for said in item["insights"]]


def notes(item: dict, link_note: str | None) -> list:
    return [html.Div(n, className="small text-warning-emphasis")
            for n in ([link_note] if link_note else []) + item["notes"]]


def figure(item: dict) -> dict:
    chart = item["chart"]
    return chart["figure"] if chart else {"data": [], "layout": {}}


def table(item: dict):
    """The chart as an accessible table, folded away until asked for."""
    return html.Details([html.Summary("Show the chart as a table", className="small"),
                         figure_table(figure(item), item["caption"], "Mark")],
                        className="mt-1")


def open_link(item: dict) -> str:
    """The scene's view on its own page (the presenter can take questions there)."""
    path = "/" if item["page"] == "overview" else f"/{item['page']}"
    return path + (f"?{item['query']}" if item["query"] else "")


def open_words(item: dict) -> str:
    return "Open in the Overview" if item["page"] == "overview" else \
        f"Open the {item['page'].capitalize()} page"


def layout(**query):
    scope = scope_for_request()
    try:
        services.current().domain(scope)
    except NoWarehouseError:
        return empty_state(current_account(), query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is no story to "
                         "show. Ask an admin to assign your regions.", color="warning",
                         id="story-no-scope")
    try:
        chosen = chosen_story(query)
    except library.StoryNotFound as exc:
        return dbc.Alert([f"This story cannot be shown: {exc}. ",
                          html.A("The default story", href="/story"), " · ",
                          html.A("your saved views and stories", href="/views")],
                         color="warning", id="story-not-found")
    story = chosen.story
    count = len(story.scenes)
    number, link_note = scene_number(query.get("scene"), count)
    item = scene(chosen, number)
    text, value = progress(number, count)
    return html.Div(
        [
            dcc.Store(id="story-index", data=number),
            dcc.Store(id="story-count", data=count),
            dcc.Store(id="story-ref", data=chosen.ref),
            dcc.Interval(id="story-poll", interval=POLL_MS, disabled=not item["pending"]),
            html.Div(
                [
                    html.Span(story.title, className="fw-semibold small text-muted",
                              id="story-title"),
                    html.A("Build a story", href="/story/build", className="small ms-2 story-open",
                           id="story-build-link"),
                    html.Span(text, id="story-progress-text", className="small ms-auto",
                              role="status", **{"aria-live": "polite"}),
                ],
                className="d-flex align-items-center gap-2",
            ),
            html.Div(dbc.Progress(value=value, id="story-progress", style={"height": "6px"}),
                     className="mb-2", **{"aria-hidden": "true"}),  # the text says it
            html.H1(item["title"], id="story-scene-title", className="h4 mb-1"),
            html.Div(item["caption"], id="story-caption", className="fw-semibold"),
            html.Div([html.Span(item["filters"], id="story-filters"), " · ",
                      html.A(open_words(item), id="story-open", href=open_link(item),
                             className="story-open"), " · ",
                      html.A("Print / PDF (whole story)", id="story-print",
                             href=print_link(chosen),
                             className="story-open", target="_blank")],
                     className="small text-muted mb-1"),
            html.Div(notes(item, link_note), id="story-notes"),
            chart_graph("story-graph", figure(item), className="story-graph"),
            html.Div(table(item), id="story-table"),
            html.Ul(narrative(item), id="story-narrative", className="story-narrative mt-2"),
            html.Div(
                [
                    dbc.Button("← Previous", id="story-prev", color="secondary", outline=True,
                               disabled=number == 1, n_clicks=0),
                    dbc.Button("Next →", id="story-next", color="primary",
                               disabled=number == count, n_clicks=0),
                    dbc.Button("Full screen", id="story-fullscreen", color="secondary",
                               outline=True, className="ms-auto", n_clicks=0),
                ],
                className="d-flex flex-wrap gap-2 story-buttons",
            ),
            html.Div(KEYS_HINT, className="small text-muted mt-2 d-none d-md-block"),
        ],
        id="story-stage", className="story-stage", tabIndex="-1",
    )


dash.register_page(__name__, path="/story", name="Story", title="Story · ToyPulse", order=6,
                   layout=layout)


@callback(
    Output("story-scene-title", "children"),
    Output("story-caption", "children"),
    Output("story-filters", "children"),
    Output("story-notes", "children"),
    Output("story-graph", "figure"),
    Output("story-narrative", "children"),
    Output("story-table", "children"),
    Output("story-open", "href"),
    Output("story-open", "children"),
    Output("story-progress-text", "children"),
    Output("story-progress", "value"),
    Output("story-prev", "disabled"),
    Output("story-next", "disabled"),
    Output("story-poll", "disabled"),
    Input("story-index", "data"),
    VERSION_INPUT,  # a new data version redraws the scene
    Input("story-poll", "n_intervals"),  # a forecast scene fitting in the background: ready?
    State("story-ref", "data"),
    prevent_initial_call=True,
)
def show_scene(index, _version=None, _poll=None, ref=None):
    """Scene `index` (forgeable: anything odd shows the nearest real scene; a forged story id
    is checked against the account again)."""
    try:
        chosen = chosen_story(ref)
    except library.StoryNotFound:
        return (dash.no_update,) * 14
    count = len(chosen.story.scenes)
    number, _ = scene_number(index, count)
    item = scene(chosen, number)
    text, value = progress(number, count)
    return (item["title"], item["caption"], item["filters"], notes(item, None), figure(item),
            narrative(item), table(item), open_link(item), open_words(item), text, value,
            number == 1, number == count, not item["pending"])


clientside_callback(
    ClientsideFunction(namespace="story", function_name="step"),
    Output("story-index", "data"),
    Input("story-prev", "n_clicks"),
    Input("story-next", "n_clicks"),
    State("story-index", "data"),
    State("story-count", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="story", function_name="link"),
    Output("story-count", "id"),
    Input("story-index", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="story", function_name="fullscreen"),
    Output("story-fullscreen", "id"),
    Input("story-fullscreen", "n_clicks"),
    prevent_initial_call=True,
)
