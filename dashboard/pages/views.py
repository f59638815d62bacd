"""Views (`/views`): the saved views this user may open, and one view's history (`?id=N`).

Server-rendered, no callbacks: the list, each version's changes in words (views/diff.py), and
plain forms (CSRF token inside) to restore a version. Opening a view goes to the Overview with
its query, where the page recomputes it under the viewer's own scope.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_wtf.csrf import generate_csrf

from dashboard.auth import db
from dashboard.auth.permissions import current_account
from dashboard.components.errors import not_found_view
from dashboard.views import diff, store
from dashboard.views.routes import DELETE_ACTION, RENAME_ACTION, RESTORE_ACTION, data_version


def when(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def open_href(view: store.SavedView, version: store.Version) -> str:
    """The Overview showing this version, with the view named (the page ignores unknown keys
    but the banner reads `view` and `version`)."""
    if view.page == store.STORY:
        return f"/story?{urlencode({'story': view.id, 'version': version.n})}"
    query = version.page_query
    extra = urlencode({"view": view.id, "version": version.n})
    return f"/?{query}&{extra}" if query else f"/?{extra}"


def changed_badge(version: store.Version, current: int | None, element_id: str | None = None):
    if current is None or version.data_version is None or version.data_version == current:
        return None
    props = {"id": element_id} if element_id else {}
    return dbc.Badge("Data changed since", color="warning", text_color="dark",
                     className="ms-1", title=f"Saved on data version {version.data_version}; "
                     f"the data is now version {current}", **props)


def view_list(account) -> html.Div:
    views = store.visible_views(db.current(), account)
    current = data_version()
    if not views:
        body = html.P("No saved views yet. On the Overview, choose “Save view” to keep the "
                      "filters, highlight and drill level under a name.", id="views-empty")
    else:
        rows = [html.Tr([
            html.Td(html.A(v.name, href=f"/views?id={v.id}", className="views-name")),
            html.Td(v.owner, **{"data-label": "Owner"}),
            html.Td(v.sharing, **{"data-label": "Shared with"}),
            html.Td(str(v.versions), **{"data-label": "Versions"}),
            html.Td([when(v.latest.saved_at), changed_badge(v.latest, current)],
                    **{"data-label": "Last saved"}),
            html.Td(html.Div([
                dbc.Button("Open", href=open_href(v, v.latest), size="sm", color="primary",
                           outline=True, className="views-open"),
                dbc.Button("History", href=f"/views?id={v.id}", size="sm", color="secondary",
                           outline=True)], className="d-flex gap-1")),
        ], className="views-row") for v in views]
        head = html.Thead(html.Tr([html.Th(h) for h in
                                   ("Name", "Owner", "Shared with", "Versions", "Last saved",
                                    "")]))
        body = dbc.Table([head, html.Tbody(rows)], responsive=True, hover=True, size="sm",
                         id="views-table", className="align-middle bg-white")
    return html.Div([html.H1("Saved views", className="h4"), body])


def _restore_form(view: store.SavedView, version: store.Version) -> html.Form:
    return html.Form([
        dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
        dbc.Input(type="hidden", name="view_id", value=str(view.id)),
        dbc.Input(type="hidden", name="version", value=str(version.n)),
        dbc.Button(f"Restore version {version.n}", type="submit", size="sm", color="secondary",
                   outline=True, id=f"views-restore-{version.n}"),
    ], action=RESTORE_ACTION, method="POST", className="m-0")


def _owner_forms(view: store.SavedView) -> html.Div:
    """Rename (subscriptions follow the id, so they keep working) and delete (subscriptions
    to it stop and say why)."""
    def hidden():
        return [dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                dbc.Input(type="hidden", name="view_id", value=str(view.id))]

    return html.Div([
        html.Form([*hidden(), dbc.Label("New name", html_for="views-new-name",
                                        className="small mb-0 visually-hidden"),
                   dbc.Input(id="views-new-name", name="name", value=view.name, size="sm",
                             maxLength=store.MAX_NAME, style={"maxWidth": "16rem"}),
                   dbc.Button("Rename", type="submit", size="sm", color="secondary",
                              outline=True, id="views-rename")],
                  action=RENAME_ACTION, method="POST", className="d-flex gap-1 m-0"),
        html.Form([*hidden(), dbc.Button("Delete", type="submit", size="sm", color="secondary",
                                         outline=True, id="views-delete")],
                  action=DELETE_ACTION, method="POST", className="m-0"),
    ], className="d-flex flex-wrap gap-2 mb-3")


def _version_item(view, version, previous, current, owner: bool) -> dbc.ListGroupItem:
    head = [html.Span(f"Version {version.n}", className="fw-semibold"),
            html.Span(f" · {version.author} · {when(version.saved_at)}",
                      className="text-muted small"),
            changed_badge(version, current)]
    tools = [dbc.Button("Open", href=open_href(view, version), size="sm", color="primary",
                        outline=True, id=f"views-open-{version.n}")]
    if owner and version.n != view.versions:
        tools.append(_restore_form(view, version))
    return dbc.ListGroupItem([
        html.Div(head),
        html.P(version.note, className="mb-1 fst-italic small") if version.note else None,
        html.P(diff.summary(previous, version, view.page), className="mb-1 views-diff",
               id=f"views-diff-{version.n}"),
        html.Div(tools, className="d-flex flex-wrap gap-2"),
    ], id=f"views-version-{version.n}")


def view_history(account, view_id, saved=None):
    database = db.current()
    try:
        view = store.get(database, account, view_id)
        versions = store.history(database, account, view.id)
    except store.ViewNotFound:
        return not_found_view()
    current = data_version()
    items = [_version_item(view, v, versions[i - 1] if i else None, current,
                           view.owner == account.username)
             for i, v in enumerate(versions)]
    notice = None
    if saved and str(saved).isdigit():
        notice = html.Div(dbc.Alert(f"Saved as version {int(saved)}.", color="success",
                                    className="py-2", id="views-saved"), role="status")
    return html.Div([
        html.A("← All saved views", href="/views", className="small views-back"),
        html.H1(view.name, className="h4 mt-2", id="views-title"),
        html.P(f"By {view.owner} · shared with: {view.sharing.lower()} · {view.versions} "
               f"version{'s' if view.versions != 1 else ''}", className="text-muted small",
               id="views-meta"),
        notice,
        html.Div([dbc.Button("Open the latest version", href=open_href(view, view.latest),
                             color="primary", size="sm", id="views-open-latest"),
                  dbc.Button("Edit the story", href=f"/story/build?story={view.id}",
                             color="secondary", outline=True, size="sm", id="views-edit")
                  if view.page == store.STORY and view.owner == account.username else None],
                 className="mb-3 d-flex gap-2"),
        _owner_forms(view) if view.owner == account.username else None,
        html.H2("History", className="h5"),
        html.P("Newest first; each version says what changed from the one before. Restoring "
               "adds a new version with the old content: the history stays.",
               className="small text-muted"),
        dbc.ListGroup(list(reversed(items)), id="views-history"),
    ])


def layout(id=None, saved=None, **_query):  # noqa: A002 - the URL's own key
    account = current_account()
    if account is None:
        return html.Div()
    if id is not None:
        return view_history(account, id, saved)
    return view_list(account)


dash.register_page(__name__, path="/views", name="Views", title="Views · ToyPulse", order=7,
                   layout=layout)
