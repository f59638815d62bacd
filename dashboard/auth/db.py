"""The app database (users, regions, audit log, sessions, sign-in counts, report subscriptions),
via SQLAlchemy Core.

A SQLite file by default; any SQLAlchemy URL (e.g. PostgreSQL) works. One engine per process,
kept on the Flask app like the other per-process services.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import flask
import sqlalchemy as sa

EXTENSION = "toypulse_auth"

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False, default=""),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    # Bumped when the password, role, regions or active flag change: old sessions stop working.
    sa.Column("session_epoch", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Where `dashboard send-reports` mails this user's subscriptions ("" = none, skipped).
    sa.Column("email", sa.String(254), nullable=False, default="", server_default=""),
)

user_regions = sa.Table(
    "user_regions", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("region", sa.String(128), primary_key=True),
)

# A store manager's stores (store ids as text, as the warehouse's `stores` table has them).
user_stores = sa.Table(
    "user_stores", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("store_id", sa.String(64), primary_key=True),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(64)),
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("subject", sa.String(128)),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("address", sa.String(64)),
    # Repeated failed or locked sign-ins are one row with a count, not a row per attempt.
    sa.Column("times", sa.Integer, nullable=False, default=1, server_default="1"),
    sa.Column("last_at", sa.DateTime(timezone=True)),
)

# Sign-in attempts per user name or address in the current window (dashboard/auth/counters.py).
login_counts = sa.Table(
    "login_counts", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_end", sa.Float, nullable=False, index=True),  # Unix seconds
)

# Columns added after the first release: (table, column) created on existing databases.
ADDED_COLUMNS = (("audit_log", "times"), ("audit_log", "last_at"), ("users", "email"),
                 ("subscriptions", "saved_id"))


# Server-side sign-in sessions when there is no Redis (dashboard/auth/sessions.py).
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("started", sa.Float, nullable=False, index=True),  # Unix seconds
    sa.Column("seen", sa.Float, nullable=False, index=True),
)

# Reports mailed by `dashboard send-reports` (dashboard/report/subscriptions.py). `what` is a
# page (`page` + its URL query `view`), the default story (`story`), or a saved view or story
# (`saved_id`).
subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("page", sa.String(64), nullable=False, default=""),
    sa.Column("story", sa.String(64), nullable=False, default=""),
    sa.Column("view", sa.String(2000), nullable=False, default=""),
    # A saved view or saved story by id (views/tables.py), so a rename keeps the subscription;
    # no foreign key: a deleted view leaves the id, and the page says why the mails stopped.
    sa.Column("saved_id", sa.Integer, nullable=True),
    sa.Column("cadence", sa.String(8), nullable=False),  # daily | weekly
    sa.Column("active", sa.Boolean, nullable=False, default=False),
    sa.Column("is_default", sa.Boolean, nullable=False, default=False),
    sa.Column("last_sent_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
# One default subscription per user, even when two workers make it at the same moment.
sa.Index("subscriptions_one_default", subscriptions.c.user_id, unique=True,
         sqlite_where=subscriptions.c.is_default.is_(True),
         postgresql_where=subscriptions.c.is_default.is_(True))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class AppDB:
    """The engine and the tables, created on first use."""

    def __init__(self, url: str):
        from dashboard.inventory import tables as _stock  # noqa: F401 - stock movements
        from dashboard.pages import team_targets  # noqa: F401 - the employee_targets table
        from dashboard.views import tables  # noqa: F401 - the saved-view tables join metadata

        self.url = url
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            metadata.create_all(self.engine)
            _add_missing_columns(self.engine)
        except sa.exc.DBAPIError:  # another worker created the tables at the same moment
            metadata.create_all(self.engine)
            _add_missing_columns(self.engine)

    def begin(self):
        """A transaction: `with db.begin() as conn:` commits on success, rolls back on error."""
        return self.engine.begin()

    @contextlib.contextmanager
    def begin_write(self):
        """A transaction that takes the write lock first. In SQLite a plain (deferred) one that
        reads, then writes, fails with 'database is locked' when another process wrote in
        between; BEGIN IMMEDIATE waits its turn instead (busy_timeout)."""
        if self.engine.dialect.name != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    def dispose(self) -> None:
        self.engine.dispose()


def _add_missing_columns(engine: sa.Engine) -> None:
    """An app database made by an older version gains the new columns (with their defaults)."""
    inspector = sa.inspect(engine)
    for table_name, column_name in ADDED_COLUMNS:
        if column_name in {c["name"] for c in inspector.get_columns(table_name)}:
            continue
        column = metadata.tables[table_name].c[column_name]
        ddl = sa.schema.CreateColumn(column).compile(dialect=engine.dialect)
        with engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {table_name} ADD COLUMN {ddl}"))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")  # several workers may write at once
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # WAL's usual pairing: no fsync per commit
    cursor.close()


def current() -> AppDB:
    return flask.current_app.extensions[EXTENSION]
