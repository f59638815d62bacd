"""Versioned warehouse files and the read-only connection the web app queries through.

Layout of the warehouse folder:
    versions/0001.duckdb, 0002.duckdb, ...   one complete DuckDB file per load
    CURRENT                                  the version being served (replaced atomically)
    load.lock                                held by the one load that may run at a time

A load builds `NNNN.duckdb.building`, renames it when complete, then replaces CURRENT, so readers
see either the old version or the new one, never half of one. A killed load leaves only a
`.building` file, which the next load deletes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from dashboard import config
from dashboard.warehouse.catalog import Catalog


class NoWarehouseError(RuntimeError):
    """No version has been loaded yet."""


class LoadInProgressError(RuntimeError):
    """Another load holds the lock."""


def versions_dir(root: Path) -> Path:
    return root / "versions"


def version_file(root: Path, version: int) -> Path:
    return versions_dir(root) / f"{version:04d}.duckdb"


def current_version(root: Path) -> int | None:
    try:
        return int((root / "CURRENT").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def list_versions(root: Path) -> list[int]:
    folder = versions_dir(root)
    if not folder.exists():
        return []
    return sorted(int(p.stem) for p in folder.glob("*.duckdb") if p.stem.isdigit())


def set_current(root: Path, version: int) -> None:
    """Point readers at a complete version, atomically."""
    if not version_file(root, version).exists():
        raise FileNotFoundError(f"warehouse version {version} does not exist")
    tmp = root / "CURRENT.tmp"
    tmp.write_text(f"{version}\n")
    os.replace(tmp, root / "CURRENT")


@contextlib.contextmanager
def load_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Only one load at a time, across processes; the OS frees the lock if the process dies."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "load.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise LoadInProgressError("another import is running; try again when it ends") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_version_path(root: Path) -> tuple[int, Path]:
    """The next version number and the `.building` path to write it to (stale ones removed)."""
    folder = versions_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.building*"):
        stale.unlink()
    version = max(list_versions(root), default=0) + 1
    return version, folder / f"{version:04d}.duckdb.building"


def publish(root: Path, version: int, building: Path) -> None:
    os.replace(building, version_file(root, version))
    set_current(root, version)


class RecordingCursor:
    """A cursor that reports each statement and its parameters before running it."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, record: Callable[[str, list], None]):
        self._cursor, self._record = cursor, record

    def execute(self, sql: str, params=None):
        self._record(sql, list(params or []))
        return self._cursor.execute(sql) if params is None else self._cursor.execute(sql, params)

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)


class Warehouse:
    """Read-only access to the current version; one instance per web process.

    Each query takes its own cursor (DuckDB connections are not shared across threads), and the
    connection is reopened when CURRENT points at a new version.
    """

    def __init__(self, root: Path | None = None):
        self.root = Path(root or config.warehouse_dir())
        self._lock = threading.Lock()
        self._version: int | None = None
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._catalog: Catalog | None = None
        # Tests set this to see every (sql, params) the query layer runs; None in the app.
        self.on_execute: Callable[[str, list], None] | None = None

    @property
    def version(self) -> int:
        self._connection()
        assert self._version is not None
        return self._version

    def _connection(self) -> duckdb.DuckDBPyConnection:
        version = current_version(self.root)
        if version is None:
            raise NoWarehouseError(
                f"no data loaded in {self.root}: run `dashboard sample` or `dashboard import`"
            )
        with self._lock:
            if version != self._version or self._conn is None:
                if self._conn is not None:
                    self._conn.close()
                self._conn = duckdb.connect(
                    str(version_file(self.root, version)),
                    read_only=True,
                    config={
                        "threads": config.get_int("duckdb_threads"),
                        "memory_limit": config.get("duckdb_memory_limit"),
                    },
                )
                self._version = version
                self._catalog = None
            return self._conn

    def catalog(self) -> Catalog:
        """The rollup catalog of the current version, read once per version."""
        conn = self._connection()
        with self._lock:
            if self._catalog is None:
                cur = conn.cursor()
                try:
                    self._catalog = Catalog.read(cur)
                finally:
                    cur.close()
            return self._catalog

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._connection().cursor()
        try:
            yield cur if self.on_execute is None else RecordingCursor(cur, self.on_execute)
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._version = None, None
