"""Inventory (/inventory): stock on hand per store and product, the alerts list (sort, filter,
export, draft purchase orders) and the stock movement form, within the viewer's stores or
regions.

Server-rendered like Reports by mail: the filter is a GET form (the view is its URL), movements
are POST forms with a CSRF token (pages/inventory_routes.py). One callback: a new data version
(components/data_version.py) redraws the data part in place, without a reload. Numbers come from
inventory_report.build, the page-data twin, so the page, exports and `dashboard report` agree.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask_wtf.csrf import generate_csrf

from dashboard import services
from dashboard.auth.permissions import current_account
from dashboard.auth.scope import scope_for_request
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.empty_state import empty_state
from dashboard.inventory import forecast_basis, query
from dashboard.inventory.policy import ALERT_KINDS, ALERT_LABELS
from dashboard.pages.inventory_routes import PAGE, request_status
from dashboard.queries.filters import ScopeError

SHOWN = 200  # rows of the alerts list on the page (the CSV has them all)
WIDE = "d-none d-md-table-cell"
NOTICES = {
    "done-receive": ("success", "Received: the stock is updated."),
    "done-adjust": ("success", "Count saved: the stock now equals the counted quantity."),
    "done-transfer": ("success", "Transferred: stock moved to the other store."),
    "done-write_off": ("success", "Written off."),
    "expired": ("danger", "The form expired or did not come from this site; nothing changed."),
    "kind": ("danger", "Movement: choose receive, count, transfer or write-off; nothing changed."),
    "store": ("danger", "Store: that is not one of your stores; nothing changed."),
    "to-store": ("danger", "To store: there is no such store; nothing changed."),
    "same-store": ("danger", "To store: a transfer needs two different stores; nothing "
                             "changed."),
    "product": ("danger", "Product: there is no product with that id in the data; nothing "
                          "changed."),
    "qty-format": ("danger", "Quantity: write a whole number such as 12; nothing changed."),
    "qty-range": ("danger", "Quantity: must be above 0 (a count may be 0) and at most "
                            "1,000,000; nothing changed."),
    "date-format": ("danger", "Date: write it as YYYY-MM-DD; nothing changed."),
    "date-future": ("danger", "Date: it is in the future; nothing changed."),
    "date-before": ("danger", "Date: it is before the stock snapshot, which already counts "
                              "it; nothing changed."),
    "expiry-format": ("danger", "Expiry: write it as YYYY-MM-DD; nothing changed."),
    "batch": ("danger", "Batch: 1-64 letters, digits, '.', '_' or '-'; nothing changed."),
    "reason": ("danger", "Reason: a write-off is expired or damaged; nothing changed."),
    "above-stock": ("danger", "Quantity: more than the stock on hand; nothing changed."),
    "above-batch": ("danger", "Quantity: more than is left in that batch; nothing changed."),
}
KIND_OPTIONS = [{"label": "Receive", "value": "receive"},
                {"label": "Count (set to the counted quantity)", "value": "adjust"},
                {"label": "Transfer to another store", "value": "transfer"},
                {"label": "Write off", "value": "write_off"}]


def _token() -> dbc.Input:
    return dbc.Input(type="hidden", name="csrf_token", value=generate_csrf())


def _tiles(report: dict) -> dbc.Row:
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(t["label"], className="small text-muted"),
        html.Div(t["text"], className="fs-5 fw-semibold", id=f"inv-tile-{t['id']}")],
        className="p-2")), xs=6, md=3, lg=True) for t in report["tiles"]],
        className="g-2 mb-3")


def _filter_form(q: query.InventoryQuery, stores: list[tuple[str, str]]) -> html.Form:
    def field(label, control, md):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0"), control],
                       xs=6, md=md)

    return html.Form(dbc.Row([
        field("Store", dbc.Select(id="inv-store", name="store", value=q.store or "all", options=[
            {"label": "All my stores", "value": "all"},
            *({"label": f"{name} ({sid})", "value": sid} for sid, name in stores)]), 3),
        field("Alert", dbc.Select(id="inv-alert", name="alert", value=q.alert or "all", options=[
            {"label": "Every alert", "value": "all"},
            *({"label": ALERT_LABELS[k], "value": k} for k in ALERT_KINDS)]), 3),
        field("Sort by", dbc.Select(id="inv-sort", name="sort", value=q.sort, options=[
            {"label": label, "value": key} for key, (_, label) in query.SORTS.items()]), 2),
        field("Order", dbc.Select(id="inv-order", name="order", value=q.order, options=[
            {"label": "Ascending", "value": "asc"}, {"label": "Descending", "value": "desc"}]),
              2),
        dbc.Col(html.Button("Show", type="submit", id="inv-apply",
                            className="btn btn-primary w-100"),
                xs=12, md=2, className="d-flex align-items-end"),
    ], className="g-2"), action=PAGE, method="GET", id="inv-filter", className="mb-2")


def _sort_link(q: query.InventoryQuery, key: str, label: str):
    flip = "desc" if q.sort == key and q.order == "asc" else "asc"
    arrow = (" ▲" if q.order == "asc" else " ▼") if q.sort == key else ""
    href = PAGE + query.InventoryQuery(q.store, q.alert, key, flip).to_query()
    return html.A(label + arrow, href=href or PAGE, className="text-reset",
                  id=f"inv-sort-{key}")


def _write_off(row: list, store_filter: str) -> html.Form:
    return html.Form([
        _token(),
        *(dbc.Input(type="hidden", name=n, value=v) for n, v in (
            ("kind", "write_off"), ("store", row[2]), ("product", row[4]), ("batch", row[11]),
            ("qty", str(int(row[5] or 0))), ("reason", "expired"),
            ("back_store", store_filter))),
        html.Button("Write off", type="submit", className="btn btn-sm btn-outline-danger",
                    **{"aria-label": f"Write off batch {row[11]} of {row[3]}"}),
    ], action=f"{PAGE}/move", method="POST", className="d-inline m-0")


def _basis(row: list):
    """The row's demand basis under its days of cover (the full words on hover)."""
    if not row[14]:
        return None
    short = "8-week mean" if row[14] == forecast_basis.RECENT else "forecast"
    return html.Div(short, title=f"Demand basis: {row[14]}; {row[13]:,} units/day",
                    className="small text-muted text-nowrap inv-basis")


def _alerts_table(q: query.InventoryQuery, rows: list[list]):
    if not rows:
        return html.P("No alerts match.", className="m-3 text-muted", id="inv-no-alerts")
    heads = [("alert", "Alert", None), ("store", "Store", WIDE), ("product", "Product", None),
             ("on_hand", "On hand", None), ("cover", "Days of cover (demand basis)", None),
             ("reorder", "Reorder point", WIDE), ("order", "Suggested order", None),
             ("abc", "ABC/XYZ", WIDE), ("expiry", "Batch / expiry", WIDE)]
    head = html.Thead(html.Tr([html.Th(_sort_link(q, k, label), scope="col", className=cls)
                               for k, label, cls in heads] + [html.Th("", scope="col")]))
    body = []
    for i, r in enumerate(rows[:SHOWN]):
        batch = f"{r[11]} · {r[12]}" if r[11] else ""
        action = _write_off(r, q.store) if r[0] in ("Expiring soon", "Expired") else None
        body.append(html.Tr([
            html.Td(r[0], className="text-nowrap"), html.Td(r[1], className=WIDE),
            html.Td([r[3], html.Div(r[4], className="small text-muted")]),
            html.Td("–" if r[5] is None else f"{r[5]:,.0f}", className="text-end"),
            html.Td(["–" if r[6] is None else f"{r[6]:,.1f}", _basis(r)], className="text-end"),
            html.Td("–" if r[7] is None else f"{r[7]:,.1f}", className=f"text-end {WIDE}"),
            html.Td(f"{r[8]:,}" if r[8] else "–", className="text-end"),
            html.Td(f"{r[9]}{r[10]}" if r[9] else "", className=WIDE),
            html.Td(batch, className=f"small {WIDE}"), html.Td(action)],
            id=f"inv-row-{i}"))
    more = (html.P(f"Showing the first {SHOWN:,} of {len(rows):,} alerts; the CSV has them all.",
                   className="small text-muted m-2") if len(rows) > SHOWN else None)
    return html.Div([dbc.Table([head, html.Tbody(body)], id="inv-alerts", size="sm",
                               className="mb-0 align-middle small", responsive=True), more])


def _po_links(stores: list[tuple[str, str]], q: query.InventoryQuery):
    chosen = [s for s in stores if s[0] == q.store] if q.store else stores
    items = [html.Li([html.Span(f"{name} ({sid}): "),
                      html.A("CSV", href=f"{PAGE}/po.csv?store={sid}", id=f"inv-po-csv-{sid}"),
                      " · ",
                      html.A("PDF", href=f"{PAGE}/po.pdf?store={sid}", id=f"inv-po-pdf-{sid}")])
             for sid, name in chosen[:40]]
    return html.Div([html.Div("Draft purchase orders (items at or below their reorder point)",
                              className="fw-semibold small"),
                     html.Ul(items, className="small mb-0", id="inv-po-links")])


def _movement_form(stores: list[tuple[str, str]], q: query.InventoryQuery) -> dbc.Card:
    def field(label, control, md=3):
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0"), control],
                       xs=6, md=md)

    return dbc.Card([
        dbc.CardHeader("Record a stock movement", className="bg-white fw-semibold"),
        dbc.CardBody(html.Form([_token(), dbc.Input(type="hidden", name="back_store",
                                                    value=q.store), dbc.Row([
            field("Movement", dbc.Select(id="inv-kind", name="kind", options=KIND_OPTIONS,
                                         value="receive")),
            field("Store", dbc.Select(id="inv-move-store", name="store", value=q.store or (
                stores[0][0] if stores else ""),
                options=[{"label": f"{n} ({s})", "value": s} for s, n in stores])),
            field("Product id", dbc.Input(id="inv-product", name="product", maxLength=64,
                                          placeholder="P0001", required=True), 2),
            field("Quantity (count: counted)", dbc.Input(id="inv-qty", name="qty",
                                                         inputMode="numeric", maxLength=12,
                                                         required=True), 2),
            field("Date (default today)", dbc.Input(id="inv-date", name="date", type="date"), 2),
            field("Batch (optional)", dbc.Input(id="inv-batch", name="batch", maxLength=64), 2),
            field("Expiry (receive)", dbc.Input(id="inv-expiry", name="expiry", type="date"), 2),
            field("Reason (write-off)", dbc.Select(
                id="inv-reason", name="reason", value="", options=[
                    {"label": "–", "value": ""}, {"label": "Expired", "value": "expired"},
                    {"label": "Damaged", "value": "damaged"}]), 2),
            field("To store (transfer)", dbc.Input(id="inv-to-store", name="to_store",
                                                   maxLength=64), 2),
            dbc.Col(html.Button("Record", type="submit", id="inv-record",
                                className="btn btn-primary w-100"),
                    xs=12, md=2, className="d-flex align-items-end"),
        ], className="g-2")], action=f"{PAGE}/move", method="POST", id="inv-move-form",
            className="m-0")),
    ], className="mb-3")


def layout(notice: str | None = None, **params):
    account = current_account()
    if account is None:
        return html.Div()
    svc = services.current()
    if not svc.has_data():
        return empty_state(account)
    try:
        scope_for_request()
    except ScopeError:
        return dbc.Alert("Your account has no stores or regions assigned: ask an admin.",
                         color="warning")
    q = query.parse({k: v for k, v in params.items() if isinstance(v, str)})
    parts, stores = data_part(q)
    tone, words = NOTICES.get(notice if isinstance(notice, str) else "", (None, None))
    return html.Div([
        html.H1("Inventory", className="h5 mb-1"),
        dbc.Alert(words, color=tone, id="inv-notice", className="py-2 small") if words else None,
        dcc.Store(id="inv-query", data=q.to_query()),
        html.Div(parts, id="inv-data"),
        _movement_form(stores, q),
    ], style={"maxWidth": "80rem"})


def data_part(q: query.InventoryQuery) -> tuple[list, list[tuple[str, str]]]:
    """Everything drawn from the data for this view (redrawn in place on a new version)."""
    report, status = request_status(q)
    stores = sorted(set(zip(status.items["store_id"], status.items["store_name"], strict=True)),
                    key=lambda s: (s[1], s[0]))
    rows = report["charts"][1]["rows"]
    exports = html.Div([
        html.A("Download alerts CSV", href=f"{PAGE}/alerts.csv{q.to_query()}",
               id="inv-alerts-csv", className="btn btn-sm btn-outline-secondary me-2"),
        html.A("Print / PDF", href=f"/print/inventory{q.to_query()}", id="inv-print",
               className="btn btn-sm btn-outline-secondary"),
    ], className="mb-2")
    return [
        html.P(report["filters"].capitalize() + ".", className="text-muted small mb-2",
               id="inv-sentence", **{"data-version": str(report["data_version"])}),
        *(dbc.Alert(n, color="secondary", className="py-2 small") for n in report["notes"]),
        _tiles(report),
        dbc.Card([
            dbc.CardHeader(f"Alerts ({len(rows):,})", className="bg-white fw-semibold"),
            dbc.CardBody([_filter_form(q, stores), exports, _po_links(stores, q)],
                         className="pb-2"),
            _alerts_table(q, rows),
        ], className="mb-3"),
        html.Details([html.Summary("How these numbers are made", className="small"),
                      *(html.P(t, className="small text-muted mb-1")
                        for t in report["narrative"])], className="mb-3", id="inv-method"),
    ], stores


@callback(Output("inv-data", "children"), VERSION_INPUT, State("inv-query", "data"),
          prevent_initial_call=True)
def redraw(_version, shown_query):
    """A new data version redraws the data part in place; the forms and the URL stay."""
    if current_account() is None or not services.current().has_data():
        raise PreventUpdate
    try:
        scope_for_request()
    except ScopeError as exc:
        raise PreventUpdate from exc
    return data_part(query.parse(shown_query if isinstance(shown_query, str) else ""))[0]


dash.register_page(__name__, path=PAGE, name="Inventory", title="Inventory · ToyPulse",
                   order=5, layout=layout)
