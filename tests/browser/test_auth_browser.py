"""Sign-in in headless Chromium: a North manager sees North only, in options, tiles and charts.

The test also records the callback requests real Chromium sends, checks the unit tests' payload
builder makes the same shape, and replays a captured request with the region forged.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from dashboard.figures.theme import format_number
from tests import dash_payloads as dp
from tests import reference as ref
from tests.auth_helpers import browser_sign_in, client_for, start_app


class RequestRecorder:
    """WSGI middleware keeping the JSON bodies of /_dash-update-component requests."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.bodies = wsgi_app, []

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_dash-update-component":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.bodies.append(json.loads(body))
            environ["wsgi.input"] = io.BytesIO(body)
        return self.wsgi_app(environ, start_response)


def test_manager_signs_in_and_sees_only_their_region(dash_duo, app, raw, sample_dir,
                                                     accounts):
    recorder = RequestRecorder(app.server.wsgi_app)
    app.server.wsgi_app = recorder
    try:
        browser_sign_in(dash_duo, app, accounts["manager"])
        dash_duo.wait_for_text_to_equal("#ov-summary", "North (your regions), 2025", timeout=20)
    finally:
        app.server.wsgi_app = recorder.wsgi_app

    north = ref.select(raw, dt.date(2025, 1, 1), dt.date(2025, 12, 31), regions=("North",))
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value",
                                    format_number(north["revenue"].sum(), "currency"))
    assert dash_duo.find_element("#shell-user-name").text == "Test North Manager"
    nav = [a.text for a in dash_duo.find_elements("header .nav-link")]
    # no Data or Admin link for a manager
    assert nav == ["Overview", "Profit & loss", "Team", "Customers", "Forecast", "Inventory",
                   "Story", "Views", "Reports by mail"]

    dash_duo.wait_for_element("#ov-heatmap .heatmaplayer")
    heat_rows = dash_duo.driver.execute_script(
        "return document.querySelector('#ov-heatmap .js-plotly-plot').data[0].y;")
    # A one-region manager lands on that region broken down by state (the drill-down).
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    states = set(stores.loc[stores["store_id"].isin(north["store_id"]), "state"])
    assert set(heat_rows) == states

    dash_duo.find_element("#ov-f-regions").click()
    dash_duo.wait_for_element("[role=option]")
    # the one region offered, with its line count in the manager's default range (pandas)
    lines_2025 = len(north)
    assert [o.text for o in dash_duo.find_elements("[role=option]")] == [
        f"North ({lines_2025:,})"]
    dash_duo.find_element("body").send_keys("\ue00c")  # Escape closes the list

    # The request Chromium sent for the Overview has the shape the unit tests build...
    captured = next(b for b in recorder.bodies if dp.OVERVIEW in b["output"])
    client = client_for(app, accounts["manager"])
    built = dp.payload(dp.dependency(client, dp.OVERVIEW), dp.overview_values())
    assert captured["output"] == built["output"] and captured["outputs"] == built["outputs"]
    assert [(i["id"], i["property"]) for i in captured["inputs"]] == \
        [(i["id"], i["property"]) for i in built["inputs"]]
    assert set(captured) >= {"output", "outputs", "inputs", "changedPropIds"}
    # ...and replayed with the region forged to South it brings back no South row.
    for item in captured["inputs"]:
        if item["id"] == "ov-f-regions":
            item["value"] = ["South", "North"]
    out = dp.outputs(dp.post(client, captured))
    assert dp.heatmap_regions(out) == states  # the captured drill store: North by state
    assert dp.category_revenue(out) == pytest.approx(north["revenue"].sum())

    dash_duo.find_element("#shell-sign-out").click()
    dash_duo.wait_for_element("#login-form")
    assert dash_duo.get_logs() == []


def test_wrong_password_shows_a_message_and_no_data(dash_duo, app, accounts):
    start_app(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/")  # anonymous: sent to the sign-in page
    dash_duo.wait_for_element("#login-form")
    assert "/login?next=/" in dash_duo.driver.current_url
    dash_duo.find_element("#username").send_keys(accounts["analyst"].username)
    dash_duo.find_element("#password").send_keys("not-the-password")
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_text_to_equal("#login-message", "Wrong user name or password.")
    assert dash_duo.driver.find_elements("css selector", "#react-entry-point") == []
    # The failed sign-in answers 401 on purpose (proxies and log watchers can count them);
    # Chromium logs that status, and nothing else may appear.
    expected = "/login - Failed to load resource: the server responded with a status of 401"
    assert [log for log in dash_duo.get_logs() if expected not in log["message"]] == []


def test_admin_creates_a_manager_on_the_admin_page(dash_duo, app, accounts):
    from dashboard.auth import db, users

    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.find_element("header a[href='/admin']").click()
    dash_duo.wait_for_element("#adm-users-table", timeout=20)
    dash_duo.find_element("#adm-new-username").send_keys("t-browser-made")
    dash_duo.find_element("#adm-new-display").send_keys("<b>Not bold</b>")
    dash_duo.find_element("#adm-new-regions").click()
    dash_duo.wait_for_element("[role=option]")
    next(o for o in dash_duo.find_elements("[role=option]") if o.text == "West").click()
    dash_duo.find_element("body").send_keys("\ue00c")
    dash_duo.find_element("#adm-create").click()
    dash_duo.wait_for_element("#adm-new-password", timeout=20)
    secret = dash_duo.find_element("#adm-new-password").text
    dash_duo.wait_for_contains_text("#adm-users-table", "t-browser-made")
    assert "<b>Not bold</b>" in dash_duo.find_element("#adm-users-table").text  # shown as text
    account = users.by_username(app.server.extensions[db.EXTENSION], "t-browser-made")
    assert account.role == "manager" and account.regions == ("West",)
    assert users.authenticate(app.server.extensions[db.EXTENSION], "t-browser-made", secret)
    assert dash_duo.get_logs() == []


def test_an_ended_session_sends_the_page_to_sign_in(dash_duo, app):
    from dashboard.auth import db, passwords, users
    from tests.auth_helpers import Login

    database = app.server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    users.create(database, "t-ending", secret, "analyst", actor="tests")
    browser_sign_in(dash_duo, app, Login("t-ending", secret, "analyst", ()))
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025", timeout=20)
    users.set_active(database, "t-ending", False, "tests")  # ends every session of t-ending
    units = next(x for x in dash_duo.find_elements("#ov-measure label") if x.text == "Units")
    units.click()  # any callback now gets 401
    dash_duo.wait_for_text_to_equal("#login-message", "Your session ended. Please sign in again.",
                                    timeout=20)
    assert "next=%2F" in dash_duo.driver.current_url
    logs = dash_duo.get_logs()
    assert [log for log in logs if "/_dash-update-component" not in log["message"]
            or "status of 401" not in log["message"]] == []


@pytest.mark.parametrize("width", [1440, 390])
def test_403_and_404_are_pages_inside_the_shell(dash_duo, app, accounts, width):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.set_window_size(width, 900)
    for path, element, words in (("/data", "#page-forbidden", "This page is for admins"),
                                 ("/no/such/page", "#page-not-found", "Page not found")):
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_contains_text(element, words, timeout=20)
        assert dash_duo.find_element("#shell-user-name").text  # the top bar is still there
        back = dash_duo.find_element(f"{element} a[href='/']")
        assert back.text == "Back to the Overview"
        assert dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth") <= width
        dash_duo.driver.save_screenshot(f"/tmp/shell-{element[6:]}-{width}.png")
    back.click()
    dash_duo.wait_for_element("#ov-summary", timeout=20)
    # the browser notes the two error statuses themselves; nothing else may be logged
    logs = [entry["message"] for entry in dash_duo.get_logs()]
    assert all("status of 403" in m or "status of 404" in m for m in logs), logs
