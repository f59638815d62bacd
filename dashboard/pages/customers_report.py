"""The Customers page's numbers and figures for one view, and its page-data twin `page_report`.

Pure of Flask (the page, `dashboard report --page customers`, the exports and the print page
call it alike). Every rule a figure follows is written on the page (RULES), so a reader can
check a number by hand; tests check each against pandas over the raw rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard.components import page_highlight
from dashboard.figures import people as figs
from dashboard.figures import theme
from dashboard.figures.charts import AGE_ORDER
from dashboard.figures.formats import text
from dashboard.pages import customers_highlight as hl_
from dashboard.pages import people_view
from dashboard.pages.overview_view import View, query_dict
from dashboard.queries import customers as cq
from dashboard.queries.filters import Scope
from dashboard.queries.sources import month_start, sales_source

BEHAVIOURS = ("New", "Returning", "Loyal")
RFM_GROUPS = ("Champions", "Loyal", "Recent", "Needs attention", "At risk", "Lost")
RFM_NAMES = np.array(RFM_GROUPS, dtype=object)  # group code -> name
RULES = {
    "behaviour": (f"Among customers who ordered in the period: New = first order (in the data "
                  f"you can see) falls in the period; Loyal = not new, and {cq.LOYAL_ORDERS} or "
                  "more orders in the 12 months to the period's last month; Returning = every "
                  "other customer who had ordered before the period."),
    "rfm": ("Every customer with an order up to the period's end. R = how recent the last "
            "order is (days before the period's end), F = orders and M = revenue in the 12 "
            "months to the period's last month; each scored 1–5 by quintile of rank (equal "
            "values share a score: "
            "score = 1 + ⌊5 × (rank − 1) ÷ customers⌋, rank counted from the lowest). "
            "Champions: R ≥ 4 and F ≥ 4; Loyal: R ≥ 3 and F ≥ 3; Recent: R ≥ 4, F ≤ 2; "
            "Needs attention: R = 3, F ≤ 2; At risk: R ≤ 2, F ≥ 3; Lost: R ≤ 2, F ≤ 2. "
            "M is shown, not used to group."),
    "cohorts": ("Cohort = month of a customer's first order (in the data you can see); a cell "
                "= % of the cohort who ordered in month +k. Cohorts of the period's months."),
    "segments": ("Segment as the data records it, once per customer (a customer recorded "
                 "under several in the period counts in the last of them by name)."),
    "age_category": "Share of each age group's revenue by toy category (rows add up to 100%).",
}
CHARTS = {
    "segments": ("Customer segments: share of customers and revenue",
                 ["Series", "Segment", "Share"]),
    "behaviour": ("New, returning and loyal customers", ["Series", "Group", "Share"]),
    "rfm": ("RFM groups", ["Series", "Group", "Share"]),
    "cohorts": ("Monthly cohort retention", ["Cohort", "Month", "Retention"]),
    "age_category": ("Age group × category preferences", ["Age group", "Category", "Share"]),
}
NO_SEGMENTS = "This data has no customer segment, so the segment chart is left out."
NO_AGE = "This data has no customer age group, so the age × category chart is left out."


def behaviour(c: dict, period: str) -> np.ndarray:
    """Each customer's group in `period` ("cur" or "prev"): "", New, Returning or Loyal."""
    active = c[f"{period}_orders"] > 0
    before = c["before_prev"].astype(bool)
    if period == "cur":
        before = before | (c["prev_orders"] > 0)
    year = c["year_orders"] if period == "cur" else c["prev_year_orders"]
    new = active & ~before
    loyal = active & ~new & (year >= cq.LOYAL_ORDERS)
    out = np.full(len(active), "", dtype=object)
    out[active] = "Returning"
    out[new] = "New"
    out[loyal] = "Loyal"
    return out


def quintile(values: np.ndarray) -> np.ndarray:
    """Score 1-5 by rank from the lowest, equal values sharing the lowest rank of their tie."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=int)
    low = values.min() if values.dtype.kind in "iu" else 0
    if values.dtype.kind in "iu" and values.max() - low <= 4 * n:  # days, orders: count them
        counts = np.bincount(values - low)
        rank = (np.cumsum(counts) - counts)[values - low] + 1  # how many are smaller, + 1
    else:
        rank = np.searchsorted(np.sort(values, kind="stable"), values, side="left") + 1
    return 1 + (5 * (rank - 1)) // n


def rfm_groups(c: dict) -> np.ndarray:
    r, f = quintile(-c["days_since"]), quintile(c["year_orders"])
    group = np.select([(r >= 4) & (f >= 4), (r >= 3) & (f >= 3), r >= 4, r == 3, f >= 3],
                      range(5), 5)
    return RFM_NAMES[group]


def shares(groups: np.ndarray, revenue: np.ndarray, order) -> dict[str, tuple[int, float, float]]:
    """group -> (customers, share of customers, share of revenue) over customers in a group."""
    inside = groups != ""
    n, total = int(inside.sum()), float(revenue[inside].sum())
    out = {}
    for name in order:
        hit = groups == name
        count = int(hit.sum())
        out[name] = (count, count / n if n else 0.0,
                     float(revenue[hit].sum()) / total if total else 0.0)
    return out


def cohorts(scan: cq.CustomerScan, lit: np.ndarray | None = None
            ) -> tuple[list[int], list[int], list[list[float | None]]]:
    """(cohort month indexes, their sizes, retention rows for k = 0..11; None past the end),
    over the `lit` customers only when given."""
    c = scan.customers
    if lit is not None:
        c = {"first_month": c["first_month"][lit], "active": c["active"][lit]}
    first_c = max(cq.month_index(month_start(scan.start)), scan.origin)
    last_c = cq.month_index(month_start(scan.end))
    months, sizes, rows = [], [], []
    for cohort in range(first_c, last_c + 1):
        members = c["first_month"] == cohort
        size = int(members.sum())
        if not size:
            continue
        active = c["active"][members].astype(np.int64)
        row = []
        for k in range(cq.COHORT_MONTHS):
            if cohort + k > last_c:
                row.append(None)
                continue
            bit = cohort - scan.origin + k
            row.append(float(((active >> bit) & 1).sum()) / size)
        months.append(cohort)
        sizes.append(size)
        rows.append(row)
    return months, sizes, rows


def _month_name(index: int) -> str:
    return f"{dt.date(index // 12, index % 12 + 1, 1):%b %Y}"


def age_category(view: View, flt, scope) -> tuple[list[str], list[str], np.ndarray]:
    source, params = sales_source(view.warehouse.catalog(), flt, scope,
                                  ("age_group", "category"))
    sql = (f"SELECT age_group, category, sum(revenue) FROM ({source}) AS s "
           "GROUP BY age_group, category")
    with view.warehouse.cursor() as cur:
        rows = cur.execute(sql, params).fetchall()
    ages = [a for a in AGE_ORDER if any(r[0] == a for r in rows)]
    ages += sorted({str(r[0]) for r in rows} - set(ages))
    cats = sorted({str(r[1]) for r in rows})
    z = np.zeros((len(ages), len(cats)))
    for age, cat, revenue in rows:
        z[ages.index(str(age)), cats.index(str(cat))] += float(revenue or 0)
    return ages, cats, z


def _share_bars(order, now: dict, before: dict | None, nums, label: str, kind: str,
                highlight=None, lit_shares: dict | None = None) -> dict:
    """Share of customers and of revenue per group. A highlight of this chart's kind dims the
    other groups; of another kind (`lit_shares`: the highlighted customers' split over these
    groups), the bars dim and a third bar per group shows that split."""
    tips = {"customers": [], "revenue": []}
    for name in order:
        count, cust, rev = now[name]
        for of, value in (("customers", cust), ("revenue", rev)):
            change = ""
            if before is not None:
                then = before[name][1 if of == "customers" else 2]
                change = f"<br>Change vs previous period: {nums.change(value - then, True)[0]}"
            tips[of].append(f"<b>{text(name)}</b><br>{count:,} customers<br>Share of "
                            f"{of}: {value:.1%}{change}")
    series = [("Share of customers", [now[n][1] for n in order], tips["customers"]),
              ("Share of revenue", [now[n][2] for n in order], tips["revenue"])]
    foreign = highlight is not None and highlight.kind != kind and lit_shares is not None
    if foreign:
        name = hl_.label(highlight)
        series.append((f"{name} (selected): share of them", [lit_shares[n][1] for n in order],
                       [f"<b>{text(n)}</b><br>{lit_shares[n][0]:,} of the {text(name)} "
                        f"({lit_shares[n][1]:.1%})" for n in order]))
    own = highlight is not None and highlight.kind == kind
    figure = figs.bars(list(order), series, keys=[[kind, str(n)] for n in order],
                       lit=[n == highlight.value for n in order] if own else None,
                       axis={"tickformat": ".0%", "title": {"text": label,
                                                            "font": {"size": 11}}})
    if foreign and figure["data"]:
        for trace in figure["data"][:2]:
            trace["opacity"] = theme.DIM_OPACITY
        figure["data"][2]["marker"] = {"color": theme.HIGHLIGHT}
    return figure


def compute(view: View, state, highlight=None) -> dict:
    """Tiles, figures and notes for one state and highlight (cached per scope); "highlight"
    is the highlight kept (None when it lights no customer the viewer can see)."""
    return view.cached("customers", view.scope, (state.filter, highlight),
                       lambda: _compute(view, state, highlight))


def _compute(view: View, state, highlight=None) -> dict:
    if not cq.has_customers(view.warehouse):
        return {"hidden": cq.NO_CUSTOMERS}
    flt, nums = state.filter, people_view.numbers(view)
    scan = cq.run_customers(view.warehouse, flt, view.scope, view.domain.min_date)
    c = scan.customers
    now_groups, prev_groups = behaviour(c, "cur"), behaviour(c, "prev")
    active = int((now_groups != "").sum())
    notes = []
    if scan.walk_in_lines:
        notes.append(f"{scan.walk_in_lines:,} sales lines "
                     f"({nums.value(scan.walk_in_revenue, 'currency')}) in this view have no "
                     "customer id (walk-in sales): they are in no customer figure.")
    else:
        notes.append("Every sales line in this view has a customer id.")
    if scan.previous is None:
        notes.append("The data does not cover the whole previous period, so no changes are "
                     "shown.")
    if not active:
        return {"empty": True, "notes": notes, "tiles": [], "figures": {}}
    compare = scan.previous is not None
    figures = {}
    rfm = rfm_groups(c)
    seg_now = np.where(now_groups != "", c["segment"], "").astype(object)
    lit = hl_.members(highlight, c["segment"], now_groups, rfm)
    highlight = highlight if lit is not None else None

    def split(groups, order):  # the highlighted customers over these groups
        return None if lit is None else shares(np.where(lit, groups, "").astype(object),
                                               c["cur_revenue"], order)
    segments = sorted(set(c["segment"][now_groups != ""]) - {"Unknown"})
    if segments:
        seg_prev = np.where(prev_groups != "", c["prev_segment"], "").astype(object)
        order = [*segments, *(["Unknown"] if (seg_now == "Unknown").any() else [])]
        figures["segments"] = _share_bars(
            order, shares(seg_now, c["cur_revenue"], order),
            shares(seg_prev, c["prev_revenue"], order) if compare else None, nums,
            "Share of the period's customers / revenue", "segment", highlight,
            split(seg_now, order))
    else:
        notes.append(NO_SEGMENTS)
    figures["behaviour"] = _share_bars(
        BEHAVIOURS, shares(now_groups, c["cur_revenue"], BEHAVIOURS),
        shares(prev_groups, c["prev_revenue"], BEHAVIOURS) if compare else None, nums,
        "Share of the period's customers / revenue", "behaviour", highlight,
        split(now_groups, BEHAVIOURS))
    figures["rfm"] = _share_bars(RFM_GROUPS, shares(rfm, c["year_revenue"], RFM_GROUPS), None,
                                 nums, "Share of customers / 12-month revenue", "rfm",
                                 highlight, split(rfm, RFM_GROUPS))
    months, sizes, rows = cohorts(scan, lit)
    labels = [f"{_month_name(m)} ({s:,})" for m, s in zip(months, sizes, strict=True)]
    columns = [f"+{k}" for k in range(cq.COHORT_MONTHS)]
    figures["cohorts"] = figs.heatmap(
        labels, columns, rows,
        [[f"<b>{text(lab)}</b> · month {col}<br>Retention: "
          + ("–" if v is None else f"{v:.1%}") for col, v in zip(columns, row, strict=True)]
         for lab, row in zip(labels, rows, strict=True)],
        "Retention", cell_text=[["" if v is None else f"{v:.0%}" for v in row] for row in rows],
        zmax=max([v for row in rows for v in row[1:] if v is not None] or [1.0]))
    if lit is not None and not rows:
        figures["cohorts"] = theme.empty(f"None of the {hl_.label(highlight)} had a first "
                                         "order in the period's months: no cohort to show")
    if "age_group" in view.domain.unavailable:
        notes.append(NO_AGE)
    else:
        ages, cats, z = age_category(view, flt, view.scope)
        totals = z.sum(axis=1, keepdims=True)
        share = np.divide(z, totals, out=np.zeros_like(z), where=totals != 0)
        figures["age_category"] = figs.heatmap(
            ages, cats, share.tolist(),
            [[f"<b>{text(a)}</b> · {text(k)}<br>Share of the age group's revenue: {v:.1%}<br>"
              f"Revenue: {nums.exact(r, 'currency')}"
              for k, v, r in zip(cats, srow, zrow, strict=True)]
             for a, srow, zrow in zip(ages, share, z, strict=True)],
            "Share of age group", cell_text=[[f"{v:.0%}" for v in srow] for srow in share])
    tiles = _tiles(c, now_groups, prev_groups, compare, nums, scan)
    out = {"empty": False, "notes": notes, "tiles": tiles, "figures": figures,
           "highlight": highlight}
    if highlight is not None:
        notes.append(f"The cohort retention heat map shows the {hl_.label(highlight)} only.")
        if "age_category" in figures:
            notes.append(hl_.AGE_NOTE)
        out["highlight_note"] = hl_.sentence(highlight, lit, now_groups != "",
                                             c["cur_revenue"],
                                             lambda v: nums.value(v, "currency"))
    return out


def _tiles(c, now_groups, prev_groups, compare, nums, scan) -> list[dict]:
    active, before = int((now_groups != "").sum()), int((prev_groups != "").sum())
    revenue = float(c["cur_revenue"][now_groups != ""].sum())
    new = int((now_groups == "New").sum())
    repeat = (active - new) / active if active else None

    def change(now, then):
        if not compare or not then:
            return None, ""
        delta = now / then - 1
        return delta, nums.change(delta)[0] + " vs previous period"

    tiles = [people_view.tile("customers", "Customers", active, f"{active:,}",
                              *change(active, before)),
             people_view.tile("per_customer", "Revenue per customer", revenue / active,
                              nums.value(revenue / active, "currency")),
             people_view.tile("new", "New customers", new, f"{new:,}"),
             people_view.tile("repeat", "Repeat customers", repeat, nums.value(repeat, "pct")),
             people_view.tile("walk_in", "Lines with no customer id", scan.walk_in_lines,
                              f"{scan.walk_in_lines:,}")]
    return tiles


def report_for_view(view: View, query: str) -> dict:
    """The page's report for a URL query; its `hl` highlights a customer group (kept only when
    the viewer's data has customers in it) and goes back into the report's query."""
    state, notes = people_view.state_for(view, query)
    out = compute(view, state, hl_.parse(query_dict(query).get("hl")))
    report = people_view.page_dict("customers", "Customers", view, state, notes, out, CHARTS)
    report["highlight"] = out.get("highlight_note", "")
    if out.get("highlight") is not None:
        report["query"] = page_highlight.with_query(report["query"], out["highlight"])
    return report


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The Customers page for `query` (its URL query string) as `scope` sees it."""
    return report_for_view(View.of(warehouse, scope), query)

