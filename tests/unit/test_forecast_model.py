"""The forecast's arithmetic on generated series with a known pattern: MASE and sMAPE against
hand computations, the model beating seasonal naive on trend plus season, losing to it on a
seasonal random walk (and the page then showing the baseline), the "not enough history" rule."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.forecast import accuracy, backtest, model
from dashboard.forecast.compute import one_series, shown_path


def test_mase_and_smape_by_hand():
    train = [10, 20, 30, 12, 24, 33]  # season 3: naive errors |12-10|, |24-20|, |33-30|
    actual, forecast = [14, 26], [12, 30]
    scale = (2 + 4 + 3) / 3
    assert accuracy.mase(actual, forecast, train, 3) == pytest.approx(((2 + 4) / 2) / scale)
    by_hand = (2 * 2 / (14 + 12) + 2 * 4 / (26 + 30)) / 2 * 100
    assert accuracy.smape(actual, forecast) == pytest.approx(by_hand)
    assert accuracy.smape([0, 5], [0, 5]) == 0  # 0/0 counts as no error
    assert accuracy.mase([1], [1], [5, 5, 5, 5], 2) is None  # a flat history has no scale
    assert accuracy.mase([1], [1], [5, 5], 2) is None  # shorter than a season plus one


def test_seasonal_naive_repeats_last_season():
    y = np.arange(1, 25, dtype=float)
    f = model.seasonal_naive(y, 12, 15)
    assert list(f.mean) == list(y[12:]) + list(y[12:15])
    assert np.all(f.bands["lo95"] <= f.bands["lo80"]) and np.all(f.bands["hi80"] <= f.bands["hi95"])


def trend_season(seed: int, n: int = 48) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 500 + 8 * t + 120 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 15, n)


def seasonal_random_walk(seed: int = 1, n: int = 48) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = np.empty(n)
    y[:12] = 1000 + rng.normal(0, 100, 12)
    for t in range(12, n):
        y[t] = y[t - 12] + rng.normal(0, 60)
    return y


def test_model_beats_seasonal_naive_on_trend_and_season():
    for seed in (0, 1):
        scored = backtest.run(trend_season(seed), 12, "month")
        assert scored.model_wins
        assert scored.model.mase < scored.baseline.mase
        assert scored.held_out == backtest.FOLDS * backtest.STEP["month"]
    fitted = model.ets_forecast(trend_season(0), 12, 6)
    assert fitted.method.startswith("ETS(A,A")  # a trend was found
    assert np.all(fitted.bands["lo95"] < fitted.bands["lo80"])
    assert np.all(fitted.bands["lo80"] < fitted.mean) and np.all(fitted.mean < fitted.bands["hi80"])


def test_seasonal_random_walk_shows_the_baseline():
    y = seasonal_random_walk()
    item = one_series(y, 12, "month")
    assert item["status"] == "ok"
    assert item["backtest"]["model_wins"] is False
    assert item["backtest"]["model"]["mase"] > item["backtest"]["baseline"]["mase"]
    assert item["shown"] == "baseline"
    shown = shown_path(item)
    assert shown["method"] == "Seasonal naive"
    assert shown["mean"][:12] == pytest.approx(list(y[-12:]))  # last year again


def test_not_enough_history():
    short = trend_season(0, n=20)  # needs 12 + 9 = 21 months
    item = one_series(short, 12, "month")
    assert item["status"] == "short" and "not enough history" in item["reason"]
    assert shown_path(item) is None
    sparse = trend_season(0)
    sparse[::2] = 0  # half the months empty
    assert "no sales" in backtest.too_short(sparse, 12, "month")
    assert backtest.too_short(trend_season(0, n=21), 12, "month") is None


def test_seasonality_needs_two_full_seasons():
    assert all(s is None for _, _, s in model.specs(np.ones(23), 12))
    assert {s for _, _, s in model.specs(np.ones(24), 12)} == {None, "add", "mul"}
    assert "mul" not in {s for _, _, s in model.specs(np.r_[0.0, np.ones(30)], 12)}
