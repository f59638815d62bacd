"""The recent demand behind days of cover and the reorder point: mean daily units over the last
8 weeks of sales per store and product (days without a sale count as 0), its standard deviation
for the safety stock, weekly units for the XYZ variability class, revenue for ABC and the last
sale for dead stock. A version built with the `stock_demand` table (warehouse/stock_demand.py)
has these per store and product already; older versions get them from the sales here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.queries.filters import Scope, scope_condition
from dashboard.warehouse import stock_demand

WINDOW_DAYS = stock_demand.WINDOW_DAYS  # 8 weeks
DESCRIPTION = ("Demand: mean daily units over the last 8 weeks of sales (to {end}) per store and "
               "product, days without a sale counted as 0; safety stock from their standard "
               "deviation.")
COLUMNS = ["store_id", "product_id", "daily_mean", "daily_std", "weekly_cv", "units",
           "revenue", "last_sale"]


def daily_sales(warehouse, scope: Scope, end: dt.date) -> pd.DataFrame:
    """Units and revenue per store, product and day in the window, within the scope."""
    start = end - dt.timedelta(days=WINDOW_DAYS - 1)
    condition, params = scope_condition(scope)
    where = f" AND {condition}" if condition else ""
    with warehouse.cursor() as cur:
        rows = cur.execute(
            "SELECT CAST(store_id AS VARCHAR), CAST(product_id AS VARCHAR), date, "
            "sum(units), sum(revenue) FROM sales_fact WHERE date BETWEEN ? AND ?"
            f"{where} GROUP BY 1, 2, 3", [start, end, *params]).fetchall()
    return pd.DataFrame(rows, columns=["store_id", "product_id", "date", "units", "revenue"])


def rates(daily: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """Per store and product: daily mean and std (ddof=1, zero days included), the coefficient
    of variation of weekly units, window units and revenue, and the last day with a sale."""
    if daily.empty:
        return pd.DataFrame(columns=COLUMNS)
    daily = daily.copy()
    daily["units"] = daily["units"].astype(float)
    daily["revenue"] = daily["revenue"].astype(float)
    daily["date"] = pd.to_datetime(daily["date"])
    age = (pd.Timestamp(end) - daily["date"]).dt.days
    daily["week"] = age // 7  # 0 = the last 7 days
    daily["squared"] = daily["units"] ** 2
    groups = daily.groupby(["store_id", "product_id"])
    units = groups["units"].sum()
    sum_sq = groups["squared"].sum()
    n = WINDOW_DAYS
    mean = units / n
    var = (sum_sq - n * mean ** 2) / (n - 1)
    weekly = daily.groupby(["store_id", "product_id", "week"])["units"].sum().unstack(
        fill_value=0).reindex(columns=range(WINDOW_DAYS // 7), fill_value=0)
    w_mean = weekly.mean(axis=1)
    w_cv = weekly.std(axis=1, ddof=1) / w_mean.replace(0, np.nan)
    out = pd.DataFrame({
        "daily_mean": mean, "daily_std": np.sqrt(var.clip(lower=0)),
        "weekly_cv": w_cv.reindex(mean.index), "units": units,
        "revenue": groups["revenue"].sum(), "last_sale": groups["date"].max().dt.date,
    }).reset_index()
    return out[COLUMNS]


def kept(warehouse, scope: Scope) -> pd.DataFrame:
    """The version's `stock_demand` rows within the scope (COLUMNS)."""
    condition, params = scope_condition(scope)
    where = f" WHERE {condition}" if condition else ""
    with warehouse.cursor() as cur:
        got = cur.execute(f"SELECT {', '.join(COLUMNS)} FROM stock_demand{where}",
                          params).fetchnumpy()
    out = pd.DataFrame({c: got[c] for c in COLUMNS})
    for column in ("store_id", "product_id"):
        out[column] = out[column].astype(object)
    out["weekly_cv"] = pd.to_numeric(out["weekly_cv"], errors="coerce").astype(float)
    out["last_sale"] = pd.to_datetime(out["last_sale"])  # status turns it into dates once
    return out


def demand(warehouse, scope: Scope, end: dt.date) -> pd.DataFrame:
    """The rates to `end`: from the version's table when it was built to that day."""
    meta = warehouse.catalog().meta
    if meta.get("stock_demand_rows") is not None and meta.get("max_date") == end.isoformat():
        return kept(warehouse, scope)
    return rates(daily_sales(warehouse, scope, end), end)
