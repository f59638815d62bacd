"""Friendly error pages drawn inside the app shell: the top bar stays, so the way back is there.

The HTTP status is set by the gate (auth/guard.py: 403 for an admin page, 404 for a path no
page has); these are what the page area then shows.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def _card(title: str, words: str, element_id: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H1(title, className="h4"),
        html.P(words),
        dbc.Button("Back to the Overview", href="/", color="primary", className="me-2"),
    ]), className="my-4 mx-auto", style={"maxWidth": "36rem"}, id=element_id)


def forbidden_view() -> dbc.Card:
    return _card("This page is for admins",
                 "You need the admin role to open it. Ask an admin if you should have access.",
                 "page-forbidden")


def not_found_view(**_query) -> dbc.Card:
    return _card("Page not found",
                 "There is no page at this address. It may have moved, or the link may be "
                 "mistyped.", "page-not-found")
