"""What every insight shares: its context (data, filters, scope, number rule), its result, and
the wording rules that keep a sentence from claiming more than the data shows.

Rules stated once, here, and used by every kind:
- SMALL_UNITS: a figure resting on fewer toys sold than this is flagged as a small sample;
- ties are values that read the same once written (the same rounded text), said as ties;
- a comparison period the data does not cover is not compared against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dashboard.figures.formats import Numbers
from dashboard.queries import overview
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.registry import currency_symbol
from dashboard.queries.sources import add_months
from dashboard.warehouse.store import Warehouse

SMALL_UNITS = 100  # fewer toys sold than this: "small sample"


@dataclass(frozen=True)
class Context:
    """A scene's filters within the viewer's scope, over one warehouse version."""

    warehouse: Warehouse
    filter: Filter
    scope: Scope
    numbers: Numbers
    min_date: dt.date
    max_date: dt.date

    def with_filter(self, flt: Filter) -> Context:
        return Context(self.warehouse, flt, self.scope, self.numbers, self.min_date,
                       self.max_date)


def context(warehouse: Warehouse, flt: Filter, scope: Scope) -> Context:
    meta = warehouse.catalog().meta
    return Context(warehouse, flt, scope, Numbers(currency_symbol(meta)),
                   dt.date.fromisoformat(meta["min_date"]), dt.date.fromisoformat(meta["max_date"]))


@dataclass(frozen=True)
class Insight:
    """One insight: its kind, the sentence, the numbers it was built from, and whether anything
    passed its threshold (False for "no notable change" and for "cannot be said")."""

    kind: str
    sentence: str
    data: dict = field(default_factory=dict)
    notable: bool = True


# ---- Months -------------------------------------------------------------------------------


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def whole_months(ctx: Context) -> list[dt.date]:
    """Month starts of the months the scene's range covers whole, within the data's span."""
    lo, hi = max(ctx.filter.start, ctx.min_date), min(ctx.filter.end, ctx.max_date)
    first = lo.replace(day=1) if lo.day == 1 else add_months(lo, 1)
    out = []
    month = first
    while month_end(month) <= hi:
        out.append(month)
        month = add_months(month, 1)
    return out


def month_name(month: dt.date) -> str:
    return f"{month:%B %Y}"


def span_name(first: dt.date, last: dt.date) -> str:
    """'March 2025' or 'Oct–Dec 2025' or 'Nov 2024–Jan 2025'."""
    if first == last:
        return month_name(first)
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"


def monthly(ctx: Context, first: dt.date, last: dt.date, by: str | None = None) -> pd.DataFrame:
    """Revenue and units per month (and per region or category when `by` is given) from the
    Overview query, under the scene's other filters and the scope: month, [by], revenue, units."""
    flt = ctx.filter.with_dates(first, month_end(last))
    scan = overview.run_overview(ctx.warehouse, flt, ctx.scope)
    frame = scan.frames["month_region" if by == "region" else "month_category"]
    keys = ["month"] + ([by] if by else [])
    out = frame.groupby(keys, as_index=False)[["revenue", "units"]].sum()
    out["month"] = [pd.Timestamp(m).date().replace(day=1) for m in out["month"]]
    return out


# ---- Words --------------------------------------------------------------------------------


def join(names: list[str]) -> str:
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def money(ctx: Context, value: float) -> str:
    return ctx.numbers.value(value, "currency")


def signed_money(ctx: Context, value: float) -> str:
    text = money(ctx, abs(value))
    return f"+{text}" if value >= 0 else f"-{text}"


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def change_words(change: float | None) -> str:
    """'up 6.1%', 'down 2.0%', 'unchanged' (rounds to 0.0%)."""
    if change is None:
        return "not comparable"
    shown = round(change * 100, 1)
    if shown == 0:
        return "unchanged"
    return f"{'up' if shown > 0 else 'down'} {abs(shown):.1f}%"


def small_sample(units: float) -> bool:
    return units < SMALL_UNITS


def small_note(units: float) -> str:
    return (f" (small sample: {units:,.0f} toys sold, fewer than {SMALL_UNITS}; read with care)"
            if small_sample(units) else "")


def ratio_change(value: float, base: float) -> float | None:
    return None if not base else (value - base) / abs(base)
