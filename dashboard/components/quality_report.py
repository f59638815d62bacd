"""The data-quality report of an import (or its preview) as page components: a pure function
of the report. The preview and the final report show the same sections, so the totals a user
confirms can be compared with the totals served."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def _table(header: list[str], rows: list[list], id_: str | None = None) -> dbc.Table:
    props = {"id": id_} if id_ else {}
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in header])),
         html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
        size="sm", bordered=False, hover=True, responsive=True, className="small mb-2", **props)


def _amount(value, code: str) -> str:
    return "— (not in the file)" if value is None else f"{value:,.2f} {code}"


def totals_block(report: dict) -> list:
    """The totals the import produces, in the dataset's currency."""
    totals, currency = report.get("totals") or {}, report.get("currency") or {}
    if not totals:
        return []
    code = currency.get("code", "")
    rows = [["Lines", f"{totals['lines']:,}"], ["Orders", f"{totals['orders']:,}"],
            ["Units", "— (not in the file)" if totals.get("units") is None
             else f"{totals['units']:,}"],
            ["Revenue", _amount(totals.get("revenue"), code)],
            ["Cost", _amount(totals.get("cost"), code)],
            ["Profit", _amount(totals.get("profit"), code)],
            ["Dates", f"{totals.get('first_date')} to {totals.get('last_date')}"]]
    if totals.get("discount_avg") is not None:
        rows.append(["Average discount", f"{totals['discount_avg']:.1%}"])
    return [html.H3("Totals", className="h6 mt-3"),
            _table(["", "Total"], rows, "data-report-totals"),
            html.P([html.Strong("Currency: "), f"{code} ", html.Span(
                f"({currency.get('how', '')})", className="text-muted")],
                className="small", id="data-report-currency") if currency else None]


def _why(d: dict) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in d["why"].items())


def dimensions_block(report: dict) -> list:
    dims = report.get("dimensions") or []
    if not dims:
        return []
    rows = [[d["label"], d["source"],
             ", ".join(f"{k}: {v:,}" for k, v in d["lines"].items()),
             f"{d['unknown']:,}" if d["unknown"] else "0", _why(d)] for d in dims]
    return [html.H3("Where each dimension comes from", className="h6 mt-3"),
            _table(["Dimension", "Source", "Lines", "Unknown", "Why Unknown"], rows,
                   "data-report-dimensions")]


def conflicts_block(report: dict) -> list:
    conflicts = report.get("conflicts") or []
    if not conflicts:
        return []
    rows = []
    for c in conflicts:
        examples = "; ".join(
            f"{e['id']}: " + ", ".join(f"{v} ({n:,} lines)" for v, n in e["values"].items())
            for e in c["examples"][:3])
        rows.append([f"{c['key']} → {c['attribute']}", f"{c['ids']:,}", f"{c['lines']:,}",
                     examples])
    return [html.H3("Ids with conflicting attributes", className="h6 mt-3"),
            html.P("Each line keeps what it says; charts group by the line's own value.",
                   className="small text-muted mb-1"),
            _table(["Id → attribute", "Ids", "Lines", "Examples"], rows,
                   "data-report-conflicts")]


def quality_report(report: dict, rejected_href: str | None = None,
                   preview: bool = False) -> html.Div:
    n = report["rows_read"], report["rows_kept"], report["rows_rejected"]
    verb = ("will be kept", "will be rejected") if preview else ("kept", "rejected")
    parts = [
        html.P([html.Strong(f"{n[0]:,}"), " rows read, ", html.Strong(f"{n[1]:,}"),
                f" {verb[0]}, ", html.Strong(f"{n[2]:,}"), f" {verb[1]}."],
               id="data-report-summary"),
        _table(["File", "Used as", "Read", "Kept", "Rejected"],
               [[t["name"], t["role"], f"{t['read']:,}", f"{t['kept']:,}", f"{t['rejected']:,}"]
                for t in report["tables"]], "data-report-tables"),
        *totals_block(report),
    ]
    if report["fixed"]:
        parts += [html.H3("Rules that change values", className="h6 mt-3"),
                  _table(["Rule", "Cells", "What"],
                         [[f["rule"], f"{f['count']:,}", f["what"]] for f in report["fixed"]],
                         "data-report-fixed")]
    if report["rejected"]:
        link = (html.A("Download rejected rows (CSV)", href=rejected_href,
                       id="data-rejected-link", className="btn btn-sm btn-outline-danger")
                if rejected_href else None)
        parts += [html.H3("Rejected", className="h6 mt-3"),
                  _table(["Reason", "Rows"],
                         [[r["reason"], f"{r['count']:,}"] for r in report["rejected"]],
                         "data-report-rejected"),
                  _table(["File", "Row", "Column", "Value", "Reason"],
                         [[e["file"], f"{e['row']:,}", e["column"], e["value"], e["reason"]]
                          for e in report.get("rejected_examples", [])],
                         "data-report-rejected-rows") if preview else None, link]
    if report["flags"]:
        rows = []
        for f in report["flags"]:
            examples = "; ".join(f"row {e['row']}: {e['reason']}"
                                 for e in f.get("examples", [])[:3])
            rows.append([f["flag"], f"{f['count']:,}", f["what"], examples])
        parts += [html.H3("Flagged (kept)", className="h6 mt-3"),
                  _table(["Flag", "Rows", "What", "Examples"], rows, "data-report-flags")]
    parts += conflicts_block(report) + dimensions_block(report)
    if report["notes"]:
        parts += [html.H3("Notes", className="h6 mt-3"),
                  html.Ul([html.Li(n) for n in report["notes"]], className="small")]
    return html.Div(parts, id="data-report-preview" if preview else "data-report")
