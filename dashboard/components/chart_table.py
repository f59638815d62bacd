"""A table view per chart: the keyboard and screen-reader equivalent of its marks.

Chart marks cannot be reached by keyboard, so each chart card has a "Show table" button that
lists what its tooltips say: one row per mark, the first tooltip line as the row header and
each "Label: value" line as a column. Reading the tooltips keeps the table true to the chart
(same numbers, same formats) whatever the chart draws. A clientside gate forwards the figure
only while the table is open, so closed tables cost no server round trip on a filter change.
"""

from __future__ import annotations

import html as html_text
import re

from dash import Input, Output, State, callback, clientside_callback, html

from dashboard.figures.order import bottom_up, rows_bottom_up

TAG = re.compile(r"<[^>]+>")
NOTE = "Note"


def toggle_id(key: str) -> str:
    return f"ov-table-toggle-{key}"


def slot_id(key: str) -> str:
    return f"ov-table-{key}"


def _source_id(key: str) -> str:
    return f"ov-table-src-{key}"


def table_toggle(key: str, title: str) -> html.Button:
    return html.Button(
        "Show table", id=toggle_id(key), type="button", n_clicks=0,
        className="btn btn-sm btn-outline-secondary chart-table-toggle text-nowrap",
        title=f"{title} as a table", **{"aria-expanded": "false", "aria-controls": slot_id(key)},
    )


def table_slot(key: str):
    """Where the table appears, plus the store the clientside gate fills while it is open."""
    from dash import dcc

    return html.Div([dcc.Store(id=_source_id(key)), html.Div(id=slot_id(key),
                                                             className="chart-table")])


def _plain(tip: str) -> list[str]:
    """A Plotly tooltip (app-made HTML, data already escaped) as plain text lines."""
    return [html_text.unescape(TAG.sub("", line)).strip()
            for line in re.split(r"<br\s*/?>", tip) if TAG.sub("", line).strip()]


def _tips(figure: dict, trace: dict) -> list[str]:
    tips = trace.get("hovertext") or trace.get("text") or []
    if isinstance(tips, str):
        return [tips]
    flat = []
    if rows_bottom_up(figure, trace):  # a heat map's tooltips are a list per row
        tips = list(tips)[::-1]
    for tip in tips:
        flat.extend(tip if isinstance(tip, list) else [tip])
    flat = [t for t in flat if isinstance(t, str)]
    # A table reads top-down, as the eye does; most horizontal bars are drawn bottom-up.
    return flat[::-1] if bottom_up(figure, trace) else flat


def table_rows(figure: dict | None) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """(value column names, [(row header, {column: value})]) from a figure's tooltips."""
    columns: list[str] = []
    rows = []
    for trace in (figure or {}).get("data", []):
        for tip in _tips(figure, trace):
            lines = _plain(tip)
            if not lines:
                continue
            cells: dict[str, str] = {}
            for line in lines[1:]:
                label, sep, value = line.partition(": ")
                label, value = (label, value) if sep else (NOTE, line)
                cells[label] = f"{cells[label]}; {value}" if label in cells else value
                if label not in columns:
                    columns.append(label)
            rows.append((lines[0], cells))
    if NOTE in columns:  # notes read best last
        columns = [c for c in columns if c != NOTE] + [NOTE]
    return columns, rows


def figure_table(figure: dict | None, caption: str, row_label: str):
    """An accessible table (caption, column and row headers) of what the chart shows."""
    columns, rows = table_rows(figure)
    if not rows:
        return html.P(f"{caption}: nothing to show for these filters.", className="small mb-0")
    head = html.Thead(html.Tr([html.Th(row_label, scope="col"),
                               *(html.Th(c, scope="col") for c in columns)]))
    body = html.Tbody([
        html.Tr([html.Th(name, scope="row", className="fw-normal"),
                 *(html.Td(cells.get(c, "")) for c in columns)])
        for name, cells in rows
    ])
    return html.Div(
        html.Table([html.Caption(caption, className="caption-top"), head, body],
                   className="table table-sm table-striped small mb-0"),
        className="table-responsive chart-table-scroll", tabIndex=0, role="region",
        **{"aria-label": caption},
    )


def register(charts: dict[str, tuple[str, str]]) -> None:
    """Callbacks for each chart key -> (caption, row label): toggle, gate, table."""
    for key, (caption, row_label) in charts.items():
        clientside_callback(
            """
            function(clicks, figure) {
                const open = (clicks || 0) % 2 === 1;
                const ctx = window.dash_clientside.callback_context;
                const nu = window.dash_clientside.no_update;
                const byFigure = ctx.triggered.length &&
                    ctx.triggered[0].prop_id.endsWith('.figure');
                if (!open) { return [byFigure ? nu : null, "Show table", "false"]; }
                return [figure, "Hide table", "true"];
            }
            """,
            Output(_source_id(key), "data"),
            Output(toggle_id(key), "children"),
            Output(toggle_id(key), "aria-expanded"),
            Input(toggle_id(key), "n_clicks"),
            Input(f"ov-{key}", "figure"),
        )

        @callback(Output(slot_id(key), "children"), Input(_source_id(key), "data"),
                  State(toggle_id(key), "n_clicks"), prevent_initial_call=True)
        def _table(figure, clicks, caption=caption, row_label=row_label):
            if figure is None or not (clicks or 0) % 2:
                return None
            return figure_table(figure, caption, row_label)
