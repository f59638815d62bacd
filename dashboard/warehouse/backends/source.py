"""Reading a finished DuckDB build to copy it to a server warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dashboard import config
from dashboard.warehouse.schema import DUCKDB_ONLY


def open_build(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only, with the web reader's settings: DuckDB refuses a second connection to one
    file in one process with other settings (the web process may be serving this very file)."""
    return duckdb.connect(str(path), read_only=True, config={
        "threads": config.get_int("duckdb_threads"),
        "memory_limit": config.get("duckdb_memory_limit"),
    })


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The build's base tables to copy (views such as `sales` are not, nor the tables only
    DuckDB's own query paths read: schema.DUCKDB_ONLY)."""
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema = 'main' ORDER BY table_name"
    ).fetchall() if r[0] not in DUCKDB_ONLY]
