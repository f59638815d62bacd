"""What one warehouse version holds (rollups, filter members, metadata), read once per version.

Each web process keeps the catalog of the version it serves (warehouse/store.py), so a filter
change does not pay for reading it again; a new version brings a new catalog.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from dashboard.warehouse.schema import FACT_TABLES


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    source: str
    grain: str
    dims: frozenset[str]
    rows: int


@dataclass(frozen=True)
class Catalog:
    """The rollups of one warehouse version, its filter members and its metadata."""

    entries: tuple[CatalogEntry, ...]
    members: tuple[tuple[str, str, str], ...]  # (region, filter field, member)
    meta: dict[str, object]

    @classmethod
    def read(cls, cur) -> Catalog:
        rows = cur.execute("SELECT name, source, grain, dims, row_count FROM rollups").fetchall()
        members = cur.execute("SELECT region, field, member FROM members").fetchall()
        meta = {k: json.loads(v) for k, v in cur.execute("SELECT key, value FROM meta")
                .fetchall()}
        return cls(tuple(CatalogEntry(n, s, g, frozenset(d), r) for n, s, g, d, r in rows),
                   tuple(members), meta)

    @functools.cached_property
    def members_by_region(self) -> dict[str, dict[str, frozenset[str]]]:
        grouped: dict[str, dict[str, set[str]]] = {}
        for region, field_name, member in self.members:
            grouped.setdefault(region, {}).setdefault(field_name, set()).add(member)
        return {r: {f: frozenset(v) for f, v in fields.items()} for r, fields in grouped.items()}

    @property
    def order_rollup_exact(self) -> bool:
        return bool(self.meta.get("order_rollup_exact"))

    def table(self, source: str, grain: str, needed: set[str]) -> tuple[str, bool]:
        """(table, is_fact): the smallest rollup covering `needed`, else the fact table."""
        fits = [e for e in self.entries
                if e.source == source and e.grain == grain and needed <= e.dims]
        if fits:
            return min(fits, key=lambda e: e.rows).name, False
        return FACT_TABLES[source], True
