"""Throwaway local servers (PostgreSQL) for tests, benchmarks and the reference deployment.

Each server lives in its own temporary folder on a free loopback port and is stopped on exit.
PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (made by
Debian's package) or `nobody`, with the folder handed to that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL server programs (newest version installed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).parent
    raise FileNotFoundError("PostgreSQL is not installed (Debian package `postgresql`)")


def _server_user() -> str | None:
    """The unprivileged user to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no `postgres` or `nobody` user to run PostgreSQL as")


def _run(user: str | None, *cmd: str | Path) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    subprocess.run([*prefix, *map(str, cmd)], check=True, capture_output=True, text=True)


@contextlib.contextmanager
def local_postgres(port: int | None = None) -> Iterator[str]:
    """Start PostgreSQL in a new temporary folder; yield its SQLAlchemy/psycopg URL."""
    bindir = postgres_bin()
    user = _server_user()
    port = port or free_port()
    folder = Path(tempfile.mkdtemp(prefix="toypulse-pg-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    try:
        _run(user, bindir / "initdb", "-D", data, "-U", "toypulse", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(user, bindir / "pg_ctl", "-D", data, "-o", options, "-l", folder / "server.log",
             "-w", "start")
        try:
            yield f"postgresql://toypulse@127.0.0.1:{port}/postgres"
        finally:
            _run(user, bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
