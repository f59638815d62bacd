"""Forecast errors: MASE (scaled by the in-sample seasonal-naive error) and sMAPE.

Plain numpy so the definitions can be read at a glance; tests check them by hand on tiny series.
"""

from __future__ import annotations

import numpy as np


def mase(actual, forecast, train, season: int) -> float | None:
    """Mean absolute error over the mean absolute in-sample error of the seasonal-naive
    forecast (y[t] predicted by y[t - season]) on the training data. None when that scale is
    zero or the training data is shorter than one season plus one."""
    actual, forecast, train = (np.asarray(a, dtype=float) for a in (actual, forecast, train))
    if len(train) <= season:
        return None
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    if not np.isfinite(scale) or scale == 0:
        return None
    return float(np.mean(np.abs(actual - forecast)) / scale)


def smape(actual, forecast) -> float | None:
    """Symmetric MAPE in percent: mean of 2|y - f| / (|y| + |f|), a term 0 when both are 0."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    if not len(actual):
        return None
    denom = np.abs(actual) + np.abs(forecast)
    terms = np.divide(2 * np.abs(actual - forecast), denom, out=np.zeros_like(denom),
                      where=denom > 0)
    return float(100 * np.mean(terms))
