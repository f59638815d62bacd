"""The line above the Overview's charts when it was opened from a saved view (`?view=N`).

Only the name, version and data version are read from the saved view: the charts come from
the URL's query, recomputed under the viewer's own scope like any other link.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard.auth import db
from dashboard.auth.permissions import current_account
from dashboard.views import content, store
from dashboard.views.routes import data_version


def _same_view(shown: store.Version, page_query: dict | None) -> bool:
    """Does the page's URL show what this version saved (its filters and chart options)?"""
    if page_query is None:
        return True
    pairs = [(k, v) for k, values in page_query.items()
             for v in (values if isinstance(values, list) else [values])]
    try:
        now = content.split(urlencode(pairs))
    except content.ContentProblem:
        return False
    saved = content.split(shown.page_query)
    return (sorted(content.pairs(now[0])), now[1]) == (sorted(content.pairs(saved[0])), saved[1])


def saved_view_banner(view_id, version=None,
                      page_query: dict | None = None) -> tuple[store.SavedView | None, object]:
    """(the saved view, if this user may see it, and the note that names it) for `?view=N`;
    `page_query`, the page's URL, tells whether the page was changed since (a reload keeps
    `view` in the URL)."""
    account = current_account()
    if view_id is None or account is None:
        return None, None
    try:
        view = store.get(db.current(), account, view_id)
    except store.ViewNotFound:
        return None, html.Div("The saved view in the link is not found or not shared with you; "
                              "the link's filters are shown.", id="ov-saved-view",
                              className="small text-warning-emphasis", role="status")
    shown = next((v for v in store.history(db.current(), account, view.id)
                  if str(v.n) == str(version)), view.latest)
    current = data_version()
    changed = (current is not None and shown.data_version is not None
               and shown.data_version != current)
    words = [f"Saved view “{view.name}” · version {shown.n} of {view.versions} · by "
             f"{view.owner}", html.A("History", href=f"/views?id={view.id}", className="ms-2")]
    if not _same_view(shown, page_query):
        words.append(html.Span(" · changed since it was opened: Save view keeps the changes",
                               id="ov-saved-edited", className="text-muted"))
    if changed:
        words.append(dbc.Badge("Data changed since", color="warning", text_color="dark",
                               className="ms-2", id="ov-saved-changed",
                               title=f"Saved on data version {shown.data_version}; the data "
                               f"is now version {current}"))
    return view, html.Div(words, id="ov-saved-view", className="small")
