"""Where the warehouse lives, chosen by DASHBOARD_WAREHOUSE_URL.

- empty (the default): versioned DuckDB files in the warehouse folder (warehouse/store.py);
- `postgresql://user@host:port/db`: a PostgreSQL server, one schema per version (postgres.py);
- `chdb:///absolute/folder`: ClickHouse's engine in-process via chdb, one database per version
  (clickhouse.py).

Every backend is read by the same queries (written once in DuckDB SQL, transpiled by sqlglot
for servers, see dialect.py). Builds always run in DuckDB in the warehouse folder; for a server
the finished build is then copied into it and published there (`publish`).
"""

from __future__ import annotations

from pathlib import Path

from dashboard import config

SCHEMES = {"postgresql": "postgres", "postgres": "postgres", "postgresql+psycopg": "postgres",
           "chdb": "clickhouse"}


def kind(url: str) -> str:
    """'duckdb', 'postgres' or 'clickhouse' for a warehouse URL (empty: duckdb)."""
    if not url:
        return "duckdb"
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise ValueError(
            f"DASHBOARD_WAREHOUSE_URL {scheme + '://...' if scheme else url!r} is not supported: "
            "use postgresql://user@host:port/database or chdb:///absolute/folder "
            "(or leave it empty for the DuckDB files)")
    return SCHEMES[scheme]


def open_warehouse(root: Path | None = None, url: str | None = None):
    """The reader the web app queries: DuckDB files by default, else the server at `url`."""
    url = config.get("warehouse_url") if url is None else url
    root = Path(root or config.warehouse_dir())
    backend = kind(url)
    if backend == "postgres":
        from dashboard.warehouse.backends.postgres import PostgresWarehouse

        return PostgresWarehouse(url, root)
    if backend == "clickhouse":
        from dashboard.warehouse.backends.clickhouse import ClickHouseWarehouse

        return ClickHouseWarehouse(url, root)
    from dashboard.warehouse.store import Warehouse

    return Warehouse(root)


def publish(duckdb_file: Path, url: str | None = None) -> int | None:
    """Copy a finished DuckDB build to the server warehouse, if one is configured.

    Returns the server's new version, or None when the DuckDB files are the warehouse.
    """
    url = config.get("warehouse_url") if url is None else url
    backend = kind(url)
    if backend == "postgres":
        from dashboard.warehouse.backends import postgres

        return postgres.publish(url, duckdb_file)
    if backend == "clickhouse":
        from dashboard.warehouse.backends import clickhouse

        return clickhouse.publish(url, duckdb_file)
    return None
