"""One registry of settings: name, default, help. Environment variables DASHBOARD_<NAME> override.

Every setting is documented here and in docs/SETTINGS.md (a test keeps the two in step).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env_var(self) -> str:
        return f"DASHBOARD_{self.name.upper()}"

    def value(self) -> str:
        return os.environ.get(self.env_var, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str(ROOT / "data"), "Folder for sample inputs and the warehouse file."),
    Setting("warehouse_dir", "",
            "Folder of the versioned DuckDB warehouse (default: DATA_DIR/warehouse)."),
    Setting("warehouse_url", "",
            "Where the web app reads the warehouse: empty for the DuckDB files of WAREHOUSE_DIR; "
            "postgresql://user@host:port/db for a PostgreSQL server; chdb:///folder for "
            "ClickHouse's engine in-process (chdb). Imports build in WAREHOUSE_DIR, then "
            "publish to the server."),
    Setting("calendar_dir", str(ROOT / "data" / "calendar"),
            "Folder with festivals.csv and seasons.csv, the retailer-editable calendar."),
    Setting("sample_rows", "1000000", "Order lines the sample retailer generates by default."),
    Setting("sample_seed", "7", "Seed of the sample retailer, so every run makes the same data."),
    Setting("cache_type", "SimpleCache",
            "flask-caching backend: SimpleCache, FileSystemCache, RedisCache or NullCache (off)."),
    Setting("cache_dir", "",
            "Folder for FileSystemCache (shared by several workers on one machine)."),
    Setting("cache_timeout", "600", "Seconds a cached callback result lives."),
    Setting("duckdb_threads", "2", "Threads each DuckDB query may use."),
    Setting("duckdb_memory_limit", "1GB", "Memory a web process's DuckDB may use."),
    Setting("host", "127.0.0.1", "Address the development server listens on."),
    Setting("port", "8050", "Port the development server listens on."),
    Setting("debug", "0", "1 turns on Dash's debug mode (never in production)."),
    Setting("import_max_mb", "500",
            "Largest file (MB) an import accepts; bigger ones are refused before they are read."),
    Setting("import_max_rejected", "0.01",
            "Share of rows an import may reject (0.01 = 1%); above it the import is refused."),
    Setting("regions_file", str(ROOT / "data" / "regions.csv"),
            "Editable table city,state,region used to derive a store's region from its city."),
    Setting("aliases_file", str(ROOT / "data" / "aliases.csv"),
            "Editable table field,alias,value of misspellings to correct during imports."),
    Setting("env", "development",
            "development or production; production refuses a missing or weak secret key "
            "and debug mode, and marks cookies Secure."),
    Setting("secret_key", "",
            "Signs session cookies and form tokens; production needs 32+ random characters "
            "(development makes a random one per process)."),
    Setting("app_db_url", "",
            "SQLAlchemy URL of the app database (users, regions, audit log); "
            "default: a SQLite file DATA_DIR/app.db."),
    Setting("session_minutes", "480", "Minutes without a request after which a sign-in expires."),
    Setting("secure_cookies", "auto",
            "1 sends cookies over HTTPS only, 0 never; auto: on in production."),
    Setting("login_max_failures", "5",
            "Failed sign-ins for one user name (x4 for one address) before it is locked out."),
    Setting("login_lockout_minutes", "15",
            "Minutes a locked-out user name or address must wait; failures older than this "
            "are forgotten."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The current value of a setting (environment first, then the default)."""
    return _BY_NAME[name].value()


def get_int(name: str) -> int:
    return int(get(name))


def get_float(name: str) -> float:
    return float(get(name))


def warehouse_dir() -> Path:
    explicit = get("warehouse_dir")
    return Path(explicit) if explicit else Path(get("data_dir")) / "warehouse"


def app_db_url() -> str:
    explicit = get("app_db_url")
    return explicit or f"sqlite:///{Path(get('data_dir')) / 'app.db'}"


def is_production() -> bool:
    return get("env").strip().lower() == "production"
