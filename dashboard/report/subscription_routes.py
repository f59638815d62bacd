"""The /subscriptions page's form posts: switch a report on or off, add one, remove one, set the
address reports go to. Plain form posts like sign-out: the gate requires a session and refuses
cross-site posts, each route validates the CSRF token, and every change is made for the signed-in
account only (another user's subscription id is 'not found'). The answer sends the browser back
to /subscriptions with a fixed notice key (pages/subscriptions.py NOTICES), never free text.
"""

from __future__ import annotations

import flask
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from dashboard.auth import db, users
from dashboard.auth.permissions import require_signed_in
from dashboard.report import subscriptions

PAGE = "/subscriptions"
SAVED_PREFIX = "saved:"  # the "What" of a saved view or story: saved:<id>


def _back(notice: str) -> flask.Response:
    return flask.redirect(f"{PAGE}?notice={notice}", code=303)


def _checked():
    """The signed-in account, after the form's CSRF token checks out (else None)."""
    account = require_signed_in()
    try:
        validate_csrf(flask.request.form.get("csrf_token"))
    except ValidationError:
        return None
    return account


def switch(subscription_id: int) -> flask.Response:
    account = _checked()
    if account is None:
        return _back("expired")
    active = flask.request.form.get("active") == "1"
    try:
        subscriptions.set_active(db.current(), account.id, subscription_id, active)
    except subscriptions.SubscriptionError:
        return _back("missing")
    return _back("on" if active else "off")


def add() -> flask.Response:
    account = _checked()
    if account is None:
        return _back("expired")
    form = flask.request.form
    what = form.get("what", "")
    if what.startswith(SAVED_PREFIX):
        try:
            subscriptions.subscribe_saved(db.current(), account, what[len(SAVED_PREFIX):],
                                          form.get("name", ""), form.get("cadence", ""))
        except subscriptions.SubscriptionError as exc:
            return _back("no-view" if "saved view" in str(exc) else "invalid")
        return _back("added")
    page, story = ("", "default") if what == "story" else (what, "")
    try:
        subscriptions.create(db.current(), account.id, form.get("name", ""), page=page,
                             story=story, view=form.get("view", ""),
                             cadence=form.get("cadence", ""), active=True)
    except subscriptions.SubscriptionError:
        return _back("invalid")
    return _back("added")


def remove(subscription_id: int) -> flask.Response:
    account = _checked()
    if account is None:
        return _back("expired")
    try:
        subscriptions.delete(db.current(), account.id, subscription_id)
    except subscriptions.SubscriptionError:
        return _back("missing")
    return _back("removed")


def set_email() -> flask.Response:
    account = _checked()
    if account is None:
        return _back("expired")
    try:
        users.set_email(db.current(), account.username, flask.request.form.get("email", ""),
                        account.username)
    except users.UserError:
        return _back("bad-email")
    return _back("email")


def register(server: flask.Flask) -> None:
    server.add_url_rule(f"{PAGE}/<int:subscription_id>/switch", "subscription_switch", switch,
                        methods=["POST"])
    server.add_url_rule(f"{PAGE}/<int:subscription_id>/remove", "subscription_remove", remove,
                        methods=["POST"])
    server.add_url_rule(f"{PAGE}/add", "subscription_add", add, methods=["POST"])
    server.add_url_rule(f"{PAGE}/email", "subscription_email", set_email, methods=["POST"])
