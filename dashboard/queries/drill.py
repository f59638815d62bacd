"""Drill-down: region > state > city > store > category and category > toy type > toy.

A store's level is its categories, so a manager who drills to a store sees what it sells and
which categories made its change (share of revenue against share of the change).

A drill path ("North", "Nuevo León") comes from the URL or a click, which anyone can forge, so
`validate` keeps only steps found among the members the user's scope can see (read through
sales_source, hence scope_condition); the level query is scoped the same way, so a forged path
outside the scope finds no rows. Path values are bound parameters; only column names from the
fixed LEVELS tuples are written into SQL. Level data comes from the `r_geo` / toy rollups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.queries.filters import Filter, Scope, scope_condition
from dashboard.queries.overview import change_shares
from dashboard.queries.sources import Highlight, sales_source
from dashboard.warehouse.store import Warehouse

LEVELS: dict[str, tuple[str, ...]] = {
    "geo": ("region", "state", "city", "store_id", "category"),
    "prod": ("category", "subcategory", "product_name"),
}
# column -> (singular, plural) as the UI says it
NAMES = {
    "region": ("region", "regions"), "state": ("state", "states"), "city": ("city", "cities"),
    "store_id": ("store", "stores"), "category": ("category", "categories"),
    "subcategory": ("toy type", "toy types"), "product_name": ("toy", "toys"),
}
# The filter field that constrains an axis' first level (a drill must stay inside it).
FIRST_FILTER = {"geo": "regions", "prod": "categories"}
DROPPED_NOTE = ("A drill-down step in the link is not in the data you can see, so it was "
                "dropped.")


def max_depth(axis: str) -> int:
    """Steps a path may hold: the last level (a store's categories, toy) is shown, never
    drilled into."""
    return len(LEVELS[axis]) - 1


STORE_STEP = LEVELS["geo"].index("store_id")  # where a geo path holds a store id


def shown_path(axis: str, path: tuple[str, ...], found: Members) -> tuple[str, ...]:
    """The path as the UI names it: a store step by its store's name, not its id."""
    if axis != "geo" or len(path) <= STORE_STEP:
        return path
    store = path[STORE_STEP]
    return (*path[:STORE_STEP], found.store_names.get(store, f"Store {store}"),
            *path[STORE_STEP + 1:])


def level_of(axis: str, path: tuple[str, ...]) -> str:
    """The column shown at this path: its first level, or the one below its last step."""
    return LEVELS[axis][len(path)]


def store_path(store: str, found: Members) -> tuple[str, ...] | None:
    """The full place path to a store (region, state, city, store), if the scope sees it."""
    return next((p for p in found.paths if len(p) == STORE_STEP + 1 and p[-1] == store), None)


def store_step(label: str, found: Members) -> str:
    """The store id behind a store's label on a chart (charts name stores; paths hold ids)."""
    ids = {name: store for store, name in found.store_names.items()}
    if label in ids:
        return ids[label]
    return label.removeprefix("Store ")  # the label of a store with no name


@dataclass(frozen=True)
class Members:
    """Every drillable path of one axis the scope can see (prefixes included), store names."""

    paths: frozenset[tuple[str, ...]]
    store_names: dict[str, str]


def members(warehouse: Warehouse, scope: Scope, axis: str, start: dt.date,
            end: dt.date) -> Members:
    """Distinct paths over the whole data (start..end: the data's dates) within the scope."""
    columns = LEVELS[axis][:-1]
    catalog = warehouse.catalog()
    source, params = sales_source(catalog, Filter(start=start, end=end), scope, columns)
    cols = ", ".join(columns)
    with warehouse.cursor() as cur:
        rows = cur.execute(f"SELECT DISTINCT {cols} FROM ({source}) AS s", params).fetchall()
        names = _store_names(cur, scope) if axis == "geo" else {}
    paths = {tuple(str(v) for v in row[:i]) for row in rows for i in range(1, len(row) + 1)}
    return Members(frozenset(paths), names)


def _store_names(cur, scope: Scope) -> dict[str, str]:
    """store_id -> a unique label (the store's name; its id added when two share a name)."""
    condition, params = scope_condition(scope)
    where = f" WHERE {condition}" if condition else ""
    rows = cur.execute(f"SELECT CAST(store_id AS VARCHAR), name FROM stores{where}",
                       params).fetchall()
    counts: dict[str, int] = {}
    for _, name in rows:
        counts[str(name)] = counts.get(str(name), 0) + 1
    return {sid: (str(name) if counts[str(name)] == 1 else f"{name} (#{sid})")
            for sid, name in rows if name is not None}


def validate(axis: str, path, found: Members, flt: Filter) -> tuple[tuple[str, ...], bool]:
    """(the longest valid prefix, whether anything was dropped). Not a tuple of strings: ()."""
    if not isinstance(path, list | tuple) or not all(isinstance(p, str) for p in path):
        return (), bool(path)
    path = tuple(path)
    allowed = getattr(flt, FIRST_FILTER[axis])
    kept: tuple[str, ...] = ()
    for step in path[: max_depth(axis)]:
        candidate = (*kept, step)
        if candidate not in found.paths or (not kept and allowed and step not in allowed):
            break
        kept = candidate
    return kept, kept != path


@dataclass(frozen=True)
class Level:
    """One drilled level's aggregates: per member and month, this period and the previous."""

    axis: str
    path: tuple[str, ...]
    column: str
    frame: pd.DataFrame  # period, month, member, revenue, units, hl_revenue, hl_units


def level_data(warehouse: Warehouse, flt: Filter, scope: Scope, axis: str,
               path: tuple[str, ...], previous: tuple[dt.date, dt.date],
               highlight: Highlight | None = None, by: str | None = None) -> Level:
    """The members one level below `path` (or, with `by`, that deeper level of the axis: every
    store under a region) under the filters and the scope, in one statement."""
    levels = LEVELS[axis]
    if len(path) > max_depth(axis):
        raise ValueError("drill path too deep")
    column = levels[len(path)] if by is None else by
    if column not in levels[len(path):]:
        raise ValueError(f"{column!r} is not a level below this path")
    columns = ("month", *levels[: len(path)], column)
    catalog = warehouse.catalog()
    if highlight is not None and highlight.column in columns:
        highlight = None  # the drilled chart shows its own members, not an overlay
    parts, params = [], []
    for label, lo, hi in (("current", flt.start, flt.end), ("previous", *previous)):
        source, p = sales_source(catalog, flt, scope, columns, highlight, label, lo, hi)
        parts.append(source)
        params += p
    where = "".join(f" {'AND' if i else 'WHERE'} {c} = ?"
                    for i, c in enumerate(levels[: len(path)]))
    sql = (f"SELECT period, month, CAST({column} AS VARCHAR) AS member, "
           "sum(revenue)::DOUBLE AS revenue, sum(units)::DOUBLE AS units, "
           "coalesce(sum(revenue) FILTER (WHERE hl), 0)::DOUBLE AS hl_revenue, "
           "coalesce(sum(units) FILTER (WHERE hl), 0)::DOUBLE AS hl_units "
           f"FROM ({' UNION ALL '.join(parts)}) AS s{where} "
           "GROUP BY period, month, member ORDER BY period, month, member")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, [*params, *path]).fetchall()
    frame = pd.DataFrame(rows, columns=["period", "month", "member", "revenue", "units",
                                        "hl_revenue", "hl_units"])
    return Level(axis, path, column, frame)


def labelled(level: Level, found: Members) -> pd.DataFrame:
    """The frame with stores named (their id only when the name is unknown)."""
    frame = level.frame
    if level.column == "store_id":
        frame = frame.assign(member=[found.store_names.get(m, f"Store {m}")
                                     for m in frame["member"]])
    return frame


def contribution(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each member's share of revenue and of the change vs the previous period (largest first),
    in the columns the contribution chart reads."""
    now = frame[frame["period"] == "current"].groupby("member")[["revenue", "hl_revenue"]].sum()
    before = frame[frame["period"] == "previous"].groupby("member")["revenue"].sum()
    names = sorted(set(now.index) | set(before.index))
    rev = np.array([now["revenue"].get(m, 0.0) for m in names], dtype=float)
    prev = np.array([before.get(m, 0.0) for m in names], dtype=float)
    growth = rev - prev
    total = rev.sum()
    out = pd.DataFrame({
        column: names, "revenue": rev,
        "hl_revenue": [now["hl_revenue"].get(m, 0.0) for m in names], "previous_revenue": prev,
        "growth": growth, "share_pct": rev / total if total else np.zeros(len(rev)),
        "change_share_pct": change_shares(growth),
    })
    out = out[out["revenue"] != 0]  # members with sales only in the previous period
    return out.sort_values("revenue", ascending=False, kind="stable").reset_index(drop=True)


def heatmap(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Member x month matrix of `measure` in the current period."""
    now = frame[frame["period"] == "current"]
    if now.empty:
        return pd.DataFrame()
    return now.pivot_table(index="member", columns="month", values=measure, aggfunc="sum",
                           fill_value=0.0).sort_index()


def bars(frame: pd.DataFrame, column: str, measure: str) -> pd.DataFrame:
    """Per member: the measures (with highlight parts) and `prev_<measure>`, for bar_chart."""
    cols = ["revenue", "units", "hl_revenue", "hl_units"]
    now = frame[frame["period"] == "current"].groupby("member")[cols].sum()
    before = frame[frame["period"] == "previous"].groupby("member")[measure].sum()
    out = now.reset_index().rename(columns={"member": column})
    out[f"prev_{measure}"] = out[column].map(before).fillna(0.0)
    return out.sort_values(measure, ascending=False, kind="stable").reset_index(drop=True)
