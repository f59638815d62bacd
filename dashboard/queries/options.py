"""What the filter bar may offer: the members of each dimension within the user's scope."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from dashboard.queries.filters import Scope, scope_condition
from dashboard.warehouse.schema import FILTER_COLUMNS
from dashboard.warehouse.store import Warehouse


@dataclass(frozen=True)
class Domain:
    """Members per filter field, the data's date span, and dimensions the source lacks."""

    members: dict[str, tuple[str, ...]]
    min_date: dt.date
    max_date: dt.date
    unavailable: tuple[str, ...]

    def default_range(self) -> tuple[dt.date, dt.date]:
        """The last twelve whole months that have data (or everything, if less)."""
        end = self.max_date
        start = dt.date(end.year - 1, end.month, 1)
        start = dt.date(start.year + (start.month // 12), start.month % 12 + 1, 1)
        return max(start, self.min_date), end


def domain(warehouse: Warehouse, scope: Scope) -> Domain:
    scope_sql, params = scope_condition(scope)
    where = f"WHERE {scope_sql}" if scope_sql else ""
    lists = ", ".join(
        f"list(DISTINCT {column} ORDER BY {column}) AS {name}"
        for name, column in FILTER_COLUMNS.items()
    )
    with warehouse.cursor() as cur:
        row = cur.execute(f"SELECT {lists} FROM r_toy_month {where}", params).fetchall()[0]
        meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
    members = {name: tuple(v or ()) for name, v in zip(FILTER_COLUMNS, row, strict=True)}
    return Domain(
        members=members,
        min_date=dt.date.fromisoformat(json.loads(meta["min_date"])),
        max_date=dt.date.fromisoformat(json.loads(meta["max_date"])),
        unavailable=tuple(json.loads(meta.get("unavailable", "[]"))),
    )
