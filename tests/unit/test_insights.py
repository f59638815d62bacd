"""Every insight kind against an independent pandas computation over the raw sample rows
(tests/reference.py), plus the wording edge cases: a tie, one period, a small sample, nothing
notable. Numbers are compared with what pandas finds, and the sentence must carry them."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard import insights
from dashboard.insights import base, bestsellers, concentration, seasonal
from dashboard.queries import overview
from dashboard.queries.filters import Filter, Scope
from tests import reference as ref

D = dt.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))
NORTH = ("North",)


def ctx_for(warehouse, start=YEAR[0], end=YEAR[1], scope=None, **values):
    scope = Scope(scope) if scope else Scope.everything()
    return insights.context(warehouse, Filter(start=start, end=end, **values), scope)


def rows(raw, start, end, scope=None, **values):
    return ref.select(raw, start, end, scope, **values)


def monthly(raw, scope=None, by=None, **values) -> pd.Series:
    keys = ["month"] + ([by] if by else [])
    return rows(raw, D(2020, 1, 1), D(2030, 1, 1), scope, **values).groupby(keys)["revenue"].sum()


def money(value):
    return base.Numbers().value(value, "currency")


def m(year, month):
    return pd.Timestamp(year, month, 1)


# ---- trend ------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [None, NORTH])
def test_trend_matches_pandas(warehouse, raw, scope):
    got = insights.run("trend", ctx_for(warehouse, scope=scope))
    series = monthly(raw, scope)

    def window(months):
        now = sum(series.get(m(2025, k), 0.0) for k in months)
        before = sum(series.get(m(2024, k), 0.0) for k in months)
        return now, (now - before) / before

    r_now, r_change = window((10, 11, 12))
    _, e_change = window((7, 8, 9))
    assert got.data["recent_revenue"] == pytest.approx(r_now)
    assert got.data["recent_change"] == pytest.approx(r_change)
    assert got.data["earlier_change"] == pytest.approx(e_change)
    assert money(r_now) in got.sentence
    assert f"{abs(r_change) * 100:.1f}%" in got.sentence
    points = round((r_change - e_change) * 100, 1)
    if abs(points) < 2:
        assert "about the same pace" in got.sentence
    else:
        word = "improved" if points > 0 else "weakened"
        assert f"the trend {word} by {abs(points):.1f} points" in got.sentence


def test_trend_one_period_claims_nothing(warehouse):
    got = insights.run("trend", ctx_for(warehouse, D(2025, 3, 1), D(2025, 3, 31)))
    assert not got.notable
    assert "no trend is stated" in got.sentence
    assert "%" not in got.sentence


def test_trend_without_a_year_of_history(warehouse):
    got = insights.run("trend", ctx_for(warehouse, D(2023, 1, 1), D(2023, 12, 31)))
    assert not got.notable and "no trend is stated" in got.sentence


# ---- seasonal peak ----------------------------------------------------------------------


@pytest.mark.parametrize("span", [YEAR, (D(2023, 1, 1), D(2025, 12, 31))])
def test_seasonal_peak_matches_pandas(warehouse, raw, span):
    got = insights.run("seasonal", ctx_for(warehouse, *span))
    lines = rows(raw, *span)
    per_month = lines.groupby("month")["revenue"].sum()
    by_calendar = per_month.groupby(per_month.index.month).mean()
    ratios = by_calendar / by_calendar.mean()
    peak = int(ratios.idxmax())
    assert got.data["peak_months"] == [peak]
    assert got.data["peak_ratio"] == pytest.approx(ratios.max())
    assert got.data["average"] == pytest.approx(by_calendar.mean())
    name = dt.date(2000, peak, 1).strftime("%B")
    over = " of 2023–2025 on average" if span != YEAR else ""
    assert got.sentence.startswith(f"{name} is the peak month{over}: {ratios.max():.1f}x")
    assert money(by_calendar.mean()) in got.sentence
    low = dt.date(2000, int(ratios.idxmin()), 1).strftime("%B")
    assert f"{low} is the quietest at {ratios.min():.1f}x" in got.sentence


def test_seasonal_needs_twelve_months(warehouse):
    got = insights.run("seasonal", ctx_for(warehouse, D(2025, 1, 1), D(2025, 11, 30)))
    assert not got.notable and "needs at least 12" in got.sentence and "x the" not in got.sentence


def test_seasonal_tie_is_said_as_a_tie(warehouse, monkeypatch):
    months = [D(2025, k, 1) for k in range(1, 13)]
    revenue = [100.0] * 10 + [300.0, 300.0]  # November and December equal
    fake = pd.DataFrame({"month": months, "revenue": revenue, "units": [500.0] * 12})
    monkeypatch.setattr(seasonal, "monthly", lambda *a, **k: fake)
    got = insights.run("seasonal", ctx_for(warehouse))
    assert got.data["peak_months"] == [11, 12]
    ratio = 300.0 / (sum(revenue) / 12)
    assert got.sentence.startswith(f"November and December tie as the peak months: each "
                                   f"{ratio:.1f}x the monthly average")


# ---- contributors and detractors --------------------------------------------------------


@pytest.mark.parametrize("vs,by,scope", [("year_ago", "category", None),
                                         ("previous", "region", None),
                                         ("year_ago", "category", NORTH)])
def test_drivers_match_pandas(warehouse, raw, vs, by, scope):
    ctx = ctx_for(warehouse, D(2025, 7, 1), D(2025, 12, 31), scope)
    got = insights.run("drivers", ctx, vs=vs, by=by)
    now = rows(raw, D(2025, 7, 1), D(2025, 12, 31), scope).groupby(by)["revenue"].sum()
    lo, hi = (ref.year_ago if vs == "year_ago" else ref.previous_period)(D(2025, 7, 1),
                                                                         D(2025, 12, 31))
    before = rows(raw, lo, hi, scope).groupby(by)["revenue"].sum()
    change = now.sub(before, fill_value=0.0)
    threshold = 0.01 * before.sum()
    gains = change[change >= threshold].sort_values(ascending=False)
    falls = change[change <= -threshold].sort_values()
    assert got.data["change"] == pytest.approx(now.sum() - before.sum())
    assert got.data["gains"] == gains.index.tolist()[:2]
    assert got.data["falls"] == falls.index.tolist()[:2]
    for member in gains.index[:2].tolist() + falls.index[:2].tolist():
        sign = "+" if change[member] > 0 else "-"
        assert f"{member} ({sign}{money(abs(change[member]))})" in got.sentence
    assert money(now.sum()) in got.sentence
    if scope:
        assert "South" not in got.sentence and "West" not in got.sentence


def test_drivers_without_the_total(warehouse):
    got = insights.run("drivers", ctx_for(warehouse), by="region", total=False)
    assert got.sentence.startswith("By region, against a year ago: largest gains: ")
    assert "revenue is" not in got.sentence


def test_drivers_nothing_notable(warehouse, raw):
    ctx = ctx_for(warehouse, D(2025, 7, 1), D(2025, 12, 31))
    got = insights.run("drivers", ctx, vs="year_ago", by="category", min_share=0.5)
    now = rows(raw, D(2025, 7, 1), D(2025, 12, 31)).groupby("category")["revenue"].sum()
    before = rows(raw, D(2024, 7, 1), D(2024, 12, 31)).groupby("category")["revenue"].sum()
    assert (now.sub(before, fill_value=0).abs() < 0.5 * before.sum()).all()  # pandas agrees
    assert not got.notable
    assert "No notable change by category: none moved by 50% of the year-ago revenue (" \
        f"{money(0.5 * before.sum())}) or more" in got.sentence


def test_drivers_nothing_notable_without_the_total(warehouse):
    got = insights.run("drivers", ctx_for(warehouse), by="region", total=False, min_share=0.9)
    assert got.sentence.startswith("No notable change by region against a year ago: none moved "
                                   "by 90% of the year-ago revenue (")


def test_drivers_before_the_data(warehouse):
    got = insights.run("drivers", ctx_for(warehouse, D(2023, 1, 1), D(2023, 6, 30)))
    assert not got.notable and "no change is stated" in got.sentence


# ---- concentration ----------------------------------------------------------------------


@pytest.mark.parametrize("scope", [None, NORTH])
def test_concentration_matches_pandas(warehouse, raw, scope):
    got = insights.run("concentration", ctx_for(warehouse, scope=scope), n=3, age_group="3-5")
    group = rows(raw, *YEAR, scope, age_groups=("3-5",))
    toys = group.groupby("product_name")["revenue"].sum().sort_values(ascending=False,
                                                                      kind="stable")
    share = toys.iloc[:3].sum() / group["revenue"].sum()
    assert got.data["share"] == pytest.approx(share)
    assert sorted(got.data["toys"]) == sorted(toys.index[:3].tolist())
    assert got.sentence.startswith(f"Three toys bring {share * 100:.1f}% of age 3-5 revenue")
    assert money(group["revenue"].sum()) in got.sentence


def test_concentration_small_sample_is_flagged(warehouse, raw):
    values = {"age_groups": ("13+",), "regions": ("Central",)}
    start, end = D(2025, 3, 1), D(2025, 3, 31)
    units = rows(raw, start, end, **values)["units"].sum()
    assert 0 < units < base.SMALL_UNITS  # pandas: a small sample indeed
    got = insights.run("concentration", ctx_for(warehouse, start, end, **values))
    assert f"small sample: {units:,.0f} toys sold" in got.sentence


def test_concentration_shared_last_place(warehouse, monkeypatch):
    real = overview.run_overview

    def tied(*args, **kwargs):
        scan = real(*args, **kwargs)
        top = scan.top_toys.sort_values("rank").copy()
        top.loc[top["rank"] == 4, "revenue"] = top.loc[top["rank"] == 3, "revenue"].iloc[0]
        return overview.OverviewScan(scan.frames, scan.prior, scan.orders, top, scan.festivals,
                                     scan.highlight, scan.rank_by)

    monkeypatch.setattr(concentration.overview, "run_overview", tied)
    got = insights.run("concentration", ctx_for(warehouse), n=3, age_group="6-8")
    assert got.data["last_place_shared"]
    assert "so the last place is shared" in got.sentence


# ---- unusual change ---------------------------------------------------------------------


def _z_scores(series: pd.Series, latest: pd.Timestamp) -> tuple[float, float]:
    def yoy(month):
        base_value = series.get(month - pd.DateOffset(years=1), 0.0)
        return (series.get(month, 0.0) - base_value) / base_value
    history = [yoy(latest - pd.DateOffset(months=i)) for i in range(12, 0, -1)]
    mean = sum(history) / 12
    sd = math.sqrt(sum((h - mean) ** 2 for h in history) / 11)
    return yoy(latest), (yoy(latest) - mean) / sd


@pytest.mark.parametrize("by", [None, "category", "region"])
def test_unusual_change_matches_pandas(warehouse, raw, by):
    for z_limit in (2.0, 0.5):  # the stated rule, and a low one so both paths are taken
        got = insights.run("unusual", ctx_for(warehouse), by=by, z_limit=z_limit)
        series = monthly(raw, by=by)
        groups = {None: series} if by is None else {
            k: s.droplevel(1) for k, s in series.groupby(level=1)}
        expected = {}
        for member, values in groups.items():
            change, z = _z_scores(values, m(2025, 12))
            expected[member] = z
            assert got.data["tested"][member]["z"] == pytest.approx(z)
            assert got.data["tested"][member]["change"] == pytest.approx(change)
        flagged = {k for k, z in expected.items() if abs(z) > z_limit}
        assert set(got.data["flagged"]) == flagged
        assert f"|z| > {z_limit:g}" in got.sentence
        if not flagged:
            assert got.sentence.startswith("No notable change") and not got.notable
        else:
            top = max(flagged, key=lambda k: abs(expected[k]))
            assert f"(z = {expected[top]:+.1f})" in got.sentence


# ---- best-seller by age group -----------------------------------------------------------


@pytest.mark.parametrize("scope", [None, NORTH])
def test_bestsellers_match_pandas(warehouse, raw, scope):
    got = insights.run("bestsellers", ctx_for(warehouse, scope=scope))
    lines = rows(raw, *YEAR, scope)
    for age, group in lines.groupby("age_group"):
        toys = group.groupby("product_name")["revenue"].sum()
        best = toys.max()
        leaders = sorted(toys[toys.map(money) == money(best)].index)
        assert sorted(got.data["groups"][age]["toys"]) == leaders
        assert got.data["groups"][age]["share"] == pytest.approx(best / group["revenue"].sum())
        label = "unknown age" if age == "Unknown" else age
        if len(leaders) == 1:
            assert f"{label}: {leaders[0]} ({money(best)}, " in got.sentence


def test_bestsellers_tie_is_said_as_a_tie(warehouse, monkeypatch):
    real = overview.run_overview

    def tied(*args, **kwargs):
        scan = real(*args, **kwargs)
        top = scan.top_toys.copy()
        first = top["age_group"] == "0-2"
        best = top.loc[first & (top["rank"] == 1), "revenue"].iloc[0]
        top.loc[first & (top["rank"] == 2), "revenue"] = best
        return overview.OverviewScan(scan.frames, scan.prior, scan.orders, top, scan.festivals,
                                     scan.highlight, scan.rank_by)

    monkeypatch.setattr(bestsellers.overview, "run_overview", tied)
    got = insights.run("bestsellers", ctx_for(warehouse))
    assert len(got.data["groups"]["0-2"]["toys"]) == 2
    assert " tie (" in got.sentence.split(";")[0]


def test_bestsellers_small_sample(warehouse, raw):
    start, end = D(2025, 3, 1), D(2025, 3, 3)
    values = {"regions": ("Central",)}
    got = insights.run("bestsellers", ctx_for(warehouse, start, end, **values))
    for age, group in rows(raw, start, end, **values).groupby("age_group"):
        units = group["units"].sum()
        assert got.data["groups"][age]["small"] == (units < base.SMALL_UNITS)
        if units < base.SMALL_UNITS:
            assert f"small sample, {units:,.0f} toys sold" in got.sentence


# ---- regional gaps ----------------------------------------------------------------------


def _with_state(raw, sample_dir):
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state"]]
    return raw.merge(stores, on="store_id", how="left")


@pytest.mark.parametrize("scope", [None, NORTH])
def test_regional_gaps_match_pandas(warehouse, raw, sample_dir, scope):
    got = insights.run("regional", ctx_for(warehouse, scope=scope))
    lines = _with_state(rows(raw, *YEAR, scope), sample_dir)
    level = "state" if scope else "region"
    per = lines.groupby(level).agg(revenue=("revenue", "sum"), stores=("store_id", "nunique"))
    per["gap"] = ((per["revenue"] / per["revenue"].sum()
                   - per["stores"] / per["stores"].sum()) * 100).round(1)
    assert got.data["level"] == level
    assert got.data["stores"] == per["stores"].sum()
    for member, row in per.iterrows():
        assert got.data["members"][member]["stores"] == row["stores"]
        assert got.data["members"][member]["revenue"] == pytest.approx(row["revenue"])
    notable = per[per["gap"].abs() >= 3.0]
    assert set(got.data["notable"]) == set(notable.index)
    if len(notable):
        first = notable["gap"].abs().idxmax()
        share = per.loc[first, "revenue"] / per["revenue"].sum()
        assert f"{first} brings {share * 100:.1f}% of revenue from" in got.sentence
    if scope:
        for other in ("South", "West", "East", "Central"):
            assert other not in got.sentence


def test_regional_gaps_nothing_notable(warehouse, raw):
    got = insights.run("regional", ctx_for(warehouse), gap_points=99)
    assert not got.notable and got.sentence.startswith("No notable gap")
    stores = rows(raw, *YEAR)["store_id"].nunique()
    assert f"of the {stores} stores that sold" in got.sentence


def test_unknown_kind_is_a_clear_error(warehouse):
    with pytest.raises(ValueError, match="unknown insight kind"):
        insights.run("nope", ctx_for(warehouse))
