"""Reports by mail (/subscriptions): the signed-in user's report subscriptions, switched on and off.

Server-rendered forms (each with a CSRF token) posting to report/subscription_routes.py; no
callbacks. A manager finds their default "Daily sales report" here, off until switched on; anyone
signed in may add a page view or the story, daily or weekly. Every text from the database
(names, views, addresses) is a Dash text child, never HTML. The mail itself is made at send time
within the user's scope (`dashboard send-reports`).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_wtf.csrf import generate_csrf

from dashboard.auth import db
from dashboard.auth.permissions import current_account
from dashboard.report import subscriptions
from dashboard.report.subscription_routes import PAGE, SAVED_PREFIX
from dashboard.views import store

# Fixed texts a redirect may ask for by key (?notice=on): a link can pick one, never write its own.
NOTICES = {
    "on": ("success", "Switched on: the next run of the mailer sends it."),
    "off": ("secondary", "Switched off: no more mails of this report."),
    "added": ("success", "Added and switched on."),
    "removed": ("secondary", "Removed."),
    "email": ("success", "Your email address is saved."),
    "bad-email": ("danger", "That is not an email address (write it as name@example.com)."),
    "invalid": ("danger", "The report was not added: give it a name and choose what and how "
                          "often."),
    "missing": ("danger", "There is no such subscription on your account."),
    "no-view": ("danger", "The report was not added: that saved view or story is not found or "
                          "not shared with you."),
    "expired": ("danger", "The form expired or did not come from this site; nothing changed. "
                          "Try again."),
}
WHAT_OPTIONS = [{"label": "Overview", "value": "overview"},
                {"label": "Inventory alerts (daily digest)", "value": "inventory"},
                {"label": "Story (the default story)", "value": "story"}]
WIDE = "d-none d-md-table-cell"  # columns a phone leaves out, so the switch stays in view
CADENCE_OPTIONS = [{"label": "Daily", "value": "daily"}, {"label": "Weekly", "value": "weekly"}]


def _token() -> dbc.Input:
    return dbc.Input(type="hidden", name="csrf_token", value=generate_csrf())


def _post(action: str, children: list, **kwargs) -> html.Form:
    return html.Form([_token(), *children], action=action, method="POST", **kwargs)


def _what(sub: subscriptions.Subscription, account) -> list:
    """What the row mails; for a saved view, its name now (renames show) or why it stopped."""
    if sub.saved_id is None:
        what = "Story" if sub.story else sub.page.capitalize()
        return [what, html.Div(sub.view, className="small text-muted text-break")
                if sub.view else None]
    view, stopped = subscriptions.shown(db.current(), sub, account)
    if stopped:
        return [html.Div(f"Stopped: {stopped}.", className="small text-danger",
                         id=f"sub-stopped-{sub.id}")]
    kind = "Story" if view.page == store.STORY else "Saved view"
    return [f"{kind}: ", html.A(view.name, href=f"/views?id={view.id}",
                                id=f"sub-saved-{sub.id}")]


def _row(sub: subscriptions.Subscription, account) -> html.Tr:
    state = "On" if sub.active else "Off"
    switch = _post(f"{PAGE}/{sub.id}/switch", [
        dbc.Input(type="hidden", name="active", value="0" if sub.active else "1"),
        html.Button("Switch off" if sub.active else "Switch on", type="submit",
                    id=f"sub-switch-{sub.id}",
                    className="btn btn-sm " + ("btn-outline-secondary" if sub.active
                                               else "btn-primary"),
                    **{"aria-label": f"{'Switch off' if sub.active else 'Switch on'} {sub.name}"}),
    ], className="d-inline m-0")
    remove = None if sub.is_default else _post(f"{PAGE}/{sub.id}/remove", [
        html.Button("Remove", type="submit", className="btn btn-sm btn-link",
                    **{"aria-label": f"Remove {sub.name}"})], className="d-inline m-0")
    sent = f"{sub.last_sent_at:%Y-%m-%d %H:%M} UTC" if sub.last_sent_at else "not yet"
    stopped = _what(sub, account)
    return html.Tr([
        html.Td(sub.name, className="fw-semibold"),
        html.Td(stopped, className=WIDE if sub.saved_id is None else None),
        html.Td(sub.cadence.capitalize()),
        html.Td(state, id=f"sub-state-{sub.id}",
                className="text-success fw-semibold" if sub.active else "text-muted"),
        html.Td(sent, className=f"small {WIDE}"),
        html.Td([switch, remove], className="text-nowrap"),
    ], id=f"sub-row-{sub.id}")


def _table(subs: list[subscriptions.Subscription], account):
    if not subs:
        return html.P("No reports yet: add one below.", className="m-3 text-muted")
    head = html.Thead(html.Tr([
        html.Th(t, scope="col", className=WIDE if t == "Last sent" or (
            t == "What" and all(s.saved_id is None for s in subs)) else None)
        for t in ("Report", "What", "How often", "State", "Last sent", "")]))
    return dbc.Table([head, html.Tbody([_row(s, account) for s in subs])],
                     className="mb-0 align-middle",
                     id="sub-table", responsive=True)


def _email_card(account) -> dbc.Card:
    note = (f"Reports are mailed to {account.email}." if account.email else
            "Your account has no email address yet: nothing is mailed until you add one.")
    return dbc.Card([
        dbc.CardHeader("Your email address", className="bg-white fw-semibold"),
        dbc.CardBody([
            html.P(note, id="sub-email-note", className="small"),
            _post(f"{PAGE}/email", [dbc.Row([
                dbc.Col([dbc.Label("Email address", html_for="sub-email", className="small"),
                         dbc.Input(id="sub-email", name="email", type="email",
                                   value=account.email, maxLength=254, autoComplete="email")],
                        xs=12, md=8),
                dbc.Col(html.Button("Save address", type="submit", id="sub-email-save",
                                    className="btn btn-outline-primary w-100"),
                        xs=12, md=4, className="d-flex align-items-end"),
            ], className="g-2")], className="m-0"),
        ]),
    ], className="mb-3")


def what_options(account) -> list[dict]:
    """The pages and the default story, then every saved view and story this user may see."""
    views = store.visible_views(db.current(), account)
    return WHAT_OPTIONS + [
        {"label": f"{'Story' if v.page == store.STORY else 'Saved view'}: {v.name}"
                  f"{'' if v.owner == account.username else ' (' + v.owner + ')'}",
         "value": f"{SAVED_PREFIX}{v.id}"} for v in views]


def _add_card(account) -> dbc.Card:
    def field(label, control, width):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small"), control],
                       xs=12, md=width)

    return dbc.Card([
        dbc.CardHeader("Add a report", className="bg-white fw-semibold"),
        dbc.CardBody(_post(f"{PAGE}/add", [dbc.Row([
            field("Name", dbc.Input(id="sub-new-name", name="name", maxLength=128,
                                    required=True), 3),
            field("What", dbc.Select(id="sub-new-what", name="what", options=what_options(account),
                                     value="overview"), 2),
            field("View (its address or query, optional)",
                  dbc.Input(id="sub-new-view", name="view", maxLength=subscriptions.MAX_VIEW,
                            placeholder="region=North&start=2025-01-01"), 3),
            field("How often", dbc.Select(id="sub-new-cadence", name="cadence",
                                          options=CADENCE_OPTIONS, value="daily"), 2),
            dbc.Col(html.Button("Add", type="submit", id="sub-add",
                                className="btn btn-primary w-100"),
                    xs=12, md=2, className="d-flex align-items-end"),
        ], className="g-2")], className="m-0")),
    ], className="mb-3")


def layout(notice: str | None = None, **_query):
    account = current_account()
    if account is None:  # the gate signs people in first; a layout still never assumes
        return html.Div()
    database = db.current()
    subscriptions.ensure_default(database, account)
    tone, words = NOTICES.get(notice if isinstance(notice, str) else "", (None, None))
    regions = ("every region" if account.role != "manager"
               else ", ".join(account.regions) or "no region")
    return html.Div([
        html.H1("Reports by mail", className="h5 mb-1"),
        html.P(f"A PDF of the report, made for you ({regions}) each day or each week and "
               "mailed to your address.", className="text-muted small mb-3"),
        dbc.Alert(words, color=tone, id="sub-notice", className="py-2 small")
        if words else None,
        dbc.Card([dbc.CardHeader("Your reports", className="bg-white fw-semibold"),
                  dbc.CardBody(_table(subscriptions.for_user(database, account.id), account),
                               className="p-0")], className="mb-3"),
        _email_card(account),
        _add_card(account),
    ], style={"maxWidth": "72rem"})


dash.register_page(__name__, path=PAGE, name="Reports by mail",
                   title="Reports by mail · ToyPulse", order=80, layout=layout)
