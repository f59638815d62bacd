"""Concentration: how much of an age group's revenue its top few toys bring.

The age group is the scene's (when it filters on one) or the one with the most revenue. When
the toy after the top N sells as much as the Nth (the same written amount), the sentence says
the last place is shared.
"""

from __future__ import annotations

from dashboard.insights.base import Context, Insight, join, money, pct, small_note
from dashboard.queries import overview

WORDS = {1: "One toy brings", 2: "Two toys bring", 3: "Three toys bring", 4: "Four toys bring",
         5: "Five toys bring"}


def concentration(ctx: Context, n: int = 3, age_group: str | None = None) -> Insight:
    flt = ctx.filter
    if age_group is None and len(flt.age_groups) == 1:
        age_group = flt.age_groups[0]
    if age_group is None:
        scan = overview.run_overview(ctx.warehouse, flt, ctx.scope)
        ages = scan.frames["age"].sort_values(["revenue", "age_group"],
                                              ascending=[False, True])
        if ages.empty:
            return Insight("concentration", "No sales in view, so no concentration is stated.",
                           {}, notable=False)
        age_group = str(ages["age_group"].iloc[0])
    scan = overview.run_overview(ctx.warehouse, flt.with_values("age_groups", (age_group,)),
                                 ctx.scope, top_n=n + 1)
    top = scan.top_toys.sort_values("rank")
    group = scan.frames["age"]
    total = float(group["revenue"].sum())
    units = float(group["units"].sum())
    if top.empty or not total:
        return Insight("concentration", f"No sales to age {age_group} in view, so no "
                       "concentration is stated.", {"age_group": age_group}, notable=False)
    names = top["product_name"].tolist()[:n]
    revenue = top["revenue"].tolist()
    share = sum(revenue[:n]) / total
    shared = (len(revenue) > n
              and money(ctx, revenue[n]) == money(ctx, revenue[n - 1]))
    data = {"age_group": age_group, "n": len(names), "toys": names, "revenue": revenue[:n],
            "total": total, "share": share, "last_place_shared": shared, "units": units}
    lead = WORDS.get(len(names), f"{len(names)} toys bring")
    if len(names) < n:
        lead = f"Only {len(names)} toy{'s' if len(names) > 1 else ''} sold; together they bring"
    sentence = (f"{lead} {pct(share)} of age {age_group} revenue "
                f"({money(ctx, sum(revenue[:n]))} of {money(ctx, total)}): {join(names)}")
    if shared:
        sentence += (f"; {top['product_name'].iloc[n]} sells as much as {names[-1]}, so the "
                     f"last place is shared")
    return Insight("concentration", sentence + "." + small_note(units), data)
