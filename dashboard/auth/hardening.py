"""Production settings that are refused when unsafe: secret key, debug, cookie flags, errors.

`configure` raises InsecureConfigError at start-up rather than letting a weak deployment serve.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

import flask
from werkzeug.exceptions import HTTPException

from dashboard import config

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32
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


def security_headers(response: flask.Response) -> flask.Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # SAMEORIGIN, not DENY: the Data page frames its own upload form; other sites still cannot.
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
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
    if production:
        server.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TESTING=False)
        server.register_error_handler(Exception, plain_error)
    server.after_request(security_headers)
