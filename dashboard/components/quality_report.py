"""The data-quality report of an import as page components (a pure function of the report)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def _table(header: list[str], rows: list[list], id_: str | None = None) -> dbc.Table:
    props = {"id": id_} if id_ else {}
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in header])),
         html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
        size="sm", bordered=False, hover=True, responsive=True, className="small mb-2", **props)


def quality_report(report: dict, rejected_href: str | None = None) -> html.Div:
    n = report["rows_read"], report["rows_kept"], report["rows_rejected"]
    parts = [
        html.P([html.Strong(f"{n[0]:,}"), " rows read, ", html.Strong(f"{n[1]:,}"), " kept, ",
                html.Strong(f"{n[2]:,}"), " rejected."], id="data-report-summary"),
        _table(["File", "Used as", "Read", "Kept", "Rejected"],
               [[t["name"], t["role"], f"{t['read']:,}", f"{t['kept']:,}", f"{t['rejected']:,}"]
                for t in report["tables"]], "data-report-tables"),
    ]
    if report["fixed"]:
        parts += [html.H3("Fixed", className="h6 mt-3"),
                  _table(["Rule", "Values", "What"],
                         [[f["rule"], f"{f['count']:,}", f["what"]] for f in report["fixed"]],
                         "data-report-fixed")]
    if report["rejected"]:
        link = (html.A("Download rejected rows (CSV)", href=rejected_href,
                       id="data-rejected-link", className="btn btn-sm btn-outline-danger")
                if rejected_href else None)
        parts += [html.H3("Rejected", className="h6 mt-3"),
                  _table(["Reason", "Rows"],
                         [[r["reason"], f"{r['count']:,}"] for r in report["rejected"]],
                         "data-report-rejected"), link]
    if report["flags"]:
        parts += [html.H3("Flagged (kept)", className="h6 mt-3"),
                  _table(["Flag", "Rows", "What"],
                         [[f["flag"], f"{f['count']:,}", f["what"]] for f in report["flags"]])]
    if report["notes"]:
        parts += [html.H3("Notes", className="h6 mt-3"),
                  html.Ul([html.Li(n) for n in report["notes"]], className="small")]
    return html.Div(parts, id="data-report")
