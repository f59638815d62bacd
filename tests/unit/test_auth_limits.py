"""Headers and limits: CSP (with Dash's inline scripts by hash), HSTS and Permissions-Policy in
production, the body-size limit on every route, 404 for bad asset paths, the secret key's
strength and DASHBOARD_ENV values."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import secrets

import pytest

from dashboard.auth import hardening
from tests import dash_payloads as dp
from tests.auth_helpers import bare_instance

STRONG_KEY = "k7Qw2-xZ9pLmT4vB8nR1sYc6HfJ0dGa3eUoKi5WqX"
MB = 1024 * 1024


@pytest.fixture
def production(tmp_path, monkeypatch):
    for name in ("debug", "secure_cookies", "redis_url", "trusted_proxies"):
        monkeypatch.delenv(f"DASHBOARD_{name.upper()}", raising=False)
    monkeypatch.setenv("DASHBOARD_ENV", "production")
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", STRONG_KEY)
    return bare_instance("production", f"sqlite:///{tmp_path / 'app.db'}")


# ---- Headers -------------------------------------------------------------------------------


def test_a_production_response_carries_the_security_headers(production):
    response = production.test_client().get("/login")
    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp and "'unsafe-eval'" not in csp
    assert re.search(r"script-src 'self'(;| 'sha)", csp)  # no 'unsafe-inline' for scripts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_development_sends_no_hsts(app):
    response = app.server.test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert "Content-Security-Policy" in response.headers  # the CSP is tried in development too


def inline_script_hashes(html: str) -> set[str]:
    """Hashes of the page's inline scripts that a browser would run (not JSON data blocks)."""
    found = set()
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # e.g. Dash's <!--[if IE]> warning
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "src=" in attrs or "application/json" in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        found.add(f"'sha256-{digest}'")
    return found


def test_every_inline_script_of_the_page_is_allowed_by_hash(client_as):
    response = client_as("analyst").get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    scripts = inline_script_hashes(response.get_data(as_text=True))
    assert scripts  # Dash starts its renderer with one
    allowed = response.headers["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0]
    assert scripts <= set(allowed.split())


# ---- Body size -------------------------------------------------------------------------------


def test_a_50_mb_callback_body_is_refused_signed_in_or_not(app, client_as):
    body = b'{"output": "' + b"x" * (50 * MB) + b'"}'
    for client in (client_as("analyst"), app.server.test_client()):
        response = client.post("/_dash-update-component", data=body,
                               content_type="application/json")
        assert response.status_code == 413
        assert b"figure" not in response.get_data()
    assert client_as("analyst").post("/login", data={"username": "x" * (3 * MB)}).status_code \
        == 413


def test_a_callback_body_under_the_limit_is_served(client_as):
    client = client_as("analyst")
    body = dp.payload(dp.dependency(client, dp.OVERVIEW), dp.overview_values(),
                      ["ov-f-regions.value"])
    assert dp.post(client, body).status_code == 200


def test_uploads_keep_their_own_larger_limit(client_as):
    """3 MB is over the app-wide 2 MB but under the import limit: the upload route reads the
    body (here a part under another field name, so it answers at once: no file chosen)."""
    admin = client_as("admin")
    part = io.BytesIO(b"region,city\n" + b"North,Springfield\n" * (3 * MB // 18))
    response = admin.post("/data/upload", data={"other": (part, "big.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Choose+at+least+one+file" in response.headers["Location"]


# ---- Asset paths -----------------------------------------------------------------------------


BAD_ASSETS = ["/_dash-component-suites/dash/..%2f..",
              "/_dash-component-suites/dash/..%2f..%2fpyproject.toml",
              "/_dash-component-suites/dash/no-such-file.js",
              "/_dash-component-suites/no_such_package/x.js"]


@pytest.mark.parametrize("path", BAD_ASSETS)
def test_bad_asset_paths_answer_404_without_a_traceback(app, client_as, caplog, path):
    caplog.set_level(logging.INFO)
    for client in (app.server.test_client(), client_as("analyst")):
        response = client.get(path)
        assert response.status_code == 404
        assert b"Traceback" not in response.get_data()
        assert b"registered" not in response.get_data()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text


def test_real_asset_paths_are_still_served(app):
    client = app.server.test_client()
    index = client.get("/login").get_data(as_text=True)
    assert "/assets/00-bootstrap.min.css" in index
    layout_page = client.get("/_dash-component-suites/plotly/package_data/plotly.min.js")
    assert layout_page.status_code == 200


# ---- Secret key and environment ------------------------------------------------------------


@pytest.mark.parametrize("key", ["abcdefghij" * 4, "0123456789" * 4,
                                 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
                                 "Password1Password1Password1Password1!?#", "qwertyuiop" * 4])
def test_patterned_keys_are_refused(key):
    assert len(key) >= 32 and len(set(key)) >= 10  # the old rules let these through
    assert "guessable" in hardening.secret_key_problem(key)


def test_random_keys_pass():
    keys = [secrets.token_urlsafe(24) for _ in range(40)] + [secrets.token_hex(16)
                                                              for _ in range(40)]
    assert [k for k in keys if hardening.secret_key_problem(k)] == []


@pytest.mark.parametrize("env", ["prod", "Production1", "staging", "dev", "live"])
def test_unknown_environments_are_refused(tmp_path, monkeypatch, env):
    """The defect: DASHBOARD_ENV=prod silently ran in development mode."""
    monkeypatch.setenv("DASHBOARD_ENV", env)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", STRONG_KEY)
    with pytest.raises(hardening.InsecureConfigError, match="DASHBOARD_ENV"):
        bare_instance("typo", f"sqlite:///{tmp_path / 'app.db'}")


@pytest.mark.parametrize("env", ["production", "Production", " development "])
def test_the_two_environments_are_accepted(tmp_path, monkeypatch, env):
    monkeypatch.setenv("DASHBOARD_ENV", env)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", STRONG_KEY)
    server = bare_instance("ok", f"sqlite:///{tmp_path / 'app.db'}")
    assert server.config["TOYPULSE_PRODUCTION"] is (env.strip().lower() == "production")
