"""The Customers page against pandas over the raw rows: new / returning / loyal shares, RFM
group sizes, cohort retention, age group × category shares, segment shares (on an imported flat
export that has segments), the walk-in count (lines with no customer id), scope (a North
manager's numbers are North's rows only; a forged region gets nothing) and the page hidden with
its reason where the data has no customer ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.pages import customers_report, people_view
from dashboard.pages.overview_view import View
from dashboard.queries import customers as cq
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from dashboard.warehouse.store import Warehouse
from tests import reference as ref
from tests.flat_export import write_flat_export

LOYAL = 4  # the rule the page states: 4 or more orders in the 12 months to the period's end


def _customer_rows(raw: pd.DataFrame, hi: dt.date, regions=None) -> pd.DataFrame:
    rows = raw[raw["date"] <= pd.Timestamp(hi)]
    if regions:
        rows = rows[rows["region"].isin(regions)]
    known = rows["customer_id"].notna() & ~rows["customer_id"].isin(["nan", "None", ""])
    return rows[known]


def _months_back(day: dt.date, n: int) -> pd.Timestamp:
    return (pd.Timestamp(day).to_period("M") - n).to_timestamp()


def behaviour_of(raw, lo, hi, regions=None) -> tuple[pd.Series, pd.Series]:
    """(customer -> New / Returning / Loyal, customer -> revenue in the period) for the
    customers who ordered in the period, by the rules on the page, in pandas."""
    rows = _customer_rows(raw, hi, regions)
    cur = rows[rows["date"] >= pd.Timestamp(lo)]
    earlier = set(rows.loc[rows["date"] < pd.Timestamp(lo), "customer_id"])
    window = rows[rows["month"] >= _months_back(hi, 11)]
    orders = window.groupby("customer_id")["order_id"].nunique()
    revenue = cur.groupby("customer_id")["revenue"].sum()
    group = {}
    for customer in revenue.index:
        if customer not in earlier:
            group[customer] = "New"
        elif orders.get(customer, 0) >= LOYAL:
            group[customer] = "Loyal"
        else:
            group[customer] = "Returning"
    return pd.Series(group), revenue


def expected_behaviour(raw, lo, hi, regions=None) -> dict[str, tuple[float, float]]:
    """group -> (share of customers, share of revenue) by the rules on the page, in pandas."""
    groups, revenue = behaviour_of(raw, lo, hi, regions)
    out = {}
    for name in ("New", "Returning", "Loyal"):
        members = groups[groups == name].index
        out[name] = (len(members) / len(groups), revenue[members].sum() / revenue.sum())
    return out


def _score(values: pd.Series) -> pd.Series:
    rank = values.rank(method="min")
    return 1 + (5 * (rank - 1) // len(values)).astype(int)


def rfm_of(raw, hi, regions=None) -> pd.Series:
    """customer -> RFM group by the rules on the page, in pandas."""
    rows = _customer_rows(raw, hi, regions)
    last = rows.groupby("customer_id")["date"].max()  # more recent = higher R
    window = rows[rows["month"] >= _months_back(hi, 11)]
    freq = window.groupby("customer_id")["order_id"].nunique().reindex(last.index, fill_value=0)
    r, f = _score(last), _score(freq)
    names = []
    for rv, fv in zip(r, f, strict=True):
        if rv >= 4 and fv >= 4:
            names.append("Champions")
        elif rv >= 3 and fv >= 3:
            names.append("Loyal")
        elif rv >= 4:
            names.append("Recent")
        elif rv == 3:
            names.append("Needs attention")
        elif fv >= 3:
            names.append("At risk")
        else:
            names.append("Lost")
    return pd.Series(names, index=last.index)


def expected_rfm(raw, hi, regions=None) -> dict[str, int]:
    return rfm_of(raw, hi, regions).value_counts().to_dict()


def expected_cohorts(raw, lo, hi, regions=None, customers=None
                     ) -> dict[tuple[str, int], float]:
    rows = _customer_rows(raw, hi, regions)
    if customers is not None:
        rows = rows[rows["customer_id"].isin(customers)]
    first = rows.groupby("customer_id")["month"].min()
    active = rows[["customer_id", "month"]].drop_duplicates()
    active = active.assign(cohort=active["customer_id"].map(first))
    active["k"] = ((active["month"].dt.year - active["cohort"].dt.year) * 12
                   + active["month"].dt.month - active["cohort"].dt.month)
    sizes = first.value_counts()
    out = {}
    for (cohort, k), count in active.groupby(["cohort", "k"]).size().items():
        if pd.Timestamp(lo).to_period("M").to_timestamp() <= cohort and k < 12:
            out[(f"{cohort:%b %Y} ({sizes[cohort]:,})", k)] = count / sizes[cohort]
    return out


def _chart(report: dict, key: str) -> dict:
    return next(c for c in report["charts"] if c["id"] == key)


def _bar_values(chart: dict) -> dict[tuple[str, str], float]:
    return {(series, member): value for series, member, value in chart["rows"]}


@pytest.fixture(scope="module")
def dates(warehouse):
    return domain(warehouse, Scope.everything()).default_range()


def test_behaviour_shares_match_pandas(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, Scope.everything(), "")
    values = _bar_values(_chart(report, "behaviour"))
    for name, (customers, revenue) in expected_behaviour(raw, *dates).items():
        assert values[("Share of customers", name)] == pytest.approx(customers, abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(revenue, abs=1e-9)
    active = len(ref.select(raw, *dates)["customer_id"].unique())
    assert next(t for t in report["tiles"] if t["id"] == "customers")["value"] == active


def test_a_range_that_cuts_months_still_matches(warehouse, raw):
    lo, hi = dt.date(2024, 3, 10), dt.date(2024, 11, 20)
    report = customers_report.page_report(warehouse, Scope.everything(),
                                          f"start={lo}&end={hi}&channel=Online")
    values = _bar_values(_chart(report, "behaviour"))
    online = raw[raw["channel"] == "Online"]
    for name, (customers, revenue) in expected_behaviour(online, lo, hi).items():
        assert values[("Share of customers", name)] == pytest.approx(customers, abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(revenue, abs=1e-9)


def test_rfm_group_sizes_match_pandas(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, Scope.everything(), "")
    shares = _bar_values(_chart(report, "rfm"))
    expected = expected_rfm(raw, dates[1])
    total = sum(expected.values())
    for name in customers_report.RFM_GROUPS:
        assert shares[("Share of customers", name)] == pytest.approx(
            expected.get(name, 0) / total, abs=1e-12)


def test_quintile_scores_share_ties():
    scores = customers_report.quintile(np.array([1, 1, 1, 1, 2, 3, 3, 9, 9, 9]))
    assert scores.tolist() == [1, 1, 1, 1, 3, 3, 3, 4, 4, 4]
    values = np.random.default_rng(1).integers(-900, 0, 1000)  # recency: -days, many ties
    ranks = pd.Series(values).rank(method="min").to_numpy().astype(int)
    want = (1 + (5 * (ranks - 1)) // len(values)).tolist()
    for shown in (values, values.astype(float), values * 10_000):  # counted, sorted, sorted
        assert customers_report.quintile(shown).tolist() == want


def test_cohort_retention_matches_pandas(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, Scope.everything(), "")
    cells = {(row, int(col[1:])): value for row, col, value in _chart(report, "cohorts")["rows"]
             if value is not None}
    expected = expected_cohorts(raw, *dates)
    assert set(cells) == set(expected)
    for key, value in expected.items():
        assert cells[key] == pytest.approx(value, abs=1e-12)


def test_age_category_shares_match_pandas(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, Scope.everything(), "")
    rows = ref.select(raw, *dates)
    table = rows.pivot_table(index="age_group", columns="category", values="revenue",
                             aggfunc="sum", fill_value=0.0)
    share = table.div(table.sum(axis=1), axis=0)
    cells = _chart(report, "age_category")["rows"]
    assert len(cells) == share.size
    for age, category, value in cells:
        assert value == pytest.approx(share.loc[age, category], abs=1e-12)


def test_north_manager_sees_north_customers_only(warehouse, raw):
    north = Scope(("North",))
    lo, hi = domain(warehouse, north).default_range()
    report = customers_report.page_report(warehouse, north, "")
    values = _bar_values(_chart(report, "behaviour"))
    for name, (customers, _) in expected_behaviour(raw, lo, hi, ["North"]).items():
        assert values[("Share of customers", name)] == pytest.approx(customers, abs=1e-12)
    rfm = _bar_values(_chart(report, "rfm"))
    expected = expected_rfm(raw, hi, ["North"])
    assert rfm[("Share of customers", "Lost")] == pytest.approx(
        expected.get("Lost", 0) / sum(expected.values()), abs=1e-12)


def test_a_forged_region_gets_nothing(warehouse):
    report = customers_report.page_report(warehouse, Scope(("North",)), "region=South")
    assert report["tiles"] == [] and all(c["rows"] == [] for c in report["charts"])
    assert "South" not in str(report)
    assert any("not in the data you can see" in n for n in report["notes"])


@pytest.fixture(scope="module")
def flat_root(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A flat export with segments and a few lines that carry no customer id (walk-ins)."""
    folder = tmp_path_factory.mktemp("flat-customers")
    path = write_flat_export(folder / "superstore.csv", duplicates=0)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[::97], "Customer ID"] = ""
    frame.to_csv(path, index=False)
    root = folder / "warehouse"
    assert main(["--warehouse", str(root), "import", str(path)]) == 0
    return root, frame


def test_segments_and_walk_ins_of_a_flat_export(flat_root):
    root, frame = flat_root
    frame = frame.assign(
        revenue=frame["Sales"].str.replace("€", "").str.replace(",", "").astype(float),
        day=pd.to_datetime(frame["Order Date"], format="%m/%d/%Y"))
    wh = Warehouse(root)
    try:
        lo, hi = domain(wh, Scope.everything()).default_range()
        report = customers_report.page_report(wh, Scope.everything(), "")
    finally:
        wh.close()
    rows = frame[(frame["day"] >= pd.Timestamp(lo)) & (frame["day"] <= pd.Timestamp(hi))]
    walk_in = rows[rows["Customer ID"] == ""]
    assert next(t for t in report["tiles"] if t["id"] == "walk_in")["value"] == len(walk_in)
    assert any(f"{len(walk_in):,} sales lines" in n for n in report["notes"])
    known = rows[rows["Customer ID"] != ""]
    # a customer's segment: the last by name of those on their lines in the period
    segment = known.groupby("Customer ID")["Segment"].max()
    revenue = known.groupby("Customer ID")["revenue"].sum()
    values = _bar_values(_chart(report, "segments"))
    for name in ("Consumer", "Corporate", "Home Office"):
        members = segment[segment == name].index
        assert values[("Share of customers", name)] == pytest.approx(
            len(members) / len(segment), abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(
            revenue[members].sum() / revenue.sum(), abs=1e-9)


def test_no_customer_ids_hides_the_page_with_the_reason(tmp_path):
    path = write_flat_export(tmp_path / "no-customers.csv", duplicates=0)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["Customer ID", "Customer Name", "Segment"])
    frame.to_csv(path, index=False)
    root = tmp_path / "warehouse"
    assert main(["--warehouse", str(root), "import", str(path)]) == 0
    wh = Warehouse(root)
    try:
        report = customers_report.page_report(wh, Scope.everything(), "")
    finally:
        wh.close()
    assert report["charts"] == [] and cq.NO_CUSTOMERS in report["notes"]


def test_sample_segments_match_pandas(warehouse, raw, dates):
    """The sample retailer's segments (one per customer, on all its lines), when it has them."""
    if "segment" not in raw.columns:
        pytest.skip("this sample has no segments yet")
    report = customers_report.page_report(warehouse, Scope.everything(), "")
    rows = ref.select(raw, *dates)
    segment = rows.groupby("customer_id")["segment"].max()
    revenue = rows.groupby("customer_id")["revenue"].sum()
    values = _bar_values(_chart(report, "segments"))
    assert sorted({m for _, m in values}) == sorted(segment.unique())
    for name in segment.unique():
        members = segment[segment == name].index
        assert values[("Share of customers", name)] == pytest.approx(
            len(members) / len(segment), abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(
            revenue[members].sum() / revenue.sum(), abs=1e-9)


def test_a_short_period_reads_older_customers_from_the_history(warehouse, raw, dates):
    """One quarter with a channel filter: rows older than the 12-month windows come from
    r_customer_history (the fast path), and the shares and RFM still equal pandas over every
    raw row (recency reaches back to each customer's last order, however old)."""
    year = dates[1].year
    lo, hi = dt.date(year, 4, 1), dt.date(year, 6, 30)
    view = View.of(warehouse, Scope.everything())
    flt = people_view.state_for(view, f"start={lo}&end={hi}&channel=Online")[0].filter
    assert view.domain.min_date < dt.date(year - 1, 4, 1)  # there are rows before the windows
    assert cq.fast_path(warehouse.catalog(), flt, Scope.everything())
    report = customers_report.page_report(warehouse, Scope.everything(),
                                          f"start={lo}&end={hi}&channel=Online")
    online = raw[raw["channel"] == "Online"]
    values = _bar_values(_chart(report, "behaviour"))
    for name, (customers, revenue) in expected_behaviour(online, lo, hi).items():
        assert values[("Share of customers", name)] == pytest.approx(customers, abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(revenue, abs=1e-9)
    rfm = _bar_values(_chart(report, "rfm"))
    expected = expected_rfm(online, hi)
    for name in customers_report.RFM_GROUPS:
        assert rfm[("Share of customers", name)] == pytest.approx(
            expected.get(name, 0) / sum(expected.values()), abs=1e-12)


def test_filters_the_history_cannot_answer_fall_back(warehouse, dates, monkeypatch):
    """A category or season filter cuts rows the history merged: the GROUP BY path answers.
    And where both paths can answer, they give the same per-customer figures."""
    view = View.of(warehouse, Scope(("North",)))
    state_for = people_view.state_for
    for query in ("category=Plush", "season=Winter"):
        flt = state_for(view, query)[0].filter
        assert not cq.fast_path(warehouse.catalog(), flt, view.scope)
    year = dates[1].year
    flt = state_for(view, f"start={year}-02-10&end={year}-05-20&age=6-8")[0].filter
    fast = cq.run_customers(warehouse, flt, view.scope, view.domain.min_date)
    monkeypatch.setattr(cq, "fast_path", lambda *_: False)
    grouped = cq.run_customers(warehouse, flt, view.scope, view.domain.min_date)
    a, b = fast.customers, grouped.customers
    order_a, order_b = np.argsort(a["customer_key"]), np.argsort(b["customer_key"])
    assert len(order_a) == len(order_b) > 0
    for name, values in b.items():
        got, want = np.asarray(a[name])[order_a], np.asarray(values)[order_b]
        if want.dtype.kind in "fiub":
            np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-12)
        else:
            assert (got == want).all(), name
    assert (fast.walk_in_lines, fast.walk_in_revenue) == pytest.approx(
        (grouped.walk_in_lines, grouped.walk_in_revenue))


def _ranges_to_check(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Whole years and quarters, ranges that cut months at either end, one day, a leap day,
    a range from before the first day of data and one past the last."""
    year = last.year
    return [(dt.date(year, 1, 1), dt.date(year, 12, 31)),
            (dt.date(year, 10, 1), dt.date(year, 12, 31)),
            (dt.date(year - 1, 3, 15), dt.date(year - 1, 9, 20)),
            (dt.date(year, 2, 14), dt.date(year, 2, 14)),
            (dt.date(year - 1, 11, 25), dt.date(year - 1, 12, 1)),
            (dt.date(2024, 2, 28), dt.date(2024, 3, 1)),
            (first - dt.timedelta(days=40), first + dt.timedelta(days=75)),
            (first, last),
            (last - dt.timedelta(days=20), last + dt.timedelta(days=31))]


VIEWERS = {"analyst": (Scope.everything(), ""),  # every region's rows
           "analyst, two regions": (Scope.everything(), "region=North&region=West"),
           "North manager": (Scope(("North",)), "")}


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("variant", ["usual", "per_segment", "days_from_the_lines"])
def test_running_totals_give_every_figure_the_rows_give(warehouse, dates, monkeypatch,
                                                         variant, viewer):
    """Filtered on dates and regions only (an analyst's view, a Region filter, a manager's
    scope), the page reads running totals at a few month boundaries
    (queries/customer_cumulative.py); for every kind of range each per-customer figure equals
    the GROUP BY over the customer-month rows (itself checked against pandas above), and the
    running totals were really read. "per_segment": segments summed per customer and segment,
    as for data where a customer has more than one; "days_from_the_lines": cut months' days
    read from the fact table, as where an order may have more than one date."""
    from dashboard.queries import customer_cumulative

    if variant == "per_segment":
        monkeypatch.setattr(customer_cumulative, "_one_segment_each", lambda totals: None)
    if variant == "days_from_the_lines":
        monkeypatch.setitem(warehouse.catalog().meta, "order_rollup_exact", False)
    scope, query = VIEWERS[viewer]
    view = View.of(warehouse, scope)
    calls = []
    real = customer_cumulative.per_customer
    monkeypatch.setattr(customer_cumulative, "per_customer",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    for lo, hi in _ranges_to_check(view.domain.min_date, view.domain.max_date):
        flt = replace(people_view.state_for(view, query)[0].filter, start=lo, end=hi)  # as
        # asked: a link's dates are kept within the data, other callers' need not be
        with monkeypatch.context() as patch:
            totals = cq.run_customers(warehouse, flt, view.scope, view.domain.min_date)
            assert len(calls) == 1, (lo, hi)
            patch.setattr(cq, "fast_path", lambda *_: False)
            grouped = cq.run_customers(warehouse, flt, view.scope, view.domain.min_date)
        calls.clear()
        a, b = totals.customers, grouped.customers
        order_a, order_b = np.argsort(a["customer_key"]), np.argsort(b["customer_key"])
        assert len(order_a) == len(order_b) > 0, (lo, hi)
        for name, values in b.items():
            got, want = np.asarray(a[name])[order_a], np.asarray(values)[order_b]
            if want.dtype.kind in "fiub":
                np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-9,
                                           atol=1e-6, err_msg=f"{name} {lo}..{hi}")
            else:
                assert (got == want).all(), (name, lo, hi)
        assert (totals.walk_in_lines, totals.walk_in_revenue) == pytest.approx(
            (grouped.walk_in_lines, grouped.walk_in_revenue)), (lo, hi)
        assert (totals.origin, totals.previous) == (grouped.origin, grouped.previous)


def test_a_region_filter_on_the_running_totals_equals_pandas(warehouse, raw, dates):
    """The North manager's Customers page, read from the per-region running totals, against
    pandas over North's raw rows: New / Returning / Loyal and RFM shares."""
    lo, hi = dates
    report = customers_report.page_report(warehouse, Scope(("North",)), f"start={lo}&end={hi}")
    values = _bar_values(_chart(report, "behaviour"))
    for name, (customers, revenue) in expected_behaviour(raw, lo, hi, ["North"]).items():
        assert values[("Share of customers", name)] == pytest.approx(customers, abs=1e-12)
        assert values[("Share of revenue", name)] == pytest.approx(revenue, abs=1e-9)
    rfm = _bar_values(_chart(report, "rfm"))
    expected = expected_rfm(raw, hi, ["North"])
    for name in customers_report.RFM_GROUPS:
        assert rfm[("Share of customers", name)] == pytest.approx(
            expected.get(name, 0) / sum(expected.values()), abs=1e-12)
