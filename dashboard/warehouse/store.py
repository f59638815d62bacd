"""Versioned warehouse files and the read-only connection the web app queries through.

Layout of the warehouse folder:
    versions/0001.duckdb, 0002.duckdb, ...   one complete DuckDB file per load
    versions/NNNN.publishing                 marker of a version being built (see below)
    CURRENT                                  the version being served (replaced atomically)
    load.lock                                held by the one load that may run at a time

Replacing CURRENT is the one switch. A load first writes the marker `NNNN.publishing`, builds
`NNNN.duckdb.building`, lets the caller put the version's other files (manifest, rejected rows)
under their final names, renames the build to `NNNN.duckdb`, then replaces CURRENT, and only then
removes the marker; every step is fsync'd. So a version with a marker is published exactly when
CURRENT names it: before the switch it is not listed and cannot be served or rolled back to, and
the next load (`recover`) deletes all of its files; after the switch it is complete. Readers see
the old version or the whole new one, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from dashboard import config, crashpoints, durable
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


def marker_file(root: Path, version: int) -> Path:
    return versions_dir(root) / f"{version:04d}.publishing"


def is_published(root: Path, version: int) -> bool:
    """Complete and switched to at least once (a marked version only once CURRENT names it)."""
    if not version_file(root, version).exists():
        return False
    return not marker_file(root, version).exists() or current_version(root) == version


def list_versions(root: Path) -> list[int]:
    """Published versions, oldest first (a version still being published is not one)."""
    folder = versions_dir(root)
    if not folder.exists():
        return []
    numbers = sorted(int(p.stem) for p in folder.glob("*.duckdb") if p.stem.isdigit())
    return [v for v in numbers if is_published(root, v)]


def set_current(root: Path, version: int) -> None:
    """Point readers at a complete version, atomically and durably."""
    if not version_file(root, version).exists():
        raise FileNotFoundError(f"warehouse version {version} does not exist")
    durable.write_text(root / "CURRENT", f"{version}\n")


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


def recover(root: Path) -> list[dict]:
    """Finish what killed loads left (call under `load_lock`); returns the notes of the versions
    removed because they were never switched to.

    A marked version that CURRENT names was switched to: only its marker is left to remove.
    Any other marked version never was: every NNNN.* file of it goes. Half-built DuckDB files
    and temporary files go too.
    """
    folder = versions_dir(root)
    if not folder.exists():
        return []
    abandoned = []
    for marker in sorted(folder.glob("*.publishing")):
        version = int(marker.stem)
        if current_version(root) == version and version_file(root, version).exists():
            marker.unlink()
            continue
        try:
            note = json.loads(marker.read_text() or "{}")
        except ValueError:
            note = {}
        for path in folder.glob(f"{version:04d}.*"):
            if path != marker:
                _remove(path)
        marker.unlink()
        abandoned.append({**note, "version": version})
    for stale in [*folder.glob("*.building*"), *folder.glob("*.tmp")]:
        _remove(stale)
    (root / "CURRENT.tmp").unlink(missing_ok=True)
    durable.fsync_dir(folder)
    return abandoned


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def new_version_path(root: Path, note: dict | None = None) -> tuple[int, Path]:
    """The next version number and the `.building` path to write it to, its marker written
    (call under `load_lock`, after `recover`)."""
    folder = versions_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    version = max((int(p.stem) for p in folder.glob("*.duckdb") if p.stem.isdigit()),
                  default=0) + 1
    durable.write_text(marker_file(root, version), json.dumps(note or {}))
    return version, folder / f"{version:04d}.duckdb.building"


def publish(root: Path, version: int, building: Path) -> None:
    """The switch: the finished build under its final name, then CURRENT, then the marker."""
    durable.fsync_file(building)
    durable.rename(building, version_file(root, version))
    set_current(root, version)
    crashpoints.reached("switched")
    marker_file(root, version).unlink(missing_ok=True)
    durable.fsync_dir(versions_dir(root))


def read_meta(root: Path, version: int) -> dict:
    """The meta table of one version (who built it from what), read-only with the same
    settings as the web app's connection, so both can be open in one process."""
    con = duckdb.connect(str(version_file(root, version)), read_only=True, config={
        "threads": config.get_int("duckdb_threads"),
        "memory_limit": config.get("duckdb_memory_limit")})
    try:
        return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()}
    finally:
        con.close()


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
