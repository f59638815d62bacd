"""The reference deployment, run on this machine, and the load test through it.

    python -m dashboard.bench.deploy [--rows N] [--users 50] [--seconds 120]

Starts PostgreSQL (warehouse and app database), Redis when the app has a DASHBOARD_REDIS_URL
setting, loads the sample retailer into the PostgreSQL warehouse, creates analysts and regional
managers, starts two gunicorn instances on different ports (standing in for two machines) and
nginx in front of them (deploy/nginx.conf, the file real machines use), then runs the bounded
load test (load.py) through nginx and kills one instance half way. Everything runs on loopback
in temporary folders and is stopped at the end. docs/DEPLOY.md explains the real-machine setup.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib import request

import psycopg

from dashboard import config, sample
from dashboard.bench import load, report, servers
from dashboard.bench.states import scripted_states
from dashboard.bench.usual import load_frame

NGINX_TEMPLATE = config.ROOT / "deploy" / "nginx.conf"
REGIONS = ("North", "South", "East", "West", "Central")


def roster(n: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """n users: every third an analyst (all regions), the rest managers of one or two regions."""
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append((f"analyst{i}", "analyst", ()))
        elif i % 3 == 1:
            out.append((f"manager{i}", "manager", (REGIONS[i % 5],)))
        else:
            out.append((f"manager{i}", "manager", (REGIONS[i % 5], REGIONS[(i + 2) % 5])))
    return out


def create_users(app_db_url: str, n: int) -> list[load.User]:
    from dashboard.auth import db, passwords, users

    database = db.AppDB(app_db_url)
    out = []
    try:
        for name, role, regions in roster(n):
            password = passwords.generate_password()
            users.create(database, name, password, role, regions, actor="deploy")
            out.append(load.User(name, password, role, regions or None))
    finally:
        database.dispose()
    return out


def wait_ready(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


@contextlib.contextmanager
def started(cmd: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def machine_dies(process: subprocess.Popen) -> None:
    """SIGKILL to gunicorn's whole process group (master and worker), as a machine dying."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf with this run's ports and folders filled in."""
    text = NGINX_TEMPLATE.read_text()
    params = re.search(r"server web1:8000 ([^;]*);", text).group(1)  # the file's own policy
    servers_block = "\n".join(f"    server 127.0.0.1:{p} {params};" for p in upstreams)
    text = re.sub(r"# upstreams:.*?# /upstreams", servers_block, text, flags=re.S)
    text = (text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
            .replace("/var/log/nginx/", f"{folder}/")
            .replace("/run/nginx.pid", f"{folder}/nginx.pid"))
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per instance")
    parser.add_argument("--keep", action="store_true",
                        help="keep the run's folder (nginx and gunicorn logs) to diagnose errors")
    parser.add_argument("--doc", default=str(config.ROOT / "docs" / "PERFORMANCE.md"),
                        help="write the table here too (empty: print only)")
    parser.add_argument("--note", default="", help="a line written under the table")
    args = parser.parse_args(argv)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = Path(tempfile.mkdtemp(prefix="toypulse-deploy-"))
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(servers.local_postgres(durable=True))
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute("CREATE DATABASE toypulse_app")
        app_db = "postgresql+psycopg://" + pg.split("://", 1)[1].rsplit("/", 1)[0] + \
            "/toypulse_app"
        env = {**os.environ, "DASHBOARD_WAREHOUSE_URL": pg, "DASHBOARD_APP_DB_URL": app_db,
               "DASHBOARD_WAREHOUSE_DIR": str(folder / "build"),
               "DASHBOARD_ENV": "production", "DASHBOARD_SECURE_COOKIES": "0",
               "DASHBOARD_TRUSTED_PROXIES": "1",
               "DASHBOARD_SECRET_KEY": secrets.token_urlsafe(48),
               "DASHBOARD_CACHE_TYPE": "SimpleCache"}
        gaps = []
        if any(s.name == "redis_url" for s in config.SETTINGS):
            port = servers.free_port()
            stack.enter_context(started(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], env, folder / "redis.log"))
            env["DASHBOARD_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            env.pop("DASHBOARD_CACHE_TYPE")
            time.sleep(0.5)
        else:
            gaps.append("no DASHBOARD_REDIS_URL setting in this checkout: sessions are the "
                        "signed cookie, the cache is per instance")
        os.environ.update(env)  # the load below publishes to the PostgreSQL warehouse
        sample.generate(folder / "sample", rows=args.rows, seed=7)
        from dashboard.warehouse.build import build_version, parquet_sources

        build_version(folder / "build", parquet_sources(folder / "sample"),
                      info={"source": "sample"})
        users = create_users(app_db, args.users)
        ports = [servers.free_port(), servers.free_port()]
        instances = [stack.enter_context(started(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", str(args.threads),
             "--keep-alive", "10",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(config.ROOT), "app:server"],
            env, folder / f"gunicorn-{port}.log")) for port in ports]
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
        listen = servers.free_port()
        conf = nginx_config(folder, listen, ports)
        stack.enter_context(started([nginx, "-c", str(conf), "-p", str(folder), "-g",
                                     "daemon off;"], env, folder / "nginx.out"))
        url = f"http://127.0.0.1:{listen}"
        wait_ready(url)
        states = [s for s in scripted_states(_top_toy(folder / "sample")) if s.start]
        df = load_frame(folder / "sample")
        results = load.run_load(url, users, states, df, seconds=args.seconds,
                                kill=lambda: machine_dies(instances[0]),
                                kill_after=args.seconds / 2)
        title = (f"### Load test: {args.users} users, {args.rows:,} order lines, nginx -> 2 "
                 f"gunicorn instances ({args.threads} threads each) -> PostgreSQL"
                 + (" + Redis" if "DASHBOARD_REDIS_URL" in env else ""))
        text = f"{title}\n\n{results.table()}"
        print(text)
        for gap in gaps:
            print(f"gap: {gap}")
        if args.doc:
            notes = "".join(f"{line}\n" for line in [*gaps, args.note] if line)
            report.write(Path(args.doc), "load", text, notes)
        for line in (results.errors[:5] + results.out_of_scope[:5]):
            print("  ", line[:200])
    if args.keep:
        print(f"logs kept in {folder} (nginx error.log, gunicorn-*.log)")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if results.out_of_scope else 0


def _top_toy(sample_dir: Path) -> str:
    import pandas as pd

    sales = pd.read_parquet(sample_dir / "sales", columns=["product_id", "revenue"])
    products = pd.read_parquet(sample_dir / "products.parquet")
    best = sales.groupby("product_id")["revenue"].sum().idxmax()
    return str(products.set_index("product_id").loc[best, "name"])


if __name__ == "__main__":
    sys.exit(main())
