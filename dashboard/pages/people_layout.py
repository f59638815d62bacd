"""Dash parts the Team and Customers pages share: the Overview's filter drawer, chart cards with
their table view and exports, KPI tiles from the report's tile dicts, and the URL and export
links kept on the current view.

The filter controls keep the Overview's ids (`ov-dates`, `ov-f-*`), so its option narrowing,
active-filter count and date notes work here unchanged; each page's own outputs are prefixed
with the page name.
"""

from __future__ import annotations

import json

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.components import chart_table, page_highlight, view_state
from dashboard.components.chart_graph import chart_graph
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.filter_bar import FIELDS, control_id
from dashboard.components.filter_drawer import filter_drawer, open_button


def graph_id(page: str, key: str) -> str:
    """`ov-<page>-<key>`: the chart table view (components/chart_table.py) reads `ov-<key>`."""
    return f"ov-{page}-{key}"


def card(page: str, key: str, title: str, width: int = 6, note: str | None = None) -> dbc.Col:
    hidden = html.Span(f" of {title}", className="visually-hidden")
    footer = dbc.CardFooter(
        [html.A(["Download CSV", hidden], id=f"{page}-csv-{key}", href=f"/export/{page}/{key}.csv",
                download=f"toypulse-{page}-{key}.csv",
                className="btn btn-link btn-sm p-0 text-decoration-none"),
         html.Button(["Download PNG", hidden], id=f"{page}-png-{key}", type="button",
                     className="btn btn-link btn-sm p-0 text-decoration-none",
                     **{"data-png-for": graph_id(page, key),
                        "data-png-name": f"toypulse-{page}-{key}"})],
        className="bg-white py-1 px-2 d-flex flex-wrap justify-content-end gap-3 small")
    header = [html.Span(title, className="fw-semibold", id=f"{page}-title-{key}"),
              html.Div(chart_table.table_toggle(f"{page}-{key}", title), className="ms-auto")]
    body = [chart_graph(graph_id(page, key)), chart_table.table_slot(f"{page}-{key}")]
    if note:
        body.insert(0, html.P(note, className="small text-muted mb-1 px-2",
                              id=f"{page}-rule-{key}"))
    return dbc.Col(
        dbc.Card([dbc.CardHeader(header, className="d-flex align-items-center gap-2 bg-white"),
                  dbc.CardBody(body, className="p-1"), footer],
                 className="h-100"),
        xs=12, lg=width, className="mb-3", id=f"{page}-card-{key}")


def tiles(tile_dicts: list[dict]) -> list:
    return [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(t["label"], className="small text-muted"),
        html.Div(t["text"], className="h4 mb-0", id=f"tile-{t['id']}"),
        html.Div(t.get("change_previous_text") or "", className="small text-muted")],
        className="py-2")), xs=6, md=4, xl=2) for t in tile_dicts]


def top(page: str, domain, state, extra=None) -> html.Div:
    """Filters (inline from 768 px, a drawer on phones), the summary line, tiles and notes."""
    return html.Div([
        filter_drawer(domain, state),
        html.H1(id=f"{page}-summary", className="h5 mb-0 ov-summary"),
        html.Div([open_button(domain, state),
                  html.A("Print / PDF", id=f"{page}-print", href=f"/print/{page}",
                         target="_blank", rel="noopener",
                         className="btn btn-sm btn-outline-secondary ms-2"),
                  *([extra] if extra is not None else [])],
                 className="ov-toolbar d-flex flex-wrap align-items-center gap-1"),
        html.Div([html.Div(id="ov-date-note", className="small text-warning-emphasis",
                           role="status"),
                  html.Ul(id=f"{page}-notes", className="small text-muted mb-1 ps-3")],
                 className="ov-notes"),
        dbc.Row(id=f"{page}-kpis", className="g-2 ov-kpis"),
    ], className="ov-top mb-2")


def notes_list(notes: list[str]) -> list:
    return [html.Li(n) for n in notes]


def register_links(page: str, keys: tuple[str, ...]) -> None:
    """One clientside callback: the view's query into the URL (the shared writer in
    assets/25-url-state.js), the CSV and the print links."""
    clientside_callback(
        "function(query) {\n"
        '    const q = (typeof query === "string") ? query : "";\n'
        "    window.dash_clientside.toypulse.writeUrl(q);\n"
        f"    const keys = {json.dumps(list(keys))};\n"
        f'    return [...keys.map(k => "/export/{page}/" + k + ".csv" + q), '
        f'"/print/{page}" + q];\n'
        "}",
        *[Output(f"{page}-csv-{key}", "href") for key in keys],
        Output(f"{page}-print", "href"),
        Input(f"{page}-query", "data"),
    )


def query_store(page: str) -> dcc.Store:
    return dcc.Store(id=f"{page}-query")


def filter_inputs(*extra) -> list:
    """A filtered page's main callback inputs: the dates, every filter field, the page's own
    `extra` inputs, then the data version (a new version redraws the page)."""
    return [Input("ov-dates", "start_date"), Input("ov-dates", "end_date"),
            *[Input(control_id(f), "value") for f in FIELDS], *extra, VERSION_INPUT]


def unpack(args: tuple, extra: int = 0) -> tuple:
    """(start, end, {field: value}, [the `extra` inputs' values]) from `filter_inputs`' values
    in order (the version's value, last, only triggers)."""
    start, end, rest = args[0], args[1], list(args[2:])
    fields = dict(zip(FIELDS, rest[:len(FIELDS)], strict=True))
    extras = (rest[len(FIELDS):len(FIELDS) + extra] + [None] * extra)[:extra]
    return start, end, fields, extras


def checked_filter(view, start, end, fields: dict):
    """The Filter for these (forgeable) inputs; anything malformed leaves the page as it is."""
    try:
        return view_state.make_filter(start, end, view.domain, **fields)
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc


def highlight_parts(page: str, hint: str, asked) -> list:
    """The page's highlight store (from the URL's `hl`), its hint, the sentence saying what is
    lit, and "Clear highlight"."""
    return [dcc.Store(id=f"{page}-highlight", data=asked.as_data() if asked else None),
            html.Div([html.Span(hint, className="text-muted"),
                      html.Div(id=f"{page}-highlight-note", className="text-primary-emphasis",
                               role="status"),
                      dbc.Button("Clear highlight", id=f"{page}-clear-highlight", size="sm",
                                 color="secondary", outline=True, disabled=asked is None)],
                     className="small d-flex flex-wrap align-items-center gap-2 mb-2")]


def register_highlight(page: str, keys: tuple[str, ...], kinds: tuple[str, ...],
                       drill: tuple[str, tuple[str, ...]] | None = None) -> None:
    """One callback: a click on a bar of `keys`' charts lights the member its customdata names
    (a kind of `kinds`; again: clears), "Clear highlight" clears. With `drill` (the click-mode
    radio's id, the kinds a click drills into), those clicks drill instead unless the mode is
    "highlight"."""
    graphs = [graph_id(page, key) for key in keys]
    mode = [State(drill[0], "value")] if drill else []

    @callback(Output(f"{page}-highlight", "data"),
              *[Input(graph, "clickData") for graph in graphs],
              Input(f"{page}-clear-highlight", "n_clicks"),
              *mode, State(f"{page}-highlight", "data"), prevent_initial_call=True)
    def highlight_click(*args):
        if ctx.triggered_id == f"{page}-clear-highlight":
            return None
        click = dict(zip(graphs, args, strict=False)).get(ctx.triggered_id)
        clicked = page_highlight.clicked(click, kinds)
        if clicked is None:
            return dash.no_update
        if drill and args[-2] != "highlight" and clicked.kind in drill[1]:
            return dash.no_update  # this click drills (the page's drill callback)
        return page_highlight.toggle(args[-1], clicked, kinds)
