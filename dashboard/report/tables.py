"""The numbers behind a figure's marks, as columns and rows, read from the figure itself.

Reading the figure (not the frames it was made from) keeps the table true to the chart: the
same members, values and order, whatever the chart function chose to draw. Rows read as the eye
reads the chart: horizontal bars top-down, lines and heat maps left to right. Member names come
from each mark's customdata (the raw value) or, failing that, its label with the escaping that
formats.text added for Plotly undone.
"""

from __future__ import annotations

import html
import math

from dashboard.figures.order import bottom_up, rows_bottom_up


def _plain(label) -> str:
    return html.unescape(str(label))


def _number(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _member(trace: dict, index: int, label) -> str:
    custom = trace.get("customdata")
    if isinstance(custom, list) and index < len(custom):
        point = custom[index]
        if isinstance(point, list) and len(point) == 2 and point[1]:
            return str(point[1])
    return _plain(label)


def _groups(data: list[dict]) -> dict[str, str]:
    """Small multiples (one y axis per group, e.g. top toys per age group): axis -> group name,
    the name of the first trace drawn on it."""
    groups: dict[str, str] = {}
    for trace in data:
        groups.setdefault(trace.get("yaxis", "y"), _plain(trace.get("name", "")))
    return groups if len(groups) > 1 else {}


def marks(figure: dict) -> list[list]:
    """[series, item, value] per mark. Series is the trace's name (a heat map's row), item the
    bar's member, the line's x or the heat map's column."""
    figure = figure or {}
    data = figure.get("data", [])
    groups = _groups(data)
    out: list[list] = []
    for trace in data:
        kind = trace.get("type", "scatter")
        name = _plain(trace.get("name", ""))
        group = groups.get(trace.get("yaxis", "y"))
        if group is not None and group != name:
            name = f"{group} · {name}"
        if kind == "heatmap":  # rows as the eye reads them, top-down
            labels = list(enumerate(trace.get("y", [])))
            for row, label in (labels[::-1] if rows_bottom_up(figure, trace) else labels):
                for col, month in enumerate(trace.get("x", [])):
                    out.append([_plain(label), _plain(month), _number(trace["z"][row][col])])
        elif kind == "pie":
            for i, (label, value) in enumerate(zip(trace.get("labels", []),
                                                   trace.get("values", []), strict=True)):
                out.append([name, _member(trace, i, label), _number(value)])
        elif kind == "choropleth":  # a map: one row per area, named by its customdata
            out.extend([name, _member(trace, i, location), _number(value)]
                       for i, (location, value) in enumerate(zip(
                           trace.get("locations", []), trace.get("z", []), strict=True)))
        elif kind == "bar":
            horizontal = trace.get("orientation") == "h"
            items, values = ((trace.get("y", []), trace.get("x", [])) if horizontal
                             else (trace.get("x", []), trace.get("y", [])))
            rows = [[name, _member(trace, i, item), _number(value)]
                    for i, (item, value) in enumerate(zip(items, values, strict=True))]
            out.extend(rows[::-1] if bottom_up(figure, trace) else rows)
        else:  # a line: its customdata names the series, x is the item
            out.extend([name, _plain(x), _number(y)]
                       for x, y in zip(trace.get("x", []), trace.get("y", []), strict=True))
    return out
