"""Best-seller by age group: the top toy of each customer age group, with its share of the
group's revenue. Two toys with the same written revenue are said as a tie; a group resting on
few toys sold is flagged (base.SMALL_UNITS)."""

from __future__ import annotations

from dashboard.insights.base import Context, Insight, join, money, pct, small_sample
from dashboard.queries import overview
from dashboard.queries.dimensions import natural
from dashboard.warehouse.schema import UNKNOWN


def bestsellers(ctx: Context) -> Insight:
    scan = overview.run_overview(ctx.warehouse, ctx.filter, ctx.scope, top_n=3)
    ages = scan.frames["age"].groupby("age_group")[["revenue", "units"]].sum()
    if ages.empty:
        return Insight("bestsellers", "No sales in view, so no best-sellers are stated.", {},
                       notable=False)
    groups = {}
    parts = []
    for age in natural("age_group", ages.index.tolist()):
        rows = scan.top_toys[scan.top_toys["age_group"] == age].sort_values("rank")
        if rows.empty:
            continue
        best = money(ctx, rows["revenue"].iloc[0])
        leaders = [str(n) for n, r in zip(rows["product_name"], rows["revenue"], strict=True)
                   if money(ctx, r) == best]
        total = float(ages.loc[age, "revenue"])
        units = float(ages.loc[age, "units"])
        share = float(rows["revenue"].iloc[0]) / total if total else 0.0
        groups[age] = {"toys": leaders, "revenue": float(rows["revenue"].iloc[0]),
                       "share": share, "units": units, "small": small_sample(units)}
        label = "unknown age" if age == UNKNOWN else age
        if len(leaders) > 1:
            text = f"{label}: {join(leaders)} tie ({best} each, {pct(share)} of the group each)"
        else:
            text = f"{label}: {leaders[0]} ({best}, {pct(share)} of the group)"
        if small_sample(units):
            text += f" – small sample, {units:,.0f} toys sold"
        parts.append(text)
    return Insight("bestsellers", "Best-sellers by age group – " + "; ".join(parts) + ".",
                   {"groups": groups})
