"""The app database (users, regions, audit log, sessions, sign-in counts), via SQLAlchemy Core.

A SQLite file by default; any SQLAlchemy URL (e.g. PostgreSQL) works. One engine per process,
kept on the Flask app like the other per-process services.
"""

from __future__ import annotations

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
)

user_regions = sa.Table(
    "user_regions", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("region", sa.String(128), primary_key=True),
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
)

login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)


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


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class AppDB:
    """The engine and the tables, created on first use."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            metadata.create_all(self.engine)
        except sa.exc.DBAPIError:  # another worker created the tables at the same moment
            metadata.create_all(self.engine)

    def begin(self):
        """A transaction: `with db.begin() as conn:` commits on success, rolls back on error."""
        return self.engine.begin()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")  # several workers may write at once
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def current() -> AppDB:
    return flask.current_app.extensions[EXTENSION]
