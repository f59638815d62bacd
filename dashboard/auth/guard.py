"""The gate in front of every route: a session for everything but sign-in and static files,
admins only for admin paths, and no cross-site or non-JSON writes.

Default deny: a route added later (an upload, an export) needs a session without anyone
remembering to ask for one.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import dash
import flask
from dash.exceptions import DependencyException

from dashboard.auth.permissions import current_account
from dashboard.queries.filters import ScopeError

PUBLIC_ENDPOINTS = frozenset({"auth.login_form", "auth.login_submit", "static",
                              "_dash_assets.static"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = frozenset({"/_favicon.ico"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIXES_CONFIG = "TOYPULSE_ADMIN_PREFIXES"  # non-Dash admin routes (e.g. an import POST)
LARGE_BODY_CONFIG = "TOYPULSE_LARGE_BODY_ENDPOINTS"  # routes with their own, larger body limit


def allow_large_bodies(server: flask.Flask, endpoint: str) -> None:
    """This route checks its own body size (an upload): the app-wide limit does not apply."""
    server.config.setdefault(LARGE_BODY_CONFIG, set()).add(endpoint)


def body_too_large(request: flask.Request) -> bool:
    """Refused before anything is read, signed in or not (chunked bodies without a length are
    cut off while they are read, at MAX_CONTENT_LENGTH)."""
    if request.endpoint in flask.current_app.config.get(LARGE_BODY_CONFIG, ()):
        return False
    limit = flask.current_app.config.get("MAX_CONTENT_LENGTH")
    return bool(limit and request.content_length and request.content_length > limit)


def is_public(request: flask.Request) -> bool:
    return (request.endpoint in PUBLIC_ENDPOINTS or request.path in PUBLIC_PATHS
            or request.path.startswith(PUBLIC_PREFIXES))


def admin_prefixes() -> tuple[str, ...]:
    """Pages registered with admin_only=True, plus prefixes listed in the app config."""
    pages = [page["path"] for page in dash.page_registry.values() if page.get("admin_only")]
    return tuple(pages) + tuple(flask.current_app.config.get(ADMIN_PREFIXES_CONFIG, ()))


def is_admin_path(path: str) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in admin_prefixes())


def is_cross_site(request: flask.Request) -> bool:
    """Did a page on another site send this? (Browsers send Origin or Sec-Fetch-Site on POSTs.)"""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin:
        return origin == "null" or urlsplit(origin).netloc != request.host
    referer = request.headers.get("Referer")
    if referer:
        return urlsplit(referer).netloc != request.host
    return False


def wants_json(request: flask.Request) -> bool:
    return (request.path.startswith("/_") or request.method not in SAFE_METHODS
            or request.accept_mimetypes.best == "application/json")


def refuse(status: int, message: str):
    return flask.jsonify(error=message), status


DASH_CATCH_ALL = "/<path:path>"  # the endpoint Dash serves every page path from


def shell_page(status: int):
    """The app's own page (shell, top bar, the page area) with an error status: the page area
    then shows the friendly 403 or 404 (components/errors.py), not raw JSON."""
    return flask.Response(dash.get_app().index(), status=status, mimetype="text/html")


def forbidden_page():
    """A person who followed a link to an admin page gets words and a way back, not JSON."""
    return shell_page(403)


def is_unknown_page(request: flask.Request) -> bool:
    """A browser GET of a path no page has (Dash would answer it 200 with its 404 layout)."""
    if request.endpoint != DASH_CATCH_ALL:
        return False
    path = "/" + request.path.strip("/")
    return path not in {page["path"] for page in dash.page_registry.values()}


def check_request():
    request = flask.request
    if body_too_large(request):
        return refuse(413, "request body too large")
    if request.method not in SAFE_METHODS:
        if is_cross_site(request):
            return refuse(403, "cross-site request refused")
        if request.path.startswith("/_dash-") and request.mimetype != "application/json":
            return refuse(415, "Dash endpoints take JSON only")
    if is_public(request):
        return None
    account = current_account()
    if account is None:
        if wants_json(request):
            return refuse(401, "sign in required")
        target = request.full_path if request.query_string else request.path
        return flask.redirect(f"/login?next={quote(target, safe='/')}", 302)
    if is_admin_path(request.path) and not account.is_admin:
        return refuse(403, "admins only") if wants_json(request) else forbidden_page()
    if request.method in SAFE_METHODS and is_unknown_page(request):
        return refuse(404, "no such page") if wants_json(request) else shell_page(404)
    return None


def scope_error(exc: ScopeError):
    return refuse(403, f"no data: {exc}")


def unknown_asset(_exc: DependencyException):
    """/_dash-component-suites/<package>/<path> for a package or file Dash does not serve
    (`..%2f..`, a made-up name): 404, not a 500 with a traceback in the log."""
    return refuse(404, "not found")


def no_store(response: flask.Response) -> flask.Response:
    """Data answers are per user: never kept by a shared cache or the browser's back button."""
    if flask.request.path.startswith("/_dash-") or response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(server: flask.Flask) -> None:
    server.config.setdefault(ADMIN_PREFIXES_CONFIG, [])
    server.before_request(check_request)
    server.register_error_handler(ScopeError, scope_error)
    server.register_error_handler(DependencyException, unknown_asset)
    server.after_request(no_store)
