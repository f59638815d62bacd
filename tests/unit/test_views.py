"""Saved views: versions, diffs in words, restore, who may see what, forged ids, and a shared
view's data seen through the viewer's own scope (numbers checked against pandas on the raw
rows)."""

from __future__ import annotations

import json
import uuid

import pandas as pd
import pytest

from dashboard.auth import db, passwords, users
from dashboard.pages.overview_report import page_report
from dashboard.queries.filters import Scope
from dashboard.views import diff, store
from tests import auth_helpers
from tests import dash_payloads as dp
from tests.unit.test_report_exports import leaks, not_north, places, report  # noqa: F401

Q4 = "start=2025-10-01&end=2025-12-31"


@pytest.fixture
def local_db(tmp_path):
    """A fresh app database with one account per role (store tests need no web app)."""
    database = db.AppDB(f"sqlite:///{tmp_path / 'views.db'}")
    made = {}
    for name, role, regions in (("ann", "analyst", ()), ("bob", "analyst", ()),
                                ("nora", "manager", ("North",)), ("ada", "admin", ())):
        users.create(database, name, passwords.generate_password(), role, regions, name, "t")
        made[name] = users.by_username(database, name)
    yield database, made
    database.dispose()


def _name() -> str:
    return f"view-{uuid.uuid4().hex[:8]}"


# ---- Versions, diffs, restore ---------------------------------------------------------------


def test_saving_again_makes_a_new_version_and_keeps_the_old(local_db):
    database, who = local_db
    first = store.save(database, who["ann"], "Q4 North", "?region=North&" + Q4, 1)
    second = store.save(database, who["ann"], "  Q4   North ", "?region=North&region=South", 2,
                        note="added South")
    assert first == (first[0], 1) and second == (first[0], 2)  # same view, next version
    versions = store.history(database, who["ann"], first[0])
    assert [v.n for v in versions] == [1, 2]
    assert versions[0].page_query == "region=North&" + Q4  # as given, known keys only
    assert versions[0].data_version == 1 and versions[1].data_version == 2
    assert versions[1].note == "added South" and versions[1].author == "ann"
    view = store.get(database, who["ann"], first[0])
    assert view.versions == 2 and view.latest.n == 2 and view.name == "Q4 North"


def test_unknown_keys_are_dropped_and_options_kept_apart(local_db):
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "opts",
                            "?region=North&top=10&view=7&evil=<b>&measure=units", 1)
    version = store.get(database, who["ann"], view_id).latest
    assert version.query == "?region=North"
    assert json.loads(version.options) == {"measure": "units", "top": "10"}
    assert version.page_query == "region=North&measure=units&top=10"


@pytest.mark.parametrize("name, problem", [("", "give the view a name"),
                                           ("x" * 81, "too long"),
                                           ("bad\x00name", "control characters")])
def test_bad_names_are_refused_in_words(local_db, name, problem):
    database, who = local_db
    with pytest.raises(store.ViewProblem, match=problem):
        store.save(database, who["ann"], name, "", 1)


def test_bad_sharing_is_refused(local_db):
    database, who = local_db
    with pytest.raises(store.ViewProblem, match="share with one of"):
        store.save(database, who["ann"], "x", "", 1, share="superusers")


def _versions(database, account, *queries):
    name = _name()
    for i, query in enumerate(queries):
        view_id, _ = store.save(database, account, name, query, i + 1)
    return store.history(database, account, view_id)


def test_diff_says_what_changed_in_words(local_db):
    database, who = local_db
    a, b = _versions(database, who["ann"], "region=North&top=5",
                     "region=North&region=South&top=10&category=Dolls&" + Q4)
    assert diff.changes(a, b) == ["Dates: the default range → 1 Oct 2025 – 31 Dec 2025",
                                  "Region: North → North, South", "Category: added Dolls",
                                  "Top N: 5 → 10"]
    assert diff.summary(a, b) == ("Dates: the default range → 1 Oct 2025 – 31 Dec 2025; "
                                  "Region: North → North, South; Category: added Dolls; "
                                  "Top N: 5 → 10.")
    assert diff.summary(None, a) == "First version."


def test_diff_removed_options_highlight_and_drill(local_db):
    database, who = local_db
    a, b = _versions(database, who["ann"],
                     "region=North&channel=Online&trend=region&geo=North&hl=category:Dolls",
                     "region=North&measure=units&geo=North&geo=Minnesota")
    assert diff.changes(a, b) == ["Channel: removed Online",
                                  "Highlight: Dolls (category) → none",
                                  "Places drill-down: North → North › Minnesota",
                                  "Trend by: Region → Category", "Measure: Revenue → Units"]


def test_diff_of_reordered_values_is_no_change(local_db):
    database, who = local_db
    a, b = _versions(database, who["ann"], "region=North&region=South",
                     "region=South&region=North")
    assert diff.changes(a, b) == []
    assert diff.summary(a, b) == "Same filters and options as version 1."


def test_restore_is_a_new_version_with_the_old_content(local_db):
    database, who = local_db
    a, b = _versions(database, who["ann"], "region=North&top=3", "region=South&top=10")
    n = store.restore(database, who["ann"], a.view_id, 1, 9)
    history = store.history(database, who["ann"], a.view_id)
    assert n == 3 and [v.n for v in history] == [1, 2, 3]
    assert history[:2] == [a, b]  # nothing rewritten
    restored = history[2]
    assert (restored.query, restored.options) == (a.query, a.options)
    assert restored.note == "Restored version 1" and restored.data_version == 9
    assert diff.changes(b, restored) == ["Region: South → North", "Top N: 10 → 3"]
    with pytest.raises(store.ViewNotFound):
        store.restore(database, who["ann"], a.view_id, 99, 9)


# ---- Who may see what ----------------------------------------------------------------------


def test_private_views_are_their_owners_only(local_db):
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "mine", "region=North", 1)
    assert [v.id for v in store.visible_views(database, who["ann"])] == [view_id]
    for other in ("bob", "nora", "ada"):  # admins too
        assert store.visible_views(database, who[other]) == []
        with pytest.raises(store.ViewNotFound):
            store.get(database, who[other], view_id)
        with pytest.raises(store.ViewNotFound):
            store.history(database, who[other], view_id)


@pytest.mark.parametrize("share, seen_by", [("analyst", {"ann", "bob", "ada"}),
                                            ("manager", {"ann", "nora", "ada"}),
                                            ("admin", {"ann", "ada"}),
                                            ("all", {"ann", "bob", "nora", "ada"})])
def test_shared_views_reach_their_role(local_db, share, seen_by):
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "shared", "region=North", 1, share=share)
    seen = {name for name, account in who.items()
            if view_id in {v.id for v in store.visible_views(database, account)}}
    assert seen == seen_by
    for name in seen_by:
        assert store.get(database, who[name], view_id).sharing == store.SHARES[share]


def test_only_the_owner_restores(local_db):
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "shared", "region=North", 1, share="all")
    store.save(database, who["ann"], "shared", "region=South", 1, share="all")
    with pytest.raises(store.ViewForbidden):
        store.restore(database, who["bob"], view_id, 1, 1)
    assert len(store.history(database, who["ann"], view_id)) == 2


@pytest.mark.parametrize("forged", [999999, "abc", None, "1 OR 1=1", -1])
def test_forged_ids_are_not_found(local_db, forged):
    database, who = local_db
    store.save(database, who["ann"], "x", "", 1)
    with pytest.raises(store.ViewNotFound):
        store.get(database, who["bob"], forged)


def test_by_name_prefers_own_then_the_one_shared(local_db):
    database, who = local_db
    shared_id, _ = store.save(database, who["ann"], "Weekly", "region=North", 1, share="all")
    assert store.by_name(database, who["nora"], "Weekly").id == shared_id
    bob_id, _ = store.save(database, who["bob"], "Weekly", "region=South", 1, share="all")
    assert store.by_name(database, who["bob"], "Weekly").id == bob_id
    with pytest.raises(store.ViewProblem, match="ann/Weekly, bob/Weekly"):
        store.by_name(database, who["nora"], "Weekly")
    assert store.by_name(database, who["nora"], "bob/Weekly").id == bob_id
    with pytest.raises(store.ViewNotFound):
        store.by_name(database, who["nora"], "Nope")
    slash_id, _ = store.save(database, who["bob"], "North/South", "region=North", 1)
    assert store.by_name(database, who["bob"], "North/South").id == slash_id


# ---- A shared view's data, through the viewer's scope ---------------------------------------


def _q4(raw, regions=None) -> pd.DataFrame:
    rows = raw[raw["date"].between(pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-31"))]
    return rows if regions is None else rows[rows["region"].isin(regions)]


def test_north_manager_sees_nothing_of_an_analysts_south_view(local_db, warehouse, raw,
                                                              not_north):  # noqa: F811
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "South, Q4", "region=South&" + Q4, 1,
                            share="manager")
    view = store.get(database, who["nora"], view_id)  # shared with managers: she may open it
    north = page_report(warehouse, Scope(("North",)), view.latest.page_query)
    text = json.dumps(north, default=str)
    assert leaks(text, not_north) == []
    assert north["tiles"] == [] and all(chart["rows"] == [] for chart in north["charts"])
    analyst = page_report(warehouse, Scope.everything(), view.latest.page_query)
    assert analyst["tiles"][0]["value"] == pytest.approx(_q4(raw, ["South"])["revenue"].sum())


def test_a_shared_all_regions_view_is_narrowed_to_north(local_db, warehouse, raw,
                                                        not_north):  # noqa: F811
    database, who = local_db
    view_id, _ = store.save(database, who["ann"], "Q4", Q4 + "&top=3", 1, share="all")
    query = store.get(database, who["nora"], view_id).latest.page_query
    north = page_report(warehouse, Scope(("North",)), query)
    assert leaks(json.dumps(north, default=str), not_north) == []
    rows = _q4(raw, ["North"])
    assert north["tiles"][0]["value"] == pytest.approx(rows["revenue"].sum())
    category = next(c for c in north["charts"] if c["id"] == "category")
    expected = rows.groupby("category")["revenue"].sum().sort_values(ascending=False)
    assert [r[1] for r in category["rows"]] == list(expected.index)
    assert [r[2] for r in category["rows"]] == pytest.approx(expected.tolist())


# ---- The web routes: forms, CSRF, forged ids -------------------------------------------------


def _token(client) -> str:
    body = dp.payload(dp.dependency(client, dp.PAGES),
                      {"_pages_location.pathname": "/", "_pages_location.search": ""},
                      ["_pages_location.pathname"])
    layout = dp.post(client, body).get_json()
    return next(p["value"] for _t, p in dp.components(layout) if p.get("name") == "csrf_token")


def _save(client, name, query, share="", token=None):
    return client.post("/views/save", data={
        "csrf_token": _token(client) if token is None else token, "name": name,
        "query": query, "share": share, "note": ""})


def _view_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert location.startswith("/views?id=")
    return int(location.split("id=")[1].split("&")[0])


def test_save_and_restore_through_the_forms(app, client_as):
    analyst = client_as("analyst")
    name = _name()
    view_id = _view_id(_save(analyst, name, "?region=North&top=3"))
    assert _view_id(_save(analyst, name, "?region=South&top=10")) == view_id
    restored = analyst.post("/views/restore", data={"csrf_token": _token(analyst),
                                                    "view_id": view_id, "version": 1})
    assert _view_id(restored) == view_id
    account = auth_helpers.account(app, auth_helpers.Login("t-analyst", "", "analyst", ()))
    history = store.history(app.server.extensions[db.EXTENSION], account, view_id)
    assert [v.page_query for v in history] == ["region=North&top=3", "region=South&top=10",
                                               "region=North&top=3"]


def test_forms_need_their_csrf_token(client_as):
    analyst = client_as("analyst")
    response = _save(analyst, _name(), "?region=North", token="forged")
    assert response.status_code == 400 and "nothing was changed" in response.get_data(True)


def test_a_bad_name_is_a_page_with_words(client_as):
    response = _save(client_as("analyst"), "", "?region=North")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give the view a name." in text
    assert "Traceback" not in text


def test_forged_or_private_ids_get_the_friendly_404(app, client_as):
    analyst, north = client_as("analyst"), client_as("manager")
    private_id = _view_id(_save(analyst, _name(), "?region=South"))
    for client, view_id in ((north, private_id), (analyst, 999999), (analyst, "x' OR 1=1")):
        response = client.get(f"/views?id={view_id}")
        assert response.status_code == 404 and response.mimetype == "text/html"
    body = dp.payload(dp.dependency(north, dp.PAGES),
                      {"_pages_location.pathname": "/views",
                       "_pages_location.search": f"?id={private_id}"},
                      ["_pages_location.pathname"])
    layout = dp.post(north, body).get_json()
    ids = {p.get("id") for _t, p in dp.components(layout)}
    assert "page-not-found" in ids and "views-history" not in ids
    assert analyst.get(f"/views?id={private_id}").status_code == 200


def test_restoring_someone_elses_view_is_403_and_forged_404(client_as):
    analyst, north = client_as("analyst"), client_as("manager")
    shared_id = _view_id(_save(analyst, _name(), "?region=North", share="manager"))
    assert north.get(f"/views?id={shared_id}").status_code == 200
    refused = north.post("/views/restore", data={"csrf_token": _token(north),
                                                 "view_id": shared_id, "version": 1})
    assert refused.status_code == 403 and "only the owner" in refused.get_data(True).lower()
    forged = north.post("/views/restore", data={"csrf_token": _token(north),
                                                "view_id": 999999, "version": 1})
    assert forged.status_code == 404 and "not shared with you" in forged.get_data(True)


# ---- dashboard report --saved ---------------------------------------------------------------


def test_report_saved_is_the_latest_version_within_the_users_scope(
        app, warehouse_dir, accounts, tmp_path, raw, not_north):  # noqa: F811
    database = app.server.extensions[db.EXTENSION]
    analyst = auth_helpers.account(app, accounts["analyst"])
    name = _name()
    store.save(database, analyst, name, "region=South&" + Q4, 1, share="all")
    store.save(database, analyst, name, Q4, 1, share="all")  # latest: every region, Q4
    mine, theirs = tmp_path / "analyst.json", tmp_path / "north.json"
    assert report(warehouse_dir, "--as", "t-analyst", "--saved", name, "--format", "json",
                  "--out", str(mine)) == 0
    mine_data = json.loads(mine.read_text())
    assert mine_data["tiles"][0]["value"] == pytest.approx(_q4(raw)["revenue"].sum())
    assert mine_data["notes"][0] == (f"Saved view “{name}” by t-analyst, version 2, saved on "
                                     "data version 1.")
    assert report(warehouse_dir, "--as", "t-north", "--saved", f"t-analyst/{name}",
                  "--format", "json", "--out", str(theirs)) == 0
    text = theirs.read_text()
    assert leaks(text, not_north) == []
    assert json.loads(text)["tiles"][0]["value"] == pytest.approx(
        _q4(raw, ["North"])["revenue"].sum())


def test_report_saved_refuses_a_private_view_of_someone_else(app, warehouse_dir, accounts,
                                                             tmp_path, capsys):
    database = app.server.extensions[db.EXTENSION]
    name = _name()
    store.save(database, auth_helpers.account(app, accounts["analyst"]), name, Q4, 1)
    code = report(warehouse_dir, "--as", "t-north", "--saved", name, "--format", "json",
                  "--out", str(tmp_path / "x.json"))
    err = capsys.readouterr().err
    assert code == 2 and f"no saved view {name!r}" in err and "Traceback" not in err
    code = report(warehouse_dir, "--as", "t-analyst", "--saved", name, "--view", "top=3",
                  "--format", "json", "--out", str(tmp_path / "x.json"))
    assert code == 2 and "--view goes with --page" in capsys.readouterr().err


# ---- The pages: data changed since, the Overview opened from a view ------------------------


def _texts(node) -> str:
    """Every string child under a layout node (a component's props dict counts as one)."""
    if isinstance(node, dict) and "type" not in node:
        node = {"type": "Div", "props": node}
    out = []
    for _type, props in dp.components(node):
        children = props.get("children")
        out += [c for c in (children if isinstance(children, list) else [children])
                if isinstance(c, str)]
    return " ".join(out)


def _rows(layout) -> dict[str, str]:
    """Each list row's text, by the view's name (its first cell)."""
    rows = [p for _t, p in dp.components(layout) if p.get("className") == "views-row"]
    return {_texts(p["children"][0]): _texts(p) for p in rows}


def test_list_says_when_the_data_changed_since(app, accounts, client_as, warehouse):
    database = app.server.extensions[db.EXTENSION]
    analyst = auth_helpers.account(app, accounts["analyst"])
    current = int(warehouse.version)
    old, new = _name(), _name()
    store.save(database, analyst, old, "region=North", current - 1)  # saved on older data
    store.save(database, analyst, new, "region=North", current)
    rows = _rows(dp.routed_page(client_as("analyst"), "/views"))
    assert "Data changed since" in rows[old] and "Data changed since" not in rows[new]
    assert "t-analyst" in rows[old] and "Private (only me)" in rows[old]


def test_the_list_shows_only_what_the_viewer_may_open(app, accounts, client_as):
    database = app.server.extensions[db.EXTENSION]
    analyst = auth_helpers.account(app, accounts["analyst"])
    private, shared = _name(), _name()
    store.save(database, analyst, private, "region=South", 1)
    store.save(database, analyst, shared, "region=South", 1, share="manager")
    rows = _rows(dp.routed_page(client_as("manager"), "/views"))
    assert shared in rows and private not in rows


def test_overview_names_the_saved_view_or_says_it_is_not_found(app, accounts, client_as):
    database = app.server.extensions[db.EXTENSION]
    analyst = auth_helpers.account(app, accounts["analyst"])
    name = _name()
    view_id, _ = store.save(database, analyst, name, "region=North", 1, share="all")
    store.save(database, analyst, name, "region=North&top=3", 1, share="all")
    layout = dp.routed_page(client_as("manager"), "/", f"?region=North&view={view_id}&version=1")
    banner = next(p for _t, p in dp.components(layout) if p.get("id") == "ov-saved-view")
    assert f"Saved view “{name}” · version 1 of 2 · by t-analyst" in _texts(banner)
    assert "changed since it was opened" not in _texts(banner)  # the URL is version 1
    # A reload keeps ?view= in the URL; the line then says the page no longer matches it.
    layout = dp.routed_page(client_as("manager"), "/",
                            f"?region=North&region=South&view={view_id}&version=1")
    banner = next(p for _t, p in dp.components(layout) if p.get("id") == "ov-saved-view")
    assert "version 1 of 2" in _texts(banner)
    assert "changed since it was opened" in _texts(banner)
    layout = dp.routed_page(client_as("manager"), "/", f"?region=North&top=3&view={view_id}")
    banner = next(p for _t, p in dp.components(layout) if p.get("id") == "ov-saved-view")
    assert "version 2 of 2" in _texts(banner)
    assert "changed since it was opened" not in _texts(banner)
    private_id, _ = store.save(database, analyst, _name(), "region=South", 1)
    layout = dp.routed_page(client_as("manager"), "/", f"?view={private_id}")
    banner = next(p for _t, p in dp.components(layout) if p.get("id") == "ov-saved-view")
    assert "not found or not shared with you" in _texts(banner)
    name_field = next(p for _t, p in dp.components(layout) if p.get("id") == "views-save-name")
    assert name_field.get("value") == ""  # nothing of the private view leaks into the form
