"""The Customers page's per-customer figures from its labelled rows, summed in numpy.

On the fast path (queries/customers.py) the rows arrive as plain integer and float columns
(period label, dense customer key, month index, revenue, orders, lines, last order day, segment
key); with customer keys dense from 1, one `bincount` per sum and one `ufunc.at` per minimum,
maximum or bit mask replace a 14-aggregate hash GROUP BY, about half its cost. Key 0 gathers
the lines with no customer id (walk-ins).
"""

from __future__ import annotations

import numpy as np

CUR, PREV, BEFORE = 0, 1, 2  # the parts' period labels (small integers compare fastest)


def filled(rows: dict, name: str, dtype) -> np.ndarray:
    values = rows[name]
    return np.asarray(np.ma.filled(values, 0) if np.ma.isMaskedArray(values) else values,
                      dtype=dtype)


def per_customer(rows: dict, end_day: int, year: tuple[int, int], prev_year: tuple[int, int],
                 origin: int) -> tuple[dict[str, np.ndarray], int, float]:
    """(column -> one entry per customer, walk-in lines, walk-in revenue in the period).

    `end_day` is the period's last day (days since 1970-01-01), `year` / `prev_year` the month
    indexes (year*12+month-1) of the 12-month windows, `origin` the month index of bit 0 of
    `active`; segments stay keys (0: none) for the caller to name.
    """
    keys = filled(rows, "customer_key", np.intp)
    size = int(keys.max()) + 1 if len(keys) else 1
    period = filled(rows, "period", np.int8)
    month = filled(rows, "month", np.int64)
    revenue = filled(rows, "revenue", np.float64)
    orders = filled(rows, "orders", np.float64)  # bincount sums in float64 (exact here)
    lines = filled(rows, "lines", np.float64)
    segment = filled(rows, "segment", np.int16)

    def sums(where, *columns) -> list[np.ndarray]:
        """Per-customer sums of `columns` over the rows in `where` (picked once, then summed:
        cheaper than masking every column)."""
        picked = np.flatnonzero(where)
        at = keys[picked]
        return [np.bincount(at, weights=None if c is None else c[picked], minlength=size)
                for c in columns]

    cur, prev = period == CUR, period == PREV
    in_year = (month >= year[0]) & (month <= year[1])
    in_prev_year = (month >= prev_year[0]) & (month <= prev_year[1]) & ~cur
    out = dict(zip(("cur_revenue", "cur_orders", "cur_lines"),
                   sums(cur, revenue, orders, lines), strict=True))
    out["prev_revenue"], out["prev_orders"] = sums(prev, revenue, orders)
    out["before_prev"] = sums(period == BEFORE, None)[0] > 0
    out["year_orders"], out["year_revenue"] = sums(in_year, orders, revenue)
    (out["prev_year_orders"],) = sums(in_prev_year, orders)
    for name in ("cur_orders", "cur_lines", "prev_orders", "year_orders", "prev_year_orders"):
        out[name] = np.rint(out[name]).astype(np.int64)
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, keys, month)
    last = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, keys, filled(rows, "last_day", np.int64))
    out["first_month"] = first
    out["days_since"] = end_day - last
    for name, where in (("segment", cur), ("prev_segment", prev)):
        keyed = np.zeros(size, dtype=np.int16)
        np.maximum.at(keyed, keys, np.where(where, segment, 0).astype(np.int16))
        out[name] = keyed
    active = np.zeros(size, dtype=np.int64)
    shift = np.clip(month - origin, 0, 62)
    np.bitwise_or.at(active, keys, np.where(month >= origin, np.left_shift(1, shift), 0))
    out["active"] = active
    walk_lines, walk_revenue = int(out["cur_lines"][0]), float(out["cur_revenue"][0])
    seen = np.bincount(keys, minlength=size) > 0
    seen[0] = False
    out["customer_key"] = np.arange(size, dtype=np.int64)
    return {name: values[seen] for name, values in out.items()}, walk_lines, walk_revenue
