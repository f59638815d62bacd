"""Regional gaps: a region's share of revenue against its share of the stores that sold in the
range ("South brings 9.0% of revenue from 15.0% of stores"). A viewer who sees one region gets
its states instead. A gap is notable from GAP_POINTS points either way.
"""

from __future__ import annotations

from dashboard.insights.base import Context, Insight, money, pct
from dashboard.queries.sources import sales_source

GAP_POINTS = 3.0


def per_store(ctx: Context, level: str) -> list[tuple[str, int, float]]:
    """(member, stores that sold, revenue) per region or state, under the filters and scope."""
    if level not in ("region", "state"):
        raise ValueError("regional gaps are by region or state")
    source, params = sales_source(ctx.warehouse.catalog(), ctx.filter, ctx.scope,
                                  ("region", "state", "store_id"))
    sql = (f"SELECT CAST({level} AS VARCHAR) AS member, count(DISTINCT store_id) AS stores, "
           f"sum(revenue)::DOUBLE AS revenue FROM ({source}) AS s GROUP BY member "
           "ORDER BY member")
    with ctx.warehouse.cursor() as cur:
        return [(str(m), int(s), float(r or 0.0)) for m, s, r in cur.execute(sql, params)
                .fetchall()]


def regional_gaps(ctx: Context, gap_points: float = GAP_POINTS) -> Insight:
    regions = per_store(ctx, "region")
    level = "region" if len(regions) > 1 else "state"
    rows = regions if level == "region" else per_store(ctx, "state")
    where = "" if level == "region" else f" of {regions[0][0]}" if regions else ""
    stores, revenue = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if len(rows) < 2 or not stores or not revenue:
        return Insight("regional", "Fewer than two places with sales are in view, so no "
                       "regional gap is stated.", {"level": level}, notable=False)
    gaps = {m: {"stores": s, "revenue": r, "store_share": s / stores,
                "revenue_share": r / revenue,
                "gap_points": round((r / revenue - s / stores) * 100, 1)}
            for m, s, r in rows}
    notable = sorted((m for m, g in gaps.items() if abs(g["gap_points"]) >= gap_points),
                     key=lambda m: (-abs(gaps[m]["gap_points"]), m))
    data = {"level": level, "stores": stores, "revenue": revenue, "members": gaps,
            "notable": notable, "per_store": revenue / stores,
            "gap_rule": gap_points}
    plural = "regions" if level == "region" else "states"
    if not notable:
        return Insight("regional", f"No notable gap: every {level}{where} brings a share of "
                       f"revenue within {gap_points:g} points of its share of the {stores} "
                       "stores that sold.", data, notable=False)
    parts = []
    for m in notable[:2]:
        g = gaps[m]
        parts.append(f"{m} brings {pct(g['revenue_share'])} of revenue from "
                     f"{pct(g['store_share'])} of stores ({g['stores']} of {stores}; "
                     f"{money(ctx, g['revenue'] / g['stores'])} a store)")
    return Insight("regional", "; ".join(parts) + f", against {money(ctx, data['per_store'])} "
                   f"a store across the {len(rows)} {plural}{where} (gaps of {gap_points:g} "
                   "points or more).", data)
