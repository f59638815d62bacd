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
from dashboard.warehouse.store import NoWarehouseError, Warehouse

EXTENSION = "toypulse"


@dataclass
class Services:
    warehouse: Warehouse
    cache: Cache

    def cached(self, namespace: str, scope: Scope, key: tuple, compute: Callable[[], Any],
               keep: Callable[[Any], bool] = lambda value: True) -> Any:
        """Compute once per (warehouse version, scope, key). The scope is always in the key.
        `keep(value)` False: not stored (a scene whose forecast is still fitting)."""
        raw = pickle.dumps((namespace, self.warehouse.version, scope.key(), key))
        cache_key = f"{namespace}:{hashlib.sha256(raw).hexdigest()}"
        hit = self.cache.get(cache_key)
        if hit is not None:
            return hit
        value = compute()
        if keep(value):
            self.cache.set(cache_key, value)
        return value

    def domain(self, scope: Scope) -> Domain:
        return domain(self.warehouse, scope)

    def has_data(self) -> bool:
        """Does the served warehouse (DuckDB files or a server) hold a version? Asked anew each
        time, so the first import is seen by every worker without a restart."""
        try:
            self.warehouse.version  # noqa: B018 - reading it asks the warehouse
        except NoWarehouseError:
            return False
        return True


def current() -> Services:
    return flask.current_app.extensions[EXTENSION]


def no_data(_exc: Exception):
    """A data callback while nothing is loaded (a page left open, a forged call): a clear answer,
    not a 500 with a traceback. Pages show their empty state before it comes to this."""
    return flask.jsonify(error="no data has been imported yet"), 409
