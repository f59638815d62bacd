"""Cache isolation: the scope is in every cache key, and it is read from the app database on
every request, so a changed assignment applies at once and a shared cache never leaks.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.auth import db, passwords, users
from dashboard.queries.filters import Scope
from tests import dash_payloads as dp
from tests import reference as ref
from tests.auth_helpers import Login, client_for

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def database(app):
    return app.server.extensions[db.EXTENSION]


@pytest.fixture
def services(app):
    return app.server.extensions["toypulse"]


def make_manager(database, username: str, regions, display_name: str = "") -> Login:
    secret = passwords.generate_password()
    if users.by_username(database, username) is None:
        users.create(database, username, secret, "manager", regions, display_name, "tests")
    else:
        users.set_password(database, username, secret, "tests")
        users.set_regions(database, username, regions, "tests")
    return Login(username, secret, "manager", tuple(regions))


def overview(client) -> dict:
    dep = dp.dependency(client, dp.OVERVIEW)
    response = dp.post(client, dp.payload(dep, dp.overview_values(), ["ov-f-regions.value"]))
    assert response.status_code == 200
    return dp.outputs(response)


def revenue(raw, *regions) -> float:
    return ref.select(raw, *YEAR, regions=regions)["revenue"].sum()


def test_same_filters_different_scopes_never_share_a_result(client_as, services, raw):
    services.cache.clear()
    north, south = client_as("manager"), client_as("manager_south")
    first = overview(north)  # fills the cache for North's scope
    second = overview(south)  # identical request body, other scope
    assert dp.heatmap_regions(first) == {"North"}
    assert dp.heatmap_regions(second) == {"South"}
    assert dp.category_revenue(first) == pytest.approx(revenue(raw, "North"))
    assert dp.category_revenue(second) == pytest.approx(revenue(raw, "South"))
    # and the analyst, same filters again, gets every region rather than a manager's entry
    everyone = overview(client_as("analyst"))
    assert dp.heatmap_regions(everyone) == set(raw["region"].unique())


def test_cache_key_holds_the_scope(app, services):
    """Services.cached: equal keys with different scopes are computed separately."""
    calls = []
    with app.server.test_request_context("/"):
        for scope in (Scope(("North",)), Scope(("South",)), Scope(("North",)),
                      Scope.everything()):
            services.cached("isolation-probe", scope, ("same",),
                            lambda s=scope: calls.append(s.key()) or s.key())
    assert calls == ["North", "South", "*"]


def test_reassigned_region_applies_on_the_next_sign_in(app, database, services, raw):
    """A change of regions or role ends the user's sessions; the next sign-in sees the new scope
    (never cached figures of the old one)."""
    services.cache.clear()
    login = make_manager(database, "t-moving", ["North"])
    client = client_for(app, login)
    assert dp.heatmap_regions(overview(client)) == {"North"}

    users.set_regions(database, "t-moving", ["West"], "tests")
    assert client.get("/_dash-layout").status_code == 401  # the old session has ended
    client = client_for(app, login)
    out = overview(client)
    assert dp.heatmap_regions(out) == {"West"}
    assert dp.category_revenue(out) == pytest.approx(revenue(raw, "West"))

    users.set_regions(database, "t-moving", [], "tests")  # nothing assigned: fail closed
    client = client_for(app, login)
    dep = dp.dependency(client, dp.OVERVIEW)
    refused = dp.post(client, dp.payload(dep, dp.overview_values(), ["ov-f-regions.value"]))
    assert refused.status_code == 403

    users.set_role(database, "t-moving", "analyst", "tests")
    client = client_for(app, login)
    assert dp.heatmap_regions(overview(client)) == set(raw["region"].unique())

    users.set_active(database, "t-moving", False, "tests")  # deactivated: the session ends
    assert client.get("/_dash-layout").status_code == 401


def test_same_display_name_does_not_share_results(app, database, services, raw):
    services.cache.clear()
    sam_north = make_manager(database, "t-sam-1", ["North"], "Sam Lee")
    sam_east = make_manager(database, "t-sam-2", ["East"], "Sam Lee")
    first = overview(client_for(app, sam_north))
    second = overview(client_for(app, sam_east))
    assert dp.heatmap_regions(first) == {"North"}
    assert dp.heatmap_regions(second) == {"East"}
    assert dp.category_revenue(second) == pytest.approx(revenue(raw, "East"))


def test_filter_options_come_from_the_scope(app, client_as, raw):
    """The page router renders the filter bar: a manager's region options are theirs only."""
    for role, expected in (("manager", ["North"]), ("manager_south", ["South"]),
                           ("analyst", sorted(raw["region"].unique()))):
        client = client_as(role)
        dep = dp.dependency(client, dp.PAGES)
        body = dp.payload(dep, {"_pages_location.pathname": "/", "_pages_location.search": ""},
                          ["_pages_location.pathname"])
        page = client.post("/_dash-update-component", json=body).get_json()
        regions = next(props["options"] for _t, props in dp.components(page)
                       if props.get("id") == "ov-f-regions")
        assert regions == expected, role
