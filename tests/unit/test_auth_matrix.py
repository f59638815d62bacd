"""Role x endpoint matrix: anonymous, admin, analyst and a North manager against every route.

A second test walks the server's whole URL map, so a route added later (an upload, an export)
is either public on purpose (listed here) or answers anonymous requests with 401/redirect.
"""

from __future__ import annotations

import re

import pytest

from tests import dash_payloads as dp

ROLES = ("anonymous", "admin", "analyst", "manager", "store_manager")
SIGNED_IN = {"admin": 200, "analyst": 200, "manager": 200, "store_manager": 200}
ADMIN_ONLY = {"admin": 200, "analyst": 403, "manager": 403, "store_manager": 403}
NOT_FOUND = {"admin": 404, "analyst": 404, "manager": 404, "store_manager": 404}
PUBLIC = {"anonymous": 200, "admin": 200, "analyst": 200, "manager": 200, "store_manager": 200}
REDIRECTED = {"admin": 303, "analyst": 303, "manager": 303, "store_manager": 303}

# name -> (how to call it, expected status per role); anonymous pages redirect, XHR gets 401
MATRIX = {
    "GET / (Overview page)": ("page:/", {"anonymous": 302, **SIGNED_IN}),
    "GET /story (Story page)": ("page:/story", {"anonymous": 302, **SIGNED_IN}),
    "POST /_dash-update-component: Story scene": ("dash:story-scene",
                                                  {"anonymous": 401, **SIGNED_IN}),
    "GET /admin (Admin page)": ("page:/admin", {"anonymous": 302, **ADMIN_ONLY}),
    "GET /admin/users (below Admin)": ("page:/admin/users", {"anonymous": 302, **ADMIN_ONLY,
                                                             "admin": 404}),
    "GET /no-such-page (Dash catch-all)": ("page:/no-such-page", {"anonymous": 302,
                                                                   **NOT_FOUND}),
    "GET /_dash-layout": ("get:/_dash-layout", {"anonymous": 401, **SIGNED_IN}),
    "GET /_dash-dependencies": ("get:/_dash-dependencies", {"anonymous": 401, **SIGNED_IN}),
    "GET /_reload-hash": ("get:/_reload-hash", {"anonymous": 401, **SIGNED_IN}),
    "POST /_dash-update-component: Overview figures": ("dash:overview",
                                                       {"anonymous": 401, **SIGNED_IN}),
    "POST /_dash-update-component: Overview interactions": ("dash:interact",
                                                            {"anonymous": 401, **SIGNED_IN}),
    "POST /_dash-update-component: page router /": ("dash:route:/",
                                                    {"anonymous": 401, **SIGNED_IN}),
    # non-admins get the in-shell "for admins" card (no admin data), checked word by word below
    "POST /_dash-update-component: page router /admin": ("dash:route:/admin",
                                                         {"anonymous": 401, **SIGNED_IN}),
    "POST /_dash-update-component: Admin user list": ("dash:admin-refresh",
                                                      {"anonymous": 401, **ADMIN_ONLY}),
    "POST /_dash-update-component: Admin pick user": ("dash:admin-pick",
                                                      {"anonymous": 401, **ADMIN_ONLY}),
    "GET /login": ("get:/login", {"anonymous": 200, **REDIRECTED}),
    "POST /logout": ("logout", {"anonymous": 401, **REDIRECTED}),
    "GET /inventory (Inventory page)": ("page:/inventory", {"anonymous": 302, **SIGNED_IN}),
    "GET /inventory/alerts.csv": ("get:/inventory/alerts.csv", {"anonymous": 302,
                                                                 **SIGNED_IN}),
    "GET /inventory/po.csv?store=unknown": ("get:/inventory/po.csv?store=no-such",
                                            {"anonymous": 302, **NOT_FOUND}),
    "GET /inventory/po.pdf?store=unknown": ("get:/inventory/po.pdf?store=no-such",
                                            {"anonymous": 302, **NOT_FOUND}),
    # without a CSRF token: back to the page with the 'expired' notice, nothing recorded
    "POST /inventory/move (no token)": ("post:/inventory/move", {"anonymous": 401,
                                                                 **REDIRECTED}),
    "GET /print/inventory": ("get:/print/inventory", {"anonymous": 302, **SIGNED_IN}),
    "GET /assets/00-bootstrap.min.css": ("get:/assets/00-bootstrap.min.css", PUBLIC),
    "GET /_dash-component-suites/... (renderer)": ("suite", PUBLIC),
    "GET /_favicon.ico": ("get:/_favicon.ico", PUBLIC),
}

DASH_CALLS = {
    "overview": (dp.OVERVIEW, dp.overview_values(), ["ov-f-regions.value"]),
    "interact": ("ov-highlight.data", {"ov-clear-highlight.n_clicks": 1},
                 ["ov-clear-highlight.n_clicks"]),
    "story-scene": ("story-graph.figure", {"story-index.data": 3}, ["story-index.data"]),
    "route:/": (dp.PAGES, {"_pages_location.pathname": "/"}, ["_pages_location.pathname"]),
    "route:/admin": (dp.PAGES, {"_pages_location.pathname": "/admin"},
                     ["_pages_location.pathname"]),
    "admin-refresh": ("adm-users.children", {"adm-version.data": 1}, ["adm-version.data"]),
    "admin-pick": ("adm-role.value", {"adm-user.value": "t-analyst"}, ["adm-user.value"]),
}


@pytest.fixture(scope="module")
def dependencies(app, accounts):
    from tests.auth_helpers import client_for

    admin = client_for(app, accounts["admin"])
    index = admin.get("/").get_data(as_text=True)
    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', index).group(1)
    return admin, suite


def call(client, how: str, dependencies):
    admin, suite = dependencies
    if how.startswith("page:"):
        return client.get(how[5:], headers={"Accept": "text/html"})
    if how.startswith("get:"):
        return client.get(how[4:])
    if how.startswith("post:"):
        return client.post(how[5:], data={"kind": "receive", "qty": "1"})
    if how == "suite":
        return client.get(suite)
    if how == "logout":
        from tests.auth_helpers import csrf_token

        form = client.get("/login")  # the form for anonymous; signed-in users are sent on
        token = (csrf_token(form.get_data(as_text=True)) if form.status_code == 200
                 else dp.sign_out_token(client))
        return client.post("/logout", data={"csrf_token": token})
    output, values, changed = DASH_CALLS[how[5:]]
    return dp.post(client, dp.payload(dp.dependency(admin, output), values, changed))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_role_endpoint_matrix(app, client_as, dependencies, role, name):
    client = app.server.test_client() if role == "anonymous" else client_as(role)
    how, expected = MATRIX[name]
    response = call(client, how, dependencies)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    body = response.get_data()
    if expected[role] in (401, 403):
        # no figure data, no region, no user name (a 403 page is the app's empty shell, whose
        # inline clientside code may mention the word figure)
        assert b'"figure":' not in body and b"North" not in body and b"t-admin" not in body
    if role == "anonymous" and expected[role] == 302:
        assert response.headers["Location"].startswith("/login?next=")


def test_signed_out_after_logout(client_as):
    client = client_as("analyst")
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout", data={"csrf_token": dp.sign_out_token(client)}).status_code \
        == 303
    assert client.get("/_dash-layout").status_code == 401


EXPECTED_PUBLIC_RULES = {
    "/assets/<path:filename>", "/static/<path:filename>", "/_favicon.ico", "/login",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
}


def _sample_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: f"x-{m.group(1)}", rule)


def test_every_route_needs_a_session_unless_listed_public(app):
    """Default deny over the real URL map, every method each rule accepts."""
    client = app.server.test_client()
    public = set()
    for rule in app.server.url_map.iter_rules():
        path = _sample_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = {"json": {}} if method == "POST" else {}
            response = client.open(path, method=method, **kwargs)
            if response.status_code in (401, 302):
                if response.status_code == 302:
                    assert response.headers["Location"].startswith("/login")
                continue
            public.add(rule.rule)
    assert public == EXPECTED_PUBLIC_RULES


def test_layout_shows_admin_link_to_admins_only(client_as):
    assert "/admin" in dp.layout_props(client_as("admin"), "href")
    for role in ("analyst", "manager"):
        hrefs = dp.layout_props(client_as(role), "href")
        assert "/" in hrefs and "/admin" not in hrefs


@pytest.mark.parametrize("path", ["/data", "/admin"])
@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_non_admin_opening_an_admin_page_gets_a_403_inside_the_shell(client_as, role, path):
    client = client_as(role)
    response = client.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert 'id="react-entry-point"' in response.get_data(as_text=True)  # the app shell
    area = dp.page_area(client, path)
    words = dp.texts(area)
    assert "This page is for admins" in words and "You need the admin role" in words
    assert "/" in [props.get("href") for _t, props in dp.components(area)]
    ids = [str(props.get("id")) for _t, props in dp.components(area)]
    assert not any(i.startswith(("data-", "adm-")) for i in ids), ids
    assert "upload" not in words.lower() and "Versions" not in words
    api = client_as(role).get(path, headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.get_json() == {"error": "admins only"}


@pytest.mark.parametrize("role", ["admin", "analyst", "manager"])
def test_an_unknown_address_gets_a_404_inside_the_shell(client_as, role):
    client = client_as(role)
    response = client.get("/no/such/page", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404 and 'id="react-entry-point"' in response.get_data(
        as_text=True)
    words = dp.texts(dp.page_area(client, "/no/such/page"))
    assert "Page not found" in words and "Back to the Overview" in words
    assert client.get("/data/").status_code == (200 if role == "admin" else 403)
    assert client.get("/").status_code == 200
    api = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.get_json() == {"error": "no such page"}


def test_the_404_page_is_not_in_the_top_bar(client_as):
    assert "/404" not in dp.layout_props(client_as("admin"), "href")
