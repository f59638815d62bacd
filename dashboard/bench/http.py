"""Drive a running ToyPulse server the way a browser does: the real Dash callback endpoint."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib import parse, request

from dashboard import config
from dashboard.bench.states import State
from dashboard.components.filter_bar import FIELDS

MAIN_OUTPUT = "ov-summary.children"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    ready_seconds: float
    opener: request.OpenerDirector  # carries the signed-in session cookie

    def peak_rss_mb(self) -> float:
        """The most resident memory (VmHWM) any web process had: gunicorn's worker serves the
        requests, its master only watches, so both are read and the larger counts."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        peaks = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                line = next(x for x in status.read_text().splitlines()
                            if x.startswith("VmHWM"))
                peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@dataclass(frozen=True)
class Account:
    """The benchmark's own analyst, in its own app database (never the real one)."""

    app_db_url: str
    username: str
    password: str


def bench_account(workdir: Path) -> Account:
    from dashboard.auth import db, passwords, users

    url = f"sqlite:///{workdir / 'bench-app.db'}"
    database = db.AppDB(url)
    try:
        password = passwords.generate_password()
        if users.by_username(database, "bench") is None:
            users.create(database, "bench", password, "analyst", actor="bench")
        else:
            users.set_password(database, "bench", password, "bench")
    finally:
        database.dispose()
    return Account(url, "bench", password)


def sign_in(url: str, account: Account) -> request.OpenerDirector:
    """Sign in through the real form, as a browser does; the opener keeps the cookie."""
    opener = request.build_opener(request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url + "/login", timeout=30) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = parse.urlencode({"username": account.username, "password": account.password,
                            "csrf_token": token, "next": "/"}).encode()
    with opener.open(request.Request(url + "/login", data=form, method="POST"), timeout=30):
        pass
    return opener


def start_server(warehouse_dir: Path, cache: bool, account: Account,
                 extra_env: dict | None = None) -> Server:
    """Start the app as production runs it (gunicorn, one worker); ready = the home page answers."""
    port = free_port()
    env = {**os.environ, "DASHBOARD_CACHE_TYPE": "SimpleCache" if cache else "NullCache",
           "DASHBOARD_WAREHOUSE_DIR": str(warehouse_dir),
           "DASHBOARD_APP_DB_URL": account.app_db_url,
           "DASHBOARD_SECRET_KEY": secrets.token_urlsafe(48), **(extra_env or {})}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "300",
         "--bind", f"127.0.0.1:{port}",
         "--chdir", str(config.ROOT), "app:server"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            with request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    ready = time.perf_counter() - started
                    return Server(process, url, ready, sign_in(url, account))
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def get(server: Server, path: str) -> bytes:
    with server.opener.open(server.url + path, timeout=30) as response:
        return response.read()


def main_callback(dependencies: list[dict]) -> dict:
    return next(d for d in dependencies if MAIN_OUTPUT in d["output"])


def payload(callback: dict, state: State, changed: str = "ov-f-regions.value") -> dict:
    """The JSON a browser posts to /_dash-update-component for this state."""
    values = {
        ("ov-dates", "start_date"): state.start,
        ("ov-dates", "end_date"): state.end,
        ("ov-highlight", "data"): state.highlight,
        ("ov-trend-by", "value"): state.trend_by,
        ("ov-measure", "value"): state.measure,
        ("ov-top-n", "value"): state.top_n,
        ("ov-drill", "data"): {"geo": list(state.geo), "prod": list(state.prod)},
        ("ov-places", "value"): "next",
        ("data-version", "data"): None,  # the page's version store (a tick changes it)
        **{(f"ov-f-{field}", "value"): state.filters.get(field, []) for field in FIELDS},
    }
    inputs = [{"id": i["id"], "property": i["property"],
               "value": values[(i["id"], i["property"])]} for i in callback["inputs"]]
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]}
               for part in callback["output"].strip(".").split("...")]
    return {"output": callback["output"], "outputs": outputs, "inputs": inputs,
            "changedPropIds": [changed], "state": []}


def post_json(server: Server, path: str, body: dict) -> tuple[float, bytes]:
    """POST as the browser does (JSON, same origin); the seconds it took and the body."""
    data = json.dumps(body).encode()
    req = request.Request(server.url + path, data=data, method="POST",
                          headers={"Content-Type": "application/json", "Origin": server.url})
    started = time.perf_counter()
    with server.opener.open(req, timeout=60) as response:
        content = response.read()
    return time.perf_counter() - started, content


def first_page_seconds(server: Server) -> float:
    """What a signed-in browser waits for before the first charts draw: page, layout, data."""
    started = time.perf_counter()
    get(server, "/")
    get(server, "/_dash-layout")
    deps = json.loads(get(server, "/_dash-dependencies"))
    body = payload(main_callback(deps), State("first page", None, None))  # page defaults
    post_json(server, "/_dash-update-component", body)
    return time.perf_counter() - started
