"""ClickHouse warehouse through chdb (ClickHouse's engine in-process): a database per version.

URL: `chdb:///absolute/folder` (the engine's data folder). Publishing copies each table of a
finished DuckDB build through a Parquet file into a new database `v0007` (MergeTree, sorted by
date or month so a date range reads few granules), then appends one row to
`toypulse.published`. ClickHouse has no multi-statement transactions, but one INSERT is atomic:
readers take the version of the newest row, so they see the old version or the new one, never
half of one; a killed load leaves only an unpublished database, which the next load drops.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
from chdb import session as chdb_session

from dashboard.warehouse.backends import dialect, source
from dashboard.warehouse.backends.server import ServerWarehouse, versions_to_drop

PUBLISHED = "toypulse.published"


def data_folder(url: str) -> Path:
    if not url.startswith("chdb://"):
        raise ValueError(f"not a chdb URL: {url!r} (chdb:///absolute/folder)")
    folder = url[len("chdb://"):]
    if not folder.startswith("/"):
        raise ValueError(f"chdb URL needs an absolute folder: {url!r}")
    return Path(folder)


class Engine:
    """One chdb session over a data folder; statements run one at a time (chdb is one engine)."""

    def __init__(self, url: str):
        folder = data_folder(url)
        folder.mkdir(parents=True, exist_ok=True)
        self._session = chdb_session.Session(str(folder))
        self._lock = threading.Lock()
        # DuckDB SQL may name a result `revenue` AS sum(revenue): column names win over aliases.
        self.execute("SET prefer_column_name_to_alias = 1")

    def query(self, sql: str, params: dict | None = None):
        with self._lock:
            return self._session.query(sql, "ArrowTable", params=params or None)

    def execute(self, sql: str) -> None:
        with self._lock:
            self._session.query(sql, "CSV")

    def close(self) -> None:
        with self._lock:
            self._session.close()


def _current(engine: Engine) -> int | None:
    table = engine.query("SELECT count() AS n FROM system.tables "
                         "WHERE database = 'toypulse' AND name = 'published'")
    if not table.column("n").to_pylist()[0]:
        return None
    rows = engine.query(f"SELECT version FROM {PUBLISHED} ORDER BY seq DESC LIMIT 1")
    versions = rows.column("version").to_pylist()
    return int(versions[0]) if versions else None


class ClickHouseWarehouse(ServerWarehouse):
    dialect = "clickhouse"

    def __init__(self, url: str, root=None):
        super().__init__(url, root)
        self._engine = Engine(url)

    @contextlib.contextmanager
    def _open(self) -> Iterator[Engine]:
        yield self._engine

    def _current(self, conn: Engine) -> int | None:
        return _current(conn)

    def _run(self, conn: Engine, schema: str, sql: str, params: list):
        kinds = tuple(dialect.param_kind(v) for v in params)
        translated = dialect.translate(sql, "clickhouse", schema, kinds)
        table = conn.query(translated.sql, dialect.bind(translated, params))
        columns = [column.to_pylist() for column in table.columns]
        return list(table.column_names), list(zip(*columns, strict=True))

    def close(self) -> None:
        self._engine.close()


# ---- Publishing a DuckDB build -------------------------------------------------------------


def _databases(engine: Engine) -> list[str]:
    rows = engine.query("SELECT name FROM system.databases WHERE match(name, '^v[0-9]{4}$')")
    return rows.column("name").to_pylist()


def _sort_key(columns: list[str]) -> str:
    for key in ("date", "month"):
        if key in columns:
            return key
    return "tuple()"


def publish(url: str, duckdb_file: Path) -> int:
    """Copy a finished DuckDB build into a new database and serve it; returns its version."""
    engine = Engine(url)
    try:
        engine.execute("CREATE DATABASE IF NOT EXISTS toypulse")
        engine.execute(f"CREATE TABLE IF NOT EXISTS {PUBLISHED} (seq UInt64, version UInt32) "
                       "ENGINE = MergeTree ORDER BY seq")
        current = _current(engine) or 0
        existing = [int(name[1:]) for name in _databases(engine)]
        for leftover in (v for v in existing if v > current):  # from a killed load
            engine.execute(f"DROP DATABASE {ServerWarehouse.schema_name(leftover)}")
        version = max([current, *(v for v in existing if v <= current)]) + 1
        database = ServerWarehouse.schema_name(version)
        engine.execute(f"CREATE DATABASE {database}")
        src = source.open_build(duckdb_file)
        try:
            tables = source.tables(src)
            with tempfile.TemporaryDirectory(prefix="toypulse-chdb-") as tmp:
                for table in tables:
                    _copy_table(src, engine, database, table, Path(tmp))
        finally:
            src.close()
        seq = engine.query(f"SELECT coalesce(max(seq), 0) + 1 AS s FROM {PUBLISHED}")
        engine.query(f"INSERT INTO {PUBLISHED} VALUES ({{s:UInt64}}, {{v:UInt32}})",
                     {"s": seq.column("s").to_pylist()[0], "v": version})
        for old in versions_to_drop([int(n[1:]) for n in _databases(engine)], version):
            engine.execute(f"DROP DATABASE IF EXISTS {ServerWarehouse.schema_name(old)}")
    finally:
        engine.close()
    return version


def _copy_table(src: duckdb.DuckDBPyConnection, engine: Engine, database: str, table: str,
                tmp: Path) -> None:
    """DuckDB table -> Parquet file -> MergeTree table (names come from the DuckDB catalog)."""
    parquet = tmp / f"{table}.parquet"
    src.execute(f'COPY "{table}" TO \'{parquet}\' (FORMAT parquet)')
    columns = [d[0] for d in src.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
    engine.execute(
        f"CREATE TABLE {database}.`{table}` ENGINE = MergeTree ORDER BY {_sort_key(columns)} "
        f"SETTINGS allow_nullable_key = 1 "
        f"AS SELECT * FROM file('{parquet}', Parquet)")
