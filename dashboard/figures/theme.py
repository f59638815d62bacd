"""One look for every chart: colours, fonts, margins and number formats."""

from __future__ import annotations

from dashboard.figures.colors import CATEGORY
from dashboard.figures.formats import Numbers, text

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#2563eb"
DIM_OPACITY = 0.25
SEQUENTIAL = [[0.0, "#eff6ff"], [0.5, "#60a5fa"], [1.0, "#1e3a8a"]]  # light = low
CURRENCY = "$"

HIGHLIGHT = INK  # the highlighted member's own part, drawn the same way on every chart


def format_number(value: float | None, kind: str = "number", currency: str = CURRENCY) -> str:
    """Short human numbers for tiles: $1.2M, 34.5k, 41.2% (see formats.Numbers)."""
    return Numbers(currency).value(value, kind)


def axis(**extra) -> dict:
    return {"gridcolor": GRID, "zeroline": False, "automargin": True, **extra}


def figure(data: list[dict], *, height: int = 340, legend: bool = True,
           xaxis: dict | None = None, yaxis: dict | None = None, **layout) -> dict:
    """A plotly figure as a plain dict with the shared look.

    Plain dicts, not go.Figure: building validated graph objects cost ~60 ms per chart here,
    more than the query. Tests validate every figure with go.Figure(...) instead.
    """
    return {
        "data": data,
        "layout": {
            "height": height,
            "autosize": True,  # the width follows the card; the height stays this one
            "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
            "font": {"family": FONT, "color": INK, "size": 12},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(CATEGORY),
            "showlegend": legend,
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
            "hoverlabel": {"font": {"family": FONT}},
            "separators": ".,",
            "uirevision": "keep",
            "xaxis": axis(**(xaxis or {})),
            "yaxis": axis(**(yaxis or {})),
            **layout,
        },
    }


def blank(height: int = 340) -> dict:
    """A graph's figure before its data arrives: an empty chart of the usual height, so the
    card does not jump when the data comes."""
    return figure([], height=height, legend=False, xaxis={"visible": False},
                  yaxis={"visible": False})


def empty(message: str = "No sales match these filters", height: int = 340) -> dict:
    """A figure that says why it has no marks (no data, or a metric this data cannot give)."""
    return figure(
        [], height=height, legend=False, xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"showarrow": False, "xref": "paper", "yref": "paper",
                      "x": 0.5, "y": 0.5, "text": text(message),
                      "font": {"size": 14, "color": MUTED}}],
    )
