"""Wire sign-in, roles and the request gate into the Flask server of a Dash app."""

from __future__ import annotations

import flask

from dashboard import config, shared_state
from dashboard.auth import db, guard, hardening, login, views


def init_app(server: flask.Flask, app_db_url: str | None = None) -> None:
    hardening.configure(server)  # first: refuses unsafe production settings before anything
    server.extensions[db.EXTENSION] = db.AppDB(app_db_url or config.app_db_url())
    shared_state.init_app(server)  # Redis for sessions and sign-in limits, when configured
    login.init_app(server)
    server.register_blueprint(views.blueprint)
    guard.init_app(server)
