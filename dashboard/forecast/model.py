"""Exponential smoothing chosen per series, and the seasonal-naive baseline.

The model is statsmodels' ETSModel (never hand-written): every specification below is fitted
and the one with the lowest AICc is kept, as R's ets() and statsforecast's AutoETS do.
Only additive errors are tried (their 80% and 95% intervals are analytic, not simulated);
trend none, additive or damped; seasonality none, additive or multiplicative (multiplicative
only for positive series), seasonal only with at least two full seasons of data. ETSModel
takes no exogenous inputs, so festivals enter only through the yearly seasonality (the page
shows them as bands and says so).

statsforecast's AutoETS was measured first (about 40x faster), but statsforecast 2.x requires
pandas < 3, which would downgrade the project's pandas; see docs/FORECAST.md.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVELS = (80, 95)
Z = {80: 1.2815515655446004, 95: 1.959963984540054}  # two-sided normal quantiles


@dataclass(frozen=True)
class Forecast:
    """A forecast path and its intervals, keyed lo80/hi80/lo95/hi95."""

    method: str  # "ETS(A,Ad,M)" or "Seasonal naive"
    mean: np.ndarray
    bands: dict[str, np.ndarray]


def specs(y: np.ndarray, season: int) -> list[tuple[str | None, bool, str | None]]:
    """(trend, damped, seasonal) specifications worth trying on this series."""
    seasonals: list[str | None] = [None]
    if season > 1 and len(y) >= 2 * season:
        seasonals.append("add")
        if np.all(y > 0):
            seasonals.append("mul")
    out = []
    for trend, damped in ((None, False), ("add", False), ("add", True)):
        for seasonal in seasonals:
            out.append((trend, damped, seasonal))
    return out


def _name(trend, damped, seasonal) -> str:
    t = "N" if trend is None else ("Ad" if damped else "A")
    s = {None: "N", "add": "A", "mul": "M"}[seasonal]
    return f"ETS(A,{t},{s})"


def fit_ets(y, season: int):
    """The fitted ETSModel result with the lowest AICc, and its name."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(np.asarray(y, dtype=float))
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; a bad fit loses on AICc
        for trend, damped, seasonal in specs(series.to_numpy(), season):
            try:
                result = ETSModel(
                    series, error="add", trend=trend, damped_trend=damped, seasonal=seasonal,
                    seasonal_periods=season if seasonal else None,
                    initialization_method="heuristic" if seasonal else "estimated",
                ).fit(disp=False, maxiter=200)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(result.aicc) and (best is None or result.aicc < best[0].aicc):
                best = (result, _name(trend, damped, seasonal))
    if best is None:
        raise ValueError("no exponential smoothing model could be fitted")
    return best


def ets_forecast(y, season: int, horizon: int) -> Forecast:
    result, name = fit_ets(y, season)
    n = len(y)
    bands = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = result.get_prediction(start=n, end=n + horizon - 1)
        mean = np.asarray(prediction.predicted_mean, dtype=float)
        for level in LEVELS:
            frame = prediction.summary_frame(alpha=1 - level / 100)
            bands[f"lo{level}"] = frame["pi_lower"].to_numpy(dtype=float)
            bands[f"hi{level}"] = frame["pi_upper"].to_numpy(dtype=float)
    return Forecast(name, mean, bands)


def seasonal_naive(y, season: int, horizon: int) -> Forecast:
    """Each period forecast by the same period one season earlier; intervals from the
    residual spread growing with the number of seasons ahead (Hyndman & Athanasopoulos,
    Forecasting: Principles and Practice, section 5.5)."""
    y = np.asarray(y, dtype=float)
    steps = np.arange(horizon)
    mean = y[len(y) - season + steps % season]
    residuals = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(residuals ** 2))) if len(residuals) else 0.0
    spread = sigma * np.sqrt(steps // season + 1)
    bands = {}
    for level in LEVELS:
        bands[f"lo{level}"] = mean - Z[level] * spread
        bands[f"hi{level}"] = mean + Z[level] * spread
    return Forecast("Seasonal naive", mean, bands)
