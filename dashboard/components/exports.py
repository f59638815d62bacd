"""Each chart card's "Download CSV" / "Download PNG" and the page's "Print / PDF" link.

The CSV and print links point at the server's export routes (report/routes.py) with the view's
query string, kept current by one clientside callback from the page's `ov-query` store; the
server answers within the signed-in account's scope whatever the link says. PNG is Plotly's own
image export in the browser (assets/60-export.js), of the chart exactly as shown.
"""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import Input, Output, clientside_callback, html

PAGE = "overview"


def csv_href(key: str, query: str = "", page: str = PAGE) -> str:
    return f"/export/{page}/{key}.csv{query}"


def card_footer(key: str, title: str, page: str = PAGE) -> dbc.CardFooter:
    hidden = html.Span(f" of {title}", className="visually-hidden")
    return dbc.CardFooter(
        [html.A(["Download CSV", hidden], id=f"ov-csv-{key}", href=csv_href(key, page=page),
                download=f"toypulse-{page}-{key}.csv",
                className="btn btn-link btn-sm p-0 text-decoration-none"),
         html.Button(["Download PNG", hidden], id=f"ov-png-{key}", type="button",
                     className="btn btn-link btn-sm p-0 text-decoration-none",
                     **{"data-png-for": f"ov-{key}", "data-png-name": f"toypulse-{page}-{key}"})],
        className="bg-white py-1 px-2 d-flex flex-wrap justify-content-end gap-3 small",
    )


def print_link(page: str = PAGE, link_id: str = "ov-print") -> html.A:
    return html.A("Print / PDF", id=link_id, href=f"/print/{page}", target="_blank",
                  rel="noopener", className="btn btn-sm btn-outline-secondary ms-2",
                  title="A printable page of this view (print it or save it as PDF)")


def register(keys: tuple[str, ...], page: str = PAGE, query_store: str = "ov-query",
             print_id: str = "ov-print") -> None:
    """One clientside callback: the view's query string (from the page's `query_store`) into
    every export link of the page."""
    clientside_callback(
        "function(query) {\n"
        '    const q = (typeof query === "string") ? query : "";\n'
        f"    const keys = {json.dumps(list(keys))};\n"
        f'    return [...keys.map(k => "/export/{page}/" + k + ".csv" + q), "/print/{page}" + q];\n'
        "}",
        *[Output(f"ov-csv-{key}", "href") for key in keys],
        Output(print_id, "href"),
        Input(query_store, "data"),
    )
