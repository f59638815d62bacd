"""Build a story (`/story/build[?story=ID]`): pick scenes, reorder them, save under a name.

A scene is a chart of any registered page (its page_report's charts), that page's filters (typed,
or taken from a saved view), a drill level, a caption and the insight kinds of its narrative.
Each scene is checked when it is added (story/saved.check_scene) and the whole story again on
saving, so a bad chart, a malformed query, an empty name or too many scenes gets a message and
changes nothing. Saving stores the story in the saved-view store (a new version each time);
it then presents at /story?story=ID, within each viewer's own scope.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from dashboard import services
from dashboard.auth import db
from dashboard.auth.audit import record_event
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components.empty_state import empty_state
from dashboard.queries.filters import ScopeError
from dashboard.story import library, picker, saved
from dashboard.story.scenes import StoryError
from dashboard.views import store
from dashboard.views.routes import data_version
from dashboard.warehouse.store import NoWarehouseError

FIRST_PAGE = "overview"


def charts(page: str) -> list[dict]:
    """The page's charts at its default filters, for this viewer (cached per scope)."""
    svc = services.current()
    scope = scope_for_request()
    found = svc.cached("story-build-charts", scope, (page,),
                       lambda: saved.chart_ids(svc.warehouse, scope, page))
    return [{"label": title, "value": chart_id} for chart_id, title in found.items()]


def _field(label: str, control, width: int = 6, hint: str | None = None) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0"), control,
                    html.Div(hint, className="form-text") if hint else None],
                   xs=12, md=width)


def _story_card(name: str, title: str, share: str) -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader("Your story", className="bg-white fw-semibold"),
        dbc.CardBody(dbc.Row([
            _field("Name", dbc.Input(id="sb-name", value=name, maxLength=store.MAX_NAME)),
            _field("Title shown to viewers", dbc.Input(id="sb-title", value=title,
                                                        maxLength=saved.MAX_TEXT)),
            _field("Shared with", dbc.Select(id="sb-share", value=share, options=[
                {"label": words, "value": key} for key, words in store.SHARES.items()])),
            _field("Note for this version (optional)",
                   dbc.Input(id="sb-note", maxLength=store.MAX_NOTE)),
        ], className="g-2")),
    ], className="mb-3")


def _scene_card(page_views: list[dict], found) -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader("Add a scene", className="bg-white fw-semibold"),
        dbc.CardBody([dbc.Row([
            _field("Page", dbc.Select(id="sb-page", options=picker.page_options(),
                                      value=FIRST_PAGE), 4),
            _field("Chart", dbc.Select(id="sb-chart", options=charts(FIRST_PAGE),
                                       value=charts(FIRST_PAGE)[0]["value"]
                                       if charts(FIRST_PAGE) else None), 4),
            _field("Drill level", dbc.Select(id="sb-drill", value=picker.TOP, options=picker
                                             .drill_options(FIRST_PAGE, found)), 4),
            _field("Take the filters of a saved view (optional)",
                   dbc.Select(id="sb-from-view", options=page_views, value=None,
                              placeholder="Choose a saved view"), 6),
            _field("Filters (the page's query string)",
                   dbc.Input(id="sb-filters", placeholder="region=North&start=2025-01-01",
                             maxLength=saved.MAX_QUERY), 6,
                   "Copy them from the address bar of the page, after the “?”."),
            _field("Scene title (optional)", dbc.Input(id="sb-scene-title",
                                                       maxLength=saved.MAX_TEXT), 6),
            _field("Caption (optional: replaces the chart's title)",
                   dbc.Input(id="sb-caption", maxLength=saved.MAX_TEXT), 6),
            dbc.Col([dbc.Label("Narrative", className="small mb-0"),
                     dbc.Checklist(id="sb-insights", options=picker.insight_options(),
                                   value=list(saved.DEFAULT_INSIGHTS), inline=True)], xs=12),
        ], className="g-2"),
            html.Div([dbc.Button("Add scene", id="sb-add", color="primary", n_clicks=0),
                      html.Div(id="sb-add-message", role="status", className="small")],
                     className="d-flex flex-wrap align-items-center gap-2 mt-2")]),
    ], className="mb-3")


def scene_list(scenes: list[dict]):
    if not scenes:
        return html.P("No scenes yet: add one above.", className="text-muted small m-0",
                      id="sb-empty")
    count = len(scenes)

    def button(words: str, kind: str, i: int, disabled: bool, label: str):
        return html.Button(words, id={"type": "sb-move", "index": i, "kind": kind}, n_clicks=0,
                           disabled=disabled, type="button", className="btn btn-sm "
                           "btn-outline-secondary", **{"aria-label": label})

    items = [dbc.ListGroupItem([
        html.Div([html.Span(f"{i + 1}. ", className="fw-semibold"),
                  html.Span(s["title"], className="fw-semibold sb-scene-title")]),
        html.Div(picker.describe(s), className="small text-muted text-break"),
        html.Div(s.get("caption", ""), className="small fst-italic sb-caption") if s.get("caption")
        else None,
        html.Div([button("↑ Up", "up", i, i == 0, f"Move scene {i + 1} up"),
                  button("↓ Down", "down", i, i == count - 1, f"Move scene {i + 1} down"),
                  button("Remove", "remove", i, False, f"Remove scene {i + 1}")],
                 className="d-flex gap-1 mt-1"),
    ], className="sb-scene", id=f"sb-scene-{i + 1}") for i, s in enumerate(scenes)]
    return dbc.ListGroup(items, numbered=False)


def _loaded(account, story_id):
    """(name, title, share, scenes, message) of the story to edit (blank for a new one)."""
    if story_id in (None, ""):
        return "", "", "private", [], None
    try:
        chosen = library.saved_story(db.current(), account, story_id)
    except library.StoryNotFound as exc:
        return "", "", "private", [], f"That story cannot be edited: {exc}."
    story = saved.parsed(chosen.version.options)
    note = None if chosen.view.owner == account.username else (
        f"This is {chosen.view.owner}'s story: saving keeps a copy under your own name.")
    return (chosen.view.name, story.get("title", ""), chosen.view.shared_role or "private",
            story["scenes"], note)


def layout(story=None, **_query):
    account = current_account()
    if account is None:
        return html.Div()
    scope = scope_for_request()
    try:
        found = services.current().domain(scope)
    except NoWarehouseError:
        return empty_state(account, _query.get("sample"))
    except ScopeError:
        return dbc.Alert("No region is assigned to your account yet, so there is nothing to "
                         "build a story from.", color="warning", id="sb-no-scope")
    name, title, share, scenes, note = _loaded(account, story)
    views = picker.view_options(store.visible_views(db.current(), account))
    return html.Div([
        dcc.Store(id="sb-scenes", data=scenes),
        html.H1("Build a story", className="h4 mb-1"),
        html.P("Pick scenes from any page, put them in order and save: every save is a new "
               "version (see Views). Each viewer sees the story within their own regions.",
               className="small text-muted"),
        dbc.Alert(note, color="info", className="py-2 small", id="sb-loaded-note")
        if note else None,
        _story_card(name, title, share),
        _scene_card(views, found),
        dbc.Card([dbc.CardHeader("Scenes, in order", className="bg-white fw-semibold"),
                  dbc.CardBody(html.Div(scene_list(scenes), id="sb-list"))],
                 className="mb-3"),
        html.Div([dbc.Button("Save story", id="sb-save", color="primary", n_clicks=0),
                  html.Div(id="sb-save-message", role="status", className="small")],
                 className="d-flex flex-wrap align-items-center gap-2 mb-4"),
    ], style={"maxWidth": "64rem"})


dash.register_page(__name__, path="/story/build", name="Build a story",
                   title="Build a story · ToyPulse", order=61, hidden=True, layout=layout)


@callback(
    Output("sb-chart", "options"),
    Output("sb-chart", "value"),
    Output("sb-drill", "options"),
    Output("sb-drill", "value"),
    Input("sb-page", "value"),
    prevent_initial_call=True,
)
def page_chosen(page):
    """The chosen page's charts and drill levels (an unknown page offers none)."""
    if page not in dict((o["value"], o) for o in picker.page_options()):
        return [], None, [], picker.TOP
    options = charts(page)
    found = services.current().domain(scope_for_request())
    return (options, options[0]["value"] if options else None,
            picker.drill_options(page, found), picker.TOP)


@callback(
    Output("sb-page", "value"),
    Output("sb-filters", "value"),
    Input("sb-from-view", "value"),
    prevent_initial_call=True,
)
def view_chosen(value):
    """A saved view's page and filters, as the starting point of the scene."""
    page, sep, query = (value or "").partition("|")
    if not sep:
        return dash.no_update, dash.no_update
    return page, query


def _moved(scenes: list, index, kind: str) -> list:
    if not isinstance(index, int) or not 0 <= index < len(scenes):
        return scenes
    scenes = list(scenes)
    if kind == "remove":
        scenes.pop(index)
    elif kind in ("up", "down"):
        other = index - 1 if kind == "up" else index + 1
        if 0 <= other < len(scenes):
            scenes[index], scenes[other] = scenes[other], scenes[index]
    return scenes


@callback(
    Output("sb-scenes", "data"),
    Output("sb-add-message", "children"),
    Output("sb-scene-title", "value"),
    Output("sb-caption", "value"),
    Input("sb-add", "n_clicks"),
    Input({"type": "sb-move", "index": ALL, "kind": ALL}, "n_clicks"),
    State("sb-scenes", "data"),
    State("sb-page", "value"),
    State("sb-chart", "value"),
    State("sb-filters", "value"),
    State("sb-drill", "value"),
    State("sb-scene-title", "value"),
    State("sb-caption", "value"),
    State("sb-insights", "value"),
    prevent_initial_call=True,
)
def edit_scenes(_add, _moves, scenes, page, chart, filters, drill, title, caption, kinds):
    """Add (checked against the page's real charts), move or remove one scene. An added
    scene's title and caption fields are emptied, so the next scene does not inherit them."""
    scenes = scenes if isinstance(scenes, list) else []
    trigger = ctx.triggered_id
    keep = dash.no_update
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return keep, keep, keep, keep  # a button appearing, not a click
    if isinstance(trigger, dict):
        return _moved(scenes, trigger.get("index"), trigger.get("kind")), "", keep, keep
    if len(scenes) >= saved.MAX_SCENES:
        return keep, _problem(f"A story holds at most {saved.MAX_SCENES} scenes: remove one "
                              "first."), keep, keep
    svc = services.current()
    try:
        raw = {"page": page, "chart": chart, "title": title, "caption": caption,
               "query": _scene_query(filters, drill),
               "insights": kinds if isinstance(kinds, list) else []}
        scene = saved.check_scene(raw, len(scenes) + 1, svc.warehouse, scope_for_request())
    except StoryError as exc:
        return keep, _problem(f"Not added: {exc}."), keep, keep
    return (scenes + [scene], html.Span(f"Added scene {len(scenes) + 1}.",
                                        className="text-success", id="sb-added"), "", "")


def _scene_query(filters, drill):
    """The typed filters with the chosen drill level; anything not text is left for the check
    to refuse in words."""
    if filters is not None and not isinstance(filters, str):
        return filters
    filters = saved.clean_query(filters or "", "the new scene") if filters else ""
    return picker.with_drill(filters, drill if isinstance(drill, str) else "")


def _problem(words: str) -> html.Span:
    return html.Span(words, className="text-danger", id="sb-problem")


@callback(Output("sb-list", "children"), Input("sb-scenes", "data"),
          prevent_initial_call=True)
def show_scenes(scenes):
    return scene_list(scenes if isinstance(scenes, list) else [])


@callback(
    Output("sb-save-message", "children"),
    Input("sb-save", "n_clicks"),
    State("sb-scenes", "data"),
    State("sb-name", "value"),
    State("sb-title", "value"),
    State("sb-share", "value"),
    State("sb-note", "value"),
    prevent_initial_call=True,
)
def save_story(n_clicks, scenes, name, title, share, note):
    """Check the whole story again, then save it as a new version (or say what is wrong)."""
    if not n_clicks:
        return dash.no_update
    account = current_account()
    svc = services.current()
    try:
        story = saved.check({"title": title, "scenes": scenes}, svc.warehouse,
                            scope_for_request())
        view_id, n = store.save_story(db.current(), account, name, saved.dumps(story),
                                      data_version(), share=share, note=note or "")
    except (StoryError, store.ViewProblem) as exc:
        return _problem(f"Not saved: {exc}.")
    record_event("view_saved", subject=f"story {view_id}", detail=f"version {n}")
    return html.Span([f"Saved as version {n}. ",
                      html.A("Present it", href=f"/story?story={view_id}", id="sb-present"),
                      " · ", html.A("History", href=f"/views?id={view_id}", id="sb-history")],
                     className="text-success", id="sb-saved")
