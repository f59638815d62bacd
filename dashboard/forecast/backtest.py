"""Rolling-origin backtest: refit at each of the last few origins, forecast the next periods,
and score the model and seasonal naive on what really happened.

Folds: FOLDS origins, STEP[grain] periods apart, each forecasting STEP periods ahead, so the
held-out periods are the last FOLDS x STEP ones (9 months, or 12 weeks) and never overlap.
The model is chosen anew at every origin from the data before it only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.forecast import accuracy, model

FOLDS = 3
STEP = {"month": 3, "week": 4}
MAX_ZERO_SHARE = 0.3  # a series with more zero periods is too sparse to forecast


@dataclass(frozen=True)
class Score:
    mase: float | None
    smape: float | None


@dataclass(frozen=True)
class Backtest:
    model: Score
    baseline: Score
    held_out: int  # periods scored

    @property
    def model_wins(self) -> bool:
        """Lower mean MASE than seasonal naive (sMAPE when MASE cannot be computed)."""
        pick = "mase" if None not in (self.model.mase, self.baseline.mase) else "smape"
        a, b = getattr(self.model, pick), getattr(self.baseline, pick)
        return a is not None and b is not None and a < b


def too_short(y: np.ndarray, season: int, grain: str) -> str | None:
    """Why this series gets no forecast ("not enough history"), or None.

    Rule: the first backtest origin needs at least one full season of history (seasonal naive
    needs it; the model is seasonal only with two full seasons), and at most 30% of the
    periods may be zero."""
    need = season + FOLDS * STEP[grain]
    if len(y) < need:
        unit = "months" if grain == "month" else "weeks"
        return (f"not enough history: {len(y)} whole {unit}, a forecast with a backtest needs "
                f"{need} ({season} for one season plus {FOLDS * STEP[grain]} held out)")
    zeros = float(np.mean(y == 0))
    if zeros > MAX_ZERO_SHARE:
        return (f"not enough history: {zeros:.0%} of the periods have no sales (more than "
                f"{MAX_ZERO_SHARE:.0%})")
    return None


def run(y, season: int, grain: str) -> Backtest:
    y = np.asarray(y, dtype=float)
    step = STEP[grain]
    scores: dict[str, dict[str, list]] = {"model": {"mase": [], "smape": []},
                                          "baseline": {"mase": [], "smape": []}}
    for fold in range(FOLDS, 0, -1):
        origin = len(y) - fold * step
        train, test = y[:origin], y[origin:origin + step]
        for name, path in (("model", model.ets_forecast(train, season, step).mean),
                           ("baseline", model.seasonal_naive(train, season, step).mean)):
            scores[name]["mase"].append(accuracy.mase(test, path, train, season))
            scores[name]["smape"].append(accuracy.smape(test, path))

    def mean(values: list) -> float | None:
        return None if any(v is None for v in values) else float(np.mean(values))

    return Backtest(Score(mean(scores["model"]["mase"]), mean(scores["model"]["smape"])),
                    Score(mean(scores["baseline"]["mase"]), mean(scores["baseline"]["smape"])),
                    FOLDS * step)
