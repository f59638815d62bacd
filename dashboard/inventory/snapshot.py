"""What the warehouse knows about stock: the viewer's stores, the products, and the imported
stock-on-hand snapshot (per store, product and batch), all read through `scope_condition`.

A version built before snapshots existed, or from files without one, has no `inventory` rows:
callers say so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.queries.filters import Scope, scope_condition


@dataclass(frozen=True)
class Snapshot:
    stores: pd.DataFrame  # store_id, store_name, region (the viewer's stores only)
    products: pd.DataFrame  # product_id, product_name, category, unit_cost, unit_price
    stock: pd.DataFrame  # store_id, product_id, batch, expiry, stock_on_hand
    as_of: dt.date | None  # the snapshot's date (None: no snapshot in this version)


def has_inventory(warehouse) -> bool:
    return bool(warehouse.catalog().meta.get("inventory_rows"))


def _frame(cur, sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(cur.execute(sql, params).fetchall(), columns=columns)


def scoped_stores(cur, scope: Scope) -> pd.DataFrame:
    """The stores this scope may see (region and store conditions from scope_condition)."""
    condition, params = scope_condition(scope)
    where = f" WHERE {condition}" if condition else ""
    return _frame(cur, "SELECT CAST(store_id AS VARCHAR) AS store_id, name, region FROM stores"
                       f"{where} ORDER BY region, name", params,
                  ["store_id", "store_name", "region"])


def read(warehouse, scope: Scope) -> Snapshot:
    with warehouse.cursor() as cur:
        stores = scoped_stores(cur, scope)
        products = _frame(cur, "SELECT CAST(product_id AS VARCHAR), name, category, "
                               "CAST(unit_cost AS DOUBLE), CAST(unit_price AS DOUBLE) "
                               "FROM products ORDER BY product_id", [],
                          ["product_id", "product_name", "category", "unit_cost", "unit_price"])
        columns = ["store_id", "product_id", "batch", "expiry", "stock_on_hand"]
        if not has_inventory(warehouse):
            return Snapshot(stores, products, pd.DataFrame(columns=columns), None)
        condition, params = scope_condition(scope)
        where = f" WHERE {condition}" if condition else ""
        stock = _frame(cur, f"""
            SELECT store_id, product_id, batch, expiry, stock_on_hand FROM (
                SELECT i.store_id, i.product_id, i.batch, i.expiry, i.stock_on_hand, s.region
                FROM inventory i JOIN stores s ON CAST(s.store_id AS VARCHAR) = i.store_id
            ) AS i{where}""", params, columns)
        as_of = cur.execute("SELECT max(as_of) FROM inventory").fetchall()[0][0]
    return Snapshot(stores, products, stock, as_of)


def sales_end(warehouse) -> dt.date:
    """The last day of sales in the data (demand windows end here)."""
    with warehouse.cursor() as cur:
        return cur.execute("SELECT max(date) FROM sales_fact").fetchall()[0][0]
