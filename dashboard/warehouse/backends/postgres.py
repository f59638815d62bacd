"""PostgreSQL warehouse: one schema per version (`v0007`), the served one named in one row.

Publishing copies the tables of a finished DuckDB build (warehouse/build.py) into a new schema
with COPY and points `toypulse.current` at it, all in ONE transaction: readers see the old
version or the new one, never half of one, and a killed load leaves nothing behind (PostgreSQL's
DDL is transactional). An advisory lock lets one load run at a time. Readers take a pooled
connection per request and read `toypulse.current` once for all of that request's statements.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pyarrow.csv
import sqlalchemy as sa
from psycopg import sql as pgsql
from psycopg.types.numeric import FloatLoader
from sqlglot import exp

from dashboard.warehouse.backends import dialect, source
from dashboard.warehouse.backends.server import ServerWarehouse, versions_to_drop

LOAD_LOCK = 7_450_117  # pg_advisory_lock key of warehouse loads
CSV_BATCH_ROWS = 200_000


def psycopg_url(url: str) -> str:
    """libpq accepts postgresql:// URLs; drop a SQLAlchemy driver suffix if one is given."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _reader_connection(conn: psycopg.Connection) -> None:
    """Readers never write; sum() of integers is NUMERIC in PostgreSQL: return it as float."""
    conn.read_only = True
    conn.adapters.register_loader("numeric", FloatLoader)


class PostgresWarehouse(ServerWarehouse):
    dialect = "postgres"

    def __init__(self, url: str, root=None, pool_size: int = 4):
        super().__init__(url, root)
        self._engine = sa.create_engine(sqlalchemy_url(url), pool_size=pool_size,
                                        max_overflow=pool_size * 2, pool_pre_ping=True)
        sa.event.listen(self._engine, "connect", lambda conn, _record: _reader_connection(conn))

    @contextlib.contextmanager
    def _open(self) -> Iterator[psycopg.Connection]:
        raw = self._engine.raw_connection()
        try:
            conn = raw.driver_connection
            yield conn
            conn.rollback()
        finally:
            raw.close()  # back to the pool (which rolls back anything left open)

    def _current(self, conn: psycopg.Connection) -> int | None:
        exists = conn.execute("SELECT to_regclass('toypulse.current') IS NOT NULL").fetchone()
        if not exists[0]:
            return None
        row = conn.execute("SELECT version FROM toypulse.current").fetchone()
        return None if row is None else int(row[0])

    def _run(self, conn, schema: str, sql: str, params: list):
        translated = dialect.translate(sql, "postgres", schema)
        cur = conn.execute(translated.sql, dialect.bind(translated, params))
        names = [d.name for d in cur.description or ()]
        return names, cur.fetchall() if cur.description else []

    def close(self) -> None:
        self._engine.dispose()


# ---- Publishing a DuckDB build -------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall()]


def _postgres_type(duckdb_type: str) -> str:
    """DuckDB's type name as PostgreSQL's (sqlglot knows both)."""
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql(dialect="postgres")


def _copy_table(src: duckdb.DuckDBPyConnection, dst: psycopg.Connection, schema: str,
                table: str) -> int:
    columns = _columns(src, table)
    target = pgsql.Identifier(schema, table)
    dst.execute(pgsql.SQL("CREATE TABLE {} ({})").format(target, pgsql.SQL(", ").join(
        pgsql.SQL("{} {}").format(pgsql.Identifier(n), pgsql.SQL(_postgres_type(k)))
        for n, k in columns)))
    names = pgsql.SQL(", ").join(pgsql.Identifier(n) for n, _ in columns)
    select = f"SELECT * FROM \"{table}\""  # a name read from the DuckDB catalog above
    has_lists = any(k.endswith("[]") for _, k in columns)
    rows = 0
    with dst.cursor() as cur:
        if has_lists:  # small tables (the rollup list); CSV cannot carry arrays
            with cur.copy(pgsql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
                for row in src.execute(select).fetchall():
                    copy.write_row(row)
                    rows += 1
        else:
            reader = src.sql(select).to_arrow_reader(CSV_BATCH_ROWS)
            options = pyarrow.csv.WriteOptions(include_header=False)
            with cur.copy(pgsql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
                    target, names)) as copy:
                for batch in reader:
                    buffer = io.BytesIO()
                    pyarrow.csv.write_csv(batch, buffer, options)
                    copy.write(buffer.getvalue())
                    rows += batch.num_rows
    # Tables are written sorted by date/month: a BRIN index lets a date range skip the rest.
    for key in ("date", "month"):
        if any(n == key for n, _ in columns):
            dst.execute(pgsql.SQL("CREATE INDEX ON {} USING brin ({})").format(
                target, pgsql.Identifier(key)))
            break
    dst.execute(pgsql.SQL("ANALYZE {}").format(target))
    return rows


def next_version(conn: psycopg.Connection) -> int:
    names = [r[0] for r in conn.execute(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name ~ '^v[0-9]{4}$'"
    ).fetchall()]
    return max((int(n[1:]) for n in names), default=0) + 1


def publish(url: str, duckdb_file: Path) -> int:
    """Copy a finished DuckDB build into a new schema and serve it; returns its version."""
    src = source.open_build(duckdb_file)
    try:
        with psycopg.connect(psycopg_url(url)) as dst:
            dst.execute("SELECT pg_advisory_xact_lock(%s)", [LOAD_LOCK])
            dst.execute("CREATE SCHEMA IF NOT EXISTS toypulse")
            dst.execute("CREATE TABLE IF NOT EXISTS toypulse.current ("
                        "one boolean PRIMARY KEY DEFAULT true CHECK (one), "
                        "version integer NOT NULL)")
            version = next_version(dst)
            schema = ServerWarehouse.schema_name(version)
            dst.execute(pgsql.SQL("CREATE SCHEMA {}").format(pgsql.Identifier(schema)))
            for table in source.tables(src):
                _copy_table(src, dst, schema, table)
            set_current(dst, version)
            # leaving the block commits: schema, tables and the switch in one transaction
        drop_old_versions(url, version)
    finally:
        src.close()
    return version


def drop_old_versions(url: str, current: int) -> list[int]:
    """Drop schemas past DASHBOARD_SERVER_KEEP_VERSIONS, after the switch has committed. A
    reader still on one holds a lock: waiting is capped, and what is left goes next time."""
    dropped = []
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("SET lock_timeout = '5s'")
        names = [r[0] for r in conn.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name ~ '^v[0-9]{4}$'").fetchall()]
        for version in versions_to_drop([int(n[1:]) for n in names], current):
            try:
                conn.execute(pgsql.SQL("DROP SCHEMA {} CASCADE").format(
                    pgsql.Identifier(ServerWarehouse.schema_name(version))))
                dropped.append(version)
            except psycopg.errors.LockNotAvailable:
                continue
    return dropped


def set_current(conn: psycopg.Connection, version: int) -> None:
    conn.execute("INSERT INTO toypulse.current (one, version) VALUES (true, %s) "
                 "ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version", [version])
