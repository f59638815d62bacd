"""Top contributors and detractors to a change: which regions or categories moved revenue
against the previous period or the same dates a year ago.

A member counts when its own change is at least SHARE_OF_BASE of the comparison period's total
revenue; when none does the sentence says "no notable change". A comparison period that starts
before the data does is not compared against.
"""

from __future__ import annotations

from dashboard.insights.base import (
    Context,
    Insight,
    change_words,
    join,
    money,
    signed_money,
    small_note,
)
from dashboard.queries import overview

SHARE_OF_BASE = 0.01
SHOWN = 2
PERIOD_WORDS = {"year_ago": "a year ago", "previous": "the previous period"}
BASE_WORDS = {"year_ago": "the year-ago revenue", "previous": "the previous period's revenue"}
BY_WORDS = {"category": ("category", "categories"), "region": ("region", "regions")}


def drivers(ctx: Context, vs: str = "year_ago", by: str = "category",
            min_share: float = SHARE_OF_BASE, total: bool = True) -> Insight:
    """`total=False` leaves out the total's change (a scene that already said it)."""
    if vs not in PERIOD_WORDS or by not in BY_WORDS:
        raise ValueError("drivers compare vs year_ago or previous, by category or region")
    flt = ctx.filter.with_dates(max(ctx.filter.start, ctx.min_date),
                                min(ctx.filter.end, ctx.max_date))
    lo, _ = overview.comparison_periods(flt.start, flt.end)[vs]
    if lo < ctx.min_date:
        return Insight("drivers", f"The data starts {ctx.min_date:%d %B %Y}, before "
                       f"{PERIOD_WORDS[vs]} can be compared, so no change is stated.",
                       {"vs": vs, "by": by}, notable=False)
    scan = overview.run_overview(ctx.warehouse, flt, ctx.scope)
    frame = scan.frames["month_category" if by == "category" else "month_region"]
    now = frame.groupby(by)["revenue"].sum().to_dict()
    before = overview.previous_by(scan, by, "revenue", vs)
    lead = ""
    if by == "region" and len(set(now) | set(before)) < 2:  # one region: split by category
        only = next(iter(set(now) | set(before)), "")
        lead = f"{only} is the only region in view, so the change is split by category. "
        by = "category"
        now = scan.frames["month_category"].groupby(by)["revenue"].sum().to_dict()
        before = overview.previous_by(scan, by, "revenue", vs)
    members = sorted(set(now) | set(before))
    changes = {m: now.get(m, 0.0) - before.get(m, 0.0) for m in members}
    total_now, total_before = sum(now.values()), sum(before.values())
    total_change = total_now - total_before
    threshold = min_share * abs(total_before)
    gains = sorted((m for m in members if changes[m] > 0 and changes[m] >= threshold),
                   key=lambda m: (-changes[m], m))
    falls = sorted((m for m in members if changes[m] < 0 and -changes[m] >= threshold),
                   key=lambda m: (changes[m], m))
    data = {"vs": vs, "by": by, "revenue": total_now, "base": total_before,
            "change": total_change, "changes": changes, "threshold": threshold,
            "gains": gains[:SHOWN], "falls": falls[:SHOWN], "min_share": min_share}
    if not total_before:
        return Insight("drivers", f"There were no sales {PERIOD_WORDS[vs]}, so no change is "
                       "stated.", data, notable=False)
    rel = total_change / total_before
    head = lead + (f"Against {PERIOD_WORDS[vs]}, revenue is {money(ctx, total_now)}, "
                   f"{change_words(rel)} ({signed_money(ctx, total_change)})" if total else
                   f"By {BY_WORDS[by][0]}, against {PERIOD_WORDS[vs]}")
    singular = BY_WORDS[by][0]
    rule = f"{min_share:.0%} of {BASE_WORDS[vs]} ({money(ctx, threshold)})"
    units = float(frame["units"].sum())
    if not gains and not falls:
        said = (head + f". No notable change by {singular}" if total else
                lead + f"No notable change by {singular} against {PERIOD_WORDS[vs]}")
        return Insight("drivers", said + f": none moved by {rule} or more." + small_note(units),
                       data, notable=False)
    parts = []
    if gains:
        parts.append(f"largest gains: {_list(ctx, gains[:SHOWN], changes)}")
    if falls:
        parts.append(f"largest falls: {_list(ctx, falls[:SHOWN], changes)}")
    if not falls:
        parts.append(f"no {singular} fell by {rule} or more")
    elif not gains:
        parts.append(f"no {singular} grew by {rule} or more")
    sentence = head + ("; " if total else ": ") + "; ".join(parts) + "."
    return Insight("drivers", sentence + small_note(units), data)


def _list(ctx: Context, members: list[str], changes: dict) -> str:
    return join([f"{m} ({signed_money(ctx, changes[m])})" for m in members])
