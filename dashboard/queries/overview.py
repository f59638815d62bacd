"""The Overview page's data: a few small aggregates per filter change.

`run_overview` reads the warehouse: one aggregate per chart, each from the smallest rollup that
covers its dimensions and the filters (see sources.Catalog), plus the comparison periods and the
exact order counts. The metric functions below it are pure
pandas over that result, one per named metric, so each can be tested and reused on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.queries.filters import Filter, Scope, in_list
from dashboard.queries.sources import Highlight, order_filter, orders_source, sales_source
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
# Charts whose aggregates come from one scan of one source (they need the same rollup).
CHART_GROUPS = (("month_region", "month_category"), ("subcategory",), ("age", "gender"))


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
    prior: pd.DataFrame  # period, region, category, revenue, units, cost
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
                "hl_revenue", "hl_units", "n")  # n: order count, or a toy's rank
# Every output column is named, so that sqlglot can rewrite QUALIFY for PostgreSQL.
MEASURE_SUMS = ("sum(revenue)::DOUBLE AS revenue, sum(units)::DOUBLE AS units, "
                "sum(cost)::DOUBLE AS cost, "
                "coalesce(sum(revenue) FILTER (WHERE hl), 0)::DOUBLE AS hl_revenue, "
                "coalesce(sum(units) FILTER (WHERE hl), 0)::DOUBLE AS hl_units")
SUMS = MEASURE_SUMS + ", NULL::DOUBLE AS n"


@dataclass
class _Statement:
    """UNION ALL of parts with the same columns, so a filter change is one round trip."""

    parts: list[str]
    params: list

    def add(self, sql: str, params: list) -> None:
        self.parts.append(sql)
        self.params.extend(params)


def _chart_group_part(stmt, catalog, sets: dict[str, tuple[str, ...]], flt, scope,
                      highlight) -> None:
    """Charts that can share one source, as one aggregate with GROUPING SETS."""
    columns = tuple(dict.fromkeys(c for cols in sets.values() for c in cols))
    source, params = sales_source(catalog, flt, scope, columns, highlight)
    grouping = f"GROUPING({', '.join(columns)})"
    cases: dict[str, list[str]] = {"part": [], "month": [], "k1": [], "k2": []}
    case_params: dict[str, list] = {key: [] for key in cases}
    for name, cols in sets.items():
        # GROUPING() sets bit (n-1-i) for column i when that column is NOT grouped.
        gid = sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in cols)
        keys = [c for c in cols if c != "month"] + ["NULL", "NULL"]
        cases["part"].append(f"WHEN {gid} THEN ?")
        case_params["part"].append(name)
        cases["month"].append(f"WHEN {gid} THEN {'month' if 'month' in cols else 'NULL::DATE'}")
        cases["k1"].append(f"WHEN {gid} THEN {keys[0]}::VARCHAR")
        cases["k2"].append(f"WHEN {gid} THEN {keys[1]}::VARCHAR")
    expr = {key: f"CASE {grouping} {' '.join(whens)} END" for key, whens in cases.items()}
    group_sets = ", ".join(f"({', '.join(cols)})" for cols in sets.values())
    stmt.add(
        f"SELECT {expr['part']}, NULL, {expr['month']}, NULL::DATE, {expr['k1']}, {expr['k2']}, "
        f"{SUMS} FROM ({source}) GROUP BY GROUPING SETS ({group_sets})",
        [*case_params["part"], *params],
    )


def _top_toys_part(stmt, catalog, flt, scope, highlight, top_n: int, rank_by: str) -> None:
    """The top N toys per age group; a highlighted toy ranked lower comes too (with its rank)."""
    source, params = sales_source(catalog, flt, scope, ("age_group", "product_name"), highlight)
    also, also_params = "", []
    if highlight is not None and highlight.column == "product_name":
        also, also_params = " OR product_name = ?", [highlight.value]
    stmt.add(
        f"SELECT 'top' AS part, NULL AS period, NULL::DATE AS d1, NULL::DATE AS d2, "
        f"age_group AS k1, product_name AS k2, {MEASURE_SUMS}, "
        f"row_number() OVER (PARTITION BY age_group ORDER BY sum({rank_by}) DESC, "
        f"product_name)::DOUBLE AS n FROM ({source}) GROUP BY age_group, product_name "
        f"QUALIFY n <= ?{also}",
        [*params, top_n, *also_params],
    )


def _prior_part(stmt, catalog, flt, scope, periods) -> None:
    sources, params = [], []
    for label in ("previous", "year_ago"):
        lo, hi = periods[label]
        source, p = sales_source(catalog, flt, scope, ("region", "category"), None, label,
                                 lo, hi)
        sources.append(source)
        params += p
    stmt.add(
        f"SELECT 'prior', period, NULL::DATE, NULL::DATE, region, category, {SUMS} "
        f"FROM ({' UNION ALL '.join(sources)}) GROUP BY period, region, category",
        params,
    )


def _raw_orders_part(stmt, periods, count: str, table: str, conditions: list[str],
                     params: list) -> None:
    """Orders per period and month counted in a raw table (no rollup can answer the filter)."""
    where = "".join(f" AND {c}" for c in conditions)
    for label, (lo, hi) in periods.items():
        stmt.add(
            "SELECT 'orders', ?, month, NULL::DATE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
            f"{count}::DOUBLE FROM {table} WHERE date BETWEEN ? AND ?{where} GROUP BY month",
            [label, lo, hi, *params],
        )


def _orders_part(stmt, catalog, flt: Filter, scope: Scope, periods, mask: int,
                 type_mask: int) -> None:
    """Exact distinct order counts per period and month."""
    by_type = flt.uses("subcategory") and catalog.meta.get("toy_type_masks")
    if catalog.order_rollup_exact and by_type and not flt.uses("product_name"):
        # Orders holding any line of these toy types (of these categories): one row per order.
        conditions, params = order_filter(flt).dimension_conditions(scope)
        _raw_orders_part(stmt, periods, "count(*)", "orders_fact",
                         [*conditions, "(toy_type_mask & ?) <> 0"], [*params, type_mask])
        return
    if not catalog.order_rollup_exact or flt.uses("subcategory", "product_name"):
        # Line-level filters the order rollups cannot answer: count distinct orders in raw rows.
        conditions, params = flt.dimension_conditions(scope)
        _raw_orders_part(stmt, periods, "count(DISTINCT order_id)", "sales_fact", conditions,
                         params)
        return
    sources, params = [], []
    for label, (lo, hi) in periods.items():
        source, p = orders_source(catalog, flt, scope, ("month",), mask, label, lo, hi)
        sources.append(source)
        params += p
    stmt.add(
        "SELECT 'orders', period, month, NULL::DATE, NULL, NULL, NULL, NULL, NULL, NULL, "
        f"NULL, sum(orders)::DOUBLE FROM ({' UNION ALL '.join(sources)}) GROUP BY period, month",
        params,
    )


def _festivals_part(stmt, start: dt.date, end: dt.date) -> None:
    stmt.add(
        "SELECT 'festival', NULL, min(date), max(date), festival, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL FROM calendar WHERE date BETWEEN ? AND ? AND festival <> ? "
        "GROUP BY festival, year",
        [start, end, NO_FESTIVAL],
    )


def _toy_type_mask(cur, flt: Filter) -> int:
    """Bits of the (category, toy type) pairs a line must have to pass the filter."""
    conditions = [in_list("subcategory", len(flt.subcategories))]
    params = list(flt.subcategories)
    if flt.categories:
        conditions.append(in_list("category", len(flt.categories)))
        params += list(flt.categories)
    return cur.execute(
        f"SELECT coalesce(bit_or(1::BIGINT << idx), 0) FROM toy_types "
        f"WHERE {' AND '.join(conditions)}", params).fetchall()[0][0]


def _category_mask(cur, categories: tuple[str, ...]) -> int:
    placeholders = ", ".join("?" * len(categories))
    return cur.execute(
        f"SELECT coalesce(bit_or(1::BIGINT << idx), 0) FROM categories "
        f"WHERE category IN ({placeholders})",
        list(categories),
    ).fetchall()[0][0]


def _frame(columns: dict, rows: slice, names: dict[str, str]) -> pd.DataFrame:
    """A part's rows as a DataFrame with its own column names (one constructor call)."""
    return pd.DataFrame({new: columns[old][rows] for old, new in names.items()})


def _split(columns: dict, highlight, rank_by: str) -> OverviewScan:
    """Cut the one (sorted) result back into a frame per chart, with proper column names.

    Plain numpy slicing: pandas operations cost ~0.3 ms each on this machine, which would
    be most of a filter change.
    """
    part = columns["part"]
    bounds = {}
    for name in dict.fromkeys(part.tolist()):
        hits = np.flatnonzero(part == name)
        bounds[name] = slice(int(hits[0]), int(hits[-1]) + 1)
    none = slice(0, 0)
    measures = {c: c for c in MEASURE_COLUMNS}
    frames = {}
    for name, cols in GROUPING_SETS.items():
        keys = [c for c in cols if c != "month"]
        names = {"d1": "month"} if "month" in cols else {}
        names.update({slot: key for slot, key in zip(("k1", "k2"), keys, strict=False)})
        frames[name] = _frame(columns, bounds.get(name, none), {**names, **measures})
    top = _frame(columns, bounds.get("top", none),
                 {"k1": "age_group", "k2": "product_name", **measures, "n": "rank"})
    prior = _frame(columns, bounds.get("prior", none),
                   {"period": "period", "k1": "region", "k2": "category", "revenue": "revenue",
                    "units": "units", "cost": "cost"})
    orders = _frame(columns, bounds.get("orders", none),
                    {"period": "period", "d1": "month", "n": "orders"})
    festivals = _frame(columns, bounds.get("festival", none),
                       {"k1": "festival", "d1": "start", "d2": "end"})
    return OverviewScan(frames, prior, orders, top, festivals, highlight, rank_by)


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
        type_mask = _toy_type_mask(cur, flt) if flt.subcategories else 0
        stmt = _Statement([], [])
        for group in CHART_GROUPS:
            _chart_group_part(stmt, catalog, {name: GROUPING_SETS[name] for name in group},
                              flt, scope, highlight)
        _top_toys_part(stmt, catalog, flt, scope, highlight, top_n, rank_by)
        _prior_part(stmt, catalog, flt, scope, periods)
        _orders_part(stmt, catalog, flt, scope, periods, mask, type_mask)
        _festivals_part(stmt, flt.start, flt.end)
        union = " UNION ALL ".join(f"({part})" for part in stmt.parts)
        names = ", ".join(f"col{i} AS {c}" for i, c in enumerate(PART_COLUMNS))
        slots = ", ".join(f"col{i}" for i in range(len(PART_COLUMNS)))
        sql = (f"SELECT {names} FROM ({union}) AS u({slots}) "
               f"ORDER BY part, period, d1, k1, n, k2")
        result = cur.execute(sql, stmt.params).fetchnumpy()
    return _split(_plain(result), highlight, rank_by)


def _plain(columns: dict) -> dict:
    """Masked arrays (NULLs) to plain ones; dates as datetime.date objects."""
    out = {}
    for name, values in columns.items():
        array = np.ma.getdata(values) if not np.ma.isMaskedArray(values) else values.filled(
            np.nan if values.dtype.kind == "f" else None)
        if array.dtype.kind == "M":
            array = array.astype("datetime64[D]").astype(object)
        out[name] = array
    return out


# ---- Metrics: pure functions of the scan ---------------------------------------------------


def _change(value: float, base: float) -> float | None:
    return None if not base else (value - base) / abs(base)


def _sums(keys: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group-by-sum on small arrays: (sorted unique keys, one summed array per value)."""
    if len(keys) == 0:
        return keys, [np.zeros(0) for _ in values]
    uniques, inverse = np.unique(keys, return_inverse=True)
    return uniques, [np.bincount(inverse, weights=v.astype(float), minlength=len(uniques))
                     for v in values]


def kpis(scan: OverviewScan) -> dict[str, dict]:
    """Revenue, units, orders, average order value and gross margin %, with their changes."""
    frame = scan.frames["month_region"]
    months, (revenue, units, cost) = _sums(frame["month"].to_numpy(), frame["revenue"].to_numpy(),
                                           frame["units"].to_numpy(), frame["cost"].to_numpy())
    totals = {"current": (revenue.sum(), units.sum(), cost.sum())}
    prior_period = scan.prior["period"].to_numpy()
    for period in ("previous", "year_ago"):
        rows = prior_period == period
        totals[period] = tuple(scan.prior[c].to_numpy()[rows].sum()
                               for c in ("revenue", "units", "cost"))
    order_period = scan.orders["period"].to_numpy()
    order_count = scan.orders["orders"].to_numpy()
    order_totals = {p: float(order_count[order_period == p].sum()) for p in totals}
    current_orders = order_period == "current"
    by_month = dict(zip(scan.orders["month"].to_numpy()[current_orders],
                        order_count[current_orders], strict=True))
    monthly_orders = np.array([by_month.get(m, 0.0) for m in months], dtype=float)

    def values(period: str) -> dict[str, float | None]:
        rev, unit, cst = (float(x) for x in totals[period])
        n_orders = order_totals[period]
        has_cost = not np.isnan(cst)  # NULL cost: the source has no cost data
        return {
            "revenue": rev, "units": unit, "orders": n_orders,
            "aov": rev / n_orders if n_orders else None,
            "margin_pct": (rev - cst) / rev if rev and has_cost else None,
            "profit": rev - cst if has_cost else None,
        }

    with np.errstate(divide="ignore", invalid="ignore"):
        trends = {
            "revenue": revenue, "units": units, "orders": monthly_orders,
            "aov": np.where(monthly_orders > 0, revenue / monthly_orders, np.nan),
            "margin_pct": np.where(revenue != 0, (revenue - cost) / revenue, np.nan),
            "profit": revenue - cost,
        }
    current, previous, year_ago = values("current"), values("previous"), values("year_ago")
    out = {}
    for name, value in current.items():
        points = name == "margin_pct"  # a change of a percentage is shown in points
        changes = {}
        for key, base in (("change_previous", previous), ("change_year_ago", year_ago)):
            b = base[name]
            changes[key] = (None if value is None or b is None
                            else value - b if points else _change(value, b))
        out[name] = {"value": value, "previous": previous[name], "year_ago": year_ago[name],
                     **changes, "trend": pd.Series(trends[name], index=months)}
    return out


def previous_by(scan: OverviewScan, column: str, measure: str = "revenue",
                period: str = "previous") -> dict[str, float]:
    """Each region's or category's `measure` in a comparison period (for "vs prev.")."""
    rows = scan.prior["period"].to_numpy() == period
    keys, (sums,) = _sums(scan.prior[column].to_numpy()[rows],
                          scan.prior[measure].to_numpy()[rows])
    return dict(zip(keys.tolist(), sums.tolist(), strict=True))


def monthly_sales_trend(scan: OverviewScan, by: str = "category") -> pd.DataFrame:
    """Monthly Sales Trend: month, series (a category or region), revenue, units, hl_*."""
    frame = scan.frames["month_category" if by == "category" else "month_region"]
    column = "category" if by == "category" else "region"
    return pd.DataFrame({"month": frame["month"].to_numpy(), "series": frame[column].to_numpy(),
                         **{c: frame[c].to_numpy() for c in MEASURE_COLUMNS}})


def top_toys_by_age(scan: OverviewScan) -> pd.DataFrame:
    """Top Toys by Age: the top N toys per customer age group, ranked by scan.rank_by."""
    return scan.top_toys


def regional_contribution(scan: OverviewScan) -> pd.DataFrame:
    """Regional Contribution %: each region's share of revenue and of the change vs last period."""
    frame = scan.frames["month_region"]
    regions, (revenue, hl_revenue) = _sums(frame["region"].to_numpy(),
                                           frame["revenue"].to_numpy(),
                                           frame["hl_revenue"].to_numpy())
    is_previous = scan.prior["period"].to_numpy() == "previous"
    before_regions, (before_revenue,) = _sums(scan.prior["region"].to_numpy()[is_previous],
                                              scan.prior["revenue"].to_numpy()[is_previous])
    previous = dict(zip(before_regions.tolist(), before_revenue.tolist(), strict=True))
    all_regions = sorted(set(regions.tolist()) | set(previous))
    now = dict(zip(regions.tolist(), revenue.tolist(), strict=True))
    lit = dict(zip(regions.tolist(), hl_revenue.tolist(), strict=True))
    rev = np.array([now.get(r, 0.0) for r in all_regions])
    prev = np.array([previous.get(r, 0.0) for r in all_regions])
    growth = rev - prev
    total = rev.sum()
    out = pd.DataFrame({
        "region": all_regions, "revenue": rev,
        "hl_revenue": [lit.get(r, 0.0) for r in all_regions], "previous_revenue": prev,
        "growth": growth, "share_pct": rev / total if total else np.zeros(len(rev)),
        "change_share_pct": change_shares(growth),
    })
    return out.iloc[np.argsort(-rev, kind="stable")].reset_index(drop=True)


def change_shares(change: np.ndarray) -> np.ndarray:
    """Each member's change as a signed part of the size of the whole change.

    Dividing by the signed total would turn every sign around when the total fell (a growing
    store drawn as a negative share); dividing by its size keeps growth positive and shrinkage
    negative, adding up to +1 when the total grew and -1 when it fell. Zeros when nothing
    changed."""
    size = abs(float(change.sum()))
    return change / size if size else np.zeros(len(change))


def regional_heatmap(scan: OverviewScan, measure: str = "revenue") -> pd.DataFrame:
    """Regional demand: region x month matrix of revenue or units."""
    frame = scan.frames["month_region"]
    regions, r_idx = np.unique(frame["region"].to_numpy(), return_inverse=True)
    months, m_idx = np.unique(frame["month"].to_numpy(), return_inverse=True)
    matrix = np.zeros((len(regions), len(months)))
    np.add.at(matrix, (r_idx, m_idx), frame[measure].to_numpy(dtype=float))
    return pd.DataFrame(matrix, index=regions.tolist(), columns=months.tolist())


def category_bars(scan: OverviewScan) -> pd.DataFrame:
    frame = scan.frames["subcategory"]
    categories, sums = _sums(frame["category"].to_numpy(),
                             *(frame[c].to_numpy() for c in MEASURE_COLUMNS))
    order = np.argsort(-sums[0], kind="stable") if len(categories) else []
    return pd.DataFrame({"category": categories[order],
                         **{c: v[order] for c, v in zip(MEASURE_COLUMNS, sums, strict=True)}})


def subcategory_bars(scan: OverviewScan) -> pd.DataFrame:
    frame = scan.frames["subcategory"]
    order = np.argsort(-frame["revenue"].to_numpy(), kind="stable")
    return pd.DataFrame({c: frame[c].to_numpy()[order] for c in frame.columns})


def age_share(scan: OverviewScan) -> pd.DataFrame:
    return _share(scan.frames["age"], "age_group")


def gender_share(scan: OverviewScan) -> pd.DataFrame:
    return _share(scan.frames["gender"], "gender")


def _share(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    revenue = frame["revenue"].to_numpy()
    total = revenue.sum()
    return pd.DataFrame({column: frame[column].to_numpy(),
                         **{c: frame[c].to_numpy() for c in MEASURE_COLUMNS},
                         "share_pct": revenue / total if total else np.zeros(len(revenue))})
