"""The `stock_demand` table: the Inventory page's demand rates per store and product, computed
once per data version at load, so the page reads ~10k rows instead of grouping the sales of
the last 8 weeks by store, product and day on every view.

One row per store × product sold in the last WINDOW_DAYS days of sales (to the version's last
sales day): mean and standard deviation (ddof 1) of daily units with days without a sale
counted as 0, the coefficient of variation of weekly units (8 weeks, empty weeks 0), window
units and revenue and the last day with a sale; `region` is the store's (stores table), so
`scope_condition` applies. Same numbers as inventory/demand.rates (a test holds them equal).
"""

from __future__ import annotations

import duckdb

WINDOW_DAYS = 56  # 8 weeks; inventory/demand.py uses the same window
COLUMNS = ("store_id", "region", "product_id", "daily_mean", "daily_std", "weekly_cv", "units",
           "revenue", "last_sale")

_SQL = f"""
CREATE TABLE stock_demand AS
WITH bounds AS (SELECT max(date) AS last_day FROM sales_fact),
daily AS (
    SELECT CAST(f.store_id AS VARCHAR) AS store_id, CAST(f.product_id AS VARCHAR) AS product_id,
           f.date, (b.last_day - f.date) // 7 AS week,
           sum(f.units)::DOUBLE AS units, sum(f.revenue)::DOUBLE AS revenue
    FROM sales_fact f, bounds b
    WHERE f.date BETWEEN b.last_day - {WINDOW_DAYS - 1} AND b.last_day
    GROUP BY 1, 2, 3, 4),
weekly AS (
    SELECT store_id, product_id, week, sum(units) AS units FROM daily GROUP BY 1, 2, 3),
weeks AS (
    SELECT store_id, product_id, sum(units) AS units, sum(units * units) AS squares
    FROM weekly GROUP BY 1, 2),
days AS (
    SELECT store_id, product_id, sum(units) AS units, sum(units * units) AS squares,
           sum(revenue) AS revenue, max(date) AS last_sale
    FROM daily GROUP BY 1, 2)
SELECT d.store_id, s.region, d.product_id,
       d.units / {WINDOW_DAYS} AS daily_mean,
       sqrt(greatest((d.squares - {WINDOW_DAYS} * (d.units / {WINDOW_DAYS}) ^ 2)
                     / {WINDOW_DAYS - 1}, 0)) AS daily_std,
       CASE WHEN w.units = 0 THEN NULL ELSE
           sqrt(greatest((w.squares - {WINDOW_DAYS // 7} * (w.units / {WINDOW_DAYS // 7}) ^ 2)
                         / {WINDOW_DAYS // 7 - 1}, 0)) / (w.units / {WINDOW_DAYS // 7})
       END AS weekly_cv,
       d.units, d.revenue, d.last_sale
FROM days d JOIN weeks w USING (store_id, product_id)
LEFT JOIN (SELECT CAST(store_id AS VARCHAR) AS store_id, max(region) AS region FROM stores
           GROUP BY 1) s USING (store_id)
ORDER BY region, store_id, product_id
"""


def create(con: duckdb.DuckDBPyConnection) -> int:
    """Build the table in the version being built; returns its rows."""
    con.execute(_SQL)
    return con.execute("SELECT count(*) FROM stock_demand").fetchall()[0][0]
