"""The frame around every page: the top bar and the page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html


def shell() -> html.Div:
    return html.Div(
        [
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand("ToyPulse", href="/", className="fw-bold"),
                        dbc.Nav(
                            [dbc.NavLink(page["name"], href=page["relative_path"], active="exact")
                             for page in dash.page_registry.values()
                             if not page.get("hidden")],
                            navbar=True,
                        ),
                    ],
                    fluid=True,
                ),
                color="white",
                className="border-bottom mb-3",
            ),
            dbc.Container(dash.page_container, fluid=True, className="pb-5"),
        ]
    )
