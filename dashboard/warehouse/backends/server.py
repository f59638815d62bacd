"""What the PostgreSQL and ClickHouse readers share: the cursor the query layer sees.

The query layer calls `cur.execute(duckdb_sql, params)` and then `fetchall()` or
`fetchnumpy()`, as it does on DuckDB. A `ServerCursor` transpiles the statement for its server
(dialect.translate), runs it with bound parameters, and offers the same fetch methods.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from dashboard import config
from dashboard.warehouse.catalog import Catalog
from dashboard.warehouse.store import NoWarehouseError


class NoServerWarehouseError(NoWarehouseError):
    """The server holds no published version yet."""


def numpy_columns(names: list[str], rows: list[tuple]) -> dict[str, np.ndarray]:
    """Rows as DuckDB's fetchnumpy gives them: floats with NaN for NULL, else object arrays."""
    out = {}
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        present = [v for v in values if v is not None]
        numeric = present and all(isinstance(v, int | float) and not isinstance(v, bool)
                                  for v in present)
        if numeric:
            out[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        else:
            out[name] = np.array(values, dtype=object)
    return out


class ServerCursor:
    """DuckDB-flavoured cursor over a server: execute() then fetchall/fetchnumpy/df."""

    def __init__(self, run: Callable[[str, list], tuple[list[str], list[tuple]]],
                 record: Callable[[str, list], None] | None = None):
        self._run, self._record = run, record
        self._names: list[str] = []
        self._rows: list[tuple] = []

    def execute(self, sql: str, params=None) -> ServerCursor:
        params = list(params or [])
        if self._record is not None:
            self._record(sql, params)
        self._names, self._rows = self._run(sql, params)
        return self

    @property
    def description(self) -> list[tuple]:
        return [(name, None, None, None, None, None, None) for name in self._names]

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        return numpy_columns(self._names, self._rows)

    def df(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self._rows, columns=self._names)

    fetchdf = df


class ServerWarehouse:
    """Base of the server readers: the served version, its catalog, and cursors.

    Subclasses open a connection (`_open`), say which version it sees as current
    (`_current`) and run one translated statement on it (`_run`). A cursor reads the current
    version once, so every statement of one request (one Overview refresh) reads the same
    version, even if a load publishes a new one meanwhile.
    """

    def __init__(self, url: str, root=None):
        self.url = url
        self.root = root  # local staging folder of the DuckDB builds (Data page, imports)
        self._lock = threading.Lock()
        self._catalogs: dict[int, Catalog] = {}
        # Tests set this to see every (sql, params) the query layer runs; None in the app.
        self.on_execute: Callable[[str, list], None] | None = None

    # -- for subclasses -----------------------------------------------------------------
    def _open(self) -> contextlib.AbstractContextManager:
        raise NotImplementedError

    def _current(self, conn) -> int | None:
        raise NotImplementedError

    def _run(self, conn, schema: str, sql: str, params: list) -> tuple[list[str], list[tuple]]:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------
    @staticmethod
    def schema_name(version: int) -> str:
        return f"v{version:04d}"

    def _served(self, conn) -> int:
        version = self._current(conn)
        if version is None:
            raise NoServerWarehouseError(
                "no data loaded in the warehouse server: run `dashboard sample` or "
                "`dashboard import` with DASHBOARD_WAREHOUSE_URL set")
        return version

    def _cursor(self, conn, version: int) -> ServerCursor:
        schema = self.schema_name(version)
        return ServerCursor(lambda sql, params: self._run(conn, schema, sql, params),
                            self.on_execute)

    @property
    def version(self) -> int:
        with self._open() as conn:
            return self._served(conn)

    def catalog(self) -> Catalog:
        """The catalog of the served version, read once per version."""
        with self._open() as conn:
            version = self._served(conn)
            with self._lock:
                cached = self._catalogs.get(version)
            if cached is None:
                cached = Catalog.read(self._cursor(conn, version))
                with self._lock:
                    self._catalogs = {version: cached}  # only the served version is kept
        return cached

    @contextlib.contextmanager
    def cursor(self) -> Iterator[ServerCursor]:
        with self._open() as conn:
            yield self._cursor(conn, self._served(conn))

    def close(self) -> None:
        pass


def versions_to_drop(existing: list[int], current: int, keep: int | None = None) -> list[int]:
    """Old versions past the newest `keep` (DASHBOARD_SERVER_KEEP_VERSIONS, at least 2);
    never the current one or anything newer (a load in progress)."""
    keep = max(2, config.get_int("server_keep_versions") if keep is None else keep)
    return sorted(v for v in existing if v <= current - keep)
