"""The profit and loss page's numbers: sales, cost and profit by any fixed set of dimensions, and
orders by ship mode, days to ship and weekday.

Every query reads through `sales_source` / `orders_source` (so the viewer's Scope becomes SQL in
`scope_condition` only, and the smallest covering rollup answers: r_type, r_toy_age, r_geo,
r_discount, o_ship). Column names come from the fixed tuples below or drill.LEVELS; every value
is a bound parameter.
"""

from __future__ import annotations

import pandas as pd

from dashboard.queries import drill
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.sources import Highlight, orders_source, sales_source
from dashboard.warehouse.store import Warehouse

# Dimensions the page groups sales by (besides drill.LEVELS): a fixed list, never user text.
SALES_DIMS = frozenset({*drill.LEVELS["geo"], *drill.LEVELS["prod"], "channel", "discount"})
SHIP_DIMS = ("region", "channel", "ship_mode", "ship_days", "weekday")
IN_STORE = "In store"  # ship mode of a sale handed over in a store: never shipped, never late


def _checked(columns: tuple[str, ...], allowed) -> tuple[str, ...]:
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise ValueError(f"cannot group by {unknown}")
    return columns


def sales_by(warehouse: Warehouse, flt: Filter, scope: Scope, columns: tuple[str, ...],
             path: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """revenue, cost, profit and lines per member of `columns`, within `path` ((column, value)
    steps a drill-down has taken). Members are strings (None as "Unknown")."""
    columns = _checked(columns, SALES_DIMS)
    path_columns = _checked(tuple(c for c, _ in path), SALES_DIMS)
    catalog = warehouse.catalog()
    needed = tuple(dict.fromkeys((*path_columns, *columns)))
    source, params = sales_source(catalog, flt, scope, needed)
    where = "".join(f" {'AND' if i else 'WHERE'} {c} = ?" for i, c in enumerate(path_columns))
    select = ", ".join(f"{c}" if c == "discount" else f"coalesce(CAST({c} AS VARCHAR), "
                       f"'Unknown') AS {c}" for c in columns)
    group = ", ".join(columns)
    sql = (f"SELECT {select}, sum(revenue)::DOUBLE AS revenue, sum(cost)::DOUBLE AS cost, "
           f"sum(lines)::BIGINT AS lines FROM ({source}) AS s{where} GROUP BY {group}")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, [*params, *(v for _, v in path)]).fetchall()
    frame = pd.DataFrame(rows, columns=[*columns, "revenue", "cost", "lines"])
    frame["profit"] = frame["revenue"] - frame["cost"]
    return frame


def sales_many(warehouse: Warehouse, flt: Filter, scope: Scope,
               requests: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]],
               highlight: Highlight | None = None) -> dict[str, pd.DataFrame]:
    """Several `sales_by` answers (name -> (columns, path)) in ONE statement, each part from its
    own smallest rollup: one round trip, and DuckDB runs the parts side by side.

    With a `highlight`, each frame also has the highlighted member's part of every row
    (hl_revenue, hl_cost, hl_profit): the part is read from a rollup that holds its column."""
    catalog = warehouse.catalog()
    width = max(len(columns) for columns, _ in requests.values())
    parts, params = [], []
    lit = ""
    if highlight is not None:  # its column is one of HIGHLIGHT_COLUMNS (Highlight checks)
        match = f"CAST({highlight.column} AS VARCHAR) = ?"
        lit = (f", sum(CASE WHEN {match} THEN revenue ELSE 0 END)::DOUBLE AS hl_revenue, "
               f"sum(CASE WHEN {match} THEN cost ELSE 0 END)::DOUBLE AS hl_cost")
    for name, (columns, path) in requests.items():
        columns = _checked(columns, SALES_DIMS)
        path_columns = _checked(tuple(c for c, _ in path), SALES_DIMS)
        needed = tuple(dict.fromkeys((*path_columns, *columns,
                                      *((highlight.column,) if highlight else ()))))
        source, source_params = sales_source(catalog, flt, scope, needed)
        where = "".join(f" {'AND' if i else 'WHERE'} {c} = ?"
                        for i, c in enumerate(path_columns))
        keys = [f"CAST({c} AS VARCHAR)" for c in columns]
        keys += ["NULL::VARCHAR"] * (width - len(columns))
        parts.append(f"SELECT ? AS part, {', '.join(f'{k} AS k{i}' for i, k in enumerate(keys))},"
                     " sum(revenue)::DOUBLE AS revenue, sum(cost)::DOUBLE AS cost, "
                     f"sum(lines)::BIGINT AS lines{lit} FROM ({source}) AS s{where} "
                     f"GROUP BY {', '.join(columns)}")
        params += [name, *([highlight.value] * 2 if highlight else []), *source_params,
                   *(v for _, v in path)]
    with warehouse.cursor() as cur:
        rows = cur.execute(" UNION ALL ".join(parts), params).fetchall()
    by_part: dict[str, list] = {name: [] for name in requests}
    for row in rows:
        by_part[row[0]].append(row[1:])
    out = {}
    for name, (columns, _) in requests.items():
        mine = by_part[name]
        data = {}
        for i, c in enumerate(columns):
            values = [row[i] for row in mine]
            data[c] = (pd.to_numeric(pd.Series(values, dtype=object)) if c == "discount"
                       else ["Unknown" if v is None else str(v) for v in values])
        measures = ("revenue", "cost", "lines", *(("hl_revenue", "hl_cost") if lit else ()))
        for j, measure in enumerate(measures):
            data[measure] = [row[width + j] for row in mine]
        part = pd.DataFrame(data, columns=[*columns, *measures])
        part["revenue"] = part["revenue"].astype(float)
        part["cost"] = part["cost"].astype(float)
        part["profit"] = part["revenue"] - part["cost"]
        if lit:
            part["hl_revenue"] = part["hl_revenue"].astype(float)
            part["hl_cost"] = part["hl_cost"].astype(float)
            part["hl_profit"] = part["hl_revenue"] - part["hl_cost"]
        out[name] = part
    return out


def orders_by_shipping(warehouse: Warehouse, flt: Filter, scope: Scope) -> pd.DataFrame:
    """Orders per region, channel, ship mode, days from order to ship (None: no ship date) and
    ISO weekday (1 = Monday), under the filters and the scope.

    The order rollups answer filters on order-level dimensions (and categories, through the
    category mask); a filter on toy types or toys needs the raw lines, counted as distinct orders.
    """
    catalog = warehouse.catalog()
    if flt.uses("subcategory", "product_name") or not catalog.order_rollup_exact:
        conditions, params = flt.dimension_conditions(scope)
        where = "".join(f" AND {c}" for c in conditions)
        sql = ("SELECT region, channel, max(ship_mode) AS ship_mode, "
               "max(date_diff('day', date, ship_date))::INTEGER AS ship_days, "
               "isodow(date)::INTEGER AS weekday, order_id FROM sales_fact "
               f"WHERE date BETWEEN ? AND ?{where} GROUP BY order_id, region, channel, date")
        sql = (f"SELECT {', '.join(SHIP_DIMS)}, count(*)::BIGINT AS orders FROM ({sql}) AS o "
               f"GROUP BY {', '.join(SHIP_DIMS)}")
        params = [flt.start, flt.end, *params]
    else:
        mask = _category_mask(warehouse, flt.categories) if flt.categories else 0
        source, params = orders_source(catalog, flt, scope, SHIP_DIMS, mask, "current",
                                       flt.start, flt.end)
        sql = (f"SELECT {', '.join(SHIP_DIMS)}, sum(orders)::BIGINT AS orders FROM ({source}) "
               f"AS o GROUP BY {', '.join(SHIP_DIMS)}")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, params).fetchall()
    frame = pd.DataFrame(rows, columns=[*SHIP_DIMS, "orders"])
    for column in ("region", "channel", "ship_mode"):
        frame[column] = frame[column].fillna("Unknown").astype(str)
    return frame


def _category_mask(warehouse: Warehouse, categories: tuple[str, ...]) -> int:
    placeholders = ", ".join("?" * len(categories))
    with warehouse.cursor() as cur:
        return cur.execute(
            f"SELECT coalesce(bit_or(1::BIGINT << idx), 0) FROM categories "
            f"WHERE category IN ({placeholders})", list(categories)).fetchall()[0][0]


def store_names(warehouse: Warehouse, scope: Scope) -> dict[str, str]:
    """store_id -> the name the page shows (drill's rule: the id added when two share a name)."""
    with warehouse.cursor() as cur:
        return drill._store_names(cur, scope)
