"""Failed sign-ins per user name and per address; too many within the window lock that key out.

Rows live in the app database, so every worker process sees the same count.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard import config
from dashboard.auth import db

ADDRESS_FACTOR = 4  # an address may fail for a few user names before it is locked out


def keys(username: str, address: str | None) -> dict[str, int]:
    """Each key and how many failures lock it."""
    limit = config.get_int("login_max_failures")
    out = {f"user:{username}": limit}
    if address:
        out[f"addr:{address}"] = limit * ADDRESS_FACTOR
    return out


def window() -> dt.timedelta:
    return dt.timedelta(minutes=config.get_int("login_lockout_minutes"))


def locked_until(conn, username: str, address: str | None) -> dt.datetime | None:
    """When the lock on this user name or address ends, or None if it is not locked."""
    since = db.now() - window()
    ends = []
    for key, limit in keys(username, address).items():
        times = [db.as_utc(row.at) for row in conn.execute(
            sa.select(db.login_failures.c.at)
            .where(db.login_failures.c.key == key, db.login_failures.c.at > since)
            .order_by(db.login_failures.c.at.desc()).limit(limit))]
        if len(times) >= limit:
            ends.append(times[0] + window())
    return max(ends) if ends else None


def note_failure(conn, username: str, address: str | None) -> None:
    at = db.now()
    conn.execute(sa.delete(db.login_failures).where(db.login_failures.c.at < at - window()))
    conn.execute(sa.insert(db.login_failures),
                 [{"key": key, "at": at} for key in keys(username, address)])


def clear(conn, username: str) -> None:
    """A successful sign-in forgets the user name's failures (not the address's)."""
    conn.execute(sa.delete(db.login_failures).where(
        db.login_failures.c.key == f"user:{username}"))
