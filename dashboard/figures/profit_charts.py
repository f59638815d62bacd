"""The profit and loss page's charts as pure functions: (DataFrame, Look) -> plotly figure dict.

Bars show the frame's first row on top: they are listed last-to-first, as Plotly draws bars
bottom-up (not with a reversed axis, which Plotly writes back as autorange true, so a redraw
sometimes came out upside down); the table and the exports read them back top-down. Each bar
carries customdata [column, member] for the drill-down; texts from data pass formats.text;
tooltips say revenue, profit and margin by the one number rule (Look.numbers). Profit is
drawn in PROFIT_COLOR, a loss in LOSS_COLOR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import theme
from dashboard.figures.charts import DEFAULT, HOVER, UNSELECTED, Look
from dashboard.figures.formats import text
from dashboard.figures.us_states import STATE_CODES

PROFIT_COLOR = "#1B7837"
LOSS_COLOR = "#B2182B"
# Margin colours for the map: loss red, break-even pale, profit green (ColorBrewer PRGn-like).
MARGIN_SCALE = [[0.0, LOSS_COLOR], [0.5, "#F7F7F7"], [1.0, PROFIT_COLOR]]
GAIN_SCALE = [[0.0, "#D9F0D3"], [1.0, PROFIT_COLOR]]


def margin(revenue: float, profit: float) -> float | None:
    return profit / revenue if revenue else None


def money_tip(look: Look, name: str, row, with_profit: bool, extra: str = "") -> str:
    """Name, revenue, gross profit and margin (or just revenue without cost data)."""
    numbers = look.numbers
    lines = [f"<b>{text(name)}</b>{extra}",
             f"Revenue: {numbers.metric('revenue', row['revenue'], exact=True)}"]
    if with_profit:
        lines.append(f"Gross profit: {numbers.metric('profit', row['profit'], exact=True)}")
        lines.append(f"Gross margin: "
                     f"{numbers.metric('margin_pct', margin(row['revenue'], row['profit']))}")
    return "<br>".join(lines)


def _part(df: pd.DataFrame, value: str) -> np.ndarray:
    """The highlighted member's part of each row in `value`'s terms (a loss is minus profit)."""
    if value == "revenue":
        return df["hl_revenue"].to_numpy(dtype=float)
    profit = df["hl_profit"].to_numpy(dtype=float)
    return -profit if value == "loss" else profit


def _overlay_tip(look: Look, highlight, member: str, row, with_profit: bool) -> str:
    part = {"revenue": row["hl_revenue"], "profit": row["hl_profit"]}
    share = (f"<br>{part['revenue'] / row['revenue']:.1%} of {text(member)}'s revenue"
             if row["revenue"] else "")
    return money_tip(look, f"{highlight.value} in {member}", part, with_profit) + share


def ranked_bars(df: pd.DataFrame, column: str, value: str, look: Look = DEFAULT,
                with_profit: bool = True, labels: list[str] | None = None,
                message: str = "No sales match these filters", height: int | None = None,
                colored_by: str | None = None, highlight=None) -> dict:
    """Horizontal bars of `value` (profit, revenue or a loss) per member, first row on top.

    `labels` overrides the shown names (store names); customdata keeps the raw member.
    `colored_by` colours bars by a registry dimension (category); else by the sign of value.
    A `highlight` of this chart's own column dims the other bars; of another column, the
    bars dim and the highlighted member's part of each is drawn over them (the Overview's
    look, figures/charts.py).
    """
    height = height or max(260, 24 * len(df) + 70)
    if df.empty:
        return theme.empty(message, height=180)
    members = [str(m) for m in df[column]]
    shown = labels or members
    values = df[value].to_numpy(dtype=float)
    if colored_by is not None:
        colors = look.colors.many(colored_by, [str(m) for m in df[colored_by]])
    else:
        sign = df["profit"].to_numpy(dtype=float) if "profit" in df else values
        colors = np.where(sign < 0, LOSS_COLOR, PROFIT_COLOR).tolist()
    tips = [money_tip(look, name, row, with_profit)
            for name, row in zip(shown, df.to_dict("records"), strict=True)]
    own = highlight is not None and highlight.column == column
    foreign = highlight is not None and not own and "hl_revenue" in df
    data = [{
        "type": "bar", "orientation": "h", "x": values.tolist()[::-1],
        "y": [text(s) for s in shown][::-1],
        "customdata": [[column, m] for m in members][::-1], "name": _value_label(value),
        "marker": {"color": list(colors)[::-1]},
        "hovertemplate": HOVER, "hovertext": tips[::-1],
        "opacity": theme.DIM_OPACITY if foreign else 1.0, "unselected": UNSELECTED,
    }]
    if own:
        data[0]["selectedpoints"] = [i for i, m in enumerate(members[::-1])
                                     if m == highlight.value]
    if foreign:
        data.append({
            "type": "bar", "orientation": "h", "x": _part(df, value).tolist()[::-1],
            "y": data[0]["y"], "customdata": data[0]["customdata"],
            "name": text(f"{highlight.value} (selected)"), "marker": {"color": theme.HIGHLIGHT},
            "hovertemplate": HOVER,
            "hovertext": [_overlay_tip(look, highlight, name, row, with_profit) for name, row
                          in zip(shown, df.to_dict("records"), strict=True)][::-1]})
    return theme.figure(data, height=height, legend=foreign, clickmode="event",
                        barmode="overlay",
                        xaxis=look.numbers.axis("profit" if value != "revenue" else "revenue",
                                                title=False)
                        | {"title": {"text": _axis_title(look, value), "font": {"size": 11}}},
                        yaxis={"type": "category", "automargin": True})


def _value_label(value: str) -> str:
    return {"profit": "Gross profit", "revenue": "Revenue", "loss": "Loss"}.get(value, value)


def _axis_title(look: Look, value: str) -> str:
    return f"{_value_label(value)} ({look.numbers.currency.strip()})"


def margin_bars(df: pd.DataFrame, column: str, look: Look = DEFAULT,
                message: str = "No sales match these filters", highlight=None) -> dict:
    """Vertical bars of gross margin per member in the frame's order (discount bands,
    channels), red below zero; tooltips add revenue and profit. A `highlight` of this
    column dims the other bars; of another, the highlighted member's own margin in each
    member is a marker over the dimmed bars."""
    if df.empty:
        return theme.empty(message, height=300)
    members = [str(m) for m in df[column]]
    margins = [margin(r, p) for r, p in zip(df["revenue"], df["profit"], strict=True)]
    values = [np.nan if m is None else m for m in margins]
    own = highlight is not None and highlight.column == column
    foreign = highlight is not None and not own and "hl_revenue" in df
    data = [{
        "type": "bar", "x": [text(m) for m in members], "y": values,
        "customdata": [[column, m] for m in members], "name": "Gross margin",
        "marker": {"color": [LOSS_COLOR if (v or 0) < 0 else PROFIT_COLOR for v in values]},
        "hovertemplate": HOVER, "opacity": theme.DIM_OPACITY if foreign else 1.0,
        "unselected": UNSELECTED,
        "hovertext": [money_tip(look, m, row, True) for m, row
                      in zip(members, df.to_dict("records"), strict=True)],
    }]
    if own:
        data[0]["selectedpoints"] = [i for i, m in enumerate(members) if m == highlight.value]
    if foreign:
        lit = [margin(r, p) for r, p in zip(df["hl_revenue"], df["hl_profit"], strict=True)]
        data.append({
            "type": "scatter", "mode": "markers", "x": data[0]["x"],
            "y": [np.nan if m is None else m for m in lit],
            "customdata": data[0]["customdata"], "name": text(f"{highlight.value} (selected)"),
            "marker": {"color": theme.HIGHLIGHT, "size": 11, "symbol": "diamond"},
            "hovertemplate": HOVER,
            "hovertext": [_overlay_tip(look, highlight, m, row, True) for m, row
                          in zip(members, df.to_dict("records"), strict=True)]})
    return theme.figure(data, height=300, legend=foreign,
                        xaxis={"type": "category", "title": {"text": text(column_title(column)),
                                                             "font": {"size": 11}}},
                        yaxis={"tickformat": ".0%", "zeroline": True, "zerolinecolor": theme.INK,
                               "title": {"text": "Gross margin (%)", "font": {"size": 11}}})


def column_title(column: str) -> str:
    return {"band": "Discount", "channel": "Channel", "ship_mode": "Ship mode",
            "weekday": "Weekday"}.get(column, column)


def count_bars(df: pd.DataFrame, column: str, value: str, label: str, tips: list[str],
               percent: bool = False, message: str = "No orders match these filters") -> dict:
    """Vertical bars of a count or share per member, in the frame's order."""
    if df.empty:
        return theme.empty(message, height=300)
    members = [str(m) for m in df[column]]
    data = [{
        "type": "bar", "x": [text(m) for m in members],
        "y": df[value].astype(float).tolist(), "customdata": [[column, m] for m in members],
        "name": label, "marker": {"color": theme.ACCENT}, "hovertemplate": HOVER,
        "hovertext": tips,
    }]
    yaxis = {"tickformat": ".0%"} if percent else {"exponentformat": "B", "rangemode": "tozero"}
    return theme.figure(data, height=300, legend=False,
                        xaxis={"type": "category"},
                        yaxis=yaxis | {"title": {"text": label, "font": {"size": 11}}})


def ship_heatmap(matrix: pd.DataFrame, counts: pd.DataFrame,
                 message: str = "No shipped orders match these filters") -> dict:
    """Average days from order to ship: ship mode (rows) x region (columns)."""
    if matrix.empty:
        return theme.empty(message, height=300)
    modes = [str(m) for m in matrix.index]
    regions = [str(r) for r in matrix.columns]
    z = matrix.to_numpy(dtype=float)
    n = counts.reindex(index=matrix.index, columns=matrix.columns).fillna(0).to_numpy()
    tips = [[f"<b>{text(mode)}</b> · {text(region)}<br>Average days to ship: "
             + ("–" if np.isnan(z[i, j]) else f"{z[i, j]:.1f}")
             + f"<br>Orders: {n[i, j]:,.0f}" for j, region in enumerate(regions)]
            for i, mode in enumerate(modes)]
    # Rows listed last-to-first: Plotly draws them bottom-up, so the first mode shows on top.
    data = [{
        "type": "heatmap", "z": [[None if np.isnan(v) else round(float(v), 2) for v in row]
                                 for row in z][::-1],
        "x": [text(r) for r in regions], "y": [text(m) for m in modes][::-1],
        "colorscale": theme.SEQUENTIAL, "hovertemplate": HOVER, "hovertext": tips[::-1],
        "colorbar": {"thickness": 10, "title": {"text": "Days", "side": "right",
                                                "font": {"size": 11}}},
    }]
    return theme.figure(data, height=max(240, 40 * len(modes) + 120), legend=False,
                        xaxis={"type": "category", "tickangle": -45, "showgrid": False},
                        yaxis={"type": "category", "showgrid": False})


def _margin_scale(z: np.ndarray) -> dict:
    """Red to green through break-even when some margin is negative; else light to dark green
    over the margins shown, so states that all make money still differ."""
    low, high = float(z.min()), float(z.max())
    if low < 0:
        bound = max(abs(low), abs(high), 0.05)
        return {"colorscale": MARGIN_SCALE, "zmin": -bound, "zmax": bound}
    if high - low < 1e-6:
        low, high = low - 0.01, high + 0.01
    return {"colorscale": GAIN_SCALE, "zmin": low, "zmax": high}


def state_map(df: pd.DataFrame, look: Look = DEFAULT, with_profit: bool = True) -> dict:
    """A choropleth of US states: margin (or revenue without cost), from the app's own
    topojson (the graph's config sets topojsonURL; nothing comes from a CDN)."""
    frame = df[df["state"].isin(STATE_CODES)]
    if frame.empty:
        return theme.empty("No sales in US states match these filters", height=360)
    revenue = frame["revenue"].to_numpy(dtype=float)
    if with_profit:
        z = np.divide(frame["profit"].to_numpy(dtype=float), revenue,
                      out=np.zeros(len(frame)), where=revenue != 0)
        scale = {**_margin_scale(z),
                 "colorbar": {"thickness": 10, "tickformat": ".1%",
                              "title": {"text": "Margin", "side": "right"}}}
    else:
        z = revenue
        scale = {"colorscale": theme.SEQUENTIAL,
                 "colorbar": {"thickness": 10, "tickprefix": look.numbers.currency,
                              "title": {"text": "Revenue", "side": "right"}}}
    states = [str(s) for s in frame["state"]]
    data = [{
        "type": "choropleth", "locationmode": "USA-states",
        "locations": [STATE_CODES[s] for s in states], "z": z.tolist(),
        "customdata": [["state", s] for s in states],
        "name": "Gross margin" if with_profit else "Revenue",
        "hovertemplate": HOVER, "marker": {"line": {"color": "white", "width": 0.5}},
        "hovertext": [money_tip(look, s, row, with_profit)
                      for s, row in zip(states, frame.to_dict("records"), strict=True)],
        **scale,
    }]
    return theme.figure(data, height=360, legend=False,
                        geo={"scope": "usa", "projection": {"type": "albers usa"},
                             "showlakes": False, "bgcolor": "white"})
