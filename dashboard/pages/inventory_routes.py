"""The Inventory page's routes: record a movement (POST, CSRF-checked, audited), the alerts list
as CSV, and a store's draft purchase order as CSV or PDF. Behind the sign-in gate like every
route; the scope comes from the signed-in account only (scope_for_request), and a store outside
it is 'not found'. A refused movement changes nothing and sends the browser back with a fixed
notice key (pages/inventory.py NOTICES).
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

import flask
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from dashboard import services
from dashboard.auth import audit, db
from dashboard.auth.permissions import require_signed_in
from dashboard.auth.scope import scope_for_request
from dashboard.csv_safe import SafeWriter
from dashboard.inventory import demand, movements, po, query, snapshot
from dashboard.inventory.status import Status
from dashboard.pages import inventory_report
from dashboard.queries.filters import ScopeError

PAGE = "/inventory"
FORM_FIELDS = ("store", "product", "qty", "date", "batch", "expiry", "reason", "to_store")


def _back(notice: str, **keep) -> flask.Response:
    pairs = {"notice": notice, **{k: v for k, v in keep.items() if v}}
    return flask.redirect(f"{PAGE}?{urlencode(pairs)}", code=303)


def cached_rates(svc, scope):
    """Demand rates per data version and scope (they change only with the data)."""
    def compute():
        end = snapshot.sales_end(svc.warehouse)
        return demand.demand(svc.warehouse, scope, end)

    return svc.cached("inventory-demand", scope, (), compute)


def request_status(q: query.InventoryQuery | None = None) -> tuple[dict, Status]:
    """The page's report for this request; demand and the snapshot cached per data version and
    scope, movements read afresh (they change between requests)."""
    svc = services.current()
    scope = scope_for_request()
    snap = svc.cached("inventory-snapshot", scope, (),
                      lambda: snapshot.read(svc.warehouse, scope))
    return inventory_report.build(svc.warehouse, scope, q or query.InventoryQuery(), db.current(),
                                  rates=cached_rates(svc, scope), snap=snap)


def move() -> flask.Response:
    account = require_signed_in()
    form = flask.request.form
    back = {"store": str(form.get("back_store") or "")[:64]}
    try:
        validate_csrf(form.get("csrf_token"))
    except ValidationError:
        return _back("expired", **back)
    try:
        scope = scope_for_request()
    except ScopeError:
        flask.abort(403)
    kind = str(form.get("kind") or "")
    try:
        place = movements.place_for(services.current().warehouse, scope)
        done = movements.record(db.current(), place, account.username, kind,
                                {k: form.get(k) for k in FORM_FIELDS},
                                address=flask.request.remote_addr)
    except movements.StockError as exc:
        return _back(exc.code, **back)
    return _back(f"done-{done.kind}", **back)


def alerts_csv() -> flask.Response:
    q = query.parse(flask.request.query_string.decode("utf-8", "replace")[:2000])
    report, _ = request_status(q)
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(query.COLUMNS)
    writer.writerows(report["charts"][1]["rows"])
    return flask.Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="toypulse-inventory-alerts.csv"',
        "Cache-Control": "no-store"})


def _po(fmt: str) -> flask.Response:
    account = require_signed_in()
    store = str(flask.request.args.get("store") or "")[:64]
    _, status = request_status()
    names = dict(zip(status.items["store_id"], status.items["store_name"], strict=True))
    if store not in names:  # outside the scope, or unknown: the same answer
        flask.abort(404)
    audit.record_event("purchase_order", f"store {store}",
                       f"draft {fmt}, {len(po.lines(status, store))} line(s)")
    stamp = dt.date.today().isoformat()
    name = f"toypulse-po-{store}-{stamp}.{fmt}"
    if fmt == "csv":
        body, mimetype = po.to_csv(status, store), "text/csv"
    else:
        body = po.to_pdf(po.to_html(status, store, names[store], account.label))
        mimetype = "application/pdf"
    return flask.Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def po_csv() -> flask.Response:
    return _po("csv")


def po_pdf() -> flask.Response:
    return _po("pdf")


def register(server: flask.Flask) -> None:
    server.add_url_rule(f"{PAGE}/move", "inventory_move", move, methods=["POST"])
    server.add_url_rule(f"{PAGE}/alerts.csv", "inventory_alerts_csv", alerts_csv)
    server.add_url_rule(f"{PAGE}/po.csv", "inventory_po_csv", po_csv)
    server.add_url_rule(f"{PAGE}/po.pdf", "inventory_po_pdf", po_pdf)
