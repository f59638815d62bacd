"""The callback cache in a real Redis when DASHBOARD_REDIS_URL is set: two web instances share
entries, and the scope stays part of every key."""

from __future__ import annotations

import flask
import redis
from flask_caching import Cache

from dashboard.app import cache_config
from dashboard.queries.filters import Scope
from dashboard.services import Services


def instance(name: str, warehouse) -> Services:
    server = flask.Flask(name)
    return Services(warehouse, Cache(server, config=cache_config()))


def test_two_instances_share_the_cache_in_redis(redis_url, monkeypatch, warehouse):
    monkeypatch.setenv("DASHBOARD_REDIS_URL", redis_url)
    monkeypatch.delenv("DASHBOARD_CACHE_TYPE", raising=False)
    redis.Redis.from_url(redis_url).flushdb()
    assert cache_config()["CACHE_TYPE"] == "RedisCache"
    first, second = instance("first", warehouse), instance("second", warehouse)
    computed = []

    def compute(value):
        def run():
            computed.append(value)
            return {"figure": value}
        return run

    north = Scope(("North",))
    assert first.cached("t", north, ("k",), compute("north")) == {"figure": "north"}
    assert second.cached("t", north, ("k",), compute("again")) == {"figure": "north"}
    assert computed == ["north"]  # the second instance found the first one's entry
    south = Scope(("South",))
    assert second.cached("t", south, ("k",), compute("south")) == {"figure": "south"}
    assert computed == ["north", "south"]
    keys = redis.Redis.from_url(redis_url).keys("toypulse:cache:*")
    assert len(keys) == 2


def test_without_redis_the_cache_stays_in_the_process(monkeypatch):
    monkeypatch.delenv("DASHBOARD_REDIS_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_CACHE_TYPE", raising=False)
    assert cache_config()["CACHE_TYPE"] == "SimpleCache"
