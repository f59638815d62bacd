"""The Overview's numbers and figures for one view, pure of Flask and Dash.

The page (overview.py, inside a request) and the page-data contract (overview_report.py: CLI,
exports, print page, story) both call `compute`, so a chart is built by one code path whoever
asks. A `View` carries what a request would otherwise supply: the warehouse, the viewer's
scope, its domain and a cache (the page's per-scope cache, or none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs

from dashboard.components import view_state
from dashboard.components.view_state import ViewState
from dashboard.figures import charts, theme
from dashboard.figures.colors import Colors
from dashboard.figures.formats import Numbers
from dashboard.queries import drill
from dashboard.queries import overview as metrics
from dashboard.queries.filters import Filter, Scope, describe
from dashboard.queries.options import Domain, domain
from dashboard.queries.registry import currency_symbol
from dashboard.queries.sources import Highlight
from dashboard.warehouse.schema import FILTER_COLUMNS

GRAPHS = ("trend", "top", "contrib", "heatmap", "category", "subcategory", "age", "gender")
HIGHLIGHT_TO_FIELD = {
    "region": "regions", "category": "categories", "subcategory": "subcategories",
    "product_name": "products", "age_group": "age_groups", "gender": "genders",
    "channel": "channels",
}
HIDDEN_BY = {"age": "age_group", "gender": "gender", "subcategory": "subcategory"}
TOY_TYPES_SHOWN = 15


def no_cache(_namespace: str, _scope: Scope, _key: tuple, compute: Callable[[], Any]) -> Any:
    return compute()


@dataclass(frozen=True)
class View:
    """What one viewer's Overview is computed from (the scope decides every number)."""

    warehouse: Any
    scope: Scope
    domain: Domain
    cached: Callable[[str, Scope, tuple, Callable[[], Any]], Any] = no_cache

    @classmethod
    def of(cls, warehouse, scope: Scope, cached=no_cache) -> View:
        return cls(warehouse, scope, domain(warehouse, scope), cached)


def query_dict(query: str) -> dict:
    """A URL query string as the page's layout receives it: one value a string, repeats a list."""
    parsed = parse_qs((query or "").lstrip("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def state_from_query(view: View, query: dict) -> tuple[ViewState, bool]:
    """The checked state of a URL (as the page opens it) and whether a drill step was dropped."""
    state = view_state.from_query(query, view.domain)
    if "geo" not in query:
        state = replace(state, geo=default_geo(view.scope))
    return checked_drill(view, state, state.geo, state.prod)


# ---- Drill-down paths ---------------------------------------------------------------------


def default_geo(scope) -> tuple[str, ...]:
    """A manager of one region starts inside it (its states); everyone else at the regions."""
    regions = set(scope.regions or ())
    return tuple(regions) if len(regions) == 1 else ()


def drill_members(view: View, axis: str) -> drill.Members:
    return view.cached("drill-members", view.scope, (axis,), lambda: drill.members(
        view.warehouse, view.scope, axis, view.domain.min_date, view.domain.max_date))


def shown_geo(view: View, geo: tuple[str, ...]) -> tuple[str, ...]:
    """The place path as breadcrumbs and titles name it (a store by its name)."""
    return drill.shown_path("geo", geo, drill_members(view, "geo")) if geo else geo


def checked_drill(view: View, state: ViewState, geo, prod) -> tuple[ViewState, bool]:
    """The state with drill paths the scope can see (and the filters allow); was any dropped?"""
    kept, dropped = {}, False
    for axis, path in (("geo", geo), ("prod", prod)):
        if not path:
            kept[axis] = ()
            continue
        kept[axis], lost = drill.validate(axis, path, drill_members(view, axis), state.filter)
        dropped |= lost
    return replace(state, **kept), dropped


# ---- The view ----------------------------------------------------------------------------


def compute(view: View, state: ViewState) -> dict:
    """Every chart's figure and the KPI data for one state, within the view's scope (cached)."""

    def run() -> dict:
        flt, scope = focus(view, state)
        scan = metrics.run_overview(view.warehouse, flt, scope, state.highlight,
                                    state.top_n, state.measure)
        out = figures_for(view, scan, state)
        if not out["empty"]:
            out.update(drilled_figures(view, state, flt, scope))
        return out

    return view.cached("overview", view.scope, (state,), run)


def focus(view: View, state: ViewState) -> tuple[Filter, Scope]:
    """The filter and scope every tile and chart shows: a drill path narrows the whole page to
    its place and toy group, so the KPIs, trend and Top toys answer for the store a manager
    opened. A region or category step is its filter; a state, city or store step becomes the
    stores under it, intersected with the viewer's own: the scope only ever gets narrower."""
    flt, scope = state.filter, view.scope
    if state.geo:
        flt = replace(flt, regions=(state.geo[0],))
        if len(state.geo) > 1:
            depth = len(state.geo)
            stores = {path[drill.STORE_STEP] for path in drill_members(view, "geo").paths
                      if len(path) == drill.STORE_STEP + 1 and path[:depth] == state.geo}
            if scope.stores is not None:
                stores &= set(scope.stores)
            scope = Scope(scope.regions, tuple(sorted(stores)))
    if state.prod:
        flt = replace(flt, categories=(state.prod[0],))
        if len(state.prod) > 1:
            flt = replace(flt, subcategories=(state.prod[1],))
    return flt, scope


def focus_sentence(view: View, state: ViewState) -> str:
    """What the page shows, in words: the filters with the drilled region and toy group in
    them ("North, 2025, Dolls"), then the places below the region ("· Minnesota › Duluth").
    A manager's own single region stays "North (your regions)"."""
    flt, own = state.filter, view.scope.regions
    if state.geo and not (own is not None and tuple(own) == state.geo[:1]):
        flt = replace(flt, regions=state.geo[:1])
    if state.prod:
        flt = replace(flt, categories=state.prod[:1])
    if len(state.prod) > 1:
        flt = replace(flt, subcategories=state.prod[1:2])
    below = shown_geo(view, state.geo)[1:]
    return describe(flt, view.scope) + (f" · {' › '.join(below)}" if below else "")


def hidden_graphs(domain_: Domain) -> set[str]:
    """Charts of a dimension this data lacks (kept in the page's layout, never shown)."""
    return hidden_graphs_for(domain_.unavailable)


def hidden_graphs_for(unavailable: tuple[str, ...]) -> set[str]:
    return {key for key, dim in HIDDEN_BY.items() if dim in unavailable}


def comparable_periods(state: ViewState, domain_: Domain) -> set[str]:
    """Comparison periods the data covers whole; a change against half-loaded data misleads."""
    periods = metrics.comparison_periods(state.filter.start, state.filter.end)
    return {name for name in ("previous", "year_ago") if periods[name][0] >= domain_.min_date}


def chart_look(view: View, state: ViewState) -> charts.Look:
    """Currency, member colours (from the whole warehouse, so filters never recolour a member)
    and the months the range covers only in part."""
    catalog = view.warehouse.catalog()
    members: dict[str, set[str]] = {}
    for fields in catalog.members_by_region.values():
        for name, values in fields.items():
            members.setdefault(FILTER_COLUMNS.get(name, name), set()).update(values)
    colors = Colors.from_members(members, {"age_group": charts.AGE_ORDER})
    return charts.Look(Numbers(currency_symbol(catalog.meta)), colors,
                       partial_months(state.filter.start, state.filter.end, view.domain))


def partial_months(start, end, domain_: Domain) -> dict:
    """Month start -> "1–15 Dec" for a month that the range (within the data) covers in part."""
    lo, hi = max(start, domain_.min_date), min(end, domain_.max_date)
    out = {}
    if lo > hi:
        return out
    if lo.day != 1:
        last = hi if (hi.year, hi.month) == (lo.year, lo.month) else \
            (lo.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        out[lo.replace(day=1)] = f"{lo.day}–{last.day} {lo:%b}"
    if (hi + dt.timedelta(days=1)).day != 1:
        first = lo if (hi.year, hi.month) == (lo.year, lo.month) else hi.replace(day=1)
        out[hi.replace(day=1)] = f"{first.day}–{hi.day} {hi:%b}"
    return out


def _toy_types(scan, hl, measure: str):
    """The top toy types, plus a highlighted one ranked lower; a note when some are left out."""
    types = metrics.subcategory_bars(scan)
    order = types[measure].rank(ascending=False, method="first")
    keep = order <= TOY_TYPES_SHOWN
    if hl is not None and hl.column == "subcategory":
        keep |= types["subcategory"] == hl.value
    note = None
    if len(types) > TOY_TYPES_SHOWN:
        note = f"Top {TOY_TYPES_SHOWN} of {len(types)} toy types"
        if keep.sum() > TOY_TYPES_SHOWN:
            note += f", plus {hl.value} (highlighted)"
    return types[keep], float(types[measure].sum()), note


def figures_for(view: View, scan: metrics.OverviewScan, state: ViewState) -> dict:
    """The figures of the undrilled charts and the KPI data ("kpis": metric -> value, changes,
    monthly trend; "hl_note": the highlighted member's part, as the tiles show it)."""
    measure, hl, domain_ = state.measure, state.highlight, view.domain
    if scan.is_empty:
        blank = theme.empty()
        return {"empty": True, "kpis": {}, "hl_note": None, "numbers": Numbers(),
                **{key: blank for key in GRAPHS}}
    look = chart_look(view, state)
    kpis = metrics.kpis(scan)
    covered = comparable_periods(state, domain_)
    for tile in kpis.values():
        for period in {"previous", "year_ago"} - covered:
            tile[f"change_{period}"] = None
    contribution = metrics.regional_contribution(scan)
    if "previous" not in covered:
        contribution["change_share_pct"] = float("nan")
    top = metrics.top_toys_by_age(scan)
    hl_note = None
    if hl is not None:
        hl_revenue = scan.frames["age"]["hl_revenue"].sum()
        total = kpis["revenue"]["value"]
        share = hl_revenue / total if total else 0
        hl_note = {"revenue": f"{hl.value}: {look.numbers.value(hl_revenue, 'currency')} "
                              f"({share:.1%})"}
    categories = metrics.category_bars(scan)
    if "previous" in covered:
        before = metrics.previous_by(scan, "category", measure)
        categories[f"prev_{measure}"] = categories["category"].map(before).fillna(0.0)
    types, types_total, types_note = _toy_types(scan, hl, measure)
    return {
        "empty": False, "kpis": kpis, "hl_note": hl_note, "numbers": look.numbers,
        "notes": [types_note] if types_note else [],
        "trend": charts.trend_chart(metrics.monthly_sales_trend(scan, state.trend_by),
                                    state.trend_by, measure, hl, scan.festivals, look=look),
        "top": charts.bar_chart(top, "product_name", measure, hl, height=420, look=look)
        if "age_group" in domain_.unavailable else
        charts.top_toys_chart(top, measure, hl, look=look, top_n=state.top_n),
        "contrib": charts.contribution_chart(contribution, hl, look=look),
        "heatmap": charts.heatmap_chart(metrics.regional_heatmap(scan, measure), measure, hl,
                                        look=look),
        "category": charts.bar_chart(categories, "category", measure, hl, look=look),
        "subcategory": charts.bar_chart(types, "subcategory", measure, hl, look=look,
                                        total=types_total, note=types_note,
                                        height=max(340, 22 * len(types) + 60)),
        "age": charts.share_chart(metrics.age_share(scan), "age_group", hl, look=look),
        "gender": charts.share_chart(metrics.gender_share(scan), "gender", hl, look=look),
    }


def _chart_highlight(hl: Highlight | None, axis: str, column: str) -> Highlight | None:
    """A drilled chart shows a highlight of its own members, or of another dimension; one of a
    level above it (the region, when showing states) would light everything or nothing."""
    if hl is None or hl.column == column or hl.column not in drill.LEVELS[axis]:
        return hl
    return None


def by_stores(state: ViewState) -> bool:
    """Do the contribution and heat map compare the stores under the place path?"""
    return state.places == "stores" and len(state.geo) < drill.STORE_STEP


def place_column(state: ViewState) -> str:
    """The column the contribution and heat map show for this state."""
    return "store_id" if by_stores(state) else drill.level_of("geo", state.geo)


def drilled_figures(view: View, state: ViewState, flt: Filter, scope: Scope) -> dict:
    """Contribution and heat map one level below the place path (or its stores, compared);
    categories below the toy path; `flt` and `scope` are the page's focus (`focus`)."""
    if not state.geo and not state.prod and not by_stores(state):
        return {}
    look = chart_look(view, state)
    previous = metrics.comparison_periods(state.filter.start, state.filter.end)["previous"]
    covered = comparable_periods(state, view.domain)
    out = {}
    if state.geo or by_stores(state):
        column = place_column(state)
        hl = _chart_highlight(state.highlight, "geo", column)
        level = drill.level_data(view.warehouse, flt, scope, "geo", state.geo, previous, hl,
                                 by=column)
        frame = drill.labelled(level, drill_members(view, "geo"))
        shares = drill.contribution(frame, column)
        if "previous" not in covered:
            shares["change_share_pct"] = float("nan")
        rows = max(340, 26 * len(shares) + 80)
        out["contrib"] = charts.contribution_chart(shares, hl, look=look, column=column,
                                                   height=rows)
        out["heatmap"] = charts.heatmap_chart(drill.heatmap(frame, state.measure), state.measure,
                                              hl, look=look, column=column,
                                              height=max(340, 22 * len(shares) + 120))
    if state.prod:
        column = drill.level_of("prod", state.prod)
        hl = _chart_highlight(state.highlight, "prod", column)
        level = drill.level_data(view.warehouse, flt, scope, "prod", state.prod, previous, hl)
        bars = drill.bars(level.frame, column, state.measure)
        if "previous" not in covered:
            bars = bars.drop(columns=[f"prev_{state.measure}"])
        out["category"] = charts.bar_chart(bars, column, state.measure, hl, look=look,
                                           height=max(340, 22 * len(bars) + 60))
    return out
