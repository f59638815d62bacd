"""The Inventory page's machine-readable twin: `page_report(warehouse, scope, query) -> dict`.

Pure of Flask like the other reports: the page, `dashboard report --page inventory`, the exports
and the print page call it. Stock movements live in the app database: the caller may pass it;
otherwise it is the request's (inside the app) or the configured one (command line). A `store`
in the query outside the viewer's stores matches nothing and is counted in a note, never named.
"""

from __future__ import annotations

import datetime as dt

from dashboard.figures import theme
from dashboard.figures.formats import Numbers, text
from dashboard.inventory import demand, forecast_basis, query, status
from dashboard.inventory.policy import ALERT_KINDS, ALERT_LABELS
from dashboard.queries.filters import Scope
from dashboard.report.tables import marks

NO_SNAPSHOT = ("This data has no stock snapshot (import an inventory file with store, product "
               "and stock on hand): stock on hand counts only the movements recorded here.")


def app_database():
    """The request's app database inside the app, else the configured one."""
    import flask

    from dashboard.auth import db

    if flask.has_app_context():
        return db.current()
    from dashboard.auth.commands import open_db

    return open_db()


def alerts_figure(alerts) -> dict:
    counts = alerts["alert"].value_counts()
    kinds = [k for k in ALERT_KINDS if counts.get(k, 0)]
    labels = [ALERT_LABELS[k] for k in kinds]
    return {"data": [{"type": "bar", "orientation": "h", "name": "Alerts",
                      "y": [text(x) for x in reversed(labels)],
                      "x": [int(counts[k]) for k in reversed(kinds)],
                      "customdata": [[k, ALERT_LABELS[k]] for k in reversed(kinds)],
                      "marker": {"color": theme.ACCENT},
                      "hovertemplate": "%{y}: %{x:,} item(s)<extra></extra>"}],
            "layout": {"height": 60 + 32 * max(len(kinds), 1), "margin": {"l": 110, "r": 16,
                                                                        "t": 8, "b": 32},
                       "font": {"family": theme.FONT, "color": theme.INK},
                       "xaxis": {"title": {"text": "Items"}, "gridcolor": theme.GRID},
                       "plot_bgcolor": "white", "paper_bgcolor": "white"}}


FIGURE_ROWS = 300  # rows the printed table draws; `rows` (CSV, JSON) has every alert


def table_figure(columns: list[str], rows: list[list]) -> dict:
    """The alerts list as a Plotly table, so the print page and PDF show the rows themselves
    (the first FIGURE_ROWS, sorted as asked: a PDF of 9,000 rows helps nobody)."""
    shown = rows[:FIGURE_ROWS]
    cells = [[text("" if r[i] is None else r[i]) for r in shown] for i in range(len(columns))]
    widths = [70, 150, 45, 170, 50, 45, 45, 50, 55, 30, 30, 110, 70, 50, 150]  # names: room
    return {"data": [{"type": "table", "columnwidth": widths[:len(columns)],
                      "header": {"values": [text(c) for c in columns], "font": {"size": 10}},
                      "cells": {"values": cells, "font": {"size": 10}, "align": "left"}}],
            "layout": {"height": 80 + 24 * min(len(shown), 60),
                       "margin": {"l": 4, "r": 4, "t": 4, "b": 4}}}


def basis_note(st: status.Status, items) -> str:
    """Which demand the rows use, in one sentence (the table's "Demand basis" says it per row)."""
    if not st.forecast_kept:
        return ("Demand basis: no store forecast is kept for this data version yet (`dashboard "
                "inventory --ahead` fits it after each load), so every row uses the 8-week "
                "mean.")
    on = int((items["basis"] != forecast_basis.RECENT).sum())
    return (f"Demand basis: {on:,} of {len(items):,} items use their store's forecast split by "
            f"the item's share of the store's units over the last 8 weeks; the rest (stores "
            f"with too little history, items without sales) use the 8-week mean.")


def build(warehouse, scope: Scope, q: query.InventoryQuery, database=None,
          today: dt.date | None = None, rates=None, snap=None) -> tuple[dict, status.Status]:
    database = database if database is not None else app_database()
    st = status.for_viewer(warehouse, database, scope, today=today, rates=rates, snap=snap)
    notes = []
    if st.as_of is None:
        notes.append(NO_SNAPSHOT)
    if q.store and not (st.items["store_id"].eq(q.store).any()
                        or st.batches["store_id"].eq(q.store).any()):
        notes.append("1 store outside your stores: it shows nothing.")
    every = st.alerts()
    alerts = query.select(every, q)
    rows = query.rows(alerts)
    numbers = Numbers()
    items = st.items if not q.store else st.items[st.items["store_id"] == q.store]
    all_alerts = every if not q.store else every[every["store_id"] == q.store]
    notes.append(basis_note(st, items))
    counts = all_alerts["alert"].value_counts()
    order_value = float(items["order_value"].fillna(0).sum())
    tiles = [
        {"id": "on_hand", "label": "Stock on hand (units)",
         "value": float(items["on_hand"].clip(lower=0).sum()),
         "text": numbers.value(float(items["on_hand"].clip(lower=0).sum()))},
        {"id": "items", "label": "Items (store × product)", "value": float(len(items)),
         "text": f"{len(items):,}"},
        *({"id": k, "label": ALERT_LABELS[k], "value": float(counts.get(k, 0)),
           "text": f"{int(counts.get(k, 0)):,}"} for k in ALERT_KINDS),
        {"id": "order_value", "label": "Suggested orders (cost)", "value": order_value,
         "text": numbers.value(order_value, "currency")},
    ]
    by_kind = alerts_figure(all_alerts)
    table = table_figure(query.COLUMNS, rows)
    where = "your stores" if scope.stores is not None else (
        ", ".join(sorted(scope.regions)) if scope.regions is not None else "every store")
    report = {
        "page": "inventory", "title": "Inventory",
        "data_version": warehouse.version,
        "filters": (f"{where}; stock as of {st.as_of or 'no snapshot'} plus {st.movements} "
                    f"movement(s) since"
                    + (f"; {ALERT_LABELS[q.alert]}" if q.alert else "")),
        "query": q.to_query(),
        "notes": notes,
        "tiles": tiles,
        "charts": [
            {"id": "alerts_by_kind", "title": "Alerts by kind", "figure": by_kind,
             "columns": ["Series", "Alert", "Items"], "rows": marks(by_kind)},
            {"id": "alerts", "title": "Alerts" if len(rows) <= FIGURE_ROWS else
             f"Alerts (the first {FIGURE_ROWS:,} of {len(rows):,}; the CSV has them all)",
             "figure": table, "columns": query.COLUMNS, "rows": rows},
        ],
        "narrative": [demand.DESCRIPTION.format(end=st.sales_end), forecast_basis.DESCRIPTION,
                      st.settings.describe(),
                      "ABC by revenue over the same 8 weeks (A: the items making the first 80% "
                      "of revenue, B: the next 15%, C: the rest); XYZ by the coefficient of "
                      "variation of weekly units (X below 0.5, Y below 1.0, Z above or no "
                      "sales)."],
    }
    return report, st


def page_report(warehouse, scope: Scope, query_string: str, database=None,
                today: dt.date | None = None) -> dict:
    return build(warehouse, scope, query.parse(query_string), database, today)[0]
