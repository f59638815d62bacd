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
    Setting("sample_rows", "1000000",
            "Order lines the sample retailer generates by default (`dashboard sample`, and the "
            "empty start's \"Load the sample data\")."),
    Setting("sample_seed", "7", "Seed of the sample retailer, so every run makes the same data."),
    Setting("cache_type", "auto",
            "flask-caching backend: SimpleCache, FileSystemCache, RedisCache or NullCache (off); "
            "auto: RedisCache when REDIS_URL is set, else SimpleCache."),
    Setting("cache_dir", "",
            "Folder for FileSystemCache (shared by several workers on one machine)."),
    Setting("cache_timeout", "600", "Seconds a cached callback result lives."),
    Setting("refresh_seconds", "5",
            "How often (seconds) open pages ask whether a new data version was loaded; they "
            "recompute only when it was. 0 turns the check off."),
    Setting("forecast_ahead", "background",
            "After each load, fit the Forecast page's default views: background (a separate "
            "process), inline (the load waits) or off."),
    Setting("duckdb_threads", "2", "Threads each DuckDB query may use."),
    Setting("duckdb_memory_limit", "1GB", "Memory a web process's DuckDB may use."),
    Setting("host", "127.0.0.1", "Address the development server listens on."),
    Setting("port", "8050", "Port the development server listens on."),
    Setting("debug", "0", "1 turns on Dash's debug mode (never in production)."),
    Setting("import_max_mb", "500",
            "Largest file (MB) an import accepts; bigger ones are refused before they are read."),
    Setting("import_max_rejected", "0.01",
            "Share of rows an import may reject (0.01 = 1%); above it the import is refused."),
    Setting("import_chunk_rows", "500000",
            "A plain UTF-8 CSV with more lines than this is imported a chunk of this many lines "
            "at a time (same rules and report, memory bounded by the chunk); 0 turns it off."),
    Setting("import_memory_limit", "1GB",
            "Memory DuckDB may use while an import builds its warehouse version (it spills to "
            "disk beyond it)."),
    Setting("import_keep_job_days", "7",
            "Days a finished Data-page import job folder (uploads, report, rejected rows) is "
            "kept; older ones are deleted at the next import or job start."),
    Setting("server_keep_versions", "3",
            "Versions kept on a server warehouse (DASHBOARD_WAREHOUSE_URL) after each load; older "
            "schemas (PostgreSQL) or databases (ClickHouse) are dropped. At least 2, so a "
            "request that started on the previous version can finish."),
    Setting("regions_file", str(ROOT / "data" / "regions.csv"),
            "Editable table city,state,region used to derive a store's region from its city."),
    Setting("aliases_file", str(ROOT / "data" / "aliases.csv"),
            "Editable table field,alias,value of misspellings to correct during imports."),
    Setting("env", "development",
            "development or production (any other value is refused); production refuses a "
            "missing or weak secret key and debug mode, marks cookies Secure and sends HSTS."),
    Setting("secret_key", "",
            "Signs session cookies and form tokens; production needs 32+ random characters "
            "(development makes a random one per process)."),
    Setting("app_db_url", "",
            "SQLAlchemy URL of the app database (users, regions, audit log); "
            "default: a SQLite file DATA_DIR/app.db."),
    Setting("redis_url", "",
            "Redis URL (redis://host:6379/0) for the cache, sessions and sign-in limits that "
            "several web machines share; empty: sessions and limits in the app database."),
    Setting("session_minutes", "480", "Minutes without a request after which a sign-in expires."),
    Setting("session_absolute_hours", "12",
            "Hours after sign-in when a session ends however much it is used."),
    Setting("secure_cookies", "auto",
            "1 sends cookies over HTTPS only, 0 never; auto: on in production."),
    Setting("login_max_failures", "5",
            "Failed sign-ins for one user name before that name alone is locked out."),
    Setting("login_address_max_failures", "20",
            "Failed sign-ins from one client address before that address alone must wait."),
    Setting("login_lockout_minutes", "15",
            "Minutes a locked-out user name or address must wait; failures older than this "
            "are forgotten."),
    Setting("trusted_proxies", "0",
            "Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are "
            "believed (1 behind one nginx); 0: the connecting address is the client."),
    Setting("request_max_mb", "2",
            "Largest request body (MB) any route accepts (uploads have IMPORT_MAX_MB); "
            "larger ones get 413."),
    Setting("chromium", "",
            "Chromium binary that prints reports to PDF and PNG (`dashboard report`); empty: "
            "the first of chromium, chromium-browser, google-chrome on the PATH."),
    Setting("smtp_host", "",
            "SMTP server `dashboard send-reports` mails subscribed reports through; empty: "
            "mail is not configured and send-reports refuses to run."),
    Setting("smtp_port", "587", "Port of the SMTP server (587 submission with STARTTLS, 25)."),
    Setting("smtp_user", "",
            "User name to log in to the SMTP server with; empty: no login."),
    Setting("smtp_password", "", "Password for SMTP_USER (never printed)."),
    Setting("smtp_from", "",
            "From address of report mails, e.g. 'ToyPulse <reports@example.com>' (required "
            "to send)."),
    Setting("inventory_lead_days", "7",
            "Days from a purchase order to stock on the shelf (the reorder point's lead time)."),
    Setting("inventory_service_level", "0.95",
            "Chance of no stockout during the lead time the safety stock is sized for "
            "(0.5-0.999; z from the normal distribution)."),
    Setting("inventory_target_days", "28",
            "Days of cover a suggested order brings stock up to (plus the safety stock)."),
    Setting("inventory_excess_days", "120",
            "Days of cover above which an item is flagged as excess stock."),
    Setting("inventory_dead_days", "56",
            "An item in stock with no sales in this many days (at most 56) is dead stock."),
    Setting("inventory_expiry_days", "30",
            "Batches expiring within this many days are listed for write-off."),
    Setting("inventory_moq", "6",
            "Minimum order quantity of a suggested order line (the data has no per-product "
            "MOQ)."),
    Setting("inventory_pack_size", "6",
            "Pack size a suggested order quantity is rounded up to (the data has no per-product "
            "pack size)."),
    Setting("smtp_starttls", "1",
            "1: upgrade the SMTP connection with STARTTLS and refuse a server that cannot; "
            "0: plain connection (a local relay only)."),
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


ENVIRONMENTS = ("development", "production")


def environment() -> str:
    """development or production; anything else (a typo like `prod`) is refused, never guessed."""
    value = get("env").strip().lower()
    if value not in ENVIRONMENTS:
        raise ValueError(f"DASHBOARD_ENV={get('env')!r} is not one of {', '.join(ENVIRONMENTS)}")
    return value


def is_production() -> bool:
    return environment() == "production"
