"""The Overview page's data: a few scans per filter change, shared by every chart and tile.

`run_overview` reads the warehouse (one grouping-sets scan for the charts, one for the top toys,
one for the comparison periods, one for order counts). The metric functions below it are pure
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
SCAN_COLUMNS = ("month", "region", "category", "subcategory", "age_group", "gender")


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


def _measures_sql() -> str:
    return (
        "sum(revenue)::DOUBLE AS revenue, sum(units)::DOUBLE AS units, sum(cost)::DOUBLE AS cost, "
        "coalesce(sum(revenue) FILTER (WHERE hl), 0)::DOUBLE AS hl_revenue, "
        "coalesce(sum(units) FILTER (WHERE hl), 0)::DOUBLE AS hl_units"
    )


def _scan_charts(cur, flt: Filter, scope: Scope, highlight: Highlight | None) -> dict:
    source, params = sales_source(flt, scope, SCAN_COLUMNS, highlight)
    sets = ", ".join(f"({', '.join(cols)})" for cols in GROUPING_SETS.values())
    grouping = f"GROUPING({', '.join(SCAN_COLUMNS)})"
    sql = (
        f"SELECT {', '.join(SCAN_COLUMNS)}, {grouping} AS gid, {_measures_sql()} "
        f"FROM ({source}) GROUP BY GROUPING SETS ({sets})"
    )
    result = cur.execute(sql, params).df()
    frames = {}
    for name, cols in GROUPING_SETS.items():
        # GROUPING() sets bit (n-1-i) for column i when that column is NOT grouped.
        gid = sum(1 << (len(SCAN_COLUMNS) - 1 - i)
                  for i, c in enumerate(SCAN_COLUMNS) if c not in cols)
        part = result.loc[result["gid"] == gid, [*cols, *MEASURE_COLUMNS]]
        frames[name] = part.sort_values(list(cols)).reset_index(drop=True)
    return frames


def _scan_top_toys(cur, flt, scope, highlight, top_n: int, rank_by: str) -> pd.DataFrame:
    source, params = sales_source(flt, scope, ("age_group", "product_name"), highlight)
    sql = (
        f"SELECT age_group, product_name, {_measures_sql()}, "
        f"row_number() OVER (PARTITION BY age_group ORDER BY sum({rank_by}) DESC, product_name) "
        f"AS rank FROM ({source}) GROUP BY age_group, product_name "
        f"QUALIFY rank <= ? ORDER BY age_group, rank"
    )
    return cur.execute(sql, [*params, top_n]).df()


def _scan_prior(cur, flt, scope, periods) -> pd.DataFrame:
    parts, params = [], []
    for label in ("previous", "year_ago"):
        lo, hi = periods[label]
        sql, p = sales_source(flt, scope, ("region",), None, label, lo, hi)
        parts.append(sql)
        params += p
    sql = (
        "SELECT period, region, sum(revenue)::DOUBLE AS revenue, sum(units)::DOUBLE AS units, "
        f"sum(cost)::DOUBLE AS cost FROM ({' UNION ALL '.join(parts)}) GROUP BY period, region"
    )
    return cur.execute(sql, params).df()


def _category_mask(cur, categories: tuple[str, ...]) -> int:
    placeholders = ", ".join("?" * len(categories))
    return cur.execute(
        f"SELECT coalesce(bit_or(1::BIGINT << idx), 0) FROM categories "
        f"WHERE category IN ({placeholders})",
        list(categories),
    ).fetchall()[0][0]


def _order_rollup_exact(cur) -> bool:
    rows = cur.execute("SELECT value FROM meta WHERE key = 'order_rollup_exact'").fetchall()
    return bool(rows) and rows[0][0] == "true"


def _scan_orders(cur, flt: Filter, scope: Scope, periods) -> pd.DataFrame:
    """Exact distinct order counts per period and month."""
    parts, params = [], []
    if not _order_rollup_exact(cur) or flt.uses("subcategory", "product_name"):
        # Line-level filters the order rollups cannot answer: count distinct orders in raw rows.
        conditions, cond_params = flt.dimension_conditions(scope)
        where = "".join(f" AND {c}" for c in conditions)
        for label, (lo, hi) in periods.items():
            parts.append(
                f"SELECT ? AS period, month, count(DISTINCT order_id) AS orders FROM sales_fact "
                f"WHERE date BETWEEN ? AND ?{where} GROUP BY month"
            )
            params += [label, lo, hi, *cond_params]
        sql = " UNION ALL ".join(parts)
        return cur.execute(f"SELECT period, month, orders::DOUBLE AS orders FROM ({sql})",
                           params).df()
    mask = _category_mask(cur, flt.categories) if flt.categories else 0
    for label, (lo, hi) in periods.items():
        sql, p = orders_source(flt, scope, ("month",), mask, label, lo, hi)
        parts.append(sql)
        params += p
    sql = (
        f"SELECT period, month, sum(orders)::DOUBLE AS orders "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY period, month"
    )
    return cur.execute(sql, params).df()


def _festivals(cur, start: dt.date, end: dt.date) -> pd.DataFrame:
    return cur.execute(
        "SELECT festival, min(date) AS start, max(date) AS end FROM calendar "
        "WHERE date BETWEEN ? AND ? AND festival <> ? GROUP BY festival, year ORDER BY start",
        [start, end, NO_FESTIVAL],
    ).df()


def run_overview(
    warehouse: Warehouse, flt: Filter, scope: Scope, highlight: Highlight | None = None,
    top_n: int = 5, rank_by: str = "revenue",
) -> OverviewScan:
    if rank_by not in ("revenue", "units"):
        raise ValueError("rank_by must be revenue or units")
    top_n = max(1, min(int(top_n), 20))
    periods = comparison_periods(flt.start, flt.end)
    with warehouse.cursor() as cur:
        frames = _scan_charts(cur, flt, scope, highlight)
        top = _scan_top_toys(cur, flt, scope, highlight, top_n, rank_by)
        prior = _scan_prior(cur, flt, scope, periods)
        orders = _scan_orders(cur, flt, scope, periods)
        festivals = _festivals(cur, flt.start, flt.end)
    return OverviewScan(frames, prior, orders, top, festivals, highlight, rank_by)


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
