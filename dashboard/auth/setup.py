"""Wire sign-in, roles and the request gate into the Flask server of a Dash app."""

from __future__ import annotations

import flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import config, shared_state
from dashboard.auth import db, guard, hardening, login, views


def init_app(server: flask.Flask, app_db_url: str | None = None) -> None:
    hardening.configure(server)  # first: refuses unsafe production settings before anything
    server.extensions[db.EXTENSION] = db.AppDB(app_db_url or config.app_db_url())
    shared_state.init_app(server)  # Redis for sessions and sign-in limits, when configured
    login.init_app(server)
    server.register_blueprint(views.blueprint)
    guard.init_app(server)
    trust_proxies(server)


def allow_dash_scripts(dash_app) -> None:
    """After the app's callbacks and layout exist (dashboard/app.py)."""
    hardening.allow_dash_scripts(dash_app)


def trust_proxies(server: flask.Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address and scheme come from the last
    that many X-Forwarded-For/-Proto entries (what the proxies added; anything a client sent
    before them is ignored). The Host header is kept by the proxy, as the cross-site check needs."""
    count = config.get_int("trusted_proxies")
    if count > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=0)
