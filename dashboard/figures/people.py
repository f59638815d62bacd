"""Charts of the Team and Customers pages as plain figure dicts (the shared look of theme.py).

Horizontal bars show the first member on top: they are listed last-to-first, as Plotly draws
bars bottom-up (not with a reversed axis, which Plotly writes back as autorange true, so the
table view would read it the wrong way); report/tables.py reads them back top-down. Every
label from data passes formats.text (Plotly renders HTML in labels); tooltips are written here
by one number rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.figures import theme
from dashboard.figures.colors import ACCENT
from dashboard.figures.formats import text

HOVER = "%{hovertext}<extra></extra>"


def bars(members: Sequence[str], series: list[tuple[str, Sequence[float], Sequence[str]]], *,
         axis: dict | None = None, colors: Sequence[str] | None = None, height: int | None = None,
         labels: Sequence[str] | None = None, reference: float | None = None,
         texts: Sequence[str] | None = None, keys: Sequence[list[str]] | None = None,
         lit: Sequence[bool] | None = None) -> dict:
    """Horizontal bars, first member on top; one trace per (name, values, tooltips) series.

    `labels` replaces the members as shown (e.g. "#2 Ann Lee"), `reference` draws a dashed
    line at that value (100% of target), `texts` writes a value at the end of each bar.
    `keys` is each bar's click data ([kind, value]; default ["member", member]); `lit` marks
    the highlighted bars, the others dim (no bar lit: the whole chart dims)."""
    if not members:
        return theme.empty()
    shown = [text(m) for m in (labels or members)][::-1]
    custom = [list(k) for k in keys] if keys is not None else [["member", str(m)]
                                                                for m in members]
    data = []
    for i, (name, values, tips) in enumerate(series):
        trace = {"type": "bar", "orientation": "h", "name": text(name),
                 "x": list(values)[::-1], "y": shown, "customdata": custom[::-1],
                 "hovertemplate": HOVER, "hovertext": list(tips)[::-1]}
        if lit is not None:
            picked = [j for j, on in enumerate(list(lit)[::-1]) if on]
            trace["selectedpoints"] = picked
            trace["unselected"] = {"marker": {"opacity": theme.DIM_OPACITY}}
        if colors is not None and len(series) == 1:
            trace["marker"] = {"color": list(colors)[::-1]}
        elif i == 0 and len(series) > 1:
            trace["marker"] = {"color": ACCENT}
        if texts is not None and len(series) == 1:
            trace.update(text=list(texts)[::-1], textposition="outside", cliponaxis=False,
                         textfont={"size": 11})
        data.append(trace)
    shapes = []
    if reference is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": reference,
                       "x1": reference, "y0": 0, "y1": 1,
                       "line": {"color": theme.MUTED, "dash": "dash", "width": 1}})
    per_row = 22 * max(1, len(series))
    xaxis = {"exponentformat": "B", "rangemode": "tozero", **(axis or {})}
    values = [v for _, vs, _ in series for v in vs if v == v and v is not None]
    top = max([*values, reference or 0, 0])
    if top > 0:  # room for the value labels (and the reference line) right of the bars
        xaxis["range"] = [0, top * (1.3 if texts is not None else 1.05)]
    return theme.figure(data, height=height or max(200, per_row * len(members) + 90),
                        legend=len(series) > 1, barmode="group", shapes=shapes, xaxis=xaxis,
                        yaxis={"type": "category", "tickfont": {"size": 11}})


def lines(months: Sequence[str], series: list[tuple[str, Sequence[float], Sequence[str]]],
          colors: Sequence[str], axis: dict | None = None, height: int = 340,
          lit: Sequence[bool] | None = None) -> dict:
    """One line per series over the months (x labels "Jan 2025"); with `lit`, the lit lines
    are drawn thicker and the others dim."""
    if not months:
        return theme.empty()
    lit = list(lit) if lit is not None else [None] * len(series)
    data = [{"type": "scatter", "mode": "lines+markers", "name": text(name), "x": list(months),
             "y": list(values), "hovertemplate": HOVER, "hovertext": list(tips),
             "line": {"color": color, "width": 3 if on else 2}, "marker": {"size": 5},
             "opacity": theme.DIM_OPACITY if on is False else 1.0}
            for (name, values, tips), color, on in zip(series, colors, lit, strict=True)]
    return theme.figure(data, height=height,
                        xaxis={"type": "category", "showgrid": False, "tickangle": -45},
                        yaxis={"exponentformat": "B", "rangemode": "tozero", **(axis or {})})


def heatmap(rows: Sequence[str], columns: Sequence[str], z: list[list[float | None]],
            tips: list[list[str]], colorbar: str, height: int | None = None,
            cell_text: list[list[str]] | None = None, zmax: float | None = None) -> dict:
    """Rows × columns, colour = a share (0..1) on the shared light-to-dark scale; `zmax` caps
    the scale (cells above it take the darkest colour) so small shares stay apart."""
    if not rows or not columns:
        return theme.empty()
    # Listed last-to-first: Plotly draws rows bottom-up, so the first row shows on top.
    trace = {"type": "heatmap", "z": list(z)[::-1], "x": [text(c) for c in columns],
             "y": [text(r) for r in rows][::-1], "colorscale": theme.SEQUENTIAL, "zmin": 0,
             "hovertemplate": HOVER, "hovertext": list(tips)[::-1], "xgap": 1, "ygap": 1,
             "colorbar": {"thickness": 8, "tickformat": ".0%",
                          "title": {"text": text(colorbar), "side": "right",
                                    "font": {"size": 11}}}}
    if zmax is not None:
        trace["zmax"] = zmax
    if cell_text is not None:
        trace.update(text=list(cell_text)[::-1], texttemplate="%{text}", textfont={"size": 9})
    return theme.figure([trace], height=height or max(300, 26 * len(rows) + 120), legend=False,
                        xaxis={"type": "category", "showgrid": False, "tickangle": -45,
                               "side": "top"},
                        yaxis={"type": "category", "showgrid": False})
