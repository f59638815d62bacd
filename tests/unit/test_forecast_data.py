"""The Forecast's series and page report on the sample retailer, against pandas over the raw
rows: the total (monthly and weekly), the members of a breakdown adding up, a North manager's
series equal to North's rows only, a forged region getting nothing, the levels check, the CLI's
JSON and CSV, and results kept per data version and scope."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.forecast import ahead
from dashboard.forecast.compute import levels, shown_path
from dashboard.forecast.series import load
from dashboard.forecast.spec import TOTAL, from_query
from dashboard.pages.forecast_report import page_report
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain

NORTH = Scope(("North",))


def pandas_series(raw: pd.DataFrame, grain: str, measure: str, by: str | None = None):
    """Whole months or weeks (Monday starts) inside the data's span, summed with pandas."""
    df = raw.copy()
    lo, hi = df["date"].min(), df["date"].max()
    if grain == "month":
        df["period"] = df["date"].dt.to_period("M").dt.start_time
        ends = df["period"] + pd.offsets.MonthEnd(0)
    else:
        df["period"] = df["date"] - pd.to_timedelta(df["date"].dt.day_of_week, unit="D")
        ends = df["period"] + pd.Timedelta(days=6)
    df = df[(df["period"] >= lo) & (ends <= hi)]
    keys = ["period"] + ([by] if by else [])
    return df.groupby(keys)[measure].sum()


def series_values(warehouse, scope, query: dict):
    dom = domain(warehouse, scope)
    return load(warehouse, scope, dom, from_query(query))


@pytest.mark.parametrize("grain,measure", [("month", "revenue"), ("week", "units")])
def test_total_series_equals_pandas(warehouse, raw, grain, measure):
    got = series_values(warehouse, Scope.everything(), {"grain": grain, "measure": measure})
    want = pandas_series(raw, grain, measure)
    assert [pd.Timestamp(p) for p in got.periods] == list(want.index)
    assert got.values[TOTAL] == pytest.approx(want.to_numpy(), rel=1e-9)


def test_category_members_equal_pandas_and_add_up(warehouse, raw):
    got = series_values(warehouse, Scope.everything(), {"by": "category"})
    want = pandas_series(raw, "month", "revenue", "category").unstack(fill_value=0)
    assert sorted(m for m in got.values if m != TOTAL) == sorted(want.columns)
    for member in want.columns:
        assert got.values[member] == pytest.approx(want[member].to_numpy(), rel=1e-9)
    members = sum(v for k, v in got.values.items() if k != TOTAL)
    assert members == pytest.approx(got.values[TOTAL], rel=1e-12)


def test_north_manager_sees_north_rows_only(warehouse, raw):
    north = raw[raw["region"] == "North"]
    got = series_values(warehouse, NORTH, {"by": "region"})
    assert set(got.values) == {TOTAL, "North"}
    assert got.values[TOTAL] == pytest.approx(pandas_series(north, "month", "revenue")
                                              .to_numpy(), rel=1e-9)
    forged = series_values(warehouse, NORTH, {"region": "South"})
    assert not np.any(forged.values[TOTAL])  # a region outside the scope matches nothing
    report = page_report(warehouse, NORTH, "region=South&by=region&member=South")
    text = json.dumps(report)
    assert "South" not in text.replace("region=South", "")  # never named, only counted
    assert any("not in the data you can see" in n for n in report["notes"])
    assert any("not among the series you can see" in n for n in report["notes"])
    assert report["series"][0]["status"] == "short"  # nothing to forecast


def test_page_report_levels_and_accuracy(warehouse):
    report = page_report(warehouse, Scope.everything(), "by=category&member=Dolls&horizon=6")
    assert report["page"] == "forecast" and report["charts"][0]["id"] == "forecast"
    names = [s["series"] for s in report["series"]]
    assert names[0] == TOTAL and "Dolls" in names
    assert [r[0] for r in report["accuracy"]["rows"]] == names
    for entry in report["series"]:
        bt = entry["backtest"]
        assert bt["model"]["mase"] > 0 and bt["baseline"]["mase"] > 0
        assert entry["shown"] == ("model" if bt["model_wins"] else "baseline")
        assert len(entry["forecast"]) == 6
    # the levels are reconciled: per period the categories' shown forecasts (and both bands'
    # shifts) add up to the total's to the cent, summed here with numpy
    means = {e["series"]: np.array([f["mean"] for f in e["forecast"]]) for e in report["series"]}
    members_sum = sum(v for k, v in means.items() if k != TOTAL)
    assert np.max(np.abs(members_sum - means[TOTAL])) < 0.005
    levels_line = [n for n in report["narrative"] if n.startswith("Levels:")][0]
    assert levels_line.startswith("Levels: reconciled. The categories' forecasts add up")
    assert all(e["method"].endswith(", OLS reconciliation") for e in report["series"])
    rows = report["charts"][0]["rows"]
    forecast_rows = [r for r in rows if r[0].startswith(("Forecast", "Seasonal naive"))]
    dolls = next(e for e in report["series"] if e["series"] == "Dolls")
    assert [r[2] for r in forecast_rows] == pytest.approx([f["mean"] for f in dolls["forecast"]])


def test_levels_sum(warehouse):
    dom = domain(warehouse, Scope.everything())
    result = ahead.result(warehouse, Scope.everything(), from_query({"by": "region"}), dom)
    check = levels(result, 4)
    parts = sum(sum(shown_path(result["series"][m])["mean"][:4]) for m in result["members"])
    total = sum(shown_path(result["series"][TOTAL])["mean"][:4])
    assert check["complete"] and check["members_sum"] == pytest.approx(parts)
    assert check["gap"] == pytest.approx(parts - total)


def test_kept_per_version_and_scope(warehouse):
    spec = from_query({"measure": "units"})
    folder = ahead._folder(warehouse)
    everyone, north = (ahead._file(folder, s, spec) for s in (Scope.everything(), NORTH))
    assert everyone != north
    done = ahead.compute_ahead(warehouse, specs=(spec,), scopes=[Scope.everything(), NORTH])
    assert done["views"] == 2 and everyone.exists() and north.exists()
    kept = json.loads(north.read_text())
    assert kept["series"][TOTAL]["history"] != json.loads(everyone.read_text())[
        "series"][TOTAL]["history"]
    assert ahead.result(warehouse, NORTH, spec) == kept


def test_cli_json_and_csv(warehouse_dir, accounts, tmp_path, raw, capsys):
    north = accounts["manager"].username
    out = tmp_path / "f.json"
    assert main(["--warehouse", str(warehouse_dir), "forecast", "--as", north, "--measure",
                 "units", "--horizon", "4", "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert {"series", "accuracy", "notes", "narrative", "data_version"} <= set(data)
    total = data["series"][0]
    assert total["series"] == TOTAL and len(total["forecast"]) == 4
    assert set(total["backtest"]) == {"model", "baseline", "held_out", "model_wins"}
    assert set(total["backtest"]["model"]) == {"mase", "smape"}
    assert set(total["forecast"][0]) == {"period", "mean", "lo80", "hi80", "lo95", "hi95"}
    bt = tmp_path / "bt.csv"
    assert main(["--warehouse", str(warehouse_dir), "forecast", "--as", north, "--backtest",
                 "--format", "csv", "--out", str(bt)]) == 0
    rows = list(csv.reader(bt.open()))
    assert rows[0][:2] == ["series", "status"] and rows[1][0] == TOTAL
    assert main(["--warehouse", str(warehouse_dir), "forecast", "--as", "nobody",
                 "--format", "json", "--out", str(out)]) == 2
    assert main(["--warehouse", str(warehouse_dir), "forecast", "--as", north]) == 2
    err = capsys.readouterr().err
    assert "no user 'nobody'" in err and "--format, --out are required" in err
    with pytest.raises(SystemExit):
        main(["forecast", "--as", north, "--horizon", "40"])
    assert "outside 3–18" in capsys.readouterr().err


def test_expected_daily_units_for_inventory(warehouse, raw):
    from dashboard.forecast.demand import expected_daily_units

    demand = expected_daily_units(warehouse, NORTH, days=14, by_product=True)
    north_stores = set(raw.loc[raw["region"] == "North", "store_id"])
    assert set(demand["stores"]) == north_stores  # every store in scope, none outside it
    for store, item in demand["stores"].items():
        assert item["daily_units"] >= 0 and item["method"]
        split = demand["store_products"][store]
        assert sum(split.values()) == pytest.approx(item["daily_units"])
    # the per-toy split follows pandas' shares of each store's units over the last 13 weeks
    store = sorted(north_stores)[0]
    end = raw["date"].max()
    end = end - pd.Timedelta(days=(end.day_of_week + 1) % 7)  # the last whole week's Sunday
    recent = raw[(raw["store_id"] == store) & (raw["date"] > end - pd.Timedelta(weeks=13))
                 & (raw["date"] <= end)]
    shares = recent.groupby("product_name")["units"].sum() / recent["units"].sum()
    got = pd.Series(demand["store_products"][store]) / demand["stores"][store]["daily_units"]
    assert got.sort_index().to_numpy() == pytest.approx(shares.sort_index().to_numpy())
