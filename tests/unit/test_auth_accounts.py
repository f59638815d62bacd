"""Accounts: hashing, roles, region assignments, the audit log, the CLI, the Admin page, and
user-supplied text that must stay text."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from dashboard import cli
from dashboard.auth import audit, db, passwords, users
from dashboard.auth.scope import scope_for_account
from dashboard.queries.filters import Scope, ScopeError
from tests import dash_payloads as dp
from tests.auth_helpers import Login, client_for, csrf_token


@pytest.fixture
def database(tmp_path):
    database = db.AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    yield database
    database.dispose()


# ---- Passwords, users, scope -------------------------------------------------------------


def test_passwords_are_argon2_hashes_never_plain(database):
    secret = passwords.generate_password()
    users.create(database, "ann", secret, "analyst")
    with database.begin() as conn:
        stored = conn.execute(db.users.select()).first().password_hash
    assert stored.startswith("$argon2id$") and secret not in stored
    assert passwords.verify_password(stored, secret)
    assert not passwords.verify_password(stored, secret + "x")
    assert not passwords.verify_password(None, secret)
    with pytest.raises(users.UserError, match="at least 12"):
        users.create(database, "bob", "short", "analyst")


def test_scope_comes_from_the_role_and_assignment():
    def account(role, regions=()):
        return users.Account(1, "u", "", role, True, tuple(regions))

    assert scope_for_account(account("admin")) == Scope.everything()
    assert scope_for_account(account("analyst")) == Scope.everything()
    assert scope_for_account(account("manager", ["North", "East"])) == Scope(("North", "East"))
    assert scope_for_account(account("manager")) == Scope(())  # the query layer refuses it
    with pytest.raises(ScopeError):
        scope_for_account(None)
    with pytest.raises(ScopeError):
        scope_for_account(users.Account(1, "u", "", "manager", False, ("North",)))


def test_changes_are_audited_and_all_or_nothing(database):
    users.create(database, "root", passwords.generate_password(), "admin", actor="setup")
    users.create(database, "mia", passwords.generate_password(), "manager", ["North"],
                 actor="root")
    users.set_regions(database, "mia", ["North", "South"], "root")
    users.set_role(database, "mia", "analyst", "root")
    assert users.by_username(database, "mia").regions == ()  # analysts have no assignment
    with pytest.raises(users.UserError, match="only regional managers"):
        users.set_regions(database, "mia", ["West"], "root")
    with pytest.raises(users.UserError, match="last active admin"):
        users.update(database, "root", "analyst", [], True, "root")
    assert users.by_username(database, "root").role == "admin"  # unchanged by the failure
    actions = [(e["action"], e["subject"], e["detail"]) for e in audit.recent(database)]
    assert ("regions_changed", "mia", "North -> North, South") in actions
    assert ("role_changed", "mia", "manager -> analyst") in actions
    assert ("user_created", "mia", "role manager, regions North") in actions


@pytest.mark.parametrize("name", ["", "a b", "<script>", "x" * 65, "../etc", "Robert'); --"])
def test_user_names_are_plain(database, name):
    with pytest.raises(users.UserError):
        users.create(database, name, passwords.generate_password(), "analyst")


# ---- Command line ----------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DASHBOARD_APP_DB_URL", url)
    database = db.AppDB(url)
    yield database
    database.dispose()


def test_cli_creates_users_and_prints_a_generated_password_once(cli_env, capsys):
    assert cli.main(["create-admin", "chief"]) == 0
    out = capsys.readouterr().out
    secret = re.search(r"password for chief: (\S+)", out).group(1)
    assert users.authenticate(cli_env, "chief", secret) is not None
    assert cli.main(["users", "create", "nina", "--role", "manager",
                     "--regions", "North,South"]) == 0
    assert users.by_username(cli_env, "nina").regions == ("North", "South")
    assert cli.main(["users", "set-regions", "nina", "West"]) == 0
    assert cli.main(["users", "set-role", "nina", "analyst"]) == 0
    assert cli.main(["users", "deactivate", "nina"]) == 0
    capsys.readouterr()
    assert cli.main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"chief\s+admin\s+all regions", listing)
    assert re.search(r"nina\s+analyst\s+all regions \[inactive\]", listing)
    assert secret not in listing


def test_cli_reads_a_chosen_password_from_stdin(cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("chosen-password-42\n"))
    assert cli.main(["users", "create", "omar", "--role", "analyst", "--password-stdin"]) == 0
    assert "chosen-password-42" not in capsys.readouterr().out
    assert users.authenticate(cli_env, "omar", "chosen-password-42") is not None


def test_cli_reports_bad_input_clearly(cli_env, capsys):
    assert cli.main(["users", "set-role", "ghost", "admin"]) == 2
    assert "no user 'ghost'" in capsys.readouterr().err


def test_first_run_creates_one_admin_with_a_printed_password(cli_env, capsys):
    from dashboard.auth.commands import ensure_first_admin

    ensure_first_admin()
    out = capsys.readouterr().out
    secret = re.search(r"password:\s+(\S+)", out).group(1)
    assert users.authenticate(cli_env, "admin", secret).role == "admin"
    ensure_first_admin()  # an admin exists: nothing new, nothing printed
    assert capsys.readouterr().out == ""
    assert [a.username for a in users.list_accounts(cli_env)] == ["admin"]


def test_demo_users_only_for_the_sample_data(cli_env, capsys, sample_dir, tmp_path):
    from dashboard.warehouse.build import build_version, parquet_sources

    imported = tmp_path / "imported"
    build_version(imported, parquet_sources(sample_dir), info={"source": "import"})
    assert cli.main(["--warehouse", str(imported), "demo-users"]) == 2
    assert "only for the sample data" in capsys.readouterr().err
    assert users.list_accounts(cli_env) == []

    demo = tmp_path / "demo"
    build_version(demo, parquet_sources(sample_dir), info={"source": "sample"})
    assert cli.main(["--warehouse", str(demo), "demo-users"]) == 0
    out = capsys.readouterr().out
    found = dict(re.findall(r"demo user (\S+) .* password: (\S+)", out))
    assert set(found) == {"demo-analyst", "demo-north", "demo-south-west", "demo-store-north"}
    assert users.authenticate(cli_env, "demo-north", found["demo-north"]).regions == ("North",)
    store_manager = users.authenticate(cli_env, "demo-store-north", found["demo-store-north"])
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    north = sorted(stores.loc[stores["region"] == "North", "store_id"])
    assert store_manager.role == "store_manager" and store_manager.stores == (north[0],)


# ---- The Admin page, through its callbacks ---------------------------------------------


def test_admin_page_creates_changes_and_lists_users(app, client_as):
    admin = client_as("admin")
    database = app.server.extensions[db.EXTENSION]

    def act(values, trigger):
        dep = dp.dependency(admin, "adm-message.children")
        response = dp.post(admin, dp.payload(dep, values, [trigger]))
        assert response.status_code == 200
        return response.get_json()

    created = act({"adm-create.n_clicks": 1, "adm-new-username.value": "t-page-made",
                   "adm-new-display.value": "Page Made", "adm-new-role.value": "manager",
                   "adm-new-regions.value": ["East"]}, "adm-create.n_clicks")
    secret = next(p["children"] for _t, p in dp.components(created)
                  if p.get("id") == "adm-new-password")
    login = Login("t-page-made", secret, "manager", ("East",))
    assert users.by_username(database, "t-page-made").regions == ("East",)
    manager = client_for(app, login)

    act({"adm-save.n_clicks": 1, "adm-user.value": "t-page-made", "adm-role.value": "manager",
         "adm-regions.value": ["West", "Central"], "adm-active.value": ["on"]},
        "adm-save.n_clicks")
    assert users.by_username(database, "t-page-made").regions == ("Central", "West")
    act({"adm-save.n_clicks": 1, "adm-user.value": "t-page-made", "adm-role.value": "manager",
         "adm-regions.value": ["West"], "adm-active.value": []}, "adm-save.n_clicks")
    assert users.by_username(database, "t-page-made").active is False
    assert manager.get("/_dash-layout").status_code == 401  # deactivated: signed out

    refused = act({"adm-create.n_clicks": 1, "adm-new-username.value": "t-page-made",
                   "adm-new-role.value": "analyst"}, "adm-create.n_clicks")
    assert "already exists" in json.dumps(refused)

    dep = dp.dependency(admin, "adm-users.children")
    listing = dp.post(admin, dp.payload(dep, {"adm-version.data": 3}, ["adm-version.data"]))
    assert "t-page-made" in json.dumps(listing.get_json())
    dep = dp.dependency(admin, "adm-audit.children")
    activity = dp.post(admin, dp.payload(dep, {"adm-version.data": 3,
                                               "adm-audit-text.value": "t-page-made"},
                                         ["adm-audit-text.value"]))
    text = json.dumps(activity.get_json())
    assert "regions_changed" in text and "user_deactivated" in text


# ---- Text stays text; links stay on the site --------------------------------------------


HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_user_text_is_never_html(app, client_as):
    database = app.server.extensions[db.EXTENSION]
    secret = passwords.generate_password()
    if users.by_username(database, "t-hostile") is None:
        users.create(database, "t-hostile", secret, "manager", [HOSTILE], HOSTILE, "tests")
    else:
        users.set_password(database, "t-hostile", secret, "tests")
    client = client_for(app, Login("t-hostile", secret, "manager", ()))
    layout = client.get("/_dash-layout").get_json()
    name = next(p for _t, p in dp.components(layout) if p.get("id") == "shell-user-name")
    assert name["children"] == HOSTILE  # a string child: React renders it as text
    admin = client_as("admin")
    dep = dp.dependency(admin, "adm-users.children")
    listing = dp.post(admin, dp.payload(dep, {"adm-version.data": 9}, ["adm-version.data"]))
    for tree in (layout, listing.get_json()):
        for component_type, props in dp.components(tree):
            assert component_type != "Markdown"
            assert "dangerously_allow_html" not in props
            for value in props.values():
                if isinstance(value, str) and HOSTILE in value:
                    assert component_type in ("Span", "Td", "Code")

    anonymous = app.server.test_client()  # the sign-in page echoes a typed name, escaped
    token = csrf_token(anonymous.get("/login").get_data(as_text=True))
    failed = anonymous.post("/login", data={"username": HOSTILE, "password": "wrong-password-1",
                                            "csrf_token": token, "next": HOSTILE})
    page = failed.get_data(as_text=True)
    assert failed.status_code == 401
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)" in page


@pytest.mark.parametrize("target", ["javascript:alert(1)", "//evil.example/x",
                                    "https://evil.example/", "/\\evil.example", "\\\\evil",
                                    "/%0d%0aSet-Cookie:x", "java\tscript:alert(1)"])
def test_sign_in_never_redirects_off_site(app, accounts, target):
    client = app.server.test_client()
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    sent_back = re.search(r'name="next" value="([^"]*)"', page).group(1)
    assert sent_back in ("/", target) and sent_back.startswith("/")
    assert not sent_back.startswith(("//", "/\\"))
    login = accounts["analyst"]
    response = client.post("/login", data={
        "username": login.username, "password": login.password, "next": target,
        "csrf_token": csrf_token(page)})
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "javascript" not in location.lower() and "evil" not in location


def test_no_link_anywhere_is_javascript(client_as):
    for role in ("admin", "analyst", "manager"):
        client = client_as(role)
        trees = [client.get("/_dash-layout").get_json()]
        for path in ("/", "/admin") if role == "admin" else ("/",):
            dep = dp.dependency(client, dp.PAGES)
            trees.append(client.post("/_dash-update-component", json=dp.payload(
                dep, {"_pages_location.pathname": path, "_pages_location.search": ""},
                ["_pages_location.pathname"])).get_json())
        hrefs = [p["href"] for tree in trees for _t, p in dp.components(tree) if "href" in p]
        assert hrefs and all(h.startswith("/") and not h.startswith("//") for h in hrefs)


def test_other_features_record_events_as_the_signed_in_user(app, request_ctx, accounts):
    """What the import page calls after a load: the event names the user who ran it."""
    audit.record_event("import", subject="sales.csv", detail="version 2, 120 rows")
    entry = audit.recent(app.server.extensions[db.EXTENSION], 1)[0]
    assert (entry["action"], entry["actor"], entry["subject"], entry["detail"]) == (
        "import", accounts["analyst"].username, "sales.csv", "version 2, 120 rows")
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record_event("made-up")


def test_require_admin_is_enforced_on_the_server(app, accounts):
    """The check other pages (e.g. Data/import) call: 401 anonymous, 403 non-admin."""
    from werkzeug.exceptions import Forbidden, Unauthorized

    from dashboard.auth import login
    from dashboard.auth.permissions import require_admin
    from tests.auth_helpers import account

    with app.server.test_request_context("/"):
        with pytest.raises(Unauthorized):
            require_admin()
    for role, outcome in (("analyst", Forbidden), ("manager", Forbidden), ("admin", None)):
        with app.server.test_request_context("/"):
            login.sign_in(account(app, accounts[role]))
            if outcome is None:
                assert require_admin().username == accounts["admin"].username
            else:
                with pytest.raises(outcome):
                    require_admin()


def test_the_command_the_first_run_prints_works_in_a_fresh_shell(cli_env, capsys, tmp_path):
    """Printed as is, in a shell with no activated venv, from the project folder."""
    from dashboard.auth.commands import ensure_first_admin

    ensure_first_admin()
    printed = re.search(r"change it with `([^`]+)`", capsys.readouterr().out).group(1)
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
            "DASHBOARD_APP_DB_URL": os.environ["DASHBOARD_APP_DB_URL"]}
    done = subprocess.run(["bash", "-c", printed], env=bare, capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], timeout=120)
    assert done.returncode == 0, (printed, done.stderr)
    secret = re.search(r"password for admin: (\S+)", done.stdout).group(1)
    assert users.authenticate(cli_env, "admin", secret).role == "admin"
