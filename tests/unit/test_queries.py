"""Every Overview metric against an independent pandas computation over the raw sample rows,
on each warehouse backend (DuckDB files, PostgreSQL server, ClickHouse engine via chdb)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard.queries import overview as m
from dashboard.queries.filters import Filter, Scope, ScopeError
from dashboard.queries.sources import Highlight, split_range
from tests import reference as ref

D = dt.date
CASES = {
    "full year": (D(2025, 1, 1), D(2025, 12, 31), {}, None),
    "cut months, two regions": (D(2024, 3, 15), D(2024, 9, 20),
                                {"regions": ("North", "West")}, None),
    "q4 plush for babies": (D(2025, 10, 1), D(2025, 12, 31),
                            {"categories": ("Plush",), "age_groups": ("0-2",)}, None),
    "two categories online at christmas": (
        D(2023, 11, 1), D(2025, 12, 31),
        {"categories": ("Dolls", "Building Sets"), "festivals": ("Christmas",),
         "channels": ("Online",)}, None),
    "winter, women, one toy type": (D(2024, 1, 10), D(2025, 2, 3),
                                    {"seasons": ("Winter",), "genders": ("Female",)}, None),
    "scoped to north and south": (D(2025, 1, 1), D(2025, 6, 30), {}, ("North", "South")),
    "filter outside scope": (D(2025, 1, 1), D(2025, 6, 30), {"regions": ("West",)}, ("North",)),
    "before any data": (D(2019, 1, 1), D(2019, 12, 31), {}, None),
    "one week": (D(2024, 11, 25), D(2024, 12, 1), {}, None),
    "toy types across two categories, cut months": (
        D(2024, 10, 10), D(2025, 1, 20),
        {"categories": ("Plush", "Dolls"), "subcategories": ("Teddy Bears", "Dollhouses",
                                                            "Brick Sets")}, ("North", "East")),
}


def _case(name, raw):
    start, end, values, scope_regions = CASES[name]
    values = dict(values)
    if name == "winter, women, one toy type":
        values["subcategories"] = (sorted(raw["subcategory"].unique())[0],)
    flt = Filter(start=start, end=end, **values)
    scope = Scope(scope_regions) if scope_regions else Scope.everything()
    return flt, scope, values, scope_regions


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_kpis_match_pandas(name, any_warehouse, raw):
    flt, scope, values, scope_regions = _case(name, raw)
    kpis = m.kpis(m.run_overview(any_warehouse, flt, scope))
    periods = {
        "value": (flt.start, flt.end),
        "previous": ref.previous_period(flt.start, flt.end),
        "year_ago": ref.year_ago(flt.start, flt.end),
    }
    for key, (lo, hi) in periods.items():
        expected = ref.totals(ref.select(raw, lo, hi, scope_regions, **values))
        for metric, value in expected.items():
            got = kpis[metric][key]
            if metric in ("revenue", "units", "orders") and not expected["orders"]:
                assert got == 0, (metric, key)
            else:
                assert _close(got, value), (name, metric, key, got, value)


@pytest.mark.parametrize("name", list(CASES))
def test_chart_metrics_match_pandas(name, any_warehouse, raw):
    flt, scope, values, scope_regions = _case(name, raw)
    scan = m.run_overview(any_warehouse, flt, scope)
    rows = ref.select(raw, flt.start, flt.end, scope_regions, **values)
    assert scan.is_empty == rows.empty
    if rows.empty:
        assert m.category_bars(scan).empty and m.top_toys_by_age(scan).empty
        return

    # Monthly Sales Trend, by category and by region
    for by in ("category", "region"):
        got = m.monthly_sales_trend(scan, by).set_index(["month", "series"])["revenue"]
        want = rows.groupby(["month", by])["revenue"].sum()
        got.index = got.index.set_levels(pd.to_datetime(got.index.levels[0]).as_unit("ns"),
                                         level=0)
        want.index = want.index.set_levels(want.index.levels[0].as_unit("ns"), level=0)
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False,
                                       rtol=1e-9)

    # Heat map: region x month units
    heat = m.regional_heatmap(scan, "units")
    want = rows.pivot_table(index="region", columns="month", values="units", aggfunc="sum",
                            fill_value=0)
    assert heat.to_numpy() == pytest.approx(want.to_numpy())
    assert list(heat.index) == list(want.index)

    # Regional contribution %: share of revenue and of the change vs the previous period
    contrib = m.regional_contribution(scan).set_index("region")
    before = ref.select(raw, *ref.previous_period(flt.start, flt.end), scope_regions, **values)
    now_by = rows.groupby("region")["revenue"].sum()
    before_by = before.groupby("region")["revenue"].sum()
    growth = now_by.sub(before_by, fill_value=0)
    for region in now_by.index:
        assert contrib.loc[region, "share_pct"] == pytest.approx(now_by[region] / now_by.sum())
        if growth.sum():
            assert contrib.loc[region, "change_share_pct"] == pytest.approx(
                growth[region] / abs(growth.sum()))
            # growth is drawn positive and shrinkage negative, whatever the total did
            assert np.sign(contrib.loc[region, "change_share_pct"]) == np.sign(growth[region])

    # Category and subcategory bars, age and gender shares
    for frame, keys in ((m.category_bars(scan), ["category"]),
                        (m.subcategory_bars(scan), ["category", "subcategory"])):
        got = frame.set_index(keys)["revenue"].sort_index()
        want = rows.groupby(keys)["revenue"].sum().sort_index()
        assert got.to_numpy() == pytest.approx(want.to_numpy()) and list(got.index) == list(
            want.index)
    for frame, column in ((m.age_share(scan), "age_group"), (m.gender_share(scan), "gender")):
        want = rows.groupby(column)["revenue"].sum()
        got = frame.set_index(column)["share_pct"].to_dict()
        assert got == pytest.approx((want / want.sum()).to_dict())

    # Top Toys by Age: top 5 per age group by revenue (ties broken by name)
    top = m.top_toys_by_age(scan)
    by_toy = rows.groupby(["age_group", "product_name"], as_index=False)["revenue"].sum()
    by_toy = by_toy.sort_values(["age_group", "revenue", "product_name"],
                                ascending=[True, False, True])
    want = by_toy.groupby("age_group").head(5)
    assert list(zip(top["age_group"], top["product_name"], strict=True)) == list(
        zip(want["age_group"], want["product_name"], strict=True))
    assert top["revenue"].to_numpy() == pytest.approx(want["revenue"].to_numpy())


def test_highlight_splits_every_chart(any_warehouse, raw):
    flt = Filter(start=D(2025, 1, 1), end=D(2025, 12, 31))
    scan = m.run_overview(any_warehouse, flt, Scope.everything(), Highlight("region", "North"))
    rows = ref.select(raw, flt.start, flt.end)
    north = rows[rows["region"] == "North"]
    cats = m.category_bars(scan).set_index("category")
    assert cats["hl_revenue"].to_dict() == pytest.approx(
        north.groupby("category")["revenue"].sum().to_dict())
    assert cats["revenue"].sum() == pytest.approx(rows["revenue"].sum())
    ages = m.age_share(scan).set_index("age_group")
    assert ages["hl_units"].to_dict() == pytest.approx(
        north.groupby("age_group")["units"].sum().astype(float).to_dict())


def test_product_highlight_and_units_ranking(any_warehouse, raw):
    flt = Filter(start=D(2024, 6, 1), end=D(2024, 8, 31))
    toy = raw["product_name"].iloc[0]
    scan = m.run_overview(any_warehouse, flt, Scope.everything(), Highlight("product_name", toy),
                          top_n=3, rank_by="units")
    rows = ref.select(raw, flt.start, flt.end)
    top = m.top_toys_by_age(scan)
    ranked = (rows.groupby(["age_group", "product_name"], as_index=False)["units"].sum()
              .sort_values(["age_group", "units", "product_name"], ascending=[True, False, True]))
    ranked["rank"] = ranked.groupby("age_group").cumcount() + 1
    want = ranked[ranked["rank"] <= 3]
    listed = top[top["rank"] <= 3]
    assert list(listed["product_name"]) == list(want["product_name"])
    # The highlighted toy is never silently missing: below the top 3 it comes with its rank.
    extra = top[top["rank"] > 3]
    lower = ranked[(ranked["product_name"] == toy) & (ranked["rank"] > 3)]
    assert set(extra["product_name"]) <= {toy}
    assert dict(zip(extra["age_group"], extra["rank"], strict=True)) == dict(
        zip(lower["age_group"], lower["rank"].astype(float), strict=True))
    month = m.monthly_sales_trend(scan, "category").groupby("month")["hl_revenue"].sum()
    assert month.sum() == pytest.approx(rows.loc[rows["product_name"] == toy, "revenue"].sum())


def test_manager_without_regions_gets_an_error_not_everything(any_warehouse):
    flt = Filter(start=D(2025, 1, 1), end=D(2025, 1, 31))
    with pytest.raises(ScopeError):
        m.run_overview(any_warehouse, flt, Scope(()))


@pytest.mark.parametrize(
    ("start", "end", "whole", "edges"),
    [
        (D(2025, 1, 1), D(2025, 3, 31), (D(2025, 1, 1), D(2025, 3, 1)), []),
        (D(2025, 1, 15), D(2025, 3, 31), (D(2025, 2, 1), D(2025, 3, 1)),
         [(D(2025, 1, 15), D(2025, 1, 31))]),
        (D(2025, 1, 15), D(2025, 2, 10), None, [(D(2025, 1, 15), D(2025, 2, 10))]),
        (D(2025, 1, 1), D(2025, 2, 27), (D(2025, 1, 1), D(2025, 1, 1)),
         [(D(2025, 2, 1), D(2025, 2, 27))]),
    ],
)
def test_split_range_uses_rollups_only_for_whole_months(start, end, whole, edges):
    assert split_range(start, end) == (whole, edges)


def test_share_of_the_change_keeps_signs_when_the_total_fell():
    """Two stores: one grew by 10, one fell by 50 (the total fell by 40). The grower must read
    +25% of the change and the faller -125%, not the other way round."""
    from dashboard.queries.drill import contribution

    frame = pd.DataFrame({
        "period": ["current", "current", "previous", "previous"],
        "member": ["Grower", "Faller", "Grower", "Faller"],
        "revenue": [110.0, 50.0, 100.0, 100.0], "hl_revenue": [0.0, 0.0, 0.0, 0.0]})
    shares = contribution(frame, "store").set_index("store")["change_share_pct"]
    assert shares["Grower"] == pytest.approx(10 / 40)
    assert shares["Faller"] == pytest.approx(-50 / 40)
    assert shares.sum() == pytest.approx(-1.0)
