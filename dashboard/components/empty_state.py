"""What a page shows while no sales data is loaded: admins get the two ways in (import a file,
load the sample), everyone else is told to ask an admin. No page errors on an empty warehouse.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_wtf.csrf import generate_csrf

from dashboard import config
from dashboard.auth.users import Account

SAMPLE_ACTION = "/data/sample"  # dashboard/pages/sample_route.py
# Fixed texts the sample route may ask for by key (?sample=busy): a link can pick one, never
# write its own words onto the page.
NOTICES = {
    "busy": "Another import is running, so the sample was not loaded. Try again when it has "
            "finished.",
}


def sample_form(button_class: str = "btn btn-outline-primary") -> html.Form:
    """The admin-only POST that loads the sample server-side (CSRF token, like sign-out)."""
    rows = config.get_int("sample_rows")
    return html.Form(
        [
            dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            html.Button("Load the sample data", type="submit", id="empty-load-sample",
                        className=button_class),
        ],
        action=SAMPLE_ACTION, method="POST", id="empty-sample-form", className="m-0",
        title=f"{rows:,} order lines of a made-up toy retailer, 2023–2025",
    )


def empty_state(account: Account | None, notice: str | None = None) -> html.Div:
    """The Overview's content with no data: the next step for this person's role."""
    if account is None or not account.is_admin:
        return html.Div(dbc.Alert(
            [html.H1("No data yet", className="h5"),
             html.P("No data has been imported yet; ask an admin to import your sales data.",
                    className="mb-0")],
            color="secondary"), id="empty-state")
    rows = config.get_int("sample_rows")
    return html.Div(dbc.Card(dbc.CardBody([
        html.H1("No sales data yet", className="h4"),
        dbc.Alert(NOTICES[notice], color="warning", className="py-2 small", id="empty-notice")
        if notice in NOTICES else None,
        html.P("Import your sales export (CSV, Excel or a .zip of them) on the Data page: "
               "ToyPulse proposes a column mapping and shows a preview before anything is "
               "written. Or load the sample toy retailer to look around first; you can import "
               "your own data later and roll back to either.", className="mb-3"),
        html.Div([
            dbc.Button("Import a file", href="/data", color="primary", id="empty-import"),
            sample_form(),
        ], className="d-flex flex-wrap gap-2 align-items-center"),
        html.P(f"The sample is {rows:,} order lines of a made-up toy retailer over 2023–2025, "
               "generated on the server in a few seconds.", className="small text-muted mt-3 "
               "mb-0"),
    ]), className="mx-auto", style={"maxWidth": "44rem"}), id="empty-state", className="py-4")


def empty_banner(account: Account | None) -> dbc.Alert | None:
    """One line for pages that work without data (Admin): where the data comes from."""
    if account is None or not account.is_admin:
        return None
    return dbc.Alert(["No sales data yet: ", html.A("import a file on the Data page",
                                                    href="/data"),
                      " or load the sample from the ", html.A("Overview", href="/"), "."],
                     color="secondary", className="py-2 small", id="empty-banner")
