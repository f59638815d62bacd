"""What the filter bar may offer: the members of each dimension within the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard.queries.dimensions import natural
from dashboard.queries.filters import Scope
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
    """Filter members within the scope; read from the per-version catalog, no query."""
    catalog = warehouse.catalog()
    found: dict[str, set[str]] = {name: set() for name in FILTER_COLUMNS}
    for region, fields in catalog.members_by_region.items():
        if scope.allows(region):
            for name in found:
                found[name] |= fields.get(name, frozenset())
    meta = catalog.meta
    return Domain(
        members={name: tuple(natural(FILTER_COLUMNS[name], values))
                 for name, values in found.items()},
        min_date=dt.date.fromisoformat(meta["min_date"]),
        max_date=dt.date.fromisoformat(meta["max_date"]),
        unavailable=tuple(meta.get("unavailable", ())),
    )
