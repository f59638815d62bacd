"""What the user picked (Filter) and what the user may see (Scope), compiled to SQL conditions.

Values are always bound as parameters; only column names from schema.FILTER_COLUMNS and `?`
placeholders are ever written into SQL text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import astuple, dataclass, replace

from dashboard.warehouse.schema import FILTER_COLUMNS

MAX_VALUES = 500  # a filter never needs more members than a dimension has


class ScopeError(PermissionError):
    """The user may see no data at all (fail closed)."""


@dataclass(frozen=True)
class Scope:
    """Regions and stores a user may see; None means every region (every store). An empty
    tuple means none. A store manager's scope has `stores` (store ids as text) and every
    region: their rows are those of their stores, wherever the stores are."""

    regions: tuple[str, ...] | None = None
    stores: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @property
    def limited(self) -> bool:
        """Does this scope hold back any rows (regions or stores)?"""
        return self.regions is not None or self.stores is not None

    def key(self) -> str:
        """A cache key part that no two scopes share: JSON of the sorted lists (a region named
        `North|South` is not North plus South), `null` for every region or store."""
        regions = None if self.regions is None else sorted(set(self.regions))
        if self.stores is None:
            return json.dumps(regions)
        return json.dumps({"regions": regions, "stores": sorted(set(self.stores))})

    def allows_store(self, store_id: str) -> bool:
        """For lists built in Python (inventory rows); SQL goes through scope_condition."""
        if self.stores is None:
            return True
        if not self.stores:
            raise ScopeError("no store is assigned to this user")
        return str(store_id) in self.stores

    def allows(self, region: str) -> bool:
        """For lists built in Python (filter options); SQL goes through scope_condition."""
        if self.regions is None:
            return True
        if not self.regions:
            raise ScopeError("no region is assigned to this user")
        return region in self.regions


@dataclass(frozen=True)
class Filter:
    start: dt.date
    end: dt.date
    regions: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    festivals: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subcategories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"date range ends ({self.end}) before it starts ({self.start})")
        for name in FILTER_COLUMNS:
            values = getattr(self, name)
            if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
                raise TypeError(f"filter {name} must be a tuple of strings")
            if len(values) > MAX_VALUES:
                raise ValueError(f"filter {name} has {len(values)} values (at most {MAX_VALUES})")
            object.__setattr__(self, name, tuple(sorted(set(values))))

    def with_dates(self, start: dt.date, end: dt.date) -> Filter:
        return replace(self, start=start, end=end)

    def with_values(self, name: str, values: tuple[str, ...]) -> Filter:
        return replace(self, **{name: values})

    def key(self) -> tuple:
        return astuple(self)

    def dimension_conditions(self, scope: Scope) -> tuple[list[str], list]:
        """SQL conditions (joined with AND by the caller) and their parameters, scope included."""
        conditions: list[str] = []
        params: list = []
        for name, column in FILTER_COLUMNS.items():
            values = getattr(self, name)
            if values:
                conditions.append(in_list(column, len(values)))
                params.extend(values)
        scope_sql, scope_params = scope_condition(scope)
        if scope_sql:
            conditions.append(scope_sql)
            params.extend(scope_params)
        return conditions, params

    def uses(self, *columns: str) -> bool:
        """Does this filter constrain any of these columns?"""
        return any(getattr(self, n) for n, c in FILTER_COLUMNS.items() if c in columns)


def in_list(column: str, count: int) -> str:
    if column not in FILTER_COLUMNS.values():
        raise ValueError(f"unknown column {column!r}")
    return f"{column} IN ({', '.join('?' * count)})"


def scope_condition(scope: Scope, store_column: str = "store_id") -> tuple[str, list]:
    """The one place row scope becomes SQL. Every query passes through it. Store ids are
    compared as text (`CAST(store_id AS VARCHAR)`), so an import's integer ids and the app
    database's text ids match; `store_column` is a fixed name from the caller's own table."""
    if store_column not in ("store_id", "from_store", "to_store"):
        raise ValueError(f"unknown store column {store_column!r}")
    conditions: list[str] = []
    params: list = []
    if scope.regions is not None:
        if not scope.regions:
            raise ScopeError("no region is assigned to this user")
        conditions.append(in_list("region", len(scope.regions)))
        params.extend(scope.regions)
    if scope.stores is not None:
        if not scope.stores:
            raise ScopeError("no store is assigned to this user")
        conditions.append(f"CAST({store_column} AS VARCHAR) IN "
                          f"({', '.join('?' * len(scope.stores))})")
        params.extend(scope.stores)
    return " AND ".join(conditions), params


def store_condition(scope: Scope, store_column: str = "store_id") -> tuple[str, list]:
    """The store part of scope_condition alone, for tables that have stores but no region
    (inventory snapshots); a region-scoped caller must join the stores table for its region."""
    return scope_condition(Scope(None, scope.stores), store_column)


LABELS = {
    "regions": "Region",
    "seasons": "Season",
    "festivals": "Festival",
    "categories": "Category",
    "subcategories": "Toy type",
    "products": "Toy",
    "age_groups": "Age",
    "genders": "Gender",
    "channels": "Channel",
}


def _join(values: tuple[str, ...], limit: int = 3) -> str:
    if len(values) > limit:
        return ", ".join(values[:limit]) + f" and {len(values) - limit} more"
    if len(values) > 1:
        return ", ".join(values[:-1]) + " and " + values[-1]
    return values[0]


def describe_dates(start: dt.date, end: dt.date) -> str:
    """'Q4 2025', 'March 2025', '2025', or '3 Mar 2025 - 9 Apr 2025'."""
    month_end = (end + dt.timedelta(days=1)).day == 1
    if start.day == 1 and month_end:
        if start.year == end.year and start.month == 1 and end.month == 12:
            return str(start.year)
        if start.year == end.year and start.month == end.month:
            return start.strftime("%B %Y")
        if start.year == end.year and start.month % 3 == 1 and end.month == start.month + 2:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        return f"{start:%b %Y} – {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def describe(flt: Filter, scope: Scope | None = None) -> str:
    """One sentence that says what is shown, e.g. 'North and West, Q4 2025, Plush and Dolls'."""
    parts = []
    if flt.regions and scope is not None and scope.regions is not None:
        # A link can carry regions outside the viewer's scope: they match nothing, and the
        # sentence must not name them as if they were shown.
        inside = tuple(r for r in flt.regions if r in scope.regions)
        outside = len(flt.regions) - len(inside)
        away = f"{outside} region{'s' if outside > 1 else ''} outside your regions"
        parts.append(f"{_join(inside)} (and {away})" if inside and outside else
                     _join(inside) if inside else f"None of your regions ({away})")
    elif flt.regions:
        parts.append(_join(flt.regions))
    elif scope is not None and scope.regions is not None:
        parts.append(_join(tuple(sorted(scope.regions))) + " (your regions)")
    elif scope is not None and scope.stores is not None:
        parts.append("Your stores")
    else:
        parts.append("All regions")
    parts.append(describe_dates(flt.start, flt.end))
    for name in ("categories", "subcategories", "products", "seasons", "festivals"):
        values = getattr(flt, name)
        if values:
            parts.append(_join(values))
    for name in ("age_groups", "genders", "channels"):
        values = getattr(flt, name)
        if values:
            parts.append(f"{LABELS[name].lower()} {_join(values)}")
    return ", ".join(parts)
