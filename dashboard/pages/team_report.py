"""The Team page's numbers and figures for one view, and its page-data twin `page_report`.

Pure of Flask: the page (team.py), `dashboard report --page team`, the exports and the print
page all call `compute`/`page_report`, so a chart has one code path. Admin-set targets come in
as a mapping (employee id -> monthly target); `page_report` reads them from the app database
when the caller does not pass them (pages/team_targets.py).
"""

from __future__ import annotations

from dashboard.figures import people as figs
from dashboard.figures.colors import ACCENT
from dashboard.figures.formats import text
from dashboard.pages import people_view
from dashboard.pages.overview_view import View
from dashboard.queries import team
from dashboard.queries.filters import Scope

TOP_SHOWN = 15  # employees on the ranking and attainment charts
TREND_PEOPLE = 5
RANK_RULE = ("Ranking by revenue, competition style: equal revenue shares a rank (#2=, #2=, "
             "then #4).")
TARGET_RULE = ("Target for the period = monthly target × months covered (a month the range "
               "cuts counts by its days); attainment = revenue ÷ that target.")
CHARTS = {
    "ranking": ("Sales by employee (ranking)", ["Series", "Employee", "Revenue"]),
    "attainment": ("Target attainment", ["Series", "Employee", "Attainment"]),
    "trend": ("Monthly trend: top sellers and the team average", ["Series", "Month",
                                                                  "Revenue"]),
    "regions": ("Regional contribution (employee sales)", ["Series", "Region", "Share"]),
    "staffing": ("Sales per employee by region", ["Series", "Region", "Revenue per employee"]),
}


def _labels(ranked, counts) -> list[str]:
    """"#1 Ann Lee", "#2= Bo Chen" for a shared rank (`counts`: rank -> employees holding it,
    over everyone ranked); the id added where two share a name."""
    names = ranked["name"].astype(str)
    twice = names.duplicated(keep=False)
    out = []
    for rank, name, emp, dup in zip(ranked["rank"], names, ranked["employee_id"], twice,
                                    strict=True):
        tie = "=" if counts[rank] > 1 else ""
        out.append(f"#{rank}{tie} {name}" + (f" ({emp})" if dup else ""))
    return out


def compute(view: View, state, targets: dict[str, float] | None = None) -> dict:
    """Tiles, figures and notes of the Team page for one state (cached per scope)."""
    def run() -> dict:
        return _compute(view, state, targets or {})
    key = (state.filter, tuple(sorted((targets or {}).items())))
    return view.cached("team", view.scope, key, run)


def _compute(view: View, state, targets: dict[str, float]) -> dict:
    if not team.has_employees(view.warehouse):
        return {"hidden": team.NO_EMPLOYEES}
    flt = state.filter
    scan = team.run_team(view.warehouse, flt, view.scope)
    ranked = team.ranking(scan, flt, targets)
    nums, colors = people_view.numbers(view), people_view.colors(view)
    notes = [RANK_RULE]
    if ranked.empty or not ranked["revenue"].any():
        return {"empty": True, "notes": notes, "tiles": [], "figures": {}, "ranked": ranked}
    has_targets = bool(ranked["target"].notna().any())
    notes.append(TARGET_RULE if has_targets else team.NO_TARGETS)
    if targets:
        notes.append(f"{len(targets)} monthly target{'s' if len(targets) > 1 else ''} set by "
                     "an admin on this page replace the data's.")
    unassigned = scan.unassigned
    if unassigned:
        notes.append(f"{nums.value(unassigned, 'currency')} of sales in this view name no "
                     "employee (online orders); they are not in the employee figures.")
    top = ranked.head(TOP_SHOWN)
    if len(ranked) > TOP_SHOWN:
        notes.append(f"The ranking and attainment charts show the top {TOP_SHOWN} of "
                     f"{len(ranked)} employees.")
    labels = _labels(top, ranked["rank"].value_counts())
    total = float(ranked["revenue"].sum())
    figures = {
        "ranking": figs.bars(labels, [("Revenue", top["revenue"].tolist(), [
            f"<b>{text(lab)}</b><br>Region: {text(r)}<br>Revenue: "
            f"{nums.exact(v, 'currency')}<br>Share of team: {v / total:.1%}"
            for lab, r, v in zip(labels, top["region"], top["revenue"], strict=True)])],
            labels=labels, colors=colors.many("region", top["region"].astype(str)),
            texts=[nums.value(v, "currency") for v in top["revenue"]],
            axis={"tickprefix": nums.currency, "title": {"text": f"Revenue ({nums.currency})",
                                                          "font": {"size": 11}}}),
    }
    if has_targets:
        att = top.dropna(subset=["attainment"])
        att_labels = [lab for lab, a in zip(labels, top["attainment"], strict=True) if a == a]
        figures["attainment"] = figs.bars(
            att_labels,
            [("Attainment", att["attainment"].tolist(), [
                f"<b>{text(lab)}</b><br>Revenue: {nums.exact(v, 'currency')}<br>Target: "
                f"{nums.exact(t, 'currency')}<br>Attainment: {a:.1%}"
                for lab, v, t, a in zip(att_labels, att["revenue"], att["target"],
                                        att["attainment"], strict=True)])],
            labels=att_labels, reference=1.0,
            colors=[ACCENT if a >= 1 else "#9CA3AF" for a in att["attainment"]],
            texts=[f"{a:.0%}" for a in att["attainment"]],
            axis={"tickformat": ".0%", "title": {"text": "Attainment (revenue ÷ target)",
                                                 "font": {"size": 11}}})
    figures["trend"] = _trend(scan, ranked, nums)
    regions = team.by_region(scan)
    figures["regions"] = figs.bars(
        regions["region"].astype(str).tolist(),
        [("Share", regions["share"].tolist(), [
            f"<b>{text(r)}</b><br>Revenue: {nums.exact(v, 'currency')}<br>Share: {s:.1%}"
            for r, v, s in zip(regions["region"], regions["revenue"], regions["share"],
                               strict=True)])],
        colors=colors.many("region", regions["region"].astype(str)),
        texts=[f"{s:.1%}" for s in regions["share"]],
        axis={"tickformat": ".0%", "title": {"text": "Share of employee sales",
                                             "font": {"size": 11}}})
    staffing = regions.sort_values("per_employee", ascending=False, kind="stable")
    figures["staffing"] = figs.bars(
        staffing["region"].astype(str).tolist(),
        [("Revenue per employee", staffing["per_employee"].tolist(), [
            f"<b>{text(r)}</b><br>Employees: {int(h)}<br>Revenue: {nums.exact(v, 'currency')}"
            f"<br>Per employee: {nums.exact(p, 'currency')}"
            for r, h, v, p in zip(staffing["region"], staffing["headcount"],
                                  staffing["revenue"], staffing["per_employee"], strict=True)])],
        colors=colors.many("region", staffing["region"].astype(str)),
        labels=[f"{r} ({int(h)} people)"
                for r, h in zip(staffing["region"], staffing["headcount"], strict=True)],
        texts=[nums.value(p, "currency") for p in staffing["per_employee"]],
        axis={"tickprefix": nums.currency, "title": {"text": "Revenue per employee",
                                                      "font": {"size": 11}}})
    tiles = _tiles(ranked, nums, has_targets, unassigned)
    return {"empty": False, "notes": notes, "tiles": tiles, "figures": figures,
            "ranked": ranked}


def _trend(scan, ranked, nums) -> dict:
    best = ranked.head(TREND_PEOPLE)
    months, lines, whole = team.monthly_trend(scan, best["employee_id"].tolist())
    heads = max(1, len(ranked))
    labels = [f"{m:%b %Y}" for m in months]
    series = []
    for emp, name in zip(best["employee_id"], best["name"], strict=True):
        values = lines[emp]
        series.append((name, values, [f"<b>{text(name)}</b> · {lab}<br>Revenue: "
                                      f"{nums.exact(v, 'currency')}"
                                      for lab, v in zip(labels, values, strict=True)]))
    average = [v / heads for v in whole]
    series.append(("Team average", average, [
        f"<b>Team average per employee</b> · {lab}<br>Revenue: {nums.exact(v, 'currency')}"
        for lab, v in zip(labels, average, strict=True)]))
    palette = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD"][:len(series) - 1]
    return figs.lines(labels, series, [*palette, "#6B7280"],
                      axis={"tickprefix": nums.currency})


def _tiles(ranked, nums, has_targets: bool, unassigned: float) -> list[dict]:
    people = len(ranked)
    revenue = float(ranked["revenue"].sum())
    tiles = [people_view.tile("employees", "Employees", people, f"{people:,}"),
             people_view.tile("revenue", "Employee sales", revenue,
                              nums.value(revenue, "currency")),
             people_view.tile("per_employee", "Sales per employee", revenue / people,
                              nums.value(revenue / people, "currency"))]
    if has_targets:
        target = float(ranked["target"].sum())
        attainment = revenue / target if target else None
        met = int((ranked["attainment"] >= 1).sum())
        with_target = int(ranked["attainment"].notna().sum())
        tiles += [people_view.tile("attainment", "Team attainment", attainment,
                                   nums.value(attainment, "pct")),
                  people_view.tile("met_target", "At or above target", met,
                                   f"{met:,} of {with_target:,}")]
    tiles.append(people_view.tile("unassigned", "Sales with no employee", unassigned,
                                  nums.value(unassigned, "currency")))
    return tiles


def report_for_view(view: View, query: str, targets: dict[str, float] | None = None) -> dict:
    state, notes = people_view.state_for(view, query)
    if targets is None:
        from dashboard.pages import team_targets

        targets = team_targets.stored()
    out = compute(view, state, targets)
    return people_view.page_dict("team", "Team", view, state, notes, out, CHARTS)


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The Team page for `query` (its URL query string) as `scope` sees it."""
    return report_for_view(View.of(warehouse, scope), query)

