"""Reports by mail (/subscriptions): a manager finds their default daily report off and switches
it on through the page's own form; the posts need the CSRF token, a session and the same site,
and change only the signed-in account's subscriptions."""

from __future__ import annotations

from dashboard.auth import db, users
from dashboard.report import subscriptions
from tests import dash_payloads as dp


def forms(area) -> dict[str, dict]:
    """Each form on the page by its action: its hidden and named field values."""
    out = {}
    for kind, props in dp.components(area):
        if kind == "Form":
            out[props["action"]] = {p["name"]: p.get("value") for _t, p in
                                    dp.components(props.get("children")) if p.get("name")}
    return out


def mine(app, login) -> list[subscriptions.Subscription]:
    database = app.server.extensions[db.EXTENSION]
    return subscriptions.for_user(database, users.by_username(database, login.username).id)


def test_manager_switches_the_daily_report_on(app, accounts, client_as):
    north = client_as("manager")
    area = dp.page_area(north, "/subscriptions")
    text = dp.texts(area)
    assert "Daily sales report" in text and "Off" in text and "Switch on" in text
    assert "Reports by mail" in dp.texts(north.get("/_dash-layout").get_json())  # in the top bar
    default, = mine(app, accounts["manager"])
    assert (default.name, default.page, default.cadence, default.active) == (
        "Daily sales report", "overview", "daily", False)
    action = f"/subscriptions/{default.id}/switch"
    form = forms(area)[action]
    assert form["active"] == "1"

    refused = north.post(action, data={"active": "1"})  # no token
    assert refused.headers["Location"].endswith("?notice=expired")
    cross = north.post(action, data=form, headers={"Origin": "http://evil.test"})
    assert cross.status_code == 403
    south = client_as("manager_south")  # a token of their own, another user's subscription
    south_token = forms(dp.page_area(south, "/subscriptions"))["/subscriptions/email"]
    assert south.post(action, data={**south_token, "active": "1"}).headers[
        "Location"].endswith("?notice=missing")
    anonymous = app.server.test_client().post(action, data=form)
    assert anonymous.status_code == 401
    assert [s.active for s in mine(app, accounts["manager"])] == [False]

    done = north.post(action, data=form)
    assert done.status_code == 303 and done.headers["Location"] == "/subscriptions?notice=on"
    assert [s.active for s in mine(app, accounts["manager"])] == [True]
    after = dp.page_area(north, "/subscriptions", "?notice=on")
    assert "Switched on" in dp.texts(after) and "Switch off" in dp.texts(after)
    off = forms(after)[action]
    assert off["active"] == "0"
    assert north.post(action, data=off).headers["Location"].endswith("?notice=off")
    assert [s.active for s in mine(app, accounts["manager"])] == [False]


def test_analyst_adds_a_weekly_story_and_an_address(app, accounts, client_as):
    analyst = client_as("analyst")
    area = dp.page_area(analyst, "/subscriptions")
    assert mine(app, accounts["analyst"]) == []  # no default for an analyst
    token = forms(area)["/subscriptions/add"]["csrf_token"]
    bad = analyst.post("/subscriptions/add", data={"csrf_token": token, "name": "x",
                                                   "what": "overview", "cadence": "hourly"})
    assert bad.headers["Location"].endswith("?notice=invalid")
    added = analyst.post("/subscriptions/add", data={
        "csrf_token": token, "name": "Monday story", "what": "story", "cadence": "weekly",
        "view": "http://127.0.0.1:8050/story?scene=3"})  # a pasted address: its query kept
    assert added.headers["Location"].endswith("?notice=added")
    sub, = mine(app, accounts["analyst"])
    assert (sub.name, sub.story, sub.page, sub.view, sub.cadence, sub.active) == (
        "Monday story", "default", "", "scene=3", "weekly", True)
    assert "Monday story" in dp.texts(dp.page_area(analyst, "/subscriptions"))
    email = analyst.post("/subscriptions/email", data={"csrf_token": token,
                                                       "email": "x\r\nBcc: y@z.test"})
    assert email.headers["Location"].endswith("?notice=bad-email")
    analyst.post("/subscriptions/email", data={"csrf_token": token, "email": "ana@shop.test"})
    database = app.server.extensions[db.EXTENSION]
    assert users.by_username(database, accounts["analyst"].username).email == "ana@shop.test"
    assert analyst.post(f"/subscriptions/{sub.id}/remove", data={"csrf_token": token}).headers[
        "Location"].endswith("?notice=removed")
    assert mine(app, accounts["analyst"]) == []
    users.set_email(database, accounts["analyst"].username, "")


def test_admin_sets_an_address_on_the_admin_page(app, accounts, client_as):
    admin = client_as("admin")
    database = app.server.extensions[db.EXTENSION]
    south = accounts["manager_south"].username

    def save(email):
        dep = dp.dependency(admin, "adm-message.children")
        values = {"adm-save.n_clicks": 1, "adm-user.value": south, "adm-role.value": "manager",
                  "adm-regions.value": ["South"], "adm-active.value": ["on"],
                  "adm-email.value": email}
        response = dp.post(admin, dp.payload(dep, values, ["adm-save.n_clicks"]))
        assert response.status_code == 200
        return dp.texts(response.get_json())

    assert "Saved" in save("south@shop.test")
    assert users.by_username(database, south).email == "south@shop.test"
    assert "not an email address" in save("south@shop.test, boss@else.test")
    assert users.by_username(database, south).email == "south@shop.test"  # unchanged
    picked = dp.post(admin, dp.payload(dp.dependency(admin, "adm-email.value"),
                                       {"adm-user.value": south}, ["adm-user.value"]))
    assert "south@shop.test" in picked.get_data(as_text=True)
    listing = dp.post(admin, dp.payload(dp.dependency(admin, "adm-users.children"),
                                        {"adm-version.data": 9}, ["adm-version.data"]))
    assert "south@shop.test" in listing.get_data(as_text=True)
    assert "Saved" in save("")
    assert users.by_username(database, south).email == ""
