"""The Customers page's numbers: one row per customer (in the filter and scope) with what the
behaviour groups, RFM and cohorts need, read from the `r_customer_month` rollup.

The rollup holds one row per customer (its integer `customer_key`), month and order-level
attributes with the customer's distinct orders and last order day, so orders add up across
months; a range that cuts a month reads its edge days from the fact table, grouped the same way
first (an order has one date, so it falls in one part only). Each part is labelled with the
period it belongs to: CUR (the filter's range), PREV (the same number of days just before)
and BEFORE (everything older), so "ordered before the period" and "first order ever" are read
over the whole history the viewer may see, not just the range.

Fast path (versions with `segment_keys` and schema.CUSTOMER_HISTORY): rows older than every
window the page needs (month < W, W = the earlier of the previous period's start month and the
start of the 12 months to its end) come one per customer partition from the history table,
carrying only the first month and last order day, and segments are grouped as small integers.
Filters the history cannot answer (season, festival, category, toy, a store scope) fall back to
aggregating every visible customer-month row, as older versions do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.queries import customer_cumulative, customer_sums
from dashboard.queries.customer_sums import BEFORE, CUR, PREV
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.overview import comparison_periods
from dashboard.queries.sources import (
    add_months,
    month_index,
    month_start,
    needed_dims,
    split_range,
)
from dashboard.warehouse.schema import (
    CUSTOMER_HISTORY,
    CUSTOMER_HISTORY_PARTITION,
    FACT_TABLES,
)
from dashboard.warehouse.store import Warehouse

LOYAL_ORDERS = 4  # orders in the 12 months to the period's last month
COHORT_MONTHS = 12  # month +0 .. +11
MASK_MONTHS = 60  # cohorts and activity of at most the last 60 months (a BIGINT mask)
NUMERIC = ("days_since", "cur_revenue", "cur_orders", "cur_lines", "prev_revenue", "prev_orders",
           "year_orders", "year_revenue", "prev_year_orders", "active")
NO_CUSTOMERS = ("This data has no customer ids, so customers cannot be told apart: the "
                "Customers page has nothing to show.")
COLUMNS = ("customer_key", "month", "segment")
TOTALS_DIMS = {"customer_key", "segment", "region"}  # what the running totals can answer


@dataclass(frozen=True)
class CustomerScan:
    """Per customer in the viewer's data up to the period's end, and the walk-in sales."""

    customers: dict[str, np.ndarray]  # column -> array, one entry per customer
    origin: int  # month index (year*12+month-1) of bit 0 of `active`
    walk_in_lines: int
    walk_in_revenue: float
    start: dt.date
    end: dt.date
    previous: tuple[dt.date, dt.date] | None  # None when the data does not cover it whole


def has_customers(warehouse) -> bool:
    """Does any sales line carry a customer id? (customer_keys lists the ids there are.)"""
    with warehouse.cursor() as cur:
        return bool(cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM customer_keys LIMIT 1) AS one").fetchall()[0][0])


def _part(table: str, is_fact: bool, column: str, where: str, fast: bool) -> str:
    """One labelled part: rollup rows as they are; raw lines (edge days, or filters the rollup
    lacks) grouped first, so the outer query needs no distinct count. `segment` is the integer
    segment_key on the fast path, the name otherwise."""
    if not is_fact:
        segment = "segment_key" if fast else "segment"
        return (f"SELECT CAST(? AS INTEGER) AS period, customer_key, month, {segment} AS segment, "
                f"revenue, lines, orders, last_date FROM {table} "
                f"WHERE {column} BETWEEN ? AND ?{where}")
    segment = "sk.segment_key" if fast else "f.segment"
    join = " LEFT JOIN segment_keys sk ON sk.segment = f.segment" if fast else ""
    return (f"SELECT CAST(? AS INTEGER) AS period, k.customer_key, f.month, {segment} AS segment, "
            "sum(f.revenue) AS revenue, CAST(count(*) AS BIGINT) AS lines, "
            "CAST(count(DISTINCT f.order_id) AS BIGINT) AS orders, max(f.date) AS last_date "
            f"FROM {table} f LEFT JOIN customer_keys k ON k.customer_id = f.customer_id{join} "
            f"WHERE f.{column} BETWEEN ? AND ?{where} GROUP BY k.customer_key, f.month, {segment}")


def _history_part(where: str) -> str:
    """Rows before W: one per customer partition, its first month (as `month`, so the outer
    min() finds it) and last order day before W; nothing else is read from them."""
    return ("SELECT CAST(? AS INTEGER) AS period, customer_key, first_month AS month, "
            "CAST(NULL AS SMALLINT) AS segment, 0 AS revenue, CAST(0 AS BIGINT) AS lines, "
            f"CAST(0 AS BIGINT) AS orders, last_date FROM {CUSTOMER_HISTORY} "
            f"WHERE month < ? AND (next_month IS NULL OR next_month >= ?){where}")


def fast_path(catalog, flt: Filter, scope: Scope) -> bool:
    """Can the history table and segment keys answer this view exactly? Only in versions that
    have them, and only when every filter is on a history partition column (a season, festival,
    category or toy filter, or a store scope, cuts rows the history has merged)."""
    if "customer_segments" not in catalog.meta or flt.seasons or flt.festivals:
        return False
    return needed_dims(flt, scope, COLUMNS) <= {*CUSTOMER_HISTORY_PARTITION, "segment"}


def _ranges(flt: Filter, previous, min_date: dt.date,
            history: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """The labelled date ranges: CUR (the filter's), PREV (just before) and BEFORE (from
    `history` on; older rows are read another way, or `history` is the first day of data)."""
    ranges = [(CUR, flt.start, flt.end)]
    prev_start, prev_end = previous
    if prev_end >= min_date:
        ranges.append((PREV, max(prev_start, min_date), prev_end))
    if prev_start > max(min_date, history):
        ranges.append((BEFORE, max(min_date, history), prev_start - dt.timedelta(days=1)))
    return ranges


def _parts(catalog, flt: Filter, scope: Scope, min_date: dt.date, previous,
           fast: bool) -> tuple[str, list]:
    """The `cur`, `prev` and `before` parts (whole months from the customer rollup, edge days
    from the fact table; on the fast path `before` only from W on, older rows from the history
    table), UNION ALL, with their parameters."""
    conditions, params = flt.dimension_conditions(scope)
    where = "".join(f" AND {c}" for c in conditions)
    needed = needed_dims(flt, scope, COLUMNS)
    prev_start, prev_end = previous
    history = min(_window(prev_end)[0], month_start(prev_start)) if fast else min_date
    sqls, out = [], []
    for label, lo, hi in _ranges(flt, previous, min_date, history):
        whole, edges = split_range(lo, hi)
        pieces = []
        if whole:
            table, is_fact = catalog.table("sales", "month", needed)
            pieces.append((table, is_fact, "month", whole))
        pieces += [(FACT_TABLES["sales"], True, "date", edge) for edge in edges]
        for table, is_fact, column, (a, b) in pieces:
            sqls.append(_part(table, is_fact, column, where, fast))
            out += [label, a, b, *params]
    if fast and history > min_date:
        sqls.append(_history_part(where))
        out += [BEFORE, history, history, *params]
    return " UNION ALL ".join(sqls), out


def _window(end: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 whole months ending with the month of `end` (loyalty, frequency, monetary)."""
    last = month_start(end)
    return add_months(last, -11), last


def run_customers(warehouse, flt: Filter, scope: Scope, min_date: dt.date) -> CustomerScan:
    """A row per customer (and the walk-in sales with no customer id).

    `active` is a bit mask of the months (from the period's first month, bit 0) in which the
    customer ordered, so cohort retention needs no second pass over the rows.
    """
    catalog = warehouse.catalog()
    # Server backends (PostgreSQL, ClickHouse) keep the GROUP BY: their drivers return other
    # types and ClickHouse's date arithmetic differs; the fast path is checked on DuckDB only.
    fast = isinstance(warehouse, Warehouse) and fast_path(catalog, flt, scope)
    periods = comparison_periods(flt.start, flt.end)
    cur_lo, cur_hi = _window(flt.end)
    prev_lo, prev_hi = _window(periods["previous"][1])
    origin = max(month_start(flt.start), add_months(month_start(flt.end), -(MASK_MONTHS - 1)))
    mask_origin = catalog.meta.get("customer_cumulative_origin")
    if fast and mask_origin is not None and needed_dims(flt, scope, COLUMNS) <= TOTALS_DIMS:
        customers, walk_lines, walk_revenue = _from_totals(
            warehouse, catalog, flt, scope, min_date, periods["previous"],
            (month_index(cur_lo), month_index(cur_hi)),
            (month_index(prev_lo), month_index(prev_hi)), month_index(origin), int(mask_origin))
    elif fast:
        source, params = _parts(catalog, flt, scope, min_date, periods["previous"], fast)
        customers, walk_lines, walk_revenue = _summed(
            warehouse, source, params, flt.end, (cur_lo, cur_hi), (prev_lo, prev_hi), origin)
    else:
        source, params = _parts(catalog, flt, scope, min_date, periods["previous"], fast)
        customers, walk_lines, walk_revenue = _grouped(
            warehouse, source, params, flt.end, (cur_lo, cur_hi), (prev_lo, prev_hi), origin)
    if fast:  # segments came as keys 1..n in name order; 0: Unknown
        names = np.array(["Unknown", *catalog.meta["customer_segments"]], dtype=object)
        for name in ("segment", "prev_segment"):
            customers[name] = names[customers[name].astype(int)]
    covered = periods["previous"][0] >= min_date
    return CustomerScan(customers, month_index(origin), walk_lines, walk_revenue, flt.start,
                        flt.end, periods["previous"] if covered else None)


def _as_numbers(source: str) -> str:
    """Labelled rows as plain integer and float columns (month index, days since 1970)."""
    return ("SELECT CAST(period AS TINYINT) AS period, customer_key, "
            "CAST(year(month) * 12 + month(month) - 1 AS INTEGER) AS month, revenue, orders, "
            "lines, CAST(last_date - DATE '1970-01-01' AS INTEGER) AS last_day, segment "
            f"FROM ({source}) AS s")


def _from_totals(warehouse, catalog, flt: Filter, scope: Scope, min_date: dt.date, previous,
                 year, prev_year, origin: int, mask_origin: int):
    """A view filtered on dates and regions only: running totals at a few month boundaries
    plus the days of cut months (queries/customer_cumulative.py)."""
    conditions, params = flt.dimension_conditions(scope)  # on region only (TOTALS_DIMS)
    ranges = _ranges(flt, previous, min_date, min_date)
    last_month = month_index(dt.date.fromisoformat(catalog.meta["max_date"]))
    whole, boundaries, edges = customer_cumulative.plan(ranges, flt.end, year, prev_year,
                                                        last_month)
    boundary_sql, boundary_params = customer_cumulative.boundary_query(boundaries, conditions,
                                                                       params)
    if catalog.meta.get("order_rollup_exact"):  # an order has one date: days add up
        edge_sql, edge_params = customer_cumulative.day_query(edges, conditions, params)
    else:
        where = "".join(f" AND {c}" for c in conditions)
        edge_sql = _as_numbers(" UNION ALL ".join(
            _part(FACT_TABLES["sales"], True, "date", where, True) for _ in edges))
        edge_params = [v for e in edges for v in (*e, *params)]
    with warehouse.cursor() as cur:
        totals = cur.execute(boundary_sql, boundary_params).fetchnumpy()
        edge_rows = cur.execute(edge_sql, edge_params).fetchnumpy() if edges else {}
    segments = len(catalog.meta["customer_segments"]) + 1
    return customer_cumulative.per_customer(
        customer_cumulative.Totals(segments, last_month, totals, edge_rows), whole, flt.end,
        year, prev_year, origin, mask_origin)


def _summed(warehouse, source, params, end, year, prev_year, origin):
    """The fast path: the rows as integer columns, summed per customer in numpy."""
    with warehouse.cursor() as cur:
        rows = cur.execute(_as_numbers(source), params).fetchnumpy()
    return customer_sums.per_customer(
        rows, (end - dt.date(1970, 1, 1)).days, tuple(map(month_index, year)),
        tuple(map(month_index, prev_year)), month_index(origin))


def _grouped(warehouse, source, params, end, year, prev_year, origin):
    """Any other view: one GROUP BY statement over the rows (segments by name)."""
    orders = "coalesce(sum(orders) FILTER (WHERE {c}), 0)::BIGINT"
    sql = f"""
        SELECT customer_key,
               min(month) AS first_month,
               date_diff('day', max(last_date), CAST(? AS DATE)) AS days_since,
               coalesce(sum(revenue) FILTER (WHERE period = 0), 0) AS cur_revenue,
               {orders.format(c="period = 0")} AS cur_orders,
               coalesce(sum(lines) FILTER (WHERE period = 0), 0)::BIGINT AS cur_lines,
               coalesce(sum(revenue) FILTER (WHERE period = 1), 0) AS prev_revenue,
               {orders.format(c="period = 1")} AS prev_orders,
               count(*) FILTER (WHERE period = 2) > 0 AS before_prev,
               {orders.format(c="month BETWEEN ? AND ?")} AS year_orders,
               coalesce(sum(revenue) FILTER (WHERE month BETWEEN ? AND ?), 0) AS year_revenue,
               {orders.format(c="month BETWEEN ? AND ? AND period <> 0")}
                   AS prev_year_orders,
               coalesce(max(segment) FILTER (WHERE period = 0), 'Unknown') AS segment,
               coalesce(max(segment) FILTER (WHERE period = 1), 'Unknown') AS prev_segment,
               coalesce(bit_or(CASE WHEN month >= ? THEN CAST(1 AS BIGINT) << CAST(date_diff(
                        'month', CAST(? AS DATE), month) AS INTEGER) ELSE 0 END), 0) AS active
        FROM ({source}) AS s GROUP BY customer_key
    """
    window = [end, *year, *year, *prev_year, origin, origin]
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, [*window, *params]).fetchnumpy()
    # No customer id (no key): NULL, or "Unknown" where an import found the cell empty.
    nulls = np.ma.getmaskarray(rows["customer_key"])
    walk_lines = int(np.asarray(rows["cur_lines"])[nulls].sum())
    walk_revenue = float(np.asarray(rows["cur_revenue"])[nulls].sum())
    customers = {name: np.asarray(np.ma.filled(values, 0) if name in NUMERIC and
                                  np.ma.isMaskedArray(values) else values)[~nulls]
                 for name, values in rows.items()}
    customers["first_month"] = _months(customers["first_month"])
    return customers, walk_lines, walk_revenue


def _months(values) -> np.ndarray:
    """Dates (or NaT/masked for none) as month indexes year*12+month-1; -1 for none."""
    series = pd.to_datetime(pd.Series(np.ma.filled(values, np.datetime64("NaT"))
                                      if np.ma.isMaskedArray(values) else values))
    out = (series.dt.year * 12 + series.dt.month - 1).fillna(-1).astype(int)
    return out.to_numpy()
