"""The Overview page's data: a few small aggregates per filter change.

`run_overview` reads the warehouse: one aggregate per chart, each from the smallest rollup that
covers its dimensions and the filters (see sources.Catalog), plus the comparison periods and the
exact order counts. The metric functions below it are pure
pandas over that result, one per named metric, so each can be tested and reused on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.queries.filters import Filter, Scope
from dashboard.queries.sources import Highlight, orders_source, sales_source
from dashboard.warehouse.calendar import NO_FESTIVAL
from dashboard.warehouse.store import Warehouse

MEASURE_COLUMNS = ["revenue", "units", "cost", "hl_revenue", "hl_units"]
GROUPING_SETS = {
    "month_region": ("month", "region"),
    "month_category": ("month", "category"),
    "subcategory": ("category", "subcategory"),
    "age": ("age_group",),
    "gender": ("gender",),
}


def shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def comparison_periods(start: dt.date, end: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The current range, the same number of days just before it, and the same dates a year ago."""
    days = (end - start).days + 1
    return {
        "current": (start, end),
        "previous": (start - dt.timedelta(days=days), start - dt.timedelta(days=1)),
        "year_ago": (shift_year(start, -1), shift_year(end, -1)),
    }


@dataclass(frozen=True)
class OverviewScan:
    """Everything the Overview shows, aggregated; small frames, cheap to cache."""

    frames: dict[str, pd.DataFrame]
    prior: pd.DataFrame  # period, region, revenue, units, cost
    orders: pd.DataFrame  # period, month, orders
    top_toys: pd.DataFrame  # age_group, product_name, revenue, units, hl_*, rank
    festivals: pd.DataFrame  # festival, start, end
    highlight: Highlight | None
    rank_by: str

    @property
    def is_empty(self) -> bool:
        return self.frames["age"].empty


# Every part of the one Overview statement returns these columns; `part` says which it is.
PART_COLUMNS = ("part", "period", "d1", "d2", "k1", "k2", "revenue", "units", "cost",
                "hl_revenue", "hl_units", "orders")
SUMS = ("sum(revenue)::DOUBLE, sum(units)::DOUBLE, sum(cost)::DOUBLE, "
        "coalesce(sum(revenue) FILTER (WHERE hl), 0)::DOUBLE, "
        "coalesce(sum(units) FILTER (WHERE hl), 0)::DOUBLE, NULL::DOUBLE")


@dataclass
class _Statement:
    """UNION ALL of parts with the same columns, so a filter change is one round trip."""

    parts: list[str]
    params: list

    def add(self, sql: str, params: list) -> None:
        self.parts.append(sql)
        self.params.extend(params)


def _chart_part(stmt, catalog, name, cols, flt, scope, highlight) -> None:
    source, params = sales_source(catalog, flt, scope, cols, highlight)
    month = "month" if "month" in cols else "NULL::DATE"
    keys = [c for c in cols if c != "month"] + ["NULL", "NULL"]
    stmt.add(
        f"SELECT ? , NULL, {month}, NULL::DATE, {keys[0]}::VARCHAR, {keys[1]}::VARCHAR, {SUMS} "
        f"FROM ({source}) GROUP BY {', '.join(cols)}",
        [name, *params],
    )


def _top_toys_part(stmt, catalog, flt, scope, highlight, top_n: int, rank_by: str) -> None:
    source, params = sales_source(catalog, flt, scope, ("age_group", "product_name"), highlight)
    stmt.add(
        f"SELECT 'top', NULL, NULL::DATE, NULL::DATE, age_group, product_name, {SUMS} "
        f"FROM ({source}) GROUP BY age_group, product_name "
        f"QUALIFY row_number() OVER (PARTITION BY age_group "
        f"ORDER BY sum({rank_by}) DESC, product_name) <= ?",
        [*params, top_n],
    )


def _prior_part(stmt, catalog, flt, scope, periods) -> None:
    for label in ("previous", "year_ago"):
        lo, hi = periods[label]
        source, params = sales_source(catalog, flt, scope, ("region",), None, label, lo, hi)
        stmt.add(
            f"SELECT 'prior', period, NULL::DATE, NULL::DATE, region, NULL, {SUMS} "
            f"FROM ({source}) GROUP BY period, region",
            params,
        )


def _orders_part(stmt, catalog, flt: Filter, scope: Scope, periods, mask: int) -> None:
    """Exact distinct order counts per period and month."""
    if not catalog.order_rollup_exact or flt.uses("subcategory", "product_name"):
        # Line-level filters the order rollups cannot answer: count distinct orders in raw rows.
        conditions, cond_params = flt.dimension_conditions(scope)
        where = "".join(f" AND {c}" for c in conditions)
        for label, (lo, hi) in periods.items():
            stmt.add(
                "SELECT 'orders', ?, month, NULL::DATE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                f"count(DISTINCT order_id)::DOUBLE FROM sales_fact "
                f"WHERE date BETWEEN ? AND ?{where} GROUP BY month",
                [label, lo, hi, *cond_params],
            )
        return
    for label, (lo, hi) in periods.items():
        source, params = orders_source(catalog, flt, scope, ("month",), mask, label, lo, hi)
        stmt.add(
            "SELECT 'orders', period, month, NULL::DATE, NULL, NULL, NULL, NULL, NULL, NULL, "
            f"NULL, sum(orders)::DOUBLE FROM ({source}) GROUP BY period, month",
            params,
        )


def _festivals_part(stmt, start: dt.date, end: dt.date) -> None:
    stmt.add(
        "SELECT 'festival', NULL, min(date), max(date), festival, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL FROM calendar WHERE date BETWEEN ? AND ? AND festival <> ? "
        "GROUP BY festival, year",
        [start, end, NO_FESTIVAL],
    )


def _category_mask(cur, categories: tuple[str, ...]) -> int:
    placeholders = ", ".join("?" * len(categories))
    return cur.execute(
        f"SELECT coalesce(bit_or(1::BIGINT << idx), 0) FROM categories "
        f"WHERE category IN ({placeholders})",
        list(categories),
    ).fetchall()[0][0]


def _split(result: pd.DataFrame, highlight, rank_by: str) -> OverviewScan:
    """Cut the one result back into a frame per chart, with proper column names."""
    parts = dict(tuple(result.groupby("part", sort=False)))
    empty = result.iloc[0:0]

    def part(name: str) -> pd.DataFrame:
        return parts.get(name, empty)

    frames = {}
    for name, cols in GROUPING_SETS.items():
        frame = part(name)
        keys = [c for c in cols if c != "month"]
        renamed = frame.rename(columns={"d1": "month", "k1": keys[0] if keys else "k1",
                                        "k2": keys[1] if len(keys) > 1 else "k2"})
        frames[name] = renamed[[*cols, *MEASURE_COLUMNS]].sort_values(list(cols),
                                                                     ignore_index=True)
    top = part("top").rename(columns={"k1": "age_group", "k2": "product_name"})
    top = top.sort_values(["age_group", rank_by, "product_name"],
                          ascending=[True, False, True], ignore_index=True)
    top["rank"] = top.groupby("age_group").cumcount() + 1
    prior = part("prior").rename(columns={"k1": "region"})[
        ["period", "region", "revenue", "units", "cost"]].reset_index(drop=True)
    orders = part("orders").rename(columns={"d1": "month"})[["period", "month", "orders"]]
    festivals = part("festival").rename(columns={"k1": "festival", "d1": "start", "d2": "end"})
    return OverviewScan(
        frames, prior, orders.reset_index(drop=True),
        top[["age_group", "product_name", *MEASURE_COLUMNS, "rank"]],
        festivals[["festival", "start", "end"]].sort_values("start", ignore_index=True),
        highlight, rank_by,
    )


def run_overview(
    warehouse: Warehouse, flt: Filter, scope: Scope, highlight: Highlight | None = None,
    top_n: int = 5, rank_by: str = "revenue",
) -> OverviewScan:
    """Everything the Overview shows for one filter state, in one SQL statement."""
    if rank_by not in ("revenue", "units"):
        raise ValueError("rank_by must be revenue or units")
    top_n = max(1, min(int(top_n), 20))
    periods = comparison_periods(flt.start, flt.end)
    catalog = warehouse.catalog()
    with warehouse.cursor() as cur:
        mask = _category_mask(cur, flt.categories) if flt.categories else 0
        stmt = _Statement([], [])
        for name, cols in GROUPING_SETS.items():
            _chart_part(stmt, catalog, name, cols, flt, scope, highlight)
        _top_toys_part(stmt, catalog, flt, scope, highlight, top_n, rank_by)
        _prior_part(stmt, catalog, flt, scope, periods)
        _orders_part(stmt, catalog, flt, scope, periods, mask)
        _festivals_part(stmt, flt.start, flt.end)
        sql = " UNION ALL ".join(f"({part})" for part in stmt.parts)
        result = cur.execute(sql, stmt.params).df()
    result.columns = list(PART_COLUMNS)
    return _split(result, highlight, rank_by)


# ---- Metrics: pure functions of the scan ---------------------------------------------------


def _change(value: float, base: float) -> float | None:
    return None if not base else (value - base) / abs(base)


def kpis(scan: OverviewScan) -> dict[str, dict]:
    """Revenue, units, orders, average order value and gross margin %, with their changes."""
    monthly = scan.frames["month_region"].groupby("month")[["revenue", "units", "cost"]].sum()
    orders = scan.orders.pivot_table(index="month", columns="period", values="orders",
                                     aggfunc="sum")
    order_months = orders.get("current", pd.Series(dtype=float))
    totals = {"current": monthly.sum()}
    for period in ("previous", "year_ago"):
        totals[period] = scan.prior.loc[scan.prior["period"] == period,
                                        ["revenue", "units", "cost"]].sum()
    order_totals = scan.orders.groupby("period")["orders"].sum()

    def values(period: str) -> dict[str, float | None]:
        t = totals[period]
        n_orders = float(order_totals.get(period, 0.0))
        return {
            "revenue": float(t["revenue"]),
            "units": float(t["units"]),
            "orders": n_orders,
            "aov": float(t["revenue"]) / n_orders if n_orders else None,
            "margin_pct": (float(t["revenue"] - t["cost"]) / float(t["revenue"])
                           if t["revenue"] else None),
        }

    current, previous, year_ago = values("current"), values("previous"), values("year_ago")
    order_series = order_months.reindex(monthly.index).fillna(0.0)
    trends = {
        "revenue": monthly["revenue"],
        "units": monthly["units"],
        "orders": order_series,
        "aov": monthly["revenue"] / order_series.where(order_series > 0),
        "margin_pct": (monthly["revenue"] - monthly["cost"]) / monthly["revenue"].where(
            monthly["revenue"] != 0),
    }
    out = {}
    for name in current:
        value = current[name]
        out[name] = {
            "value": value,
            "previous": previous[name],
            "year_ago": year_ago[name],
            "change_previous": None if value is None or previous[name] is None
            else _change(value, previous[name]),
            "change_year_ago": None if value is None or year_ago[name] is None
            else _change(value, year_ago[name]),
            "trend": trends[name],
        }
    for name in ("margin_pct",):  # a change of a percentage is shown in points
        for key, base in (("change_previous", previous), ("change_year_ago", year_ago)):
            v, b = out[name]["value"], base[name]
            out[name][key] = None if v is None or b is None else v - b
    return out


def monthly_sales_trend(scan: OverviewScan, by: str = "category") -> pd.DataFrame:
    """Monthly Sales Trend: month, series (a category or region), revenue, units, hl_*."""
    frame = scan.frames["month_category" if by == "category" else "month_region"]
    column = "category" if by == "category" else "region"
    return frame.rename(columns={column: "series"})[["month", "series", *MEASURE_COLUMNS]]


def top_toys_by_age(scan: OverviewScan) -> pd.DataFrame:
    """Top Toys by Age: the top N toys per customer age group, ranked by scan.rank_by."""
    return scan.top_toys.copy()


def regional_contribution(scan: OverviewScan) -> pd.DataFrame:
    """Regional Contribution %: each region's share of revenue and of growth vs last period."""
    current = scan.frames["month_region"].groupby("region")[["revenue", "hl_revenue"]].sum()
    previous = scan.prior.loc[scan.prior["period"] == "previous"].groupby("region")["revenue"]
    out = current.join(previous.sum().rename("previous_revenue"), how="outer").fillna(0.0)
    out["growth"] = out["revenue"] - out["previous_revenue"]
    total, total_growth = out["revenue"].sum(), out["growth"].sum()
    out["share_pct"] = out["revenue"] / total if total else 0.0
    out["growth_share_pct"] = out["growth"] / total_growth if total_growth else 0.0
    return out.reset_index().sort_values("revenue", ascending=False, ignore_index=True)


def regional_heatmap(scan: OverviewScan, measure: str = "revenue") -> pd.DataFrame:
    """Regional demand: region x month matrix of revenue or units."""
    frame = scan.frames["month_region"]
    return frame.pivot_table(index="region", columns="month", values=measure, aggfunc="sum",
                             fill_value=0.0).sort_index()


def category_bars(scan: OverviewScan) -> pd.DataFrame:
    frame = scan.frames["subcategory"].groupby("category")[MEASURE_COLUMNS].sum()
    return frame.reset_index().sort_values("revenue", ascending=False, ignore_index=True)


def subcategory_bars(scan: OverviewScan) -> pd.DataFrame:
    return scan.frames["subcategory"].sort_values("revenue", ascending=False, ignore_index=True)


def age_share(scan: OverviewScan) -> pd.DataFrame:
    return _share(scan.frames["age"], "age_group")


def gender_share(scan: OverviewScan) -> pd.DataFrame:
    return _share(scan.frames["gender"], "gender")


def _share(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    out = frame[[column, *MEASURE_COLUMNS]].copy()
    total = out["revenue"].sum()
    out["share_pct"] = out["revenue"] / total if total else 0.0
    return out.sort_values(column, ignore_index=True)
