"""The Team page's numbers and figures for one view, and its page-data twin `page_report`.

Pure of Flask: the page (team.py), `dashboard report --page team`, the exports and the print
page all call `compute`/`page_report`, so a chart has one code path. Admin-set targets come in
as a mapping (employee id -> monthly target); `page_report` reads them from the app database
when the caller does not pass them (pages/team_targets.py).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.components import view_state
from dashboard.figures import people as figs
from dashboard.figures.colors import ACCENT
from dashboard.figures.formats import text
from dashboard.pages import overview_report, people_view
from dashboard.pages import team_highlight as hl_
from dashboard.pages.overview_view import (
    View,
    checked_drill,
    default_geo,
    focus_sentence,
    query_dict,
)
from dashboard.pages.team_highlight import TeamHighlight
from dashboard.queries import drill, team
from dashboard.queries.filters import Scope
from dashboard.queries.profit import store_names

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


def compute(view: View, state, targets: dict[str, float] | None = None,
            highlight: TeamHighlight | None = None) -> dict:
    """Tiles, figures and notes of the Team page for one state and highlight (cached per
    scope). "highlight" in the result is the highlight as checked against the scope (None when
    the viewer cannot see it), "highlight_note" says what it sold."""
    def run() -> dict:
        return _compute(view, state, targets or {}, highlight)
    key = (state.filter, state.geo, tuple(sorted((targets or {}).items())), highlight)
    return view.cached("team", view.scope, key, run)


def _compute(view: View, state, targets: dict[str, float],
             highlight: TeamHighlight | None = None) -> dict:
    if not team.has_employees(view.warehouse):
        return {"hidden": team.NO_EMPLOYEES}
    flt = state.filter
    if state.geo:  # drilled into a region: its people, its stores compared
        flt = replace(flt, regions=(state.geo[0],))
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
    highlight = hl_.checked(highlight, ranked)
    lit_people = hl_.lit_employees(highlight, ranked)
    if highlight is not None and highlight.kind == "employee" and \
            highlight.value not in set(top["employee_id"].astype(str)):
        extra = ranked[ranked["employee_id"].astype(str) == highlight.value]
        top = pd.concat([top, extra], ignore_index=True)
        notes.append(f"{extra['name'].iloc[0]} ranks below the top {TOP_SHOWN}: added as "
                     "the last bar because they are highlighted.")
    labels = _labels(top, ranked["rank"].value_counts())
    lit = ([e in lit_people for e in top["employee_id"].astype(str)]
           if highlight is not None else None)
    # [kind, id, label]: a click reads the id, the table view the label (report/tables.py)
    people_keys = [["employee", str(e), lab] for e, lab in zip(top["employee_id"], labels,
                                                               strict=True)]
    total = float(ranked["revenue"].sum())
    figures = {
        "ranking": figs.bars(labels, [("Revenue", top["revenue"].tolist(), [
            f"<b>{text(lab)}</b><br>Region: {text(r)}<br>Revenue: "
            f"{nums.exact(v, 'currency')}<br>Share of team: {v / total:.1%}"
            for lab, r, v in zip(labels, top["region"], top["revenue"], strict=True)])],
            labels=labels, colors=colors.many("region", top["region"].astype(str)),
            texts=[nums.value(v, "currency") for v in top["revenue"]],
            keys=people_keys, lit=lit,
            axis={"tickprefix": nums.currency, "title": {"text": f"Revenue ({nums.currency})",
                                                          "font": {"size": 11}}}),
    }
    if has_targets:
        att = top.dropna(subset=["attainment"])
        att_labels = [lab for lab, a in zip(labels, top["attainment"], strict=True) if a == a]
        att_ids = att["employee_id"].astype(str).tolist()
        figures["attainment"] = figs.bars(
            att_labels,
            [("Attainment", att["attainment"].tolist(), [
                f"<b>{text(lab)}</b><br>Revenue: {nums.exact(v, 'currency')}<br>Target: "
                f"{nums.exact(t, 'currency')}<br>Attainment: {a:.1%}"
                for lab, v, t, a in zip(att_labels, att["revenue"], att["target"],
                                        att["attainment"], strict=True)])],
            labels=att_labels, reference=1.0,
            keys=[["employee", e, lab] for e, lab in zip(att_ids, att_labels, strict=True)],
            lit=[e in lit_people for e in att_ids] if highlight is not None else None,
            colors=[ACCENT if a >= 1 else "#9CA3AF" for a in att["attainment"]],
            texts=[f"{a:.0%}" for a in att["attainment"]],
            axis={"tickformat": ".0%", "title": {"text": "Attainment (revenue ÷ target)",
                                                 "font": {"size": 11}}})
    level = "store" if state.geo else "region"
    names = (view.cached("store-names", view.scope, (),
                         lambda: store_names(view.warehouse, view.scope))
             if level == "store" or (highlight is not None and highlight.kind == "store")
             else {})
    figures["trend"] = _trend(scan, ranked, nums, highlight, names)
    places = team.by_place(scan, level)
    ids = places["place"].astype(str).tolist()
    shown = [names.get(i, f"Store {i}") for i in ids] if level == "store" else ids
    lit_places = hl_.lit_places(highlight, ranked, level)
    place_colors = (colors.many("region", ids) if level == "region" else [ACCENT] * len(ids))

    def place_lit(order: list[str]) -> list[bool] | None:
        return [p in lit_places for p in order] if highlight is not None else None

    def place_keys(order: list[str]) -> list[list[str]]:
        """[kind, id] for a region, [kind, id, name] for a store (the table shows its name)."""
        if level == "region":
            return [[level, i] for i in order]
        return [[level, i, names.get(i, f"Store {i}")] for i in order]
    figures["regions"] = figs.bars(
        shown,
        [("Share", places["share"].tolist(), [
            f"<b>{text(r)}</b><br>Revenue: {nums.exact(v, 'currency')}<br>Share: {s:.1%}"
            for r, v, s in zip(shown, places["revenue"], places["share"], strict=True)])],
        colors=place_colors, texts=[f"{s:.1%}" for s in places["share"]],
        keys=place_keys(ids), lit=place_lit(ids),
        axis={"tickformat": ".0%", "title": {"text": "Share of employee sales",
                                             "font": {"size": 11}}})
    order = places.assign(shown=shown, color=place_colors).sort_values(
        "per_employee", ascending=False, kind="stable")
    staffing_ids = order["place"].astype(str).tolist()
    figures["staffing"] = figs.bars(
        order["shown"].tolist(),
        [("Revenue per employee", order["per_employee"].tolist(), [
            f"<b>{text(r)}</b><br>Employees: {int(h)}<br>Revenue: {nums.exact(v, 'currency')}"
            f"<br>Per employee: {nums.exact(p, 'currency')}"
            for r, h, v, p in zip(order["shown"], order["headcount"], order["revenue"],
                                  order["per_employee"], strict=True)])],
        colors=order["color"].tolist(),
        labels=[f"{r} ({int(h)} people)"
                for r, h in zip(order["shown"], order["headcount"], strict=True)],
        texts=[nums.value(p, "currency") for p in order["per_employee"]],
        keys=place_keys(staffing_ids), lit=place_lit(staffing_ids),
        axis={"tickprefix": nums.currency, "title": {"text": "Revenue per employee",
                                                      "font": {"size": 11}},
              # $2k, not $2000 (touching at 390 px); never below $1k, where ~s writes "m"
              **({"tickformat": "~s"} if order["per_employee"].max() >= 1000 else {})})
    tiles = _tiles(ranked, nums, has_targets, unassigned)
    return {"empty": False, "notes": notes, "tiles": tiles, "figures": figures,
            "ranked": ranked, "highlight": highlight,
            "highlight_note": hl_.sentence(highlight, ranked,
                                           lambda v: nums.value(v, "currency"), names)}


def _trend(scan, ranked, nums, highlight: TeamHighlight | None = None,
           names: dict[str, str] | None = None) -> dict:
    """The top sellers' months and the team average; a highlighted employee below them gets a
    line of their own, a highlighted region or store its average per employee (`names`: store
    id -> name)."""
    best = ranked.head(TREND_PEOPLE)
    if highlight is not None and highlight.kind == "employee" and \
            highlight.value not in set(best["employee_id"].astype(str)):
        best = pd.concat([best, ranked[ranked["employee_id"].astype(str) == highlight.value]],
                         ignore_index=True)
    lit_people = hl_.lit_employees(highlight, ranked)
    in_region = sorted(lit_people) if highlight is not None and highlight.kind != "employee" \
        else []
    months, lines, whole = team.monthly_trend(scan, [*best["employee_id"], *in_region])
    heads = max(1, len(ranked))
    labels = [f"{m:%b %Y}" for m in months]
    series, lit = [], []
    for emp, name in zip(best["employee_id"], best["name"], strict=True):
        values = lines[emp]
        series.append((name, values, [f"<b>{text(name)}</b> · {lab}<br>Revenue: "
                                      f"{nums.exact(v, 'currency')}"
                                      for lab, v in zip(labels, values, strict=True)]))
        lit.append(str(emp) in lit_people)
    palette = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", ACCENT][:len(series)]
    if in_region:
        region = [sum(lines[e][i] for e in in_region) / len(in_region)
                  for i in range(len(months))]
        name = f"{(names or {}).get(highlight.value, highlight.value)} average"
        series.append((name, region, [
            f"<b>{text(name)} per employee</b> · {lab}<br>Revenue: "
            f"{nums.exact(v, 'currency')}" for lab, v in zip(labels, region, strict=True)]))
        palette.append(ACCENT)
        lit.append(True)
    average = [v / heads for v in whole]
    series.append(("Team average", average, [
        f"<b>Team average per employee</b> · {lab}<br>Revenue: {nums.exact(v, 'currency')}"
        for lab, v in zip(labels, average, strict=True)]))
    lit.append(False)
    return figs.lines(labels, series, [*palette, "#6B7280"],
                      axis={"tickprefix": nums.currency},
                      lit=lit if highlight is not None else None)


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


def report_for_view(view: View, query: str, targets: dict[str, float] | None = None,
                    geo: tuple[str, ...] | None = None) -> dict:
    """The page's report for a URL query; its `hl` highlights an employee or region (checked
    against the scope) and goes back into the report's query and its "highlight" line."""
    state, notes = people_view.state_for(view, query)
    state, dropped = drilled(view, state, query_dict(query), geo)
    if dropped:
        notes.append(drill.DROPPED_NOTE)
    if targets is None:
        from dashboard.pages import team_targets

        targets = team_targets.stored()
    asked = hl_.parse(query_dict(query).get("hl"))
    out = compute(view, state, targets, asked)
    report = people_view.page_dict("team", "Team", view, state, notes, out, charts_for(state))
    if state.geo:  # "West, 2025": the drilled region named as the Overview names it
        report["filters"] = focus_sentence(view, overview_report._seen(state, view))
    shown = out.get("highlight")
    report["highlight"] = out.get("highlight_note", "")
    if shown is not None:
        report["query"] = hl_.with_query(report["query"], shown)
    return report


def drilled(view: View, state, params: dict, geo=None):
    """The state with the region step (`geo`: the page's drill store, else the URL's; one
    level: the Team page compares a region's stores), checked like the Overview's; a manager
    of one region starts inside it."""
    if geo is None:
        geo = params.get("geo") if "geo" in params else default_geo(view.scope)
    return checked_drill(view, state, view_state.as_path(geo, 1), ())


def charts_for(state) -> dict[str, tuple[str, list[str]]]:
    """The charts' titles and table columns at the page's level (regions, or a region's
    stores)."""
    if not state.geo:
        return CHARTS
    region = state.geo[0]
    return {**CHARTS,
            "regions": (f"Contribution by store in {region} (employee sales)",
                        ["Series", "Store", "Share"]),
            "staffing": (f"Sales per employee by store in {region}",
                         ["Series", "Store", "Revenue per employee"])}


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The Team page for `query` (its URL query string) as `scope` sees it."""
    return report_for_view(View.of(warehouse, scope), query)

