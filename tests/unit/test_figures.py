"""Figures are pure functions: check their data, labels and highlight styling without a server."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import charts, theme
from dashboard.queries.sources import Highlight


def valid(figure: dict) -> go.Figure:
    """Figures are plain dicts for speed; plotly validates them here (invalid keys raise)."""
    return go.Figure(figure)


def _bars():
    return pd.DataFrame({"category": ["Plush", "Dolls", "Puzzles"],
                         "revenue": [300.0, 200.0, 100.0], "units": [30.0, 20.0, 10.0],
                         "hl_revenue": [30.0, 0.0, 50.0], "hl_units": [3.0, 0.0, 5.0]})


def test_bar_chart_data_labels_and_currency_hover():
    fig = valid(charts.bar_chart(_bars(), "category"))
    bar = fig.data[0]
    assert list(bar.y) == ["Puzzles", "Dolls", "Plush"]  # largest on top
    assert list(bar.x) == [100.0, 200.0, 300.0]
    assert [c[1] for c in bar.customdata] == ["Puzzles", "Dolls", "Plush"]
    assert "$%{x:,.0f}" in bar.hovertemplate


def test_own_highlight_dims_the_other_bars():
    fig = valid(charts.bar_chart(_bars(), "category", highlight=Highlight("category", "Dolls")))
    assert list(fig.data[0].selectedpoints) == [1]
    assert fig.data[0].unselected.marker.opacity == theme.DIM_OPACITY
    assert len(fig.data) == 1


def test_foreign_highlight_overlays_the_members_part():
    fig = valid(charts.bar_chart(_bars(), "category", highlight=Highlight("region", "North")))
    assert fig.data[0].opacity == theme.DIM_OPACITY
    assert list(fig.data[1].x) == [50.0, 0.0, 30.0]
    assert fig.data[1].name == "North (selected)"


def test_units_hover_has_no_currency():
    fig = valid(charts.bar_chart(_bars(), "category", measure="units"))
    assert "$" not in fig.data[0].hovertemplate and list(fig.data[0].x) == [10.0, 20.0, 30.0]


def test_empty_frames_say_so():
    fig = valid(charts.bar_chart(_bars().iloc[0:0], "category"))
    assert fig.layout.annotations[0].text == "No sales match these filters"


def test_trend_marks_festivals_and_dims_other_series():
    months = pd.to_datetime(["2025-11-01", "2025-12-01"]).date
    df = pd.DataFrame({"month": list(months) * 2, "series": ["North"] * 2 + ["South"] * 2,
                       "revenue": [1.0, 2.0, 3.0, 4.0], "units": [1.0] * 4,
                       "hl_revenue": [0.0] * 4, "hl_units": [0.0] * 4})
    festivals = pd.DataFrame({"festival": ["Christmas"], "start": [dt.date(2025, 12, 1)],
                              "end": [dt.date(2025, 12, 24)]})
    fig = valid(charts.trend_chart(df, "region", highlight=Highlight("region", "South"),
                             festivals=festivals))
    opacities = {t.name: t.opacity for t in fig.data}
    assert opacities == {"North": theme.DIM_OPACITY, "South": 1.0}
    assert len(fig.layout.shapes) == 1 and fig.layout.annotations[0].text == "Christmas"


def test_heatmap_and_share_charts():
    matrix = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["North", "South"],
                          columns=[dt.date(2025, 1, 1), dt.date(2025, 2, 1)])
    fig = valid(charts.heatmap_chart(matrix, highlight=Highlight("region", "North")))
    assert list(fig.data[0].x) == ["Jan 2025", "Feb 2025"] and list(fig.data[0].y) == [
        "North", "South"]
    assert len(fig.layout.shapes) == 1  # South dimmed
    share = pd.DataFrame({"gender": ["Female", "Male"], "revenue": [60.0, 40.0],
                          "units": [1.0, 1.0], "hl_revenue": [6.0, 4.0], "hl_units": [1.0, 1.0]})
    pie = valid(charts.share_chart(share, "gender", highlight=Highlight("region", "North")))
    assert list(pie.data[0].values) == [60.0, 40.0] and list(pie.data[1].values) == [6.0, 4.0]


def test_format_number():
    assert theme.format_number(1_234_567, "currency") == "$1.2M"
    assert theme.format_number(0.4123, "pct") == "41.2%"
    assert theme.format_number(None) == "–"


def test_sparkline_is_an_svg_image_of_the_series():
    import base64

    uri = charts.sparkline(pd.Series([1.0, 3.0, 2.0]))
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    points = svg.split('<polyline points="')[1].split('"')[0].split()
    assert len(points) == 3
    heights = [float(p.split(",")[1]) for p in points]
    assert heights[1] < heights[2] < heights[0]  # SVG y grows downwards: 3 is highest
