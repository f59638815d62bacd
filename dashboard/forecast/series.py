"""The aggregate series a forecast is fitted to: one per member (or the total), per month or
week, under Filter + Scope through the query layer (sales_source / daily_sales_source, so
scope_condition), values bound as parameters, column names from spec.BY only.

Periods the data only partly covers (a first or last month or week cut by the data's span)
are left out: a half month would read as a collapse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from dashboard.forecast.spec import BY, TOTAL, ForecastSpec
from dashboard.queries.filters import Scope
from dashboard.queries.options import Domain
from dashboard.queries.sources import add_months, daily_sales_source, sales_source


@dataclass(frozen=True)
class Series:
    periods: tuple[dt.date, ...]  # period starts (first of month, or Monday)
    values: dict[str, np.ndarray]  # member (or TOTAL) -> one value per period, 0 when no sales


def whole_periods(grain: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Starts of the months or weeks lying wholly inside [first, last]."""
    if grain == "month":
        start = first if first.day == 1 else add_months(first.replace(day=1), 1)
        out = []
        while add_months(start, 1) - dt.timedelta(days=1) <= last:
            out.append(start)
            start = add_months(start, 1)
        return out
    start = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while start + dt.timedelta(days=6) <= last:
        out.append(start)
        start += dt.timedelta(days=7)
    return out


def load(warehouse, scope: Scope, domain: Domain, spec: ForecastSpec) -> Series:
    """Every member's series (and the total's when broken down) for this spec."""
    flt = spec.filter(domain)
    column = BY[spec.by]
    members = (column,) if column else ()
    catalog = warehouse.catalog()
    if spec.grain == "month":
        source, params = sales_source(catalog, flt, scope, ("month", *members))
        period = "month"
    else:
        source, params = daily_sales_source(catalog, flt, scope, members)
        period = "date_trunc('week', date)"
    member = f"CAST({column} AS VARCHAR)" if column else "NULL"
    sql = (f"SELECT CAST({period} AS DATE) AS period, {member} AS member, "
           f"sum({spec.measure}) AS value FROM ({source}) AS rows GROUP BY 1, 2")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, params).fetchall()
    periods = whole_periods(spec.grain, domain.min_date, domain.max_date)
    index = {p: i for i, p in enumerate(periods)}
    values: dict[str, np.ndarray] = {}
    total = np.zeros(len(periods))
    for day, name, value in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        day = day.date() if isinstance(day, dt.datetime) else day
        i = index.get(day)
        if i is None or value is None:
            continue
        total[i] += float(value)
        if column:
            key = "(blank)" if name is None else str(name)
            values.setdefault(key, np.zeros(len(periods)))[i] += float(value)
    return Series(tuple(periods), {TOTAL: total, **dict(sorted(values.items()))})
