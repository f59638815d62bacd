"""Server-side sign-in sessions, so that a session can be ended for every copy of its cookie.

The cookie (Flask's signed cookie) carries only a random token. The record behind it (user,
session epoch, when it started, when it was last used) lives in Redis when DASHBOARD_REDIS_URL is
set, else in the app database; only a SHA-256 of the token is stored. Sign-out deletes the record,
so a copy of the cookie taken before gets nothing. A session ends after SESSION_MINUTES without a
request and SESSION_ABSOLUTE_HOURS after sign-in however much it is used, so a stolen cookie
cannot be kept alive by using it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import flask
import sqlalchemy as sa

from dashboard import config, shared_state
from dashboard.auth import db

TOUCH_EVERY = 60.0  # seconds: the last-use time is written at most this often
REDIS_PREFIX = "toypulse:session:"
TOUCH_SCRIPT = """
if redis.call('exists', KEYS[1]) == 1 then
  redis.call('hset', KEYS[1], 'seen', ARGV[1])
  redis.call('expire', KEYS[1], ARGV[2])
end
"""


@dataclass(frozen=True)
class Record:
    user_id: int
    epoch: int  # the account's session epoch at sign-in; account changes move it on
    started: float  # Unix seconds
    seen: float


def now() -> float:
    """The clock sessions are measured by (tests move it)."""
    return time.time()


def idle_seconds() -> float:
    return config.get_int("session_minutes") * 60.0


def absolute_seconds() -> float:
    return config.get_float("session_absolute_hours") * 3600.0


def alive(record: Record, at: float) -> bool:
    return at - record.seen <= idle_seconds() and at - record.started <= absolute_seconds()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlStore:
    """Sessions in the app database's `sessions` table (one web machine, or a shared database)."""

    def __init__(self, database: db.AppDB):
        self.database = database

    def create(self, key: str, record: Record) -> None:
        table = db.sessions
        with self.database.begin() as conn:
            conn.execute(sa.delete(table).where(sa.or_(
                table.c.seen < record.started - idle_seconds(),
                table.c.started < record.started - absolute_seconds())))
            conn.execute(sa.insert(table).values(
                id=key, user_id=record.user_id, epoch=record.epoch, started=record.started,
                seen=record.seen))

    def get(self, key: str) -> Record | None:
        with self.database.begin() as conn:
            row = conn.execute(sa.select(db.sessions).where(db.sessions.c.id == key)).first()
        return Record(row.user_id, row.epoch, row.started, row.seen) if row else None

    def touch(self, key: str, record: Record, at: float) -> None:
        with self.database.begin() as conn:
            conn.execute(sa.update(db.sessions).where(db.sessions.c.id == key).values(seen=at))

    def delete(self, key: str) -> None:
        with self.database.begin() as conn:
            conn.execute(sa.delete(db.sessions).where(db.sessions.c.id == key))


class RedisStore:
    """Sessions in Redis, a hash per session that Redis itself expires."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def _ttl(record: Record, at: float) -> int:
        left = min(idle_seconds(), record.started + absolute_seconds() - at)
        return max(1, int(left) + 1)

    def create(self, key: str, record: Record) -> None:
        name = REDIS_PREFIX + key
        fields = {"user_id": record.user_id, "epoch": record.epoch, "started": record.started,
                  "seen": record.seen}
        self.client.pipeline().hset(name, mapping=fields).expire(
            name, self._ttl(record, record.seen)).execute()

    def get(self, key: str) -> Record | None:
        fields = self.client.hgetall(REDIS_PREFIX + key)
        if not fields:
            return None
        return Record(int(fields[b"user_id"]), int(fields[b"epoch"]), float(fields[b"started"]),
                      float(fields[b"seen"]))

    def touch(self, key: str, record: Record, at: float) -> None:
        # One script, so a touch racing a sign-out cannot bring a deleted session back.
        self.client.eval(TOUCH_SCRIPT, 1, REDIS_PREFIX + key, at, self._ttl(record, at))

    def delete(self, key: str) -> None:
        self.client.delete(REDIS_PREFIX + key)


def store(server: flask.Flask | None = None) -> SqlStore | RedisStore:
    server = server or flask.current_app
    client = shared_state.client(server)
    return RedisStore(client) if client is not None else SqlStore(server.extensions[db.EXTENSION])


def start(user_id: int, epoch: int) -> str:
    """A new session for this account; the token goes into the cookie."""
    token = secrets.token_urlsafe(32)
    at = now()
    store().create(digest(token), Record(user_id, epoch, at, at))
    return token


def resume(token: str) -> Record | None:
    """The live session this token names (its last use noted), or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    sessions, key, at = store(), digest(token), now()
    record = sessions.get(key)
    if record is None:
        return None
    if not alive(record, at):
        sessions.delete(key)
        return None
    if at - record.seen >= TOUCH_EVERY:
        sessions.touch(key, record, at)
    return record


def end(token: str) -> None:
    if isinstance(token, str) and token:
        store().delete(digest(token))
