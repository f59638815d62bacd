"""The Dash application factory: one call builds a self-contained app (and its Flask server)."""

from __future__ import annotations

import importlib
from pathlib import Path

import dash
from flask_caching import Cache

from dashboard import config
from dashboard.auth import setup as auth_setup
from dashboard.services import EXTENSION, Services, no_data
from dashboard.warehouse.backends import open_warehouse
from dashboard.warehouse.store import NoWarehouseError

PAGES = ("dashboard.pages.overview", "dashboard.pages.overview_filters", "dashboard.pages.profit",
         "dashboard.pages.team", "dashboard.pages.customers", "dashboard.pages.forecast",
         "dashboard.pages.inventory", "dashboard.pages.story", "dashboard.pages.story_build",
         "dashboard.pages.views", "dashboard.pages.data",
         "dashboard.pages.subscriptions", "dashboard.pages.admin",
         "dashboard.pages.not_found_404")


def cache_config() -> dict:
    cache_type = config.get("cache_type")
    if cache_type == "auto":
        cache_type = "RedisCache" if config.get("redis_url") else "SimpleCache"
    settings = {"CACHE_TYPE": cache_type, "CACHE_DEFAULT_TIMEOUT": config.get_int("cache_timeout")}
    if cache_type == "RedisCache":
        settings.update(CACHE_REDIS_URL=config.get("redis_url"), CACHE_KEY_PREFIX="toypulse:cache:")
    if cache_type == "FileSystemCache":
        settings["CACHE_DIR"] = config.get("cache_dir") or str(config.warehouse_dir() / "cache")
    return settings


def create_app(warehouse_dir: Path | None = None, app_db_url: str | None = None) -> dash.Dash:
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are imported below, by package name, after the app exists
        assets_folder=str(config.ROOT / "assets"),
        serve_locally=True,
        title="ToyPulse",
        update_title=None,
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # for AT
    auth_setup.init_app(app.server, app_db_url)  # sign-in, roles, the request gate
    cache = Cache(app.server, config=cache_config())
    app.server.extensions[EXTENSION] = Services(open_warehouse(warehouse_dir), cache)
    for module in PAGES:
        importlib.import_module(module)
    from dashboard.pages.data_routes import register as register_data_routes

    register_data_routes(app.server)
    from dashboard.pages.sample_route import register as register_sample_route

    register_sample_route(app.server)
    from dashboard.report.routes import register as register_report_routes

    register_report_routes(app.server)  # chart CSVs and printable pages
    from dashboard.report.subscription_routes import register as register_subscription_routes

    register_subscription_routes(app.server)  # Reports by mail: switch on/off, add, address
    from dashboard.views.routes import register as register_view_routes

    register_view_routes(app.server)  # saving and restoring views
    from dashboard.pages.team_targets import register as register_target_routes

    register_target_routes(app.server)  # the Team page's admin-set targets
    from dashboard.pages.inventory_routes import register as register_inventory_routes

    register_inventory_routes(app.server)  # stock movements, alerts CSV, draft orders
    app.server.register_error_handler(NoWarehouseError, no_data)
    from dashboard.components.shell import shell

    app.layout = shell
    auth_setup.allow_dash_scripts(app)  # the CSP names Dash's inline scripts by hash
    return app
