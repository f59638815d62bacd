"""Reports by mail in the browser: a regional manager opens it from the top bar, finds the daily
sales report off and switches it on; the page then says so and the app database agrees, with no
serious or critical axe-core violation."""

from __future__ import annotations

from dashboard.auth import db, users
from dashboard.report import subscriptions
from tests.auth_helpers import browser_sign_in
from tests.browser import axe


def test_manager_switches_daily_report_on(dash_duo, app, accounts):
    login = accounts["manager_south"]
    database = app.server.extensions[db.EXTENSION]
    account = users.by_username(database, login.username)
    subscriptions.ensure_default(database, account)
    for sub in subscriptions.for_user(database, account.id):  # whatever other tests left
        subscriptions.set_active(database, account.id, sub.id, False)
    browser_sign_in(dash_duo, app, login)
    dash_duo.wait_for_element("a.nav-link[href='/subscriptions']").click()
    dash_duo.wait_for_text_to_equal("h1", "Reports by mail", timeout=20)
    default, = subscriptions.for_user(database, account.id)
    cells = dash_duo.driver.find_elements("css selector", f"#sub-row-{default.id} td")
    assert [c.text for c in cells] == ["Daily sales report", "Overview", "Daily", "Off",
                                       "not yet", "Switch on"]
    assert "(South)" in dash_duo.find_element("main p").text  # made within their scope
    dash_duo.find_element(f"#sub-switch-{default.id}").click()
    dash_duo.wait_for_text_to_equal(f"#sub-state-{default.id}", "On", timeout=20)
    assert dash_duo.find_element("#sub-notice").text.startswith("Switched on")
    assert dash_duo.find_element(f"#sub-switch-{default.id}").text == "Switch off"
    assert dash_duo.driver.current_url.endswith("/subscriptions?notice=on")
    assert [s.active for s in subscriptions.for_user(database, account.id)] == [True]
    found = axe.blocking(dash_duo.driver)
    assert found == [], axe.describe(found)
    subscriptions.set_active(database, account.id, default.id, False)
    assert dash_duo.get_logs() == []
