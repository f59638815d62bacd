"""Flask-Login wiring: the session holds only "user id:session epoch"; the account is re-read
from the app database on every request, so role, region and active changes apply at once.
"""

from __future__ import annotations

import flask
import flask_login
from flask_wtf.csrf import generate_csrf

from dashboard.auth import db, users


class SessionUser(flask_login.UserMixin):
    def __init__(self, account: users.Account):
        self.account = account

    def get_id(self) -> str:
        # A new epoch (password reset, deactivation) makes every older session cookie invalid.
        return f"{self.account.id}:{self.account.session_epoch}"


def load_user(token: str) -> SessionUser | None:
    try:
        user_id, epoch = (int(part) for part in token.split(":"))
    except (AttributeError, ValueError):
        return None
    account = users.get(db.current(), user_id)
    if account is None or not account.active or account.session_epoch != epoch:
        return None
    return SessionUser(account)


def init_app(server: flask.Flask) -> None:
    manager = flask_login.LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    manager.init_app(server)


def sign_in(account: users.Account) -> None:
    """Start a fresh session (a new cookie: nothing from before sign-in carries over)."""
    flask.session.clear()
    flask_login.login_user(SessionUser(account))
    flask.session.permanent = True  # expires after SESSION_MINUTES without a request
    # The sign-out form's CSRF secret goes into the session now, not on the first page load:
    # there, parallel requests (layout, dependencies) would race to write the session cookie.
    generate_csrf()


def sign_out() -> None:
    flask_login.logout_user()
    flask.session.clear()
