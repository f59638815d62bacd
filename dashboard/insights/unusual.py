"""Unusual change against the recent pattern: the latest whole month's change on a year
earlier, set against the same change in each of the previous HISTORY months.

z = (latest change - mean of the earlier changes) / their standard deviation; a member is
flagged when |z| > Z_LIMIT. Year-on-year changes keep the December peak from looking unusual
every December. Without HISTORY earlier months that have a year-ago month, nothing is tested.
"""

from __future__ import annotations

import math

from dashboard.insights.base import (
    Context,
    Insight,
    add_months,
    month_name,
    monthly,
    pct,
    whole_months,
)

HISTORY = 12
Z_LIMIT = 2.0
BY_WORDS = {None: "revenue", "category": "category", "region": "region"}


def yoy_changes(revenue: dict, months: list) -> list[float | None]:
    out = []
    for m in months:
        base = revenue.get(add_months(m, -12), 0.0)
        out.append((revenue.get(m, 0.0) - base) / base if base else None)
    return out


def z_score(latest: float, history: list[float]) -> float | None:
    if len(history) < 2:
        return None
    mean = sum(history) / len(history)
    sd = math.sqrt(sum((h - mean) ** 2 for h in history) / (len(history) - 1))
    return None if sd == 0 else (latest - mean) / sd


def unusual_change(ctx: Context, by: str | None = None, z_limit: float = Z_LIMIT) -> Insight:
    if by not in BY_WORDS:
        raise ValueError("unusual change is by category, region or the total")
    months = whole_months(ctx)
    rule = f"|z| > {z_limit:g} against the previous {HISTORY} months' changes on a year earlier"
    if not months:
        return Insight("unusual", "No whole month is in view, so nothing is tested for an "
                       "unusual change.", {"rule": rule}, notable=False)
    latest = months[-1]
    first = add_months(latest, -(HISTORY + 12))
    if first < ctx.min_date.replace(day=1) or (
            first == ctx.min_date.replace(day=1) and ctx.min_date.day != 1):
        return Insight("unusual", f"The data starts {ctx.min_date:%d %B %Y}: too little history "
                       f"before {month_name(latest)} to test for an unusual change ({rule}).",
                       {"rule": rule}, notable=False)
    frame = monthly(ctx, first, latest, by)
    window = [add_months(latest, -i) for i in range(HISTORY, 0, -1)]
    groups = {None: frame} if by is None else dict(tuple(frame.groupby(by)))
    found = {}
    for member, rows in groups.items():
        revenue = dict(zip(rows["month"], rows["revenue"], strict=True))
        (now,) = yoy_changes(revenue, [latest])
        history = [c for c in yoy_changes(revenue, window) if c is not None]
        if now is None or len(history) < HISTORY:
            continue
        z = z_score(now, history)
        if z is not None:
            mean = sum(history) / len(history)
            found[member] = {"change": now, "mean": mean, "z": z,
                             "sd": math.sqrt(sum((h - mean) ** 2 for h in history)
                                             / (len(history) - 1))}
    flagged = sorted((m for m, v in found.items() if abs(v["z"]) > z_limit),
                     key=lambda m: (-abs(found[m]["z"]), str(m)))
    data = {"month": latest, "by": by, "tested": found, "flagged": flagged, "rule": rule}
    if not flagged:
        if by is None:
            text = f"{month_name(latest)} revenue is within its usual range"
        else:
            text = f"no {BY_WORDS[by]}'s revenue in {month_name(latest)} is outside its usual range"
        return Insight("unusual", f"No notable change: {text} ({rule}).", data, notable=False)
    parts = []
    for m in flagged[:3]:
        v = found[m]
        name = "Revenue" if m is None else str(m)
        word = "stronger" if v["z"] > 0 else "weaker"
        parts.append(f"{name} {word} than usual: {_signed(v['change'])} on a year earlier "
                     f"against a usual "
                     f"{_signed(v['mean'])} ± {pct(v['sd'])} (z = {v['z']:+.1f})")
    more = f" and {len(flagged) - 3} more" if len(flagged) > 3 else ""
    return Insight("unusual", f"Unusual in {month_name(latest)} ({rule}): "
                   + "; ".join(parts) + more + ".", data)


def _signed(value: float) -> str:
    return f"{value * 100:+.1f}%"

