"""Expected demand for the inventory page: units per day per store (and per store x toy),
from the same weekly forecasts and backtest as the Forecast page, within the caller's scope.

Per store: the weekly units series of every store the scope sees is forecast (model or
seasonal naive, whichever won its backtest, as on the page) and the next `days` are averaged
per day. A store with too little history gets the average of its last RECENT_WEEKS whole
weeks instead, and says so. Per store x toy (cheap, top-down): the store's daily demand split
by each toy's share of the store's units over those recent weeks.
"""

from __future__ import annotations

import datetime as dt
import math

from dashboard.forecast import ahead
from dashboard.forecast.compute import shown_path
from dashboard.forecast.spec import TOTAL, ForecastSpec
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.options import domain
from dashboard.queries.sources import daily_sales_source

RECENT_WEEKS = 13
ALL_STORES = 10_000  # no cut: inventory needs every store


def _recent_shares(warehouse, scope: Scope, start: dt.date, end: dt.date) -> dict:
    """(store_id, toy) -> units over [start, end], through the query layer."""
    source, params = daily_sales_source(warehouse.catalog(), Filter(start=start, end=end),
                                        scope, ("store_id", "product_name"))
    sql = (f"SELECT CAST(store_id AS VARCHAR), CAST(product_name AS VARCHAR), sum(units) "
           f"FROM ({source}) AS rows GROUP BY 1, 2")
    with warehouse.cursor() as cur:
        return {(s, p): float(u or 0) for s, p, u in cur.execute(sql, params).fetchall()}


def expected_daily_units(warehouse, scope: Scope, days: int = 28,
                         by_product: bool = False) -> dict:
    """{"days", "stores": {store_id: {"daily_units", "method", "note"}},
    "store_products": {store_id: {toy: daily_units}} (only with by_product)}."""
    if days < 1:
        raise ValueError("days must be at least 1")
    dom = domain(warehouse, scope)
    result = ahead.result(warehouse, scope, ForecastSpec("units", "week", "store"), dom,
                          max_members=ALL_STORES)
    weeks = math.ceil(days / 7)
    stores = {}
    for store, item in result["series"].items():
        if store == TOTAL:
            continue
        path = shown_path(item)
        if path is not None:
            daily = sum(path["mean"][:weeks]) / (7 * weeks)
            stores[store] = {"daily_units": max(daily, 0.0), "method": path["method"],
                             "note": None}
        else:
            recent = item["history"][-RECENT_WEEKS:]
            stores[store] = {"daily_units": sum(recent) / (7 * max(len(recent), 1)),
                             "method": "recent average", "note": item["reason"]}
    out = {"days": days, "stores": stores}
    if by_product and result["periods"]:
        end = dt.date.fromisoformat(result["periods"][-1]) + dt.timedelta(days=6)
        start = end - dt.timedelta(days=7 * RECENT_WEEKS - 1)
        units = _recent_shares(warehouse, scope, start, end)
        totals: dict[str, float] = {}
        for (store, _toy), value in units.items():
            totals[store] = totals.get(store, 0.0) + value
        split: dict[str, dict[str, float]] = {}
        for (store, toy), value in units.items():
            if store in stores and totals[store] > 0:
                split.setdefault(store, {})[toy] = (stores[store]["daily_units"] * value
                                                    / totals[store])
        out["store_products"] = split
    return out
