"""Atomic counters over a fixed time window, shared by every web process and machine.

In Redis (INCR in one script) when DASHBOARD_REDIS_URL is set, else in the app database (one
UPDATE ... SET count = count + 1, which every SQL database applies atomically per row). Counting
comes before the thing counted, so N parallel attempts get N distinct numbers: a limit of 5 lets
exactly 5 through, never 6.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from dashboard import shared_state
from dashboard.auth import db

REDIS_PREFIX = "toypulse:count:"
HIT_SCRIPT = """
local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
return {n, redis.call('pttl', KEYS[1])}
"""
RELEASE_SCRIPT = """
if tonumber(redis.call('get', KEYS[1]) or '0') > 0 then redis.call('decr', KEYS[1]) end
"""


def now() -> float:
    """The clock windows are measured by (tests move it)."""
    return time.time()


class SqlCounters:
    def __init__(self, database: db.AppDB):
        self.database = database

    def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one more for `key`; (the count including this one, when the window ends)."""
        table, at = db.login_counts, now()
        expired = table.c.window_end <= at
        bump = sa.update(table).where(table.c.key == key).values(
            count=sa.case((expired, 1), else_=table.c.count + 1),
            window_end=sa.case((expired, at + window), else_=table.c.window_end))
        for _attempt in range(3):
            try:
                with self.database.begin_write() as conn:
                    if conn.execute(bump).rowcount == 0:
                        conn.execute(sa.insert(table).values(key=key, count=1,
                                                             window_end=at + window))
                    row = conn.execute(sa.select(table.c.count, table.c.window_end)
                                       .where(table.c.key == key)).one()
                    return row.count, row.window_end
            except sa.exc.IntegrityError:  # a parallel first hit inserted the row: count on it
                continue
        raise RuntimeError(f"could not count {key!r}")

    def release(self, key: str) -> None:
        """Give one back (an attempt that turned out not to count)."""
        table = db.login_counts
        with self.database.begin_write() as conn:
            conn.execute(sa.update(table).where(table.c.key == key, table.c.count > 0)
                         .values(count=table.c.count - 1))

    def reset(self, key: str) -> None:
        with self.database.begin_write() as conn:
            conn.execute(sa.delete(db.login_counts).where(db.login_counts.c.key == key))
            conn.execute(sa.delete(db.login_counts).where(db.login_counts.c.window_end < now()))


class RedisCounters:
    def __init__(self, client):
        self.client = client

    def hit(self, key: str, window: float) -> tuple[int, float]:
        count, ttl_ms = self.client.eval(HIT_SCRIPT, 1, REDIS_PREFIX + key, int(window * 1000))
        return int(count), now() + max(int(ttl_ms), 0) / 1000

    def release(self, key: str) -> None:
        self.client.eval(RELEASE_SCRIPT, 1, REDIS_PREFIX + key)

    def reset(self, key: str) -> None:
        self.client.delete(REDIS_PREFIX + key)


def open_counters(database: db.AppDB) -> SqlCounters | RedisCounters:
    """Redis counters when Redis is configured, else counters in this app database."""
    client = shared_state.client()
    return RedisCounters(client) if client is not None else SqlCounters(database)
