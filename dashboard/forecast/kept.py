"""A forecast kept for the served data version, read without fitting anything: a page request
must never fit models (the Inventory page uses the kept store forecast if there is one and says
when there is none). The file is the one `ahead.result` writes for the same view and scope.
"""

from __future__ import annotations

import json

from dashboard.forecast import ahead
from dashboard.forecast.compute import MAX_MEMBERS
from dashboard.forecast.spec import ForecastSpec
from dashboard.queries.filters import Scope


def kept_result(warehouse, scope: Scope, spec: ForecastSpec,
                max_members: int = MAX_MEMBERS) -> dict | None:
    """The kept result of this view and scope, or None (not computed yet, or no folder)."""
    folder = ahead._folder(warehouse)
    if folder is None:
        return None
    try:
        return json.loads(ahead._file(folder, scope, spec, max_members).read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return None
