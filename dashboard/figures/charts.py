"""Every Overview chart as a pure function: (DataFrame, options) -> go.Figure.

Each clickable mark carries customdata [column, value], which the page turns into a highlight.
A highlight on the chart's own dimension dims the other marks (selectedpoints); a highlight on
another dimension dims the whole chart and overlays the highlighted member's part of it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import theme
from dashboard.queries.sources import Highlight

AGE_ORDER = ["0-2", "3-5", "6-8", "9-12", "13+", "Unknown"]


def _own(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column == column


def _foreign(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column != column


def _label(highlight: Highlight) -> str:
    return f"{highlight.value} (selected)"


def bar_chart(
    df: pd.DataFrame, column: str, measure: str = "revenue",
    highlight: Highlight | None = None, height: int = 340, label_column: str | None = None,
) -> go.Figure:
    """Horizontal bars of `measure` per `column` member, largest on top."""
    if df.empty:
        return theme.empty(height=height)
    df = df.sort_values(measure, ascending=True)
    labels = df[label_column or column].astype(str).tolist()
    members = df[column].astype(str).tolist()
    custom = [[column, m] for m in members]
    selected = [i for i, m in enumerate(members) if m == highlight.value] if _own(
        highlight, column) else None
    fig = go.Figure(
        go.Bar(
            x=df[measure], y=labels, orientation="h", customdata=custom, name="All",
            marker={"color": theme.ACCENT},
            opacity=theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
            selectedpoints=selected,
            unselected={"marker": {"opacity": theme.DIM_OPACITY}},
            hovertemplate=f"%{{y}}<br>{theme.MEASURE_LABELS[measure]}: "
            f"{theme.hover_value(measure)}<extra></extra>",
        )
    )
    if _foreign(highlight, column):
        fig.add_bar(
            x=df[f"hl_{measure}"], y=labels, orientation="h", customdata=custom,
            name=_label(highlight), marker={"color": theme.ACCENT},
            hovertemplate=f"%{{y}}<br>{highlight.value}: {theme.hover_value(measure)}"
            "<extra></extra>",
        )
    fig.update_layout(barmode="overlay", clickmode="event")
    fig.update_xaxes(tickformat=theme.value_format(measure).replace(".0f", ".2s"))
    return theme.layout(fig, height=height, legend=_foreign(highlight, column))


def trend_chart(
    df: pd.DataFrame, by: str, measure: str = "revenue", highlight: Highlight | None = None,
    festivals: pd.DataFrame | None = None, height: int = 360,
) -> go.Figure:
    """Monthly Sales Trend: one line per category or region, festival periods shaded."""
    if df.empty:
        return theme.empty(height=height)
    column = "category" if by == "category" else "region"
    series = sorted(df["series"].unique())
    fig = go.Figure()
    for name in series:
        part = df[df["series"] == name].sort_values("month")
        emphasised = not highlight or (_own(highlight, column) and highlight.value == name)
        fig.add_scatter(
            x=part["month"], y=part[measure], name=name, mode="lines+markers",
            line={"color": theme.color_for(series, name), "width": 3 if emphasised and highlight
                  else 2},
            marker={"size": 5}, opacity=1.0 if emphasised else theme.DIM_OPACITY,
            customdata=[[column, name]] * len(part),
            hovertemplate=f"{name}<br>%{{x|%b %Y}}: {theme.hover_value(measure, 'y')}"
            "<extra></extra>",
        )
    if _foreign(highlight, column):
        total = df.groupby("month", as_index=False)[f"hl_{measure}"].sum()
        fig.add_scatter(
            x=total["month"], y=total[f"hl_{measure}"], name=_label(highlight),
            mode="lines+markers", line={"color": theme.INK, "width": 3, "dash": "dot"},
            hovertemplate=f"{highlight.value}<br>%{{x|%b %Y}}: "
            f"{theme.hover_value(measure, 'y')}<extra></extra>",
        )
    _shade_festivals(fig, festivals)
    fig.update_yaxes(tickformat=theme.value_format(measure).replace(".0f", ".2s"))
    fig.update_xaxes(tickformat="%b %Y")
    return theme.layout(fig, height=height)


def _shade_festivals(fig: go.Figure, festivals: pd.DataFrame | None) -> None:
    """Shade the months a festival falls in (points sit on the 1st), named at the top."""
    if festivals is None or festivals.empty:
        return
    half_month = pd.Timedelta(days=15)
    for row in festivals.itertuples():
        first = pd.Timestamp(row.start).to_period("M").to_timestamp()
        last = pd.Timestamp(row.end).to_period("M").to_timestamp()
        fig.add_vrect(x0=first - half_month, x1=last + half_month, fillcolor="#f59e0b",
                      opacity=0.10, line_width=0, layer="below")
        fig.add_annotation(x=first + (last - first) / 2, y=1, yref="paper", yanchor="top",
                           text=row.festival, showarrow=False, textangle=-90,
                           font={"size": 9, "color": theme.MUTED})


def top_toys_chart(
    df: pd.DataFrame, measure: str = "revenue", highlight: Highlight | None = None,
    height: int = 420,
) -> go.Figure:
    """Top Toys by Age: bars grouped by age group (a two-level axis)."""
    if df.empty:
        return theme.empty(height=height)
    ages = [a for a in AGE_ORDER if a in set(df["age_group"])] + sorted(
        set(df["age_group"]) - set(AGE_ORDER))
    df = df.assign(order=df["age_group"].map({a: i for i, a in enumerate(ages)}))
    df = df.sort_values(["order", "rank"], ascending=[False, False])
    fig = go.Figure()
    for age in reversed(ages):
        part = df[df["age_group"] == age]
        names = part["product_name"].tolist()
        own = _own(highlight, "product_name") or _own(highlight, "age_group")
        if _own(highlight, "product_name"):
            selected = [i for i, n in enumerate(names) if n == highlight.value]
        elif _own(highlight, "age_group"):
            selected = list(range(len(names))) if age == highlight.value else []
        else:
            selected = None
        fig.add_bar(
            x=part[measure], y=[part["age_group"].tolist(), names], orientation="h", name=age,
            customdata=[["product_name", n] for n in names],
            marker={"color": theme.color_for(AGE_ORDER, age)},
            opacity=theme.DIM_OPACITY if highlight and not own else 1.0,
            selectedpoints=selected, unselected={"marker": {"opacity": theme.DIM_OPACITY}},
            hovertemplate=f"%{{y}}<br>{theme.MEASURE_LABELS[measure]}: "
            f"{theme.hover_value(measure)}<extra></extra>",
        )
        if highlight and not own:
            fig.add_bar(
                x=part[f"hl_{measure}"], y=[part["age_group"].tolist(), names], orientation="h",
                name=_label(highlight), showlegend=age == ages[0], marker={"color": theme.INK},
                customdata=[["product_name", n] for n in names],
                hovertemplate=f"%{{y}}<br>{highlight.value}: {theme.hover_value(measure)}"
                "<extra></extra>",
            )
    fig.update_layout(barmode="overlay", clickmode="event")
    fig.update_xaxes(tickformat=theme.value_format(measure).replace(".0f", ".2s"))
    return theme.layout(fig, height=height)


def contribution_chart(df: pd.DataFrame, highlight: Highlight | None = None,
                       height: int = 340) -> go.Figure:
    """Regional Contribution %: share of revenue and share of growth per region."""
    if df.empty:
        return theme.empty(height=height)
    df = df.sort_values("share_pct")
    regions = df["region"].tolist()
    selected = [i for i, r in enumerate(regions) if r == highlight.value] if _own(
        highlight, "region") else None
    fig = go.Figure()
    for column, name, color in (("share_pct", "Share of revenue", theme.ACCENT),
                                ("growth_share_pct", "Share of growth", "#E69F00")):
        fig.add_bar(
            x=df[column], y=regions, orientation="h", name=name, marker={"color": color},
            customdata=[["region", r] for r in regions], selectedpoints=selected,
            opacity=theme.DIM_OPACITY if _foreign(highlight, "region") else 1.0,
            unselected={"marker": {"opacity": theme.DIM_OPACITY}},
            hovertemplate=f"%{{y}}<br>{name}: %{{x:.1%}}<extra></extra>",
        )
    fig.update_layout(barmode="group", clickmode="event")
    fig.update_xaxes(tickformat=".0%")
    return theme.layout(fig, height=height)


def heatmap_chart(matrix: pd.DataFrame, measure: str = "revenue",
                  highlight: Highlight | None = None, height: int = 340) -> go.Figure:
    """Regional demand heat map: region x month, colour = revenue or units."""
    if matrix.empty:
        return theme.empty(height=height)
    regions = matrix.index.astype(str).tolist()
    months = [pd.Timestamp(m).strftime("%b %Y") for m in matrix.columns]
    prefix = theme.CURRENCY if measure == "revenue" else ""
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(), x=months, y=regions, colorscale=theme.SEQUENTIAL,
            customdata=[[r] * len(months) for r in regions],
            hovertemplate=f"%{{y}}, %{{x}}<br>{theme.MEASURE_LABELS[measure]}: "
            f"{prefix}%{{z:,.0f}}<extra></extra>",
            colorbar={"thickness": 10, "tickformat": ".2s"},
        )
    )
    if _own(highlight, "region"):
        for i, region in enumerate(regions):
            if region != highlight.value:
                fig.add_shape(type="rect", xref="paper", x0=0, x1=1, y0=i - 0.5, y1=i + 0.5,
                              fillcolor="white", opacity=1 - theme.DIM_OPACITY, line_width=0)
    fig.update_xaxes(type="category", tickangle=-45, showgrid=False)
    fig.update_yaxes(type="category", showgrid=False)
    fig.update_layout(clickmode="event")
    return theme.layout(fig, height=height, legend=False)


def share_chart(df: pd.DataFrame, column: str, highlight: Highlight | None = None,
                height: int = 300) -> go.Figure:
    """Donut of revenue share; a highlight elsewhere adds an inner ring for that member."""
    if df.empty:
        return theme.empty(height=height)
    order = AGE_ORDER if column == "age_group" else sorted(df[column])
    df = df.assign(order=df[column].map({v: i for i, v in enumerate(order)})).sort_values("order")
    members = df[column].astype(str).tolist()
    colors = [theme.color_for(order, m) for m in members]
    own = _own(highlight, column)
    fig = go.Figure(
        go.Pie(
            labels=members, values=df["revenue"], hole=0.55, sort=False, direction="clockwise",
            marker={"colors": colors, "line": {"color": "white", "width": 2}},
            customdata=[[column, m] for m in members],
            pull=[0.08 if own and m == highlight.value else 0 for m in members],
            opacity=theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
            textinfo="percent", name="All",
            hovertemplate=f"%{{label}}<br>Revenue: {theme.CURRENCY}%{{value:,.0f}}"
            "<br>%{percent}<extra></extra>",
        )
    )
    if own:
        fig.data[0].marker.colors = [
            c if m == highlight.value else "#d1d5db" for c, m in zip(colors, members, strict=True)
        ]
    if _foreign(highlight, column):
        fig.data[0].domain = {"x": [0, 1], "y": [0, 1]}
        fig.add_pie(
            labels=members, values=df["hl_revenue"], hole=0.35, sort=False,
            direction="clockwise", marker={"colors": colors}, textinfo="none",
            domain={"x": [0.22, 0.78], "y": [0.22, 0.78]}, name=_label(highlight),
            customdata=[[column, m] for m in members],
            hovertemplate=f"{highlight.value}: %{{label}}<br>{theme.CURRENCY}%{{value:,.0f}}"
            "<br>%{percent}<extra></extra>",
        )
    fig.update_layout(clickmode="event")
    return theme.layout(fig, height=height)


def sparkline(series: pd.Series, height: int = 48) -> go.Figure:
    """The small trend line inside a KPI tile."""
    fig = go.Figure(
        go.Scatter(x=series.index, y=series.to_numpy(), mode="lines", hoverinfo="skip",
                   line={"color": theme.ACCENT, "width": 2}, fill="tozeroy",
                   fillcolor="rgba(37,99,235,0.08)")
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig = theme.layout(fig, height=height, legend=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig
