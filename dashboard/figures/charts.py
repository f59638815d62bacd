"""Every Overview chart as a pure function: (DataFrame, options) -> plotly figure dict.

Each clickable mark carries customdata [column, value], which the page turns into a highlight.
A highlight on the chart's own dimension dims the other marks (selectedpoints); a highlight on
another dimension dims the whole chart and overlays the highlighted member's part of it.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from dashboard.figures import theme
from dashboard.queries.sources import Highlight

AGE_ORDER = ["0-2", "3-5", "6-8", "9-12", "13+", "Unknown"]
UNSELECTED = {"marker": {"opacity": theme.DIM_OPACITY}}


def _own(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column == column


def _foreign(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column != column


def _label(highlight: Highlight) -> str:
    return f"{highlight.value} (selected)"


def _iso(day) -> str:
    return day.isoformat() if hasattr(day, "isoformat") else str(day)


def _hover(label: str, measure: str, field: str = "x") -> str:
    return f"%{{y}}<br>{label}: {theme.hover_value(measure, field)}<extra></extra>"


def bar_chart(
    df: pd.DataFrame, column: str, measure: str = "revenue",
    highlight: Highlight | None = None, height: int = 340,
) -> dict:
    """Horizontal bars of `measure` per `column` member, largest on top."""
    if df.empty:
        return theme.empty(height=height)
    order = np.argsort(df[measure].to_numpy(), kind="stable")  # largest drawn last, on top
    members = [str(m) for m in df[column].to_numpy()[order]]
    custom = [[column, m] for m in members]
    base = {
        "type": "bar", "orientation": "h", "x": df[measure].to_numpy()[order].tolist(),
        "y": members,
        "customdata": custom, "name": "All", "marker": {"color": theme.ACCENT},
        "opacity": theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
        "unselected": UNSELECTED,
        "hovertemplate": _hover(theme.MEASURE_LABELS[measure], measure),
    }
    if _own(highlight, column):
        base["selectedpoints"] = [i for i, m in enumerate(members) if m == highlight.value]
    data = [base]
    if _foreign(highlight, column):
        data.append({
            "type": "bar", "orientation": "h", "x": df[f"hl_{measure}"].to_numpy()[order].tolist(),
            "y": members,
            "customdata": custom, "name": _label(highlight), "marker": {"color": theme.ACCENT},
            "hovertemplate": _hover(highlight.value, measure),
        })
    return theme.figure(data, height=height, legend=_foreign(highlight, column),
                        barmode="overlay", clickmode="event",
                        xaxis={"tickformat": theme.tick_format(measure)})


def trend_chart(
    df: pd.DataFrame, by: str, measure: str = "revenue", highlight: Highlight | None = None,
    festivals: pd.DataFrame | None = None, height: int = 360,
) -> dict:
    """Monthly Sales Trend: one line per category or region, festival periods shaded."""
    if df.empty:
        return theme.empty(height=height)
    column = "category" if by == "category" else "region"
    names, months = df["series"].to_numpy(), df["month"].to_numpy()
    values = df[measure].to_numpy()
    series = sorted(set(names.tolist()))
    data = []
    for name in series:
        rows = np.flatnonzero(names == name)
        rows = rows[np.argsort(months[rows], kind="stable")]
        lit = not highlight or (_own(highlight, column) and highlight.value == name)
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": name,
            "x": [_iso(m) for m in months[rows]], "y": values[rows].tolist(),
            "line": {"color": theme.color_for(series, name),
                     "width": 3 if lit and highlight else 2},
            "marker": {"size": 5}, "opacity": 1.0 if lit else theme.DIM_OPACITY,
            "customdata": [[column, name]] * len(rows),
            "hovertemplate": f"{name}<br>%{{x|%b %Y}}: {theme.hover_value(measure, 'y')}"
                             "<extra></extra>",
        })
    if _foreign(highlight, column):
        by_month: dict = {}
        for month, value in zip(months.tolist(), df[f"hl_{measure}"].tolist(), strict=True):
            by_month[month] = by_month.get(month, 0.0) + value
        lit_months = sorted(by_month)
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": _label(highlight),
            "x": [_iso(m) for m in lit_months], "y": [by_month[m] for m in lit_months],
            "line": {"color": theme.INK, "width": 3, "dash": "dot"},
            "hovertemplate": f"{highlight.value}<br>%{{x|%b %Y}}: "
                             f"{theme.hover_value(measure, 'y')}<extra></extra>",
        })
    shapes, notes = _festival_marks(festivals)
    return theme.figure(data, height=height, shapes=shapes, annotations=notes,
                        xaxis=_month_axis(len(set(months.tolist()))),
                        yaxis={"tickformat": theme.tick_format(measure)})


def _month_axis(n_months: int) -> dict:
    """One tick per month for short ranges (plotly would put two per month, named alike)."""
    axis = {"tickformat": "%b %Y", "type": "date"}
    return {**axis, "dtick": "M1"} if n_months <= 12 else axis


def _festival_marks(festivals: pd.DataFrame | None) -> tuple[list[dict], list[dict]]:
    """Shade the months a festival falls in (points sit on the 1st), named at the top."""
    shapes, notes = [], []
    if festivals is None or festivals.empty:
        return shapes, notes
    half_month = pd.Timedelta(days=15)
    for row in festivals.itertuples():
        first = pd.Timestamp(row.start).to_period("M").to_timestamp()
        last = pd.Timestamp(row.end).to_period("M").to_timestamp()
        shapes.append({
            "type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
            "x0": (first - half_month).isoformat(), "x1": (last + half_month).isoformat(),
            "fillcolor": "#f59e0b", "opacity": 0.10, "line": {"width": 0}, "layer": "below",
        })
        notes.append({
            "x": (first + (last - first) / 2).isoformat(), "y": 1, "xref": "x", "yref": "paper",
            "yanchor": "top", "text": row.festival, "showarrow": False, "textangle": -90,
            "font": {"size": 9, "color": theme.MUTED},
        })
    return shapes, notes


def top_toys_chart(
    df: pd.DataFrame, measure: str = "revenue", highlight: Highlight | None = None,
    height: int = 420,
) -> dict:
    """Top Toys by Age: bars grouped by age group (a two-level axis)."""
    if df.empty:
        return theme.empty(height=height)
    ages = [a for a in AGE_ORDER if a in set(df["age_group"])] + sorted(
        set(df["age_group"]) - set(AGE_ORDER))
    own = _own(highlight, "product_name") or _own(highlight, "age_group")
    age_of, rank = df["age_group"].to_numpy(), df["rank"].to_numpy()
    data = []
    for age in reversed(ages):
        rows = np.flatnonzero(age_of == age)
        rows = rows[np.argsort(-rank[rows], kind="stable")]  # rank 1 drawn last, on top
        names = df["product_name"].to_numpy()[rows].tolist()
        y = [[age] * len(names), names]
        custom = [["product_name", n] for n in names]
        bar = {
            "type": "bar", "orientation": "h", "x": df[measure].to_numpy()[rows].tolist(),
            "y": y,
            "name": age, "customdata": custom,
            "marker": {"color": theme.color_for(AGE_ORDER, age)},
            "opacity": theme.DIM_OPACITY if highlight and not own else 1.0,
            "unselected": UNSELECTED,
            "hovertemplate": _hover(theme.MEASURE_LABELS[measure], measure),
        }
        if _own(highlight, "product_name"):
            bar["selectedpoints"] = [i for i, n in enumerate(names) if n == highlight.value]
        elif _own(highlight, "age_group"):
            bar["selectedpoints"] = list(range(len(names))) if age == highlight.value else []
        data.append(bar)
        if highlight and not own:
            data.append({
                "type": "bar", "orientation": "h",
                "x": df[f"hl_{measure}"].to_numpy()[rows].tolist(), "y": y,
                "name": _label(highlight), "showlegend": age == ages[0],
                "marker": {"color": theme.INK}, "customdata": custom,
                "hovertemplate": _hover(highlight.value, measure),
            })
    return theme.figure(data, height=height, barmode="overlay", clickmode="event",
                        xaxis={"tickformat": theme.tick_format(measure)})


def contribution_chart(df: pd.DataFrame, highlight: Highlight | None = None,
                       height: int = 340) -> dict:
    """Regional Contribution %: share of revenue and share of growth per region."""
    if df.empty:
        return theme.empty(height=height)
    df = df.sort_values("share_pct")
    regions = df["region"].tolist()
    data = []
    series = [("share_pct", "Share of revenue", theme.ACCENT)]
    if df["growth_share_pct"].notna().all():  # NaN: no data for the previous period
        series.append(("growth_share_pct", "Share of growth", "#E69F00"))
    for column, name, color in series:
        trace = {
            "type": "bar", "orientation": "h", "x": df[column].tolist(), "y": regions,
            "name": name, "marker": {"color": color},
            "customdata": [["region", r] for r in regions],
            "opacity": theme.DIM_OPACITY if _foreign(highlight, "region") else 1.0,
            "unselected": UNSELECTED,
            "hovertemplate": f"%{{y}}<br>{name}: %{{x:.1%}}<extra></extra>",
        }
        if _own(highlight, "region"):
            trace["selectedpoints"] = [i for i, r in enumerate(regions) if r == highlight.value]
        data.append(trace)
    return theme.figure(data, height=height, barmode="group", clickmode="event",
                        xaxis={"tickformat": ".0%"})


def heatmap_chart(matrix: pd.DataFrame, measure: str = "revenue",
                  highlight: Highlight | None = None, height: int = 340) -> dict:
    """Regional demand heat map: region x month, colour = revenue or units."""
    if matrix.empty:
        return theme.empty(height=height)
    regions = matrix.index.astype(str).tolist()
    months = [pd.Timestamp(m).strftime("%b %Y") for m in matrix.columns]
    prefix = theme.CURRENCY if measure == "revenue" else ""
    shapes = []
    if _own(highlight, "region"):
        shapes = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": i - 0.5,
                   "y1": i + 0.5, "fillcolor": "white", "opacity": 1 - theme.DIM_OPACITY,
                   "line": {"width": 0}}
                  for i, region in enumerate(regions) if region != highlight.value]
    data = [{
        "type": "heatmap", "z": matrix.to_numpy().tolist(), "x": months, "y": regions,
        "colorscale": theme.SEQUENTIAL, "customdata": [[r] * len(months) for r in regions],
        "hovertemplate": f"%{{y}}, %{{x}}<br>{theme.MEASURE_LABELS[measure]}: "
                         f"{prefix}%{{z:,.0f}}<extra></extra>",
        "colorbar": {"thickness": 10, "tickformat": ".2s"},
    }]
    return theme.figure(data, height=height, legend=False, shapes=shapes, clickmode="event",
                        xaxis={"type": "category", "tickangle": -45, "showgrid": False},
                        yaxis={"type": "category", "showgrid": False})


def share_chart(df: pd.DataFrame, column: str, highlight: Highlight | None = None,
                height: int = 300) -> dict:
    """Donut of revenue share; a highlight elsewhere adds an inner ring for that member."""
    if df.empty:
        return theme.empty(height=height)
    order = AGE_ORDER if column == "age_group" else sorted(df[column])
    df = df.assign(order=df[column].map({v: i for i, v in enumerate(order)})).sort_values("order")
    members = df[column].astype(str).tolist()
    colors = [theme.color_for(order, m) for m in members]
    own = _own(highlight, column)
    if own:
        colors = [c if m == highlight.value else "#d1d5db"
                  for c, m in zip(colors, members, strict=True)]
    custom = [[column, m] for m in members]
    data = [{
        "type": "pie", "labels": members, "values": df["revenue"].tolist(), "hole": 0.55,
        "sort": False, "direction": "clockwise", "customdata": custom, "name": "All",
        "marker": {"colors": colors, "line": {"color": "white", "width": 2}},
        "pull": [0.08 if own and m == highlight.value else 0 for m in members],
        "opacity": theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
        "textinfo": "percent",
        "hovertemplate": f"%{{label}}<br>Revenue: {theme.CURRENCY}%{{value:,.0f}}"
                         "<br>%{percent}<extra></extra>",
    }]
    if _foreign(highlight, column):
        data.append({
            "type": "pie", "labels": members, "values": df["hl_revenue"].tolist(),
            "hole": 0.35, "sort": False, "direction": "clockwise", "customdata": custom,
            "marker": {"colors": colors}, "textinfo": "none", "name": _label(highlight),
            "domain": {"x": [0.22, 0.78], "y": [0.22, 0.78]},
            "hovertemplate": f"{highlight.value}: %{{label}}<br>{theme.CURRENCY}"
                             "%{value:,.0f}<br>%{percent}<extra></extra>",
        })
    return theme.figure(data, height=height, clickmode="event")


def sparkline(series: pd.Series, width: int = 200, height: int = 40) -> str:
    """The small trend line inside a KPI tile, as an SVG data URI for an <img>.

    An image, not a plotly graph: five more plotly graphs would cost the browser far more than
    the charts they sit above, on every filter change.
    """
    values = np.nan_to_num(series.to_numpy(dtype=float), nan=0.0)
    if len(values) == 0:
        values = np.zeros(1)
    low, high = min(values.min(), 0.0), values.max()
    span = (high - low) or 1.0
    xs = np.linspace(0, width, len(values)) if len(values) > 1 else np.array([0.0, width])
    ys = height - 2 - (values - low) / span * (height - 4)
    if len(values) == 1:
        ys = np.repeat(ys, 2)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    area = f"0,{height} {line} {width},{height}"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="none"><polygon points="{area}" fill="rgba(37,99,235,0.08)"/>'
           f'<polyline points="{line}" fill="none" stroke="{theme.ACCENT}" stroke-width="2" '
           f'vector-effect="non-scaling-stroke"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
