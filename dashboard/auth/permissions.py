"""Who is asking, and may they: checks every server-side entry point calls.

Hiding a link is not a permission; these abort the request on the server (401 not signed in,
403 signed in without the role).
"""

from __future__ import annotations

import flask
import flask_login

from dashboard.auth.users import Account


def current_account() -> Account | None:
    """The signed-in account of this request, or None (anonymous or outside a request)."""
    if not flask.has_request_context():
        return None
    user = flask_login.current_user
    if user is None or not user.is_authenticated:
        return None
    return user.account


def is_admin() -> bool:
    account = current_account()
    return account is not None and account.is_admin


def require_signed_in() -> Account:
    account = current_account()
    if account is None:
        flask.abort(401)
    return account


def require_admin() -> Account:
    """The admin account of this request; aborts with 401/403 for anyone else."""
    account = require_signed_in()
    if not account.is_admin:
        flask.abort(403)
    return account
