"""Admin: users, roles, region assignments, email addresses (reports by mail) and the audit log.

Admins only, on the server: the request gate answers 403 to anyone else on /admin, and the
layout and every callback here call require_admin() themselves, so a forged callback request
changes and reveals nothing. Names people typed are shown as text, never as HTML.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import services
from dashboard.auth import audit, db, passwords, users
from dashboard.auth.permissions import is_admin, require_admin
from dashboard.components.empty_state import empty_banner
from dashboard.components.errors import forbidden_view
from dashboard.queries.filters import Scope
from dashboard.warehouse.store import NoWarehouseError

AUDIT_PAGE = 50
ROLE_OPTIONS = [{"label": users.ROLE_LABELS[r], "value": r} for r in users.ROLES]


def _field(label: str, control, width: int = 3) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control.id, className="small text-muted mb-1"),
                    control], xs=12, md=width)


def layout(**_query):
    if not is_admin():
        return forbidden_view()  # the gate already answered 403; this is what the page shows
    admin = require_admin()
    create_form = dbc.Row([
        _field("User name", dbc.Input(id="adm-new-username", maxLength=64,
                                      autoComplete="off")),
        _field("Display name", dbc.Input(id="adm-new-display", maxLength=128)),
        _field("Role", dcc.Dropdown(id="adm-new-role", options=ROLE_OPTIONS, value="manager",
                                    clearable=False), width=2),
        _field("Regions (managers)", dcc.Dropdown(id="adm-new-regions", multi=True)),
        _field("Stores (store managers)", dcc.Dropdown(id="adm-new-stores", multi=True)),
        dbc.Col(dbc.Button("Create user", id="adm-create", color="primary", className="w-100"),
                xs=12, md=1, className="d-flex align-items-end"),
    ], className="g-2")
    edit_form = dbc.Row([
        _field("User", dcc.Dropdown(id="adm-user", placeholder="Choose a user")),
        _field("Role", dcc.Dropdown(id="adm-role", options=ROLE_OPTIONS, clearable=False),
               width=2),
        _field("Regions (managers)", dcc.Dropdown(id="adm-regions", multi=True)),
        _field("Stores (store managers)", dcc.Dropdown(id="adm-stores", multi=True)),
        _field("Email (reports by mail)", dbc.Input(id="adm-email", type="email", maxLength=254,
                                                    autoComplete="off"), width=2),
        dbc.Col(dbc.Checklist(id="adm-active", options=[{"label": "Active", "value": "on"}],
                              switch=True, className="mt-4"), xs=6, md=1),
        dbc.Col([dbc.Button("Save", id="adm-save", color="primary", className="me-2"),
                 dbc.Button("Reset password", id="adm-reset-password", color="secondary",
                            outline=True)],
                xs=12, md=12, className="d-flex align-items-end"),
    ], className="g-2")
    return html.Div([
        dcc.Store(id="adm-version", data=0),
        html.H1("Users and access", className="h5 mb-3"),
        None if services.current().has_data() else empty_banner(admin),
        html.Div(id="adm-message"),
        dbc.Card([dbc.CardHeader("Add a user", className="bg-white fw-semibold"),
                  dbc.CardBody(create_form)], className="mb-3"),
        dbc.Card([dbc.CardHeader("Change a user", className="bg-white fw-semibold"),
                  dbc.CardBody(edit_form)], className="mb-3"),
        dbc.Card([dbc.CardHeader("Users", className="bg-white fw-semibold"),
                  dbc.CardBody(id="adm-users", className="p-0 table-responsive")],
                 className="mb-3"),
        dbc.Card([dbc.CardHeader("Activity", className="bg-white fw-semibold"),
                  dbc.CardBody(audit_controls(), className="pb-0"),
                  dbc.CardBody(id="adm-audit", className="p-0 table-responsive")]),
    ])


def audit_controls() -> html.Div:
    """Filters and paging of the audit log (AUDIT_PAGE entries a page, newest first)."""
    actions = [{"label": a.replace("_", " "), "value": a} for a in audit.ACTIONS]
    return html.Div([
        dcc.Store(id="adm-audit-page", data=0),
        dbc.Row([
            _field("What", dcc.Dropdown(id="adm-audit-action", options=actions,
                                        placeholder="Any action")),
            _field("Who, whom, detail or address contains",
                   dbc.Input(id="adm-audit-text", maxLength=100, debounce=True), width=4),
            dbc.Col([dbc.Button("Newer", id="adm-audit-newer", color="secondary", outline=True,
                                size="sm", className="me-2"),
                     dbc.Button("Older", id="adm-audit-older", color="secondary", outline=True,
                                size="sm")],
                    xs=12, md=2, className="d-flex align-items-end"),
            dbc.Col(html.Div(id="adm-audit-summary", className="small text-muted"),
                    xs=12, md=3, className="d-flex align-items-end"),
        ], className="g-2 mb-3"),
    ])


dash.register_page(__name__, path="/admin", name="Admin", title="Admin · ToyPulse", order=90,
                   layout=layout, admin_only=True)


def known_regions(accounts: list[users.Account]) -> list[str]:
    """Regions in the data (admin scope) plus any already assigned."""
    try:
        in_data = services.current().domain(Scope.everything()).members["regions"]
    except NoWarehouseError:
        in_data = ()
    assigned = {r for a in accounts for r in a.regions}
    return sorted(set(in_data) | assigned)


def known_stores(accounts: list[users.Account]) -> list[dict]:
    """Stores in the data as dropdown options ('North · Store 3 (#3)'), plus any assigned."""
    try:
        with services.current().warehouse.cursor() as cur:
            rows = cur.execute("SELECT CAST(store_id AS VARCHAR), name, region FROM stores "
                               "ORDER BY region, name").fetchall()
    except NoWarehouseError:
        rows = []
    options = [{"label": f"{region} · {name} (#{sid})", "value": sid}
               for sid, name, region in rows]
    seen = {o["value"] for o in options}
    options += [{"label": f"#{s} (not in the data)", "value": s}
                for s in sorted({s for a in accounts for s in a.stores} - seen)]
    return options


def _table(header: list[str], rows: list[list], table_id: str) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in header])),
         html.Tbody([html.Tr([html.Td(str(c)) for c in row]) for row in rows])],
        id=table_id, size="sm", striped=True, className="mb-0 small",
    )


@callback(
    Output("adm-users", "children"),
    Output("adm-user", "options"),
    Output("adm-new-regions", "options"),
    Output("adm-regions", "options"),
    Output("adm-new-stores", "options"),
    Output("adm-stores", "options"),
    Input("adm-version", "data"),
)
def refresh(_version):
    require_admin()
    database = db.current()
    accounts = users.list_accounts(database)
    user_rows = [[a.username, a.display_name, users.ROLE_LABELS[a.role],
                  ", ".join(a.regions) if a.role == "manager" else
                  "stores " + ", ".join(a.stores) if a.role == "store_manager" else "all",
                  a.email, "yes" if a.active else "no"] for a in accounts]
    regions = known_regions(accounts)
    stores = known_stores(accounts)
    return (
        _table(["User", "Name", "Role", "Regions", "Email", "Active"], user_rows,
               "adm-users-table"),
        [{"label": a.username, "value": a.username} for a in accounts],
        regions,
        regions,
        stores,
        stores,
    )


def _times(entry: dict) -> str:
    """'1', or '12 (last 14:03:09)' for an entry that counts repeats."""
    if (entry.get("times") or 1) <= 1 or entry.get("last_at") is None:
        return str(entry.get("times") or 1)
    return f"{entry['times']} (last {entry['last_at']:%H:%M:%S})"


@callback(
    Output("adm-audit", "children"),
    Output("adm-audit-page", "data"),
    Output("adm-audit-summary", "children"),
    Output("adm-audit-newer", "disabled"),
    Output("adm-audit-older", "disabled"),
    Input("adm-version", "data"),
    Input("adm-audit-action", "value"),
    Input("adm-audit-text", "value"),
    Input("adm-audit-newer", "n_clicks"),
    Input("adm-audit-older", "n_clicks"),
    State("adm-audit-page", "data"),
)
def audit_page(_version, action, text, _newer, _older, page):
    """One page of the audit log; a new filter starts again at the newest entries."""
    require_admin()
    action = action if action in audit.ACTIONS else None
    text = text if isinstance(text, str) else None
    page = page if isinstance(page, int) and page >= 0 else 0
    if ctx.triggered_id == "adm-audit-older":
        page += 1
    elif ctx.triggered_id == "adm-audit-newer":
        page = max(page - 1, 0)
    else:
        page = 0
    entries, total = audit.search(db.current(), action, text, page, AUDIT_PAGE)
    if page and not entries and total:  # past the end (entries went away): the last page
        page = (total - 1) // AUDIT_PAGE
        entries, total = audit.search(db.current(), action, text, page, AUDIT_PAGE)
    rows = [[e["at"].strftime("%Y-%m-%d %H:%M:%S"), e["actor"] or "", e["action"],
             e["subject"] or "", e["detail"], e["address"] or "", _times(e)] for e in entries]
    first = page * AUDIT_PAGE + 1
    summary = (f"Entries {first:,}–{first + len(entries) - 1:,} of {total:,}" if entries
               else "No entries match")
    table = _table(["When (UTC)", "Who", "What", "Whom", "Detail", "From", "Times"], rows,
                   "adm-audit-table")
    return table, page, summary, page == 0, first + len(entries) - 1 >= total


@callback(
    Output("adm-role", "value"),
    Output("adm-regions", "value"),
    Output("adm-stores", "value"),
    Output("adm-active", "value"),
    Output("adm-email", "value"),
    Input("adm-user", "value"),
    prevent_initial_call=True,
)
def pick_user(username):
    require_admin()
    account = users.by_username(db.current(), username) if isinstance(username, str) else None
    if account is None:
        raise PreventUpdate
    return (account.role, list(account.regions), list(account.stores),
            ["on"] if account.active else [],
            account.email)


def _message(text: str, color: str = "success", secret: str | None = None) -> dbc.Alert:
    children = [html.Span(text)]
    if secret:
        children += [html.Br(), html.Span("Password (shown once, pass it on privately): "),
                     html.Code(secret, id="adm-new-password", className="user-select-all")]
    return dbc.Alert(children, color=color, dismissable=True, className="py-2 small")


@callback(
    Output("adm-message", "children"),
    Output("adm-version", "data"),
    Input("adm-create", "n_clicks"),
    Input("adm-save", "n_clicks"),
    Input("adm-reset-password", "n_clicks"),
    State("adm-new-username", "value"),
    State("adm-new-display", "value"),
    State("adm-new-role", "value"),
    State("adm-new-regions", "value"),
    State("adm-new-stores", "value"),
    State("adm-user", "value"),
    State("adm-role", "value"),
    State("adm-regions", "value"),
    State("adm-stores", "value"),
    State("adm-active", "value"),
    State("adm-email", "value"),
    State("adm-version", "data"),
    prevent_initial_call=True,
)
def act(_create, _save, _reset, new_username, new_display, new_role, new_regions, new_stores,
        username, role, regions, stores, active, email, version):
    admin = require_admin()
    database, actor = db.current(), admin.username
    version = (version if isinstance(version, int) else 0) + 1
    try:
        if ctx.triggered_id == "adm-create":
            secret = passwords.generate_password()
            account = users.create(database, str(new_username or ""), secret, str(new_role),
                                   new_regions or (), str(new_display or ""), actor,
                                   new_stores or ())
            return _message(f"Created {account.username} ({users.ROLE_LABELS[account.role]}).",
                            secret=secret), version
        if not isinstance(username, str) or not username:
            return _message("Choose a user first.", "warning"), dash.no_update
        if ctx.triggered_id == "adm-reset-password":
            secret = passwords.generate_password()
            users.set_password(database, username, secret, actor)
            return _message(f"New password for {username}; their old sessions have ended.",
                            secret=secret), version
        if ctx.triggered_id == "adm-save":
            if isinstance(email, str):  # checked first, so a bad address changes nothing
                users.clean_email(email)
            users.update(database, username, str(role), regions or (),
                         isinstance(active, list) and "on" in active, actor,
                         stores if isinstance(stores, list) else None)
            if isinstance(email, str):  # not sent (None): the address stays as it is
                users.set_email(database, username, email, actor)
            return _message(f"Saved {username}."), version
    except users.UserError as exc:
        return _message(str(exc), "danger"), dash.no_update
    raise PreventUpdate
