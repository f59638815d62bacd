"""One way to put a chart on a page: a dcc.Graph that keeps its figure's height and follows
its card's width, and stays on screen (dimmed, still hoverable) while it updates.

Not Plotly's "responsive" config: with it, dcc.Graph drops each figure's height and sizes the
plot to 100% of a parent that has no height, so cards collapsed under their charts and the
charts overlapped the next row. The figures carry autosize and their own height instead, and
assets/55-chart-width.js refits the width of every graph inside `.chart-loading`.
"""

from __future__ import annotations

from dash import dcc

from dashboard.figures import theme

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": False,
                "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
# dcc.Loading's default hides an updating chart (visibility: hidden): the page jumped and a
# hover found nothing.
UPDATING_STYLE = {"visibility": "visible", "opacity": 0.5}


def chart_graph(graph_id: str, figure: dict | None = None, **graph_props) -> dcc.Loading:
    return dcc.Loading(
        dcc.Graph(id=graph_id, config=GRAPH_CONFIG, figure=figure or theme.blank(),
                  **graph_props),
        delay_show=250, type="circle", show_initially=False, parent_className="chart-loading",
        overlay_style=UPDATING_STYLE)
