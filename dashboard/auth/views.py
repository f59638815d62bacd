"""The sign-in page and sign-out: plain Flask routes outside Dash, so they work before any session.

The page is a server-rendered form (Jinja autoescapes everything it prints) with a CSRF token
(Flask-WTF), styled by the app's own local Bootstrap.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit

import flask
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from dashboard.auth import audit, db, login, users
from dashboard.auth.permissions import current_account

blueprint = flask.Blueprint("auth", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in · ToyPulse</title>
  <link rel="icon" href="/_favicon.ico">
  <link rel="stylesheet" href="/assets/00-bootstrap.min.css">
  <link rel="stylesheet" href="/assets/10-toypulse.css">
</head>
<body>
  <main class="container" style="max-width: 24rem; padding-top: 12vh">
    <h1 class="h4 mb-1 fw-bold">ToyPulse</h1>
    <p class="text-muted small mb-4">Sign in to see your sales dashboard.</p>
    {% if message %}
    <div class="alert alert-{{ tone }} py-2 small" role="alert" id="login-message">
      {{ message }}
    </div>
    {% endif %}
    <form method="post" action="/login" class="card card-body" id="login-form">
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <input type="hidden" name="next" value="{{ next }}">
      <label class="form-label small" for="username">User name</label>
      <input class="form-control mb-3" id="username" name="username" value="{{ username }}"
             autocomplete="username" autocapitalize="none" required autofocus>
      <label class="form-label small" for="password">Password</label>
      <input class="form-control mb-3" id="password" name="password" type="password"
             autocomplete="current-password" required>
      <button class="btn btn-primary w-100" id="login-submit" type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>
"""


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, a scheme (javascript:) or a protocol-relative
    URL, so the sign-in page cannot be used to send people elsewhere."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return "/"
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _page(status: int = 200, message: str = "", tone: str = "danger", username: str = "",
          next_path: str = "/"):
    html = flask.render_template_string(
        PAGE, message=message, tone=tone, username=username[:64], next=next_path,
        csrf_token=generate_csrf())
    return flask.Response(html, status=status, mimetype="text/html")


@blueprint.get("/login")
def login_form():
    next_path = safe_next(flask.request.args.get("next"))
    if current_account() is not None:
        return flask.redirect(next_path, 303)
    message = ""
    if flask.request.args.get("expired"):
        message = "Your session ended. Please sign in again."
    return _page(message=message, tone="secondary", next_path=next_path)


@blueprint.post("/login")
def login_submit():
    form = flask.request.form
    next_path = safe_next(form.get("next"))
    username = form.get("username", "")
    try:
        validate_csrf(form.get("csrf_token"))
    except ValidationError:
        return _page(400, "The sign-in form expired or did not come from this site. Try again.",
                     username=username, next_path=next_path)
    try:
        account = users.authenticate(db.current(), username, form.get("password", ""),
                                     flask.request.remote_addr)
    except users.LockedOut as exc:
        if exc.reason == "address":
            message = ("Too many failed sign-ins from your network address. Try again after "
                       f"{exc.until:%H:%M} UTC.")
        else:
            message = ("Too many failed sign-ins. Try again after "
                       f"{exc.until:%H:%M} UTC, or ask an admin to reset your password.")
        response = _page(429, message, username=username, next_path=next_path)
        wait = (exc.until - db.now()).total_seconds()
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
    if account is None:
        return _page(401, "Wrong user name or password.", username=username,
                     next_path=next_path)
    login.sign_in(account)
    return flask.redirect(next_path, 303)


@blueprint.post("/logout")
def logout():
    try:
        validate_csrf(flask.request.form.get("csrf_token"))
    except ValidationError:
        flask.abort(400)
    account = current_account()
    if account is not None:
        with db.current().begin() as conn:
            audit.record(conn, "sign_out", account.username, account.username, "",
                         flask.request.remote_addr)
    login.sign_out()
    return flask.redirect("/login", 303)
