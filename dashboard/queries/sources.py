"""Where a query's rows come from: monthly rollups for whole months, raw rows for the edge days.

A date range that cuts a month reads the rollup for the months it covers whole and `sales_fact`
(sorted by date, so DuckDB skips the rest) for the days at either end. Both sides yield the same
columns, so callers aggregate the union as if it were one table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard.queries.filters import Filter, Scope
from dashboard.warehouse.catalog import Catalog
from dashboard.warehouse.schema import FILTER_COLUMNS, TIME_COLUMNS

HIGHLIGHT_COLUMNS = (
    "region", "category", "subcategory", "product_name", "age_group", "gender", "channel",
)


@dataclass(frozen=True)
class Highlight:
    """One member the user clicked; charts emphasise it and dim the rest."""

    column: str
    value: str

    def __post_init__(self) -> None:
        if self.column not in HIGHLIGHT_COLUMNS:
            raise ValueError(f"cannot highlight {self.column!r}")
        if not isinstance(self.value, str):
            raise TypeError("highlight value must be a string")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_index(day: dt.date) -> int:
    """Months since year 0 (year*12+month-1): consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    index = month_index(day) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def split_range(start: dt.date, end: dt.date):
    """(first whole month, last whole month) or None, and the edge day ranges outside them."""
    first = month_start(start) if start.day == 1 else add_months(start, 1)
    last = add_months(end, 1) if (end + dt.timedelta(days=1)).day == 1 else month_start(end)
    last = add_months(last, -1)  # `last` is now the start of the last whole month
    if first > last:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    after = add_months(last, 1)
    if after <= end:
        edges.append((after, end))
    return (first, last), edges


def needed_dims(flt: Filter, scope: Scope, columns: tuple[str, ...],
                highlight: Highlight | None = None) -> set[str]:
    """Dimensions a query groups, filters or highlights on (date attributes are always there)."""
    needed = {c for c in columns if c not in TIME_COLUMNS and c != "date"}
    needed |= {column for name, column in FILTER_COLUMNS.items()
               if getattr(flt, name) and column not in TIME_COLUMNS}
    if scope.regions is not None:
        needed.add("region")
    if scope.stores is not None:  # only r_geo and the fact tables have store_id
        needed.add("store_id")
    if highlight is not None:
        needed.add(highlight.column)
    return needed


def _union(
    catalog: Catalog, source: str, needed: set[str], select: str, measures: tuple[str, str],
    conditions: list[str], params: list, start: dt.date, end: dt.date, head_params: list,
) -> tuple[str, list]:
    """UNION ALL of month-grain rows for whole months and day-grain rows for the edge days."""
    where = "".join(f" AND {c}" for c in conditions)
    whole, edges = split_range(start, end)
    parts, out = [], []
    if whole:
        table, is_fact = catalog.table(source, "month", needed)
        parts.append(f"SELECT {select}, {measures[is_fact]} FROM {table} "
                     f"WHERE month BETWEEN ? AND ?{where}")
        out += head_params + [whole[0], whole[1]] + params
    for lo, hi in edges:
        table, is_fact = catalog.table(source, "day", needed)
        parts.append(f"SELECT {select}, {measures[is_fact]} FROM {table} "
                     f"WHERE date BETWEEN ? AND ?{where}")
        out += head_params + [lo, hi] + params
    return " UNION ALL ".join(parts), out


SALES_MEASURES = ("revenue, units, cost, lines", "revenue, units, cost, 1 AS lines")
ORDER_MEASURES = ("orders", "1 AS orders")


def sales_source(
    catalog: Catalog, flt: Filter, scope: Scope, columns: tuple[str, ...],
    highlight: Highlight | None = None, label: str | None = None,
    start: dt.date | None = None, end: dt.date | None = None,
) -> tuple[str, list]:
    """Rows with `columns`, revenue, units, cost, lines and `hl` (is it the highlighted member)."""
    conditions, params = flt.dimension_conditions(scope)
    head, head_params = [], []
    if label is not None:
        head.append("? AS period")
        head_params.append(label)
    if highlight is not None:
        head.append(f"{highlight.column} = ? AS hl")
        head_params.append(highlight.value)
    else:
        head.append("false AS hl")
    select = ", ".join(head + list(columns))
    needed = needed_dims(flt, scope, columns, highlight)
    return _union(catalog, "sales", needed, select, SALES_MEASURES, conditions, params,
                  start or flt.start, end or flt.end, head_params)


def daily_sales_source(
    catalog: Catalog, flt: Filter, scope: Scope, columns: tuple[str, ...],
) -> tuple[str, list]:
    """Day-grain rows with `date`, `columns`, revenue, units, cost and lines over the whole
    range (weekly series need days even inside whole months)."""
    conditions, params = flt.dimension_conditions(scope)
    table, is_fact = catalog.table("sales", "day", needed_dims(flt, scope, columns))
    where = "".join(f" AND {c}" for c in conditions)
    select = ", ".join(("date", *columns))
    return (f"SELECT {select}, {SALES_MEASURES[is_fact]} FROM {table} "
            f"WHERE date BETWEEN ? AND ?{where}", [flt.start, flt.end, *params])


def order_filter(flt: Filter) -> Filter:
    """The order-level part of a filter (what every line of an order shares)."""
    return Filter(
        start=flt.start, end=flt.end, regions=flt.regions, seasons=flt.seasons,
        festivals=flt.festivals, age_groups=flt.age_groups, genders=flt.genders,
        channels=flt.channels,
    )


def orders_source(
    catalog: Catalog, flt: Filter, scope: Scope, columns: tuple[str, ...], category_mask: int,
    label: str, start: dt.date, end: dt.date,
) -> tuple[str, list]:
    """Rows with `columns` and `orders`, from the order rollups (category filter as a mask)."""
    order_level = order_filter(flt)
    conditions, params = order_level.dimension_conditions(scope)
    needed = needed_dims(order_level, scope, columns)
    if flt.categories:
        conditions.append("(category_mask & ?) <> 0")
        params.append(category_mask)
        needed.add("category_mask")
    select = ", ".join(["? AS period", *columns])
    return _union(catalog, "orders", needed, select, ORDER_MEASURES, conditions, params,
                  start, end, [label])
