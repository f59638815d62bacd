"""The frame around every page: the top bar (pages, signed-in user, sign out) and the pages."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, clientside_callback, html
from flask_wtf.csrf import generate_csrf

from dashboard.auth.permissions import current_account
from dashboard.auth.users import ROLE_LABELS
from dashboard.components.data_version import current_version, version_bar


def user_box() -> html.Div:
    """Who is signed in (as text, never HTML) and a sign-out form that carries a CSRF token."""
    account = current_account()
    if account is None:
        return html.Div(id="shell-user")
    role = ROLE_LABELS.get(account.role, account.role)
    if account.role == "manager":
        role += f" · {', '.join(account.regions) or 'no region assigned'}"
    return html.Div(
        [
            html.Span(account.label, id="shell-user-name", className="fw-semibold text-dark"),
            html.Span(role, id="shell-user-role", className="d-none d-md-inline"),
            html.Form(
                [
                    dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    html.Button("Sign out", id="shell-sign-out", type="submit",
                                className="btn btn-sm btn-outline-secondary text-nowrap"),
                ],
                action="/logout", method="POST", className="m-0",
            ),
        ],
        id="shell-user", className="small text-muted d-flex align-items-center gap-2",
    )


def shell() -> html.Div:
    """The top bar and the page. Below 768 px the page links fold into a menu behind a button
    (eleven links for an admin took three rows of a phone's screen); the signed-in user stays
    in the bar."""
    account = current_account()
    admin = account is not None and account.is_admin
    links = [
        dbc.NavLink(page["name"], href=page["relative_path"], active="exact", className="px-2")
        for page in dash.page_registry.values()
        if not page.get("hidden") and (admin or not page.get("admin_only"))
    ]
    return html.Div(
        [
            html.Header(
                dbc.Navbar(
                    dbc.Container(
                        [
                            html.A("ToyPulse", href="/",
                                   className="navbar-brand fw-bold text-dark me-1"),
                            html.Div(user_box(), className="order-md-last ms-auto"),
                            html.Button(html.Span(className="navbar-toggler-icon"),
                                        id="shell-menu-toggle", className="navbar-toggler px-2",
                                        type="button", n_clicks=0,
                                        **{"aria-label": "Pages", "aria-controls": "shell-menu",
                                           "aria-expanded": "false"}),
                            dbc.Collapse(dbc.Nav(links, navbar=True, className="me-auto"),
                                         id="shell-menu", navbar=True, is_open=False),
                        ],
                        fluid=True, className="column-gap-2",
                    ),
                    expand="md", color="white", dark=False, className="border-bottom py-1",
                ),
            ),
            version_bar(current_version() if account is not None else None),
            dbc.Container(dash.page_container, fluid=True, className="pb-5", tag="main"),
        ]
    )


clientside_callback(
    "function (clicks, open) { const now = clicks ? !open : open; return [now, String(now)]; }",
    Output("shell-menu", "is_open"),
    Output("shell-menu-toggle", "aria-expanded"),
    Input("shell-menu-toggle", "n_clicks"),
    State("shell-menu", "is_open"),
    prevent_initial_call=True,
)
