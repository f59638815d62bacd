"""Test accounts and signed-in clients: every test signs in through the real /login form."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from dashboard.auth import db, passwords, users


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    regions: tuple[str, ...]
    stores: tuple[str, ...] = ()


# role key -> (user name, role, regions, display name)
ROSTER = {
    "admin": ("t-admin", "admin", (), "Test Admin"),
    "analyst": ("t-analyst", "analyst", (), "Test Analyst"),
    "manager": ("t-north", "manager", ("North",), "Test North Manager"),
    "manager_south": ("t-south", "manager", ("South",), "Test South Manager"),
    "manager_none": ("t-nobody", "manager", (), "Test Manager Without Region"),
    "store_manager": ("t-store-north", "store_manager", (), "Test North Store Manager"),
}
STORE_REGION = "North"  # the store manager manages the first store (by id) of this region


def first_store(app, region: str = STORE_REGION) -> str:
    with app.server.extensions["toypulse"].warehouse.cursor() as cur:
        return cur.execute("SELECT CAST(store_id AS VARCHAR) FROM stores WHERE region = ? "
                           "ORDER BY store_id LIMIT 1", [region]).fetchall()[0][0]


def make_accounts(app) -> dict[str, Login]:
    database = app.server.extensions[db.EXTENSION]
    out = {}
    for key, (username, role, regions, name) in ROSTER.items():
        secret = passwords.generate_password()
        stores = (first_store(app),) if role == "store_manager" else ()
        users.create(database, username, secret, role, regions, name, "tests", stores)
        out[key] = Login(username, secret, role, regions, stores)
    return out


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, login: Login, password: str | None = None, **request_kwargs):
    """POST the sign-in form like a browser would (token from the GET); the response."""
    form = client.get("/login", **request_kwargs)
    return client.post("/login", data={
        "username": login.username, "password": login.password if password is None else password,
        "csrf_token": csrf_token(form.get_data(as_text=True)), "next": "/",
    }, **request_kwargs)


def client_for(app, login: Login):
    client = app.server.test_client()
    response = sign_in(client, login)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def account(app, login: Login) -> users.Account:
    return users.by_username(app.server.extensions[db.EXTENSION], login.username)


def start_app(dash_duo, app) -> None:
    """Serve the app for a browser test; TOYPULSE_TEST_PORT lets checkouts run side by side."""
    port = int(os.environ.get("TOYPULSE_TEST_PORT", "8050"))
    dash_duo.start_server(app, navigate=False, port=port)


def browser_sign_in(dash_duo, app, login: Login) -> None:
    """Start the app, sign in through the real form, and wait for the Dash page to load."""
    start_app(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("#username").send_keys(login.username)
    dash_duo.find_element("#password").send_keys(login.password)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#shell-user-name", timeout=20)
    dash_duo.server_url = dash_duo.server.url  # what dash_duo's own helpers navigate to


BARE_ROWS = [11, 22, 33]  # what a bare instance's /_data route answers to a signed-in user


def bare_instance(name: str, app_db_url: str):
    """A web instance without Dash (one per test is fine): sign-in machinery, the request gate,
    a data route /_data and /token for the sign-out form's CSRF token."""
    import flask
    from flask_wtf.csrf import generate_csrf

    from dashboard.auth import setup as auth_setup
    from dashboard.auth.permissions import current_account

    server = flask.Flask(name)
    auth_setup.init_app(server, app_db_url)

    @server.get("/_data")
    def data():
        return {"user": current_account().username, "rows": BARE_ROWS}

    @server.get("/token")
    def token():
        return {"csrf": generate_csrf()}

    return server


def client_for_server(server, login: Login):
    """client_for for a bare Flask server."""
    return client_for(type("App", (), {"server": server})(), login)
