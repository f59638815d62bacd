"""The Overview toolbar's "Save view": a small form posted to /views/save (CSRF token inside).

A native <details> opens it, so it needs no callback to show; one clientside callback keeps the
hidden query field on the current view (the Overview's `ov-query` store). Opened from a saved
view (`?view=N`), it offers that view's name and sharing, so saving again makes a new version.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, clientside_callback, html
from flask_wtf.csrf import generate_csrf

from dashboard.views.routes import SAVE_ACTION
from dashboard.views.store import MAX_NAME, MAX_NOTE, SHARES, SavedView


def save_view_form(query: str, current: SavedView | None = None) -> html.Details:
    name = current.name if current is not None else ""
    share = (current.shared_role or "private") if current is not None else "private"
    return html.Details(
        [
            html.Summary("Save view", id="views-save-open",
                         className="btn btn-sm btn-outline-primary ms-2"),
            html.Form(
                [
                    dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    dbc.Input(type="hidden", name="query", value=query, id="views-save-query"),
                    dbc.Label("Name", html_for="views-save-name", className="small mb-1"),
                    dbc.Input(id="views-save-name", name="name", value=name, required=True,
                              maxLength=MAX_NAME, size="sm", autoComplete="off"),
                    dbc.Label("Shared with", html_for="views-save-share",
                              className="small mb-1 mt-2"),
                    dbc.Select(id="views-save-share", name="share", value=share, size="sm",
                               options=[{"label": label, "value": key}
                                        for key, label in SHARES.items()]),
                    dbc.Label("Note (optional)", html_for="views-save-note",
                              className="small mb-1 mt-2"),
                    dbc.Input(id="views-save-note", name="note", maxLength=MAX_NOTE, size="sm",
                              autoComplete="off"),
                    html.Div(
                        "Saving under a name you used before adds a new version of that view.",
                        className="small text-muted mt-2"),
                    dbc.Button("Save", id="views-save-submit", type="submit", size="sm",
                               color="primary", className="mt-2"),
                ],
                action=SAVE_ACTION, method="POST", className="views-save-form",
            ),
        ],
        className="views-save", id="views-save",
    )


clientside_callback(
    """
    function(query) {
        if (query === undefined || query === null) { return window.dash_clientside.no_update; }
        return query;
    }
    """,
    Output("views-save-query", "value"),
    Input("ov-query", "data"),
)
