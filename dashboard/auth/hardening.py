"""Production settings that are refused when unsafe: secret key, debug, cookie flags, errors.

`configure` raises InsecureConfigError at start-up rather than letting a weak deployment serve.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

import flask
from werkzeug.exceptions import HTTPException
from zxcvbn import zxcvbn

from dashboard import config

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32
MIN_SECRET_GUESSES_LOG10 = 24  # about 80 bits; a random 32-character key scores 30 or more
KNOWN_SECRETS = frozenset({
    "", "secret", "secret-key", "secret_key", "secretkey", "changeme", "change-me", "change_me",
    "please-change-me", "dev", "development", "default", "test", "testing", "toypulse",
    "your-secret-key", "your_secret_key", "supersecret", "super-secret", "password",
    "not-a-secret", "insecure", "flask", "dash",
})


class InsecureConfigError(RuntimeError):
    """The app would run with a setting that is unsafe in production."""


def secret_key_problem(key: str) -> str | None:
    """Why this secret key is unfit for production, or None."""
    if not key:
        return "no secret key is set (DASHBOARD_SECRET_KEY)"
    if key.strip().lower() in KNOWN_SECRETS or "change" in key.lower():
        return "the secret key is a known default"
    if len(key) < MIN_SECRET_LENGTH:
        return f"the secret key is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(key)) < 10:
        return "the secret key is not random"
    guesses = zxcvbn(key[:72])["guesses_log10"]  # repeats, sequences, keyboard walks, words
    if guesses < MIN_SECRET_GUESSES_LOG10:
        return (f"the secret key is guessable (about 10^{guesses:.0f} guesses: repeats, "
                "sequences or words)")
    return None


def secret_key(production: bool) -> str:
    key = config.get("secret_key")
    if production:
        problem = secret_key_problem(key)
        if problem:
            raise InsecureConfigError(
                f"refusing to start in production: {problem}. Set DASHBOARD_SECRET_KEY to e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        return key
    if not key:
        log.warning("DASHBOARD_SECRET_KEY is not set: using a random key for this process "
                    "(sign-ins end when it restarts)")
        return secrets.token_urlsafe(48)
    return key


def secure_cookies(production: bool) -> bool:
    return {"1": True, "0": False}.get(config.get("secure_cookies").strip(), production)


def plain_error(exc: Exception):
    """Production: a short message, never a traceback (the log keeps the details)."""
    if isinstance(exc, HTTPException):
        return exc
    log.exception("unhandled error", exc_info=exc)
    return flask.jsonify(error="internal error"), 500


SCRIPT_HASHES = "toypulse_script_hashes"  # extension: Dash's app.csp_hashes
# Browser features the app never uses, turned off for it and anything it might embed.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "usb", "browsing-topics"))
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(script_hashes: list[str]) -> str:
    """Scripts only from this site or Dash's own inline scripts (by hash): no injected script
    runs. Styles may be inline (Plotly and React set them); frames only from this site."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def allow_dash_scripts(dash_app) -> None:
    """The CSP names the hashes of Dash's inline scripts (the renderer's start-up line and
    clientside callbacks), read at each answer: Dash gathers some only at its first request."""
    dash_app.server.extensions[SCRIPT_HASHES] = dash_app.csp_hashes


def security_headers(response: flask.Response) -> flask.Response:
    config_ = flask.current_app.config
    headers = response.headers
    hashes = flask.current_app.extensions.get(SCRIPT_HASHES)
    headers.setdefault("Content-Security-Policy",
                       content_security_policy(list(hashes()) if hashes else []))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # SAMEORIGIN, not DENY: the Data page frames its own upload form; other sites still cannot.
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if config_.get("TOYPULSE_PRODUCTION"):  # HTTPS only from now on (set where HTTPS is served)
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def configure(server: flask.Flask) -> None:
    try:
        production = config.is_production()
    except ValueError as exc:  # `prod` must not quietly run in development mode
        raise InsecureConfigError(f"refusing to start: {exc}") from exc
    if production and config.get("debug") == "1":
        raise InsecureConfigError("refusing to start in production with DASHBOARD_DEBUG=1")
    secure = secure_cookies(production)
    server.secret_key = secret_key(production)
    server.config.update(
        SESSION_COOKIE_NAME="toypulse_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # The cookie's own lifetime is the absolute one; idle expiry is checked on the server
        # (dashboard/auth/sessions.py), so the cookie is not re-sent with every answer.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=config.get_float("session_absolute_hours")),
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=3600,
    )
    server.config.update(
        TOYPULSE_PRODUCTION=production,
        # Every route refuses bodies over REQUEST_MAX_MB (413); the upload route raises its own
        # limit per request (dashboard/auth/guard.py, dashboard/pages/data_routes.py).
        MAX_CONTENT_LENGTH=int(config.get_float("request_max_mb") * 1024 * 1024),
    )
    if production:
        server.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TESTING=False)
        server.register_error_handler(Exception, plain_error)
    server.after_request(security_headers)
