"""Filters that narrow each other: which members of each dimension still have sales.

For each filter field, the members with at least one order line under every OTHER filter (its
own selection is left out, so a user can still widen it), with their line counts. Category =
Dolls then stops offering robots; Summer stops offering Christmas. Read from the rollups through
sales_source, so the scope condition applies exactly as on every chart.
"""

from __future__ import annotations

from dashboard.queries.dimensions import natural
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.sources import sales_source
from dashboard.warehouse.schema import FILTER_COLUMNS
from dashboard.warehouse.store import Warehouse


def members_with_data(warehouse: Warehouse, flt: Filter, scope: Scope
                      ) -> dict[str, list[tuple[str, int]]]:
    """filter field -> [(member, order lines)] in natural order, under the other filters."""
    catalog = warehouse.catalog()
    parts, params = [], []
    for index, (name, column) in enumerate(FILTER_COLUMNS.items()):
        others = flt.with_values(name, ())
        sql, part_params = sales_source(catalog, others, scope, (column,))
        parts.append(f"SELECT {index} AS field, CAST({column} AS VARCHAR) AS member, "
                     f"sum(lines) AS lines FROM ({sql}) GROUP BY 2")
        params += part_params
    with warehouse.cursor() as cur:
        rows = cur.execute(" UNION ALL ".join(f"({p})" for p in parts), params).fetchall()
    names = list(FILTER_COLUMNS)
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    for field, member, lines in rows:
        if member is not None and lines:
            counts[names[field]][member] = int(lines)
    return {name: [(m, counts[name][m]) for m in natural(FILTER_COLUMNS[name], counts[name])]
            for name in names}
