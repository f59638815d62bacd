"""KPI tiles: value, change against the previous period and a year ago, and a sparkline.

Labels, formats, good direction and the "?" definitions all come from the metric registry.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.figures.charts import sparkline
from dashboard.figures.formats import Numbers
from dashboard.queries.registry import METRICS, unavailable_reason

TILES = ("revenue", "units", "orders", "aov", "margin_pct")


def metric_help(name: str, label: str | None = None) -> html.Details:
    """A small "?" beside a metric: a native disclosure (keyboard and screen-reader friendly)
    that opens the registry's one-line definition; the title shows it on hover too."""
    m = METRICS[name]
    return html.Details(
        [html.Summary("?", title=m.definition, className="metric-help-toggle",
                      **{"aria-label": f"What is {label or m.label}?"}),
         html.Div(m.definition, className="metric-help-text", role="note")],
        className="metric-help",
    )


def _change(delta: float | None, name: str, label: str, numbers: Numbers) -> html.Span:
    """One change as an inline block, so a narrow tile starts a change on a new line rather
    than leaving its arrow at the end of one line and its label on the next."""
    keep = "d-inline-block me-2"
    if delta is None:
        return html.Span(f"– {label}", className=f"text-muted {keep}")
    metric = METRICS[name]
    words, sign = numbers.change(delta, points=metric.kind == "pct")
    if sign == 0:
        return html.Span(f"• {words} {label}", className=f"text-muted {keep}")
    good = (sign > 0) == metric.up_is_good
    arrow = "▲" if sign > 0 else "▼"
    return html.Span(f"{arrow} {words} {label}",
                     className=f"{'text-success' if good else 'text-danger'} {keep}")


def tile_values(kpis: dict[str, dict], numbers: Numbers | None = None,
                unavailable: tuple[str, ...] = ()) -> list[dict]:
    """Each tile's number and the text it shows (or why it cannot be shown), with its changes:
    the data behind the tiles, for the page and for exports alike."""
    numbers = numbers or Numbers()
    out = []
    for name in TILES:
        metric, data = METRICS[name], kpis[name]
        reason = unavailable_reason(name, unavailable)
        if reason is None and data["value"] is None and "cost" in metric.needs:
            reason = "no cost or profit data"  # the source's cost column is empty
        changes = {}
        for period in ("previous", "year_ago"):
            delta = None if reason else data[f"change_{period}"]
            changes[period] = (delta, numbers.change(delta, points=metric.kind == "pct")[0])
        out.append({
            "id": name, "label": metric.label, "reason": reason,
            "value": None if reason else data["value"],
            "text": "–" if reason else numbers.value(data["value"], metric.kind),
            **{f"change_{p}": changes[p][0] for p in changes},
            **{f"change_{p}_text": changes[p][1] for p in changes},
        })
    return out


def kpi_tiles(kpis: dict[str, dict], highlight_kpis: dict[str, str] | None = None,
              numbers: Numbers | None = None, unavailable: tuple[str, ...] = ()) -> list:
    numbers = numbers or Numbers()
    tiles = []
    for tile in tile_values(kpis, numbers, unavailable):
        name, reason, data = tile["id"], tile["reason"], kpis[tile["id"]]
        metric = METRICS[name]
        head = html.Div([html.Span(metric.label), metric_help(name)],
                        className="small text-muted d-flex align-items-start gap-1")
        value = html.Div(tile["text"], className="fs-4 fw-semibold", id=f"ov-kpi-{name}-value")
        if reason:
            body = [head, value, html.Div(reason, className="small text-muted",
                                          id=f"ov-kpi-{name}-reason")]
        else:
            body = [head, value, html.Div(
                [_change(data["change_previous"], name, "vs prev.", numbers),
                 _change(data["change_year_ago"], name, "vs last yr", numbers)],
                className="small")]
            if highlight_kpis and name in highlight_kpis:
                body.append(html.Div(highlight_kpis[name], className="small text-primary"))
            body.append(html.Img(src=sparkline(data["trend"]), alt=f"{metric.label} by month",
                                 className="w-100", style={"height": "40px"}))
        tiles.append(dbc.Col(dbc.Card(dbc.CardBody(body, className="p-2"), className="h-100"),
                             xs=6, md=4, xl=True, className="mb-2"))
    tiles.append(dbc.Col(html.Div(
        [html.Span("vs prev."), metric_help("vs_previous"), html.Span("· vs last yr"),
         metric_help("vs_year_ago")],
        className="small text-muted d-flex align-items-start gap-1"), xs=12,
        className="mt-0"))
    return tiles
