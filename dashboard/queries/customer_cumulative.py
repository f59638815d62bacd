"""The Customers page's per-customer figures from running totals (schema.CUSTOMER_CUMULATIVE).

For a view filtered on dates and regions only (an analyst's usual view, a Region filter, a
regional manager's scope) the page needs, per customer, sums over a few ranges of months. The
running-total table holds, per customer and segment (once over every region, once per region)
and for every month from its first to the last month of data, its revenue, orders and lines up
to and including that month, sorted by month. A range of whole months is then two rows per
customer (the total to its last month minus the total before its first), so "2025" reads five
boundary months, about 200k rows, instead of one row per customer-month part (2.25M at 10M
lines). Days of a month cut by a range come from CUSTOMER_DAY (or the fact table), and every
figure is what customer_sums.per_customer computes from the customer-month rows
(tests/unit/test_customers_page.py compares them range by range and viewer by viewer).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.queries.customer_sums import BEFORE, CUR, PREV, filled
from dashboard.queries.sources import month_index, split_range
from dashboard.warehouse.schema import CUSTOMER_CUMULATIVE, CUSTOMER_DAY

FIELDS = ("revenue", "orders", "lines")
EPOCH = dt.date(1970, 1, 1)


# The days of a cut month, one row per customer, segment and day (params: label, first, last;
# then where()'s).
DAY_SQL = ("SELECT CAST(? AS TINYINT) AS period, customer_key, month_ix AS month, revenue, "
           f"orders, lines, day AS last_day, segment_key AS segment FROM {CUSTOMER_DAY} "
           "WHERE date BETWEEN ? AND ?")
# Every customer and segment's running totals at one month (param: its month index; then
# where()'s).
BOUNDARY_SQL = ("SELECT month_ix AS boundary, customer_key, segment_key AS segment, revenue, "
                f"orders, lines, first_ix, last_day, mask FROM {CUSTOMER_CUMULATIVE} "
                "WHERE month_ix = ?")


class Totals:
    """Per-customer running totals at the boundary months read, and the cut months' rows.
    A month after the data's last (`last_month`) has that month's totals."""

    def __init__(self, segments: int, last_month: int, boundary_rows: dict, edge_rows: dict):
        self.segments, self.last_month = segments, last_month
        self.rows = {"keys": filled(boundary_rows, "customer_key", np.intp),
                     "segment": filled(boundary_rows, "segment", np.intp),
                     "which": filled(boundary_rows, "boundary", np.int64),
                     "first_ix": filled(boundary_rows, "first_ix", np.int64),
                     "last_day": filled(boundary_rows, "last_day", np.int64),
                     "mask": filled(boundary_rows, "mask", np.int64),
                     **{n: filled(boundary_rows, n, np.float64) for n in FIELDS}}

        def edge(name, dtype):  # no cut month: no rows
            return filled(edge_rows, name, dtype) if edge_rows else np.zeros(0, dtype)

        self.edges = {"customer_key": edge("customer_key", np.intp),
                      "period": edge("period", np.int8), "month": edge("month", np.int64),
                      "segment": edge("segment", np.intp), "last_day": edge("last_day", np.int64),
                      **{n: edge(n, np.float64) for n in FIELDS}}
        keys = np.concatenate([self.rows["keys"], self.edges["customer_key"]])
        self.size = int(keys.max()) + 1 if len(keys) else 1
        self._rows_at: dict[int, np.ndarray] = {}
        self._sums: dict[tuple[int, str], np.ndarray] = {}

    def _picked(self, month: int) -> np.ndarray:
        """The rows of boundary `month` (found once per boundary; none before a customer's
        first month)."""
        month = min(month, self.last_month)
        if month not in self._rows_at:
            self._rows_at[month] = np.flatnonzero(self.rows["which"] == month)
        return self._rows_at[month]

    def at(self, month: int, field: str) -> np.ndarray:
        """Per customer: `field` summed up to and including month index `month`."""
        key = (min(month, self.last_month), field)
        if key not in self._sums:
            picked = self._picked(month)
            self._sums[key] = np.bincount(self.rows["keys"][picked],
                                          weights=self.rows[field][picked],
                                          minlength=self.size).astype(np.float64)
        return self._sums[key]

    def segment_lines_at(self, month: int) -> np.ndarray:
        """Per customer and segment key: lines up to month index `month` (size x segments)."""
        picked = self._picked(month)
        flat = self.rows["keys"][picked] * self.segments + self.rows["segment"][picked]
        out = np.bincount(flat, weights=self.rows["lines"][picked],
                          minlength=self.size * self.segments).astype(np.float64)
        return out.reshape(self.size, self.segments)


def plan(ranges: list[tuple[int, dt.date, dt.date]], end: dt.date, year: tuple[int, int],
         prev_year: tuple[int, int],
         last_month: int) -> tuple[dict, list[int], list[tuple[int, dt.date, dt.date]]]:
    """(whole months per label as month indexes, the boundary months to read, the edge day
    ranges with their labels). `year` and `prev_year` are month-index windows ending at or
    before the month of `end`; `last_month` is the data's last."""
    whole, edges = {}, []
    for label, lo, hi in ranges:
        months, cut = split_range(lo, hi)
        if months is not None:
            whole[label] = (month_index(months[0]), month_index(months[1]))
        edges += [(label, a, b) for a, b in cut]
    last_whole = last_complete(end)
    wanted = {b for a, z in whole.values() for b in (a - 1, z)}
    for lo, hi in (year, prev_year):
        wanted |= {lo - 1, min(hi, last_whole)}
    return whole, sorted({min(b, last_month) for b in wanted}), edges


def last_complete(end: dt.date) -> int:
    """The month index of the last month that ends on or before `end`."""
    month = month_index(end)
    return month if (end + dt.timedelta(days=1)).day == 1 else month - 1


def where(conditions: list[str]) -> str:
    """The rows a view reads: the every-region rows, or the per-region rows its conditions
    (on region only: the scope's regions, a Region filter) pick."""
    if not conditions:
        return " AND every_region"
    return " AND NOT every_region" + "".join(f" AND {c}" for c in conditions)


def boundary_query(boundaries: list[int], conditions: list[str],
                   params: list) -> tuple[str, list]:
    sql = " UNION ALL ".join(BOUNDARY_SQL + where(conditions) for _ in boundaries)
    return sql, [value for b in boundaries for value in (b, *params)]


def day_query(edges: list[tuple[int, dt.date, dt.date]], conditions: list[str],
              params: list) -> tuple[str, list]:
    sql = " UNION ALL ".join(DAY_SQL + where(conditions) for _ in edges)
    return sql, [value for edge in edges for value in (*edge, *params)]


def per_customer(totals: Totals, whole: dict, end: dt.date, year: tuple[int, int],
                 prev_year: tuple[int, int], origin: int,
                 mask_origin: int) -> tuple[dict[str, np.ndarray], int, float]:
    """What customer_sums.per_customer returns, from the running totals and the cut months'
    rows (`totals.edges`). `year` and `prev_year` are month-index windows, `origin` the month
    index of bit 0 of `active`, `mask_origin` that of bit 0 of the table's masks."""
    size, edge = totals.size, totals.edges
    e_keys, e_label, e_month = edge["customer_key"], edge["period"], edge["month"]

    def edge_sum(where, field) -> np.ndarray:  # float64 even with no rows
        return np.bincount(e_keys[where], weights=edge[field][where],
                           minlength=size).astype(np.float64)

    def label_sum(label, field) -> np.ndarray:
        out = edge_sum(e_label == label, field)
        if label in whole:
            a, z = whole[label]
            out += totals.at(z, field) - totals.at(a - 1, field)
        return out

    last_whole = last_complete(end)

    def window_sum(lo: int, hi: int, field: str, without: int | None = None) -> np.ndarray:
        """Per customer: `field` over the months lo..hi up to `end` (less label `without`)."""
        out = edge_sum((e_month >= lo) & (e_month <= hi) & (e_month > last_whole), field)
        top = min(hi, last_whole)
        if top >= lo:
            out += totals.at(top, field) - totals.at(lo - 1, field)
        if without is not None:  # only its cut days: its whole months all come after the
            # window (a previous-year window ends with the month before the period starts,
            # or with the month the period starts in when it starts on a later day)
            out -= edge_sum((e_label == without) & (e_month >= lo) & (e_month <= hi), field)
        return out

    out = {f"cur_{f}": label_sum(CUR, f) for f in FIELDS}
    out["prev_revenue"], out["prev_orders"] = label_sum(PREV, "revenue"), \
        label_sum(PREV, "orders")
    out["before_prev"] = np.rint(label_sum(BEFORE, "lines")) > 0
    out["year_orders"] = window_sum(*year, "orders")
    out["year_revenue"] = window_sum(*year, "revenue")
    out["prev_year_orders"] = window_sum(*prev_year, "orders", without=CUR)
    for name in ("cur_orders", "cur_lines", "prev_orders", "year_orders", "prev_year_orders"):
        out[name] = np.rint(out[name]).astype(np.int64)
    one = _one_segment_each(totals)
    for name, label in (("segment", CUR), ("prev_segment", PREV)):
        if one is None:
            out[name] = _segment(totals, whole.get(label), edge, e_keys, e_label == label)
        else:  # the customer's segment where it has lines in the label's range
            out[name] = np.where(np.rint(label_sum(label, "lines")) > 0, one, 0)
    rows = totals.rows
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, rows["keys"], rows["first_ix"])
    np.minimum.at(first, e_keys, e_month)
    last = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, rows["keys"], rows["last_day"])
    np.maximum.at(last, e_keys, edge["last_day"])
    out["first_month"] = first
    out["days_since"] = (end - EPOCH).days - last
    out["active"] = _active(rows, e_keys, e_month, size, origin, mask_origin)
    walk_lines, walk_revenue = int(out["cur_lines"][0]), float(out["cur_revenue"][0])
    seen = (np.bincount(rows["keys"], minlength=size) + np.bincount(e_keys, minlength=size)) > 0
    seen[0] = False
    out["customer_key"] = np.arange(size, dtype=np.int64)
    return {name: values[seen] for name, values in out.items()}, walk_lines, walk_revenue


def _one_segment_each(totals: Totals) -> np.ndarray | None:
    """Per customer its segment key, when no customer in these rows has two (the usual case:
    then no per-segment sums are needed); None otherwise."""
    keys = np.concatenate([totals.rows["keys"], totals.edges["customer_key"]])
    segment = np.concatenate([totals.rows["segment"], totals.edges["segment"]])
    one = np.zeros(totals.size, dtype=np.int16)
    one[keys] = segment
    return one if (one[keys] == segment).all() else None


def _segment(totals: Totals, months, edge: dict, e_keys, e_where) -> np.ndarray:
    """Per customer: the largest segment key with lines in the label's range (0: none)."""
    lines = np.zeros((totals.size, totals.segments))
    if months is not None:
        lines += totals.segment_lines_at(months[1]) - totals.segment_lines_at(months[0] - 1)
    flat = e_keys[e_where] * totals.segments + edge["segment"][e_where]
    lines += np.bincount(flat, weights=edge["lines"][e_where],
                         minlength=totals.size * totals.segments).reshape(lines.shape)
    keys = np.arange(totals.segments, dtype=np.int16)  # in name order, as max(name) wants
    return np.where(np.rint(lines) > 0, keys, 0).max(axis=1)


def _active(rows: dict, e_keys, e_month, size: int, origin: int,
            mask_origin: int) -> np.ndarray:
    """Per customer: bit i set if it ordered in month origin + i (up to the period's end).
    Every row read is at or before the end, so the running masks need no subtraction."""
    masks = rows["mask"]
    shift = origin - mask_origin
    masks = np.right_shift(masks, shift) if shift >= 0 else np.left_shift(masks, -shift)
    active = np.zeros(size, dtype=np.int64)
    np.bitwise_or.at(active, rows["keys"], masks)
    bits = np.where(e_month >= origin, np.left_shift(1, np.clip(e_month - origin, 0, 62)), 0)
    np.bitwise_or.at(active, e_keys, bits)
    return active
