"""The profit and loss page's machine-readable twin: `page_report(warehouse, scope, query)`.

Pure of Flask, like the Overview's (overview_report.py, whose filter sentence and "values you
cannot see" notes it reuses). The figures come from profit_view.compute, the page's own code
path; each chart's rows are read back from its figure (report/tables.py). Charts the data
cannot support (no cost, no ship dates, states that are not US states) are left out, and a note
says why.
"""

from __future__ import annotations

from dashboard.components import view_state
from dashboard.pages import overview_report, profit_view
from dashboard.pages.overview_view import View
from dashboard.queries import drill
from dashboard.queries.filters import Scope
from dashboard.report.tables import marks

TITLE = "Profit and loss"
EMPTY_NOTE = overview_report.EMPTY_NOTE


def _level(axis: str, path: tuple[str, ...], plural: bool = False) -> str:
    return drill.NAMES[drill.level_of(axis, path)][1 if plural else 0]


def chart_specs(state: profit_view.ProfitState, has_cost: bool) -> dict[str, tuple[str, list]]:
    """Chart id -> (title, column names), in the page's order."""
    value = "Gross profit" if has_cost else "Revenue"
    prod, place = _level("prod", state.prod), _level("geo", state.geo)
    prod_title = f"{value} by {prod}" + (f" in {' › '.join(state.prod)}" if state.prod else "")
    geo_title = f"{value} by {place}" + (f" in {' › '.join(state.geo)}" if state.geo else "")
    return {
        "pl-prod": (prod_title, ["Series", prod.capitalize(), value]),
        "pl-geo": (geo_title, ["Series", place.capitalize(), value]),
        "pl-map": ("Gross margin by state" if has_cost else "Revenue by state",
                   ["Series", "State", "Gross margin" if has_cost else "Revenue"]),
        "pl-loss-toys": ("Loss-making toys", ["Series", "Toy", "Loss"]),
        "pl-loss-types": ("Loss-making toy types", ["Series", "Toy type", "Loss"]),
        "pl-loss-states": ("Loss-making states", ["Series", "State", "Loss"]),
        "pl-loss-stores": ("Loss-making stores", ["Series", "Store", "Loss"]),
        "pl-discount": ("Gross margin by discount band", ["Series", "Discount", "Gross margin"]),
        "pl-channel": ("Website vs store", ["Series", "Channel",
                                            "Gross margin" if has_cost else "Revenue"]),
        "pl-ship": ("Average days from order to ship", ["Ship mode", "Region", "Days"]),
        "pl-late": (f"Late shipments (promise: {state.promise} days)",
                    ["Series", "Ship mode", "Late share"]),
        "pl-weekday": ("Orders by weekday", ["Series", "Weekday", "Orders"]),
    }


def tile_values(out: dict) -> list[dict]:
    numbers = out["numbers"]
    tiles = [{**tile, "text": numbers.value(tile["value"], tile["kind"])}
             for tile in out["tiles"]]
    if not out["empty"] and out["has_ship_dates"] and out.get("late_share") is not None:
        tiles.append({"id": "late_share", "label": "Shipped late", "kind": "pct",
                      "value": out["late_share"],
                      "text": numbers.value(out["late_share"], "pct")})
    return tiles


def report_for_state(view: View, state: profit_view.ProfitState, notes: list[str]) -> dict:
    """The page-data dict for a checked state (the page's numbers, as this viewer sees them)."""
    state, hidden_notes = overview_report._visible(state, view)
    out = profit_view.compute(view, state)
    notes = [*notes, *hidden_notes, *out["notes"]]
    if out["empty"]:
        notes.append(EMPTY_NOTE)
    hidden = profit_view.hidden_graphs(view, out)
    charts = [{"id": key, "title": title, "figure": out[key], "columns": columns,
               "rows": [] if out["empty"] else marks(out[key])}
              for key, (title, columns) in chart_specs(state, out["has_cost"]).items()
              if key not in hidden]
    seen = overview_report._seen(state, view)
    return {
        "page": "profit", "title": TITLE, "data_version": int(view.warehouse.version),
        "filters": overview_report.filter_sentence(state, view)
        + ("" if state.promise == profit_view.DEFAULT_PROMISE
           else f"; promise {state.promise} days"),
        "query": profit_view.to_query(seen, view),
        "notes": notes, "tiles": tile_values(out), "charts": charts,
        "highlight": out.get("highlight_note", ""),
    }


def report_for_view(view: View, query: str) -> dict:
    params = overview_report.overview_view.query_dict(query)
    state, dropped = profit_view.state_from_query(view, params)
    notes = view_state.date_notes(params.get("start"), params.get("end"), view.domain)
    if dropped:
        notes.append(drill.DROPPED_NOTE)
    return report_for_state(view, state, notes)


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The profit and loss page for `query` (its URL query string) as `scope` sees it."""
    return report_for_view(View.of(warehouse, scope), query)
