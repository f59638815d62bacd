"""The app's export routes: a chart's CSV and a page's printable view, within the request's scope.

`/export/<page>/<chart>.csv?<query>` and `/print/<page>?<query>` take the page's own URL query
(the view), and the scope from the signed-in account only (scope_for_request), so a forged
query can narrow a view but never widen it. Both are behind the sign-in gate like every page.
The print page loads plotly.js and print.js from `/print/static/` (this server, no CDN).
"""

from __future__ import annotations

import importlib

import flask

from dashboard import services
from dashboard.auth.scope import scope_for_request
from dashboard.report import export, printable
from dashboard.report.registry import PAGES, page_function

STATIC_FILES = {"plotly.min.js": printable.PLOTLY_JS, "print.js": printable.PRINT_JS}
SCRIPTS = printable.Scripts("/print/static/plotly.min.js", "/print/static/print.js")
BACK = {"overview": "/"}  # a page's own address, where it is not /<page>


def _query() -> str:
    return flask.request.query_string.decode("utf-8", "replace")[:8000]


def request_report(page: str) -> dict:
    """page's report for this request: the account's scope, the served warehouse, its cache
    (a page whose module offers report_for_view shares the page's cached figures)."""
    if page not in PAGES:
        flask.abort(404)
    svc = services.current()
    scope = scope_for_request()
    module = importlib.import_module(PAGES[page].partition(":")[0])
    if hasattr(module, "report_for_request"):  # a page that reads more than the query
        return module.report_for_request(svc, scope, _query())
    if hasattr(module, "report_for_view"):
        from dashboard.pages.overview_view import View

        view = View(svc.warehouse, scope, svc.domain(scope), svc.cached)
        return module.report_for_view(view, _query())
    return page_function(page)(svc.warehouse, scope, _query())


def chart_csv(page: str, chart: str) -> flask.Response:
    report = request_report(page)
    found = next((c for c in report["charts"] if c["id"] == chart), None)
    if found is None:
        flask.abort(404)
    return flask.Response(
        export.chart_csv(found), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="toypulse-{page}-{chart}.csv"',
                 "Cache-Control": "no-store"})  # one account's data: never a shared cache


def print_page(page: str) -> flask.Response:
    report = request_report(page)
    back = BACK.get(page, f"/{page}") + (report.get("query") or "")
    toolbar = ('<div class="toolbar"><button type="button" id="print-button">Print or save as '
               f'PDF</button> <a href="{printable.escape(back)}">Back to the page</a></div>')
    return flask.Response(printable.page([report], SCRIPTS, toolbar=toolbar),
                          mimetype="text/html")


def static_file(name: str) -> flask.Response:
    if name not in STATIC_FILES:
        flask.abort(404)
    return flask.send_file(STATIC_FILES[name], mimetype="text/javascript", max_age=3600)


def register(server: flask.Flask) -> None:
    server.add_url_rule("/export/<page>/<chart>.csv", "report_chart_csv", chart_csv)
    server.add_url_rule("/print/static/<name>", "report_static", static_file)
    server.add_url_rule("/print/<page>", "report_print", print_page)
