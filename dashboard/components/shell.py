"""The frame around every page: the top bar and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html


def shell() -> html.Div:
    links = [
        dbc.NavLink(page["name"], href=page["relative_path"], active="exact", className="px-2")
        for page in dash.page_registry.values()
        if not page.get("hidden")
    ]
    return html.Div(
        [
            html.Header(
                dbc.Container(
                    [
                        html.A("ToyPulse", href="/", className="navbar-brand fw-bold text-dark"),
                        dbc.Nav(links, className="me-auto"),
                        html.Div(id="shell-user", className="small text-muted"),
                    ],
                    fluid=True,
                    className="d-flex align-items-center gap-3 py-2",
                ),
                className="border-bottom bg-white mb-3",
            ),
            dbc.Container(dash.page_container, fluid=True, className="pb-5"),
        ]
    )
