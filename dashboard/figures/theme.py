"""One look for every chart: colours, fonts, margins and number formats."""

from __future__ import annotations

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#2563eb"
DIM_OPACITY = 0.25
# Colour-blind friendly qualitative palette (Okabe-Ito, extended).
PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#8C564B", "#17BECF", "#7F7F7F", "#BCBD22", "#1F77B4", "#FF7F0E",
]
SEQUENTIAL = [[0.0, "#eff6ff"], [0.5, "#60a5fa"], [1.0, "#1e3a8a"]]  # light = low
CURRENCY = "$"

MEASURE_LABELS = {"revenue": "Revenue", "units": "Units"}


def value_format(measure: str) -> str:
    """d3 format for hover labels."""
    return f"{CURRENCY},.0f" if measure == "revenue" else ",.0f"


def hover_value(measure: str, field: str = "x") -> str:
    fmt = ",.0f"
    prefix = CURRENCY if measure == "revenue" else ""
    return f"{prefix}%{{{field}:{fmt}}}"


def format_number(value: float | None, kind: str = "number") -> str:
    """Short human numbers for tiles: $1.2M, 34.5K, 41.2%."""
    if value is None:
        return "–"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "currency_exact":
        return f"{CURRENCY}{value:,.2f}"
    sign = "-" if value < 0 else ""
    v = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= limit:
            text = f"{v / limit:.1f}{suffix}"
            break
    else:
        text = f"{v:,.0f}"
    return f"{sign}{CURRENCY if kind == 'currency' else ''}{text}"


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
            "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
            "font": {"family": FONT, "color": INK, "size": 12},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": PALETTE,
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


def empty(message: str = "No sales match these filters", height: int = 340) -> dict:
    return figure(
        [], height=height, legend=False, xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper",
                      "x": 0.5, "y": 0.5, "font": {"size": 14, "color": MUTED}}],
    )


def tick_format(measure: str) -> str:
    return f"{CURRENCY},.2s" if measure == "revenue" else ",.2s"


def color_for(members: list[str], member: str) -> str:
    return PALETTE[members.index(member) % len(PALETTE)] if member in members else ACCENT
