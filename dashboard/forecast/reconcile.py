"""Levels that add up: OLS reconciliation of a total and its members (Hyndman et al. 2011,
"Optimal combination forecasts for hierarchical time series"; FPP3 section 11.4).

Per future period the base forecasts y = [total, m1..mk] (each series' shown forecast: the
model's or seasonal naive's) are projected onto the forecasts that add up, S b with
S = [1..1; I_k]: y~ = S (S'S)^-1 S' y, the nearest coherent forecasts in least squares. A
few lines of numpy (hierarchicalforecast needs statsforecast, which needs pandas < 3).
The interval bands are moved by the same amount as their mean (an approximation: the
reconciled spread is not recomputed). The backtest scores the base forecasts, before
reconciliation, so it measures each series' own model against seasonal naive.
"""

from __future__ import annotations

import numpy as np

METHOD = "OLS reconciliation"
BANDS = ("lo80", "hi80", "lo95", "hi95")


def summing_matrix(members: int) -> np.ndarray:
    """Rows: the total (every member) then each member."""
    return np.vstack([np.ones((1, members)), np.eye(members)])


def project(base: np.ndarray) -> np.ndarray:
    """Base forecasts (rows: total, members; columns: periods) -> reconciled, same shape."""
    base = np.asarray(base, dtype=float)
    s = summing_matrix(base.shape[0] - 1)
    bottom = np.linalg.solve(s.T @ s, s.T @ base)
    return s @ bottom


def reconcile(paths: list[dict]) -> list[dict]:
    """Shown paths of the total then its members -> reconciled paths (same keys)."""
    base = np.array([p["mean"] for p in paths], dtype=float)
    fixed = project(base)
    out = []
    for path, mean, old in zip(paths, fixed, base, strict=True):
        shift = mean - old
        item = {"method": f"{path['method']}, {METHOD}", "mean": [float(v) for v in mean]}
        item.update({k: [float(v) for v in np.asarray(path[k], dtype=float) + shift]
                     for k in BANDS})
        out.append(item)
    return out
