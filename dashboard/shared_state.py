"""The Redis connection that several web machines share (DASHBOARD_REDIS_URL), kept on the app.

When the setting is empty there is no Redis: sessions and sign-in limits live in the app
database and the cache stays per process. redis-py's client is a thread-safe connection pool.
"""

from __future__ import annotations

import flask

from dashboard import config

EXTENSION = "toypulse_redis"


def redis_url() -> str:
    return config.get("redis_url").strip()


def init_app(server: flask.Flask) -> None:
    url = redis_url()
    if url:
        import redis

        server.extensions[EXTENSION] = redis.Redis.from_url(url, socket_timeout=5,
                                                            health_check_interval=30)


def client(server: flask.Flask | None = None):
    """The app's Redis client, or None when Redis is not configured."""
    return (server or flask.current_app).extensions.get(EXTENSION)
