"""Reconciled levels (forecast/reconcile.py): the projection checked by hand on a tiny
hierarchy, and a region breakdown whose regions add up to the total to the cent per period,
while the backtest still scores each series' own forecast."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.forecast import ahead
from dashboard.forecast.compute import levels, shown_path
from dashboard.forecast.reconcile import project, reconcile
from dashboard.forecast.spec import TOTAL, from_query
from dashboard.pages.forecast_report import page_report
from dashboard.queries.filters import Scope


def test_ols_projection_by_hand():
    # total 100, members 30 and 50: the gap of 20 is shared equally by the three series
    # (OLS on a two-level hierarchy: each moves by gap / (k + 1)), so 93.33 = 36.67 + 56.67
    got = project(np.array([[100.0], [30.0], [50.0]]))
    assert got[:, 0] == pytest.approx([100 - 20 / 3, 30 + 20 / 3, 50 + 20 / 3])
    coherent = np.array([[80.0, 7.0], [30.0, 3.0], [50.0, 4.0]])
    assert project(coherent) == pytest.approx(coherent)  # what adds up is left alone
    paths = [{"method": "Seasonal naive", "mean": [10.0], "lo80": [8.0], "hi80": [12.0],
              "lo95": [7.0], "hi95": [13.0]},
             {"method": "ETS(A,N,N)", "mean": [4.0], "lo80": [3.0], "hi80": [5.0],
              "lo95": [2.0], "hi95": [6.0]},
             {"method": "ETS(A,N,N)", "mean": [3.0], "lo80": [2.0], "hi80": [4.0],
              "lo95": [1.0], "hi95": [5.0]}]
    total, a, b = reconcile(paths)  # gap 3: each moves by 1
    assert (total["mean"], a["mean"], b["mean"]) == ([9.0], [5.0], [4.0])
    assert (total["lo80"], a["hi95"]) == ([7.0], [7.0])  # bands moved with their mean
    assert total["method"] == "Seasonal naive, OLS reconciliation"


def test_regions_add_up_to_the_total_to_the_cent(warehouse, raw):
    report = page_report(warehouse, Scope.everything(), "by=region&horizon=18")
    series = {e["series"]: e for e in report["series"]}
    assert set(series) == {TOTAL, *set(raw["region"])}  # every region: complete
    means = {k: np.array([f["mean"] for f in e["forecast"]]) for k, e in series.items()}
    regions = sum(v for k, v in means.items() if k != TOTAL)
    assert len(means[TOTAL]) == 18
    assert np.max(np.abs(regions - means[TOTAL])) < 0.005
    # the backtest and the base forecasts are each series' own, before reconciliation
    result = ahead.result(warehouse, Scope.everything(), from_query({"by": "region"}))
    base = levels(result, 18, reconciled=False)
    for item in result["series"].values():
        own = item["model"] if item["shown"] == "model" else item["baseline"]
        assert shown_path(item, reconciled=False) is own
        assert item["backtest"]["model_wins"] == (item["shown"] == "model")
    own_total = np.array(shown_path(result["series"][TOTAL], reconciled=False)["mean"][:18])
    assert base["total"] == pytest.approx(own_total.sum())
    line = [n for n in report["narrative"] if n.startswith("Levels:")][0]
    assert f"({base['gap_pct']:+.1f}%)" in line


def test_stores_are_not_reconciled(warehouse):
    result = ahead.result(warehouse, Scope(("North",)), from_query({"by": "store"}))
    assert not any("reconciled" in item for item in result["series"].values())
