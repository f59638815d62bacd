"""Flask-Login wiring over server-side sessions (dashboard/auth/sessions.py).

The cookie holds only a session token. Each request looks the session up, then re-reads the
account from the app database, so a sign-out, a deactivation or a change of password, role or
regions (which move the account's session epoch on) ends every copy of the cookie at once.
"""

from __future__ import annotations

import flask
import flask_login
from flask_wtf.csrf import generate_csrf

from dashboard.auth import db, sessions, users


class SessionUser(flask_login.UserMixin):
    def __init__(self, account: users.Account, token: str):
        self.account = account
        self.token = token

    def get_id(self) -> str:
        return self.token


def load_user(token: str) -> SessionUser | None:
    record = sessions.resume(token)
    if record is None:
        return None
    account = users.get(db.current(), record.user_id)
    if account is None or not account.active or account.session_epoch != record.epoch:
        sessions.end(token)
        return None
    return SessionUser(account, token)


def init_app(server: flask.Flask) -> None:
    manager = flask_login.LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    manager.init_app(server)


def sign_in(account: users.Account) -> None:
    """Start a fresh session (a new cookie and token: nothing from before sign-in carries over)."""
    sign_out()
    token = sessions.start(account.id, account.session_epoch)
    flask_login.login_user(SessionUser(account, token))
    flask.session.permanent = True  # the cookie lasts SESSION_ABSOLUTE_HOURS at most
    # The sign-out form's CSRF secret goes into the session now, not on the first page load:
    # there, parallel requests (layout, dependencies) would race to write the session cookie.
    generate_csrf()


def sign_out() -> None:
    """End this session on the server (every copy of the cookie), then clear the cookie."""
    token = flask.session.get("_user_id")
    if isinstance(token, str):
        sessions.end(token)
    flask_login.logout_user()
    flask.session.clear()
