"""The Forecast page's chart: history, the forecast shown, its 80% and 95% bands, festivals in
the forecast window as bands behind the data. A plain figure dict like every chart here."""

from __future__ import annotations

import datetime as dt

from dashboard.figures import theme
from dashboard.figures.formats import Numbers

BAND_95 = "rgba(37, 99, 235, 0.12)"
BAND_80 = "rgba(37, 99, 235, 0.28)"
FESTIVAL = "rgba(234, 179, 8, 0.18)"


def _tips(numbers: Numbers, kind: str, values: list[float]) -> list[str]:
    return [numbers.exact(v, kind) for v in values]


def _window(periods: list[str], future: list[str], season: int) -> list[str] | None:
    """Three years of monthly or two of weekly history, and the forecast (zoom out for more)."""
    if not periods:
        return None
    start = periods[max(0, len(periods) - (3 * season if season <= 12 else 2 * season))]
    end = future[-1] if future else periods[-1]
    return [start, end]


def forecast_chart(periods: list[str], history: list[float], future: list[str],
                   path: dict | None, measure_kind: str, axis: dict, numbers: Numbers,
                   festivals: list[tuple[dt.date, dt.date, str]], season: int = 12,
                   height: int = 380) -> dict:
    """`path` is the forecast shown ({method, mean, lo80, hi80, lo95, hi95}) or None."""
    fmt = "%{x|%b %Y}" if len(periods) < 2 or (
        dt.date.fromisoformat(periods[1]) - dt.date.fromisoformat(periods[0])).days > 7 \
        else "week of %{x|%-d %b %Y}"
    data: list[dict] = []
    if path is not None:
        for level, fill in ((95, BAND_95), (80, BAND_80)):
            lo, hi = path[f"lo{level}"], path[f"hi{level}"]
            data.append({"type": "scatter", "mode": "lines", "x": future, "y": lo,
                         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip",
                         "name": f"{level}% low"})
            data.append({"type": "scatter", "mode": "lines", "x": future, "y": hi,
                         "fill": "tonexty", "fillcolor": fill, "line": {"width": 0},
                         "name": f"{level}% interval",
                         "text": [f"{numbers.exact(a, measure_kind)} – "
                                  f"{numbers.exact(b, measure_kind)}" for a, b in zip(lo, hi,
                                                                                   strict=True)],
                         "hovertemplate": f"{fmt}<br>{level}%: %{{text}}<extra></extra>"})
    if path is not None and periods:  # joins the last actual to the first forecast
        data.append({"type": "scatter", "mode": "lines", "x": [periods[-1], future[0]],
                     "y": [history[-1], path["mean"][0]], "name": "", "showlegend": False,
                     "hoverinfo": "skip", "line": {"color": theme.ACCENT, "width": 1,
                                                   "dash": "dot"}})
    data.append({"type": "scatter", "mode": "lines", "x": periods, "y": history,
                 "name": "Actual", "line": {"color": theme.INK, "width": 2},
                 "text": _tips(numbers, measure_kind, history),
                 "hovertemplate": f"{fmt}<br>Actual: %{{text}}<extra></extra>"})
    if path is not None:
        rest = path["method"].removeprefix("Seasonal naive")  # ", OLS reconciliation" or ""
        name = (f"Seasonal naive forecast{rest}" if rest != path["method"]
                else f"Forecast · {path['method']}")
        data.append({"type": "scatter", "mode": "lines+markers", "x": future, "y": path["mean"],
                     "name": name, "line": {"color": theme.ACCENT, "width": 2, "dash": "dash"},
                     "marker": {"size": 5},
                     "text": _tips(numbers, measure_kind, path["mean"]),
                     "hovertemplate": f"{fmt}<br>Forecast: %{{text}}<extra></extra>"})
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": start.isoformat(),
               "x1": (end + dt.timedelta(days=1)).isoformat(), "y0": 0, "y1": 1,
               "fillcolor": FESTIVAL, "line": {"width": 0}, "layer": "below"}
              for start, end, _name in festivals]
    return theme.figure(
        data, height=height, shapes=shapes,
        xaxis={"type": "date", "title": {"text": ""}, "range": _window(periods, future, season)},
        yaxis={**axis, "rangemode": "tozero"},
        hovermode="closest",
    )
