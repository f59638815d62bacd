"""page_report (the page-data contract) against plain pandas over the raw sample rows."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.pages.overview_report import page_report
from dashboard.queries.filters import Scope
from dashboard.report import export
from dashboard.report.registry import PAGES, UnknownPage, page_function
from tests import reference as ref

YEAR = "start=2025-01-01&end=2025-12-31"
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def year_rows(raw):
    return ref.select(raw, START, END)


@pytest.fixture(scope="module")
def everything(warehouse):
    return page_report(warehouse, Scope.everything(), YEAR)


def chart(report: dict, key: str) -> dict:
    return next(c for c in report["charts"] if c["id"] == key)


def by_item(rows, series: str | None = None) -> dict:
    return {item: value for s, item, value in rows if series is None or s == series}


def test_registry_names_the_overview():
    assert PAGES["overview"] == "dashboard.pages.overview_report:page_report"
    assert page_function("overview") is page_report
    with pytest.raises(UnknownPage):
        page_function("nope")


def test_the_dict_follows_the_contract(everything, warehouse):
    r = everything
    assert (r["page"], r["title"]) == ("overview", "Overview")
    assert r["data_version"] == warehouse.version
    assert r["filters"] == "All regions, 2025"
    assert [c["id"] for c in r["charts"]] == ["trend", "top", "contrib", "heatmap", "category",
                                              "subcategory", "age", "gender"]
    for c in r["charts"]:
        go.Figure(c["figure"])  # a valid plotly figure
        assert c["title"] and c["rows"]
        assert all(len(row) == len(c["columns"]) for row in c["rows"])
    assert json.loads(export.as_json([r]))["charts"][0]["id"] == "trend"  # JSON-serialisable


def test_tiles_match_pandas(everything, year_rows):
    expected = ref.totals(year_rows)
    tiles = {t["id"]: t for t in everything["tiles"]}
    assert list(tiles) == ["revenue", "units", "orders", "aov", "margin_pct"]
    for name in ("revenue", "units", "orders", "aov", "margin_pct"):
        assert tiles[name]["value"] == pytest.approx(expected[name]), name
    assert tiles["revenue"]["text"] == f"${expected['revenue'] / 1e6:.1f}M"
    assert tiles["margin_pct"]["text"] == f"{expected['margin_pct'] * 100:.1f}%"
    assert tiles["revenue"]["label"] == "Revenue"


def test_tile_change_matches_pandas(everything, raw):
    start, end = ref.year_ago(START, END)
    before = ref.totals(ref.select(raw, start, end))["revenue"]
    now = ref.totals(ref.select(raw, START, END))["revenue"]
    tile = everything["tiles"][0]
    assert tile["change_year_ago"] == pytest.approx(now / before - 1)
    assert tile["change_year_ago_text"] == f"{(now / before - 1) * 100:+.1f}%"


def test_category_rows_match_pandas_in_the_order_shown(everything, year_rows):
    rows = chart(everything, "category")["rows"]
    expected = year_rows.groupby("category")["revenue"].sum().sort_values(ascending=False)
    assert chart(everything, "category")["columns"] == ["Series", "Category", "Revenue"]
    assert [item for _s, item, _v in rows] == list(expected.index)  # top-down, largest first
    assert [v for _s, _i, v in rows] == pytest.approx(expected.tolist())


def test_contribution_rows_are_shares_of_revenue_and_growth(everything, year_rows, raw):
    rows = chart(everything, "contrib")["rows"]
    revenue = year_rows.groupby("region")["revenue"].sum()
    assert by_item(rows, "Share of revenue") == pytest.approx((revenue / revenue.sum()).to_dict())
    before = ref.select(raw, *ref.previous_period(START, END)).groupby("region")["revenue"].sum()
    change = revenue - before
    expected = (change / abs(change.sum())).to_dict()
    assert by_item(rows, "Share of the change") == pytest.approx(expected)
    shares = [v for s, _i, v in rows if s == "Share of revenue"]
    assert shares == sorted(shares, reverse=True)  # top-down, as drawn


def test_heatmap_rows_are_region_by_month(everything, year_rows):
    rows = chart(everything, "heatmap")["rows"]
    cells = {(region, month): v for region, month, v in rows}
    expected = year_rows.groupby(["region", "month"])["revenue"].sum()
    assert len(cells) == len(expected)
    for (region, month), value in expected.items():
        assert cells[(region, f"{month:%b %Y}")] == pytest.approx(value)


def test_trend_rows_match_pandas_for_each_series_shown(everything, year_rows):
    rows = chart(everything, "trend")["rows"]
    monthly = year_rows.groupby(["category", "month"])["revenue"].sum()
    named = {s for s, _m, _v in rows if not s.startswith("Other")}
    top = year_rows.groupby("category")["revenue"].sum().nlargest(len(named))
    assert named == set(top.index)
    for series, month, value in rows:
        if series in named:
            expected = monthly.get((series, pd.Timestamp(month)), 0.0)
            assert value == pytest.approx(expected), (series, month)
    other = [v for s, _m, v in rows if s.startswith("Other")]
    rest = year_rows[~year_rows["category"].isin(named)].groupby("month")["revenue"].sum()
    assert other == pytest.approx(rest.tolist())


def test_top_toys_rows_match_pandas(everything, year_rows):
    c = chart(everything, "top")
    assert c["columns"] == ["Age group", "Toy", "Revenue"]
    sums = year_rows.groupby(["age_group", "product_name"])["revenue"].sum()
    for age in year_rows["age_group"].unique():
        shown = [(toy, v) for a, toy, v in c["rows"] if a == age]
        best = sums[age].sort_values(ascending=False).head(5)
        assert [v for _t, v in shown] == pytest.approx(best.tolist()), age
        assert [t for t, _v in shown] == list(best.index), age


def test_share_rows_match_pandas(everything, year_rows):
    for key, column in (("age", "age_group"), ("gender", "gender")):
        expected = year_rows.groupby(column)["revenue"].sum().to_dict()
        assert by_item(chart(everything, key)["rows"]) == pytest.approx(expected)


def test_drilled_into_north_gives_its_states(warehouse, year_rows, sample_dir):
    r = page_report(warehouse, Scope.everything(), YEAR + "&geo=North")
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state"]]
    north = year_rows[year_rows["region"] == "North"].merge(stores, on="store_id")
    expected = north.groupby("state")["revenue"].sum()
    contrib = chart(r, "contrib")
    assert contrib["title"] == "Contribution % by state in North"
    assert contrib["columns"] == ["Series", "State", "Share"]
    assert by_item(contrib["rows"], "Share of revenue") == pytest.approx(
        (expected / expected.sum()).to_dict())
    assert "places: North" in r["filters"]


def test_a_manager_sees_only_their_region(warehouse, raw, sample_dir):
    r = page_report(warehouse, Scope(("North",)), YEAR)
    north = ref.select(raw, START, END, scope=("North",))
    assert r["filters"].startswith("North (your regions), 2025")
    assert r["tiles"][0]["value"] == pytest.approx(north["revenue"].sum())
    assert sum(v for _s, _i, v in chart(r, "category")["rows"]) == pytest.approx(
        north["revenue"].sum())
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    states = {row[0] for row in chart(r, "heatmap")["rows"]}  # a manager starts on the states
    assert states == set(stores.loc[stores["region"] == "North", "state"])


def test_forged_south_for_a_north_manager_gives_nothing_of_south(warehouse):
    r = page_report(warehouse, Scope(("North",)), YEAR + "&region=South&hl=region:South")
    text = export.as_json([r])
    assert "South" not in text
    assert r["tiles"] == [] and all(c["rows"] == [] for c in r["charts"])
    assert any("not in the data you can see" in n for n in r["notes"])


def test_bad_query_strings_fall_back_with_a_note(warehouse):
    r = page_report(warehouse, Scope.everything(), "start=2025-02-31&top=99&measure=%3Cb%3E")
    assert any("is not a real date" in n for n in r["notes"])
    assert chart(r, "top")["columns"][-1] == "Revenue"
