"""The load test's scope check and the reference deployment's nginx file.

The load test (`python -m dashboard.bench.deploy`) runs for minutes and is not part of the
suite; what decides its verdict, the check of each answer against pandas, is tested here on
real answers of the app, and must catch another region's figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from dashboard.bench import deploy, http, load, usual
from dashboard.bench.states import State
from tests import auth_helpers

STATE = State("Q4 2025 plush", "2025-10-01", "2025-12-31", {"categories": ["Plush", "Dolls"]})


@pytest.fixture(scope="module")
def frame(sample_dir):
    return usual.load_frame(sample_dir)


def answer(app, login) -> bytes:
    client = auth_helpers.client_for(app, login)
    deps = client.get("/_dash-dependencies").get_json()
    response = client.post("/_dash-update-component",
                           json=http.payload(http.main_callback(deps), STATE),
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def test_a_managers_answer_passes_and_anothers_figures_are_caught(app, accounts, frame):
    north = accounts["manager"]
    content = answer(app, north)
    want = load.expected_bars(frame, STATE, ("North",))
    assert want and load.check_answer(content, want, ("North",)) == []
    # The analyst's answer (every region) judged as the North manager's: caught twice over.
    everyone = answer(app, accounts["analyst"])
    problems = load.check_answer(everyone, want, ("North",))
    assert any("heat map shows" in p for p in problems)
    assert any(p.startswith("bars[") for p in problems)


AMPERSAND = State("Q4 2025 crafts", "2025-10-01", "2025-12-31",
                  {"categories": ["Arts & Crafts", "Baby & Toddler"]})


def test_names_with_an_ampersand_are_compared_as_the_page_shows_them(app, accounts, frame):
    """Plotly gets 'Arts &amp; Crafts' (escaped, drawn as 'Arts & Crafts'); the check must not
    call that another member's number (the 14,154 false alarms of one run)."""
    client = auth_helpers.client_for(app, accounts["manager"])
    deps = client.get("/_dash-dependencies").get_json()
    content = client.post("/_dash-update-component",
                          json=http.payload(http.main_callback(deps), AMPERSAND),
                          headers={"Origin": "http://localhost"}).data
    assert b"Arts &amp; Crafts" in content
    want = load.expected_bars(frame, AMPERSAND, ("North",))
    assert "Arts & Crafts" in want and load.check_answer(content, want, ("North",)) == []


def test_the_load_test_refuses_other_hosts(frame):
    with pytest.raises(ValueError, match="loopback"):
        load.run_load("http://example.com", [], [STATE], frame, seconds=1)


def test_roster_mixes_roles_and_regions():
    people = deploy.roster(50)
    roles = {role for _, role, _ in people}
    assert roles == {"analyst", "manager"} and len(people) == 50
    assert {r for _, _, regions in people for r in regions} == set(deploy.REGIONS)


def test_nginx_accepts_the_deployment_file():
    """deploy/nginx.conf with two upstreams, checked by Debian's nginx itself (`nginx -t`)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("CI") == "true":
            raise FileNotFoundError("nginx is not installed (Debian package `nginx`)")
        pytest.skip("nginx is not installed: `python3 tasks.py test` installs it")
    with tempfile.TemporaryDirectory() as tmp:
        conf = deploy.nginx_config(Path(tmp), 18080, [18081, 18082])
        text = conf.read_text()
        assert "server 127.0.0.1:18081" in text and "server 127.0.0.1:18082" in text
        assert "web1:8000" not in text and "non_idempotent" in text
        result = subprocess.run([nginx, "-t", "-c", str(conf), "-p", tmp],
                                capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_load_table_breaks_errors_down_by_kind_and_time_from_the_kill():
    results = load.LoadResults(users=2, seconds=10.0, latencies_ms=[5.0, 7.0], killed_at=4.0)
    results.fail(4.5, "a", "HTTP 502")
    results.fail(5.0, "b", "HTTP 502")
    results.fail(9.9, "a", "HTTP 502")
    results.fail(1.0, "b", "TimeoutError", "timed out")
    table = results.table()
    assert "| errors | 4 |" in table
    assert ("| errors by kind | HTTP 502: 3 (2 within 5 s after the kill); TimeoutError: 1 "
            "(0 within 5 s after the kill) |") in table
    assert results.errors[-1] == "b: TimeoutError timed out"
