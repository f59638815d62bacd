"""KPI tiles: value, change against the previous period and a year ago, and a sparkline."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.charts import sparkline
from dashboard.figures.theme import format_number

TILES = (
    ("revenue", "Revenue", "currency"),
    ("units", "Units", "number"),
    ("orders", "Orders", "number"),
    ("aov", "Avg order value", "currency_exact"),
    ("margin_pct", "Gross margin", "pct"),
)


def _change(value: float | None, points: bool, label: str) -> html.Span:
    if value is None:
        return html.Span(f"– {label}", className="text-muted me-2")
    arrow = "▲" if value > 0 else "▼" if value < 0 else "•"
    color = "text-success" if value > 0 else "text-danger" if value < 0 else "text-muted"
    text = f"{value * 100:+.1f} pt" if points else f"{value * 100:+.1f}%"
    return html.Span(f"{arrow} {text} {label}", className=f"{color} me-2")


def kpi_tiles(kpis: dict[str, dict], highlight_kpis: dict[str, float] | None = None) -> list:
    tiles = []
    for name, title, kind in TILES:
        data = kpis[name]
        points = name == "margin_pct"
        body = [
            html.Div(title, className="small text-muted"),
            html.Div(format_number(data["value"], kind), className="fs-4 fw-semibold",
                     id=f"ov-kpi-{name}-value"),
            html.Div(
                [_change(data["change_previous"], points, "vs prev."),
                 _change(data["change_year_ago"], points, "vs last yr")],
                className="small",
            ),
        ]
        if highlight_kpis and name in highlight_kpis:
            body.append(html.Div(highlight_kpis[name], className="small text-primary"))
        body.append(html.Img(src=sparkline(data["trend"]), alt=f"{title} by month",
                             className="w-100", style={"height": "40px"}))
        tiles.append(dbc.Col(dbc.Card(dbc.CardBody(body, className="p-2"), className="h-100"),
                             xs=6, md=4, xl=True, className="mb-2"))
    return tiles
