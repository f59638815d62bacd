"""Which rollups a warehouse version has, and the smallest one that can answer a query."""

from __future__ import annotations

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
    """The rollups of one warehouse version, and which one a query should read."""

    entries: tuple[CatalogEntry, ...]
    order_rollup_exact: bool

    @classmethod
    def read(cls, cur) -> Catalog:
        rows = cur.execute("SELECT name, source, grain, dims, row_count FROM rollups").fetchall()
        exact = cur.execute(
            "SELECT value FROM meta WHERE key = 'order_rollup_exact'").fetchall()
        return cls(tuple(CatalogEntry(n, s, g, frozenset(d), r) for n, s, g, d, r in rows),
                   bool(exact) and exact[0][0] == "true")

    def table(self, source: str, grain: str, needed: set[str]) -> tuple[str, bool]:
        """(table, is_fact): the smallest rollup covering `needed`, else the fact table."""
        fits = [e for e in self.entries
                if e.source == source and e.grain == grain and needed <= e.dims]
        if fits:
            return min(fits, key=lambda e: e.rows).name, False
        return FACT_TABLES[source], True
