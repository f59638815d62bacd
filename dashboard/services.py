"""Per-process services the callbacks use (warehouse connection, cache), kept on the Flask app.

Nothing here is module-level state: each web worker builds its own in create_app, and callbacks
reach them through flask.current_app.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flask
from flask_caching import Cache

from dashboard.queries.filters import Scope
from dashboard.queries.options import Domain, domain
from dashboard.warehouse.store import Warehouse

EXTENSION = "toypulse"


@dataclass
class Services:
    warehouse: Warehouse
    cache: Cache

    def cached(self, namespace: str, scope: Scope, key: tuple, compute: Callable[[], Any]) -> Any:
        """Compute once per (warehouse version, scope, key). The scope is always in the key."""
        raw = pickle.dumps((namespace, self.warehouse.version, scope.key(), key))
        cache_key = f"{namespace}:{hashlib.sha256(raw).hexdigest()}"
        hit = self.cache.get(cache_key)
        if hit is not None:
            return hit
        value = compute()
        self.cache.set(cache_key, value)
        return value

    def domain(self, scope: Scope) -> Domain:
        return domain(self.warehouse, scope)


def current() -> Services:
    return flask.current_app.extensions[EXTENSION]
