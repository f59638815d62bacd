"""Cross-highlight on the Customers page (`hl=behaviour:Loyal`, `hl=rfm:Champions`,
`hl=segment:NAME`) against pandas over the raw rows: the highlighted customers' split over the
other charts' groups, the cohort heat map of those customers only, the words, the own chart's
other bars dimmed; a second click clears; a forged or empty group lights and names nothing."""

from __future__ import annotations

import pytest

from dashboard.components import page_highlight
from dashboard.pages import customers_highlight, customers_report
from dashboard.queries.filters import Scope
from tests.unit.test_customers_page import (
    _bar_values,
    _chart,
    behaviour_of,
    expected_cohorts,
    rfm_of,
)

EVERYONE = Scope.everything()


@pytest.fixture(scope="module")
def dates(warehouse):
    from dashboard.queries.options import domain

    return domain(warehouse, EVERYONE).default_range()


def test_loyal_customers_split_over_rfm_and_their_cohorts(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, EVERYONE, "hl=behaviour:Loyal")
    groups, revenue = behaviour_of(raw, *dates)
    loyal = groups[groups == "Loyal"].index
    rfm = rfm_of(raw, dates[1])
    split = rfm[loyal].value_counts()
    values = _bar_values(_chart(report, "rfm"))
    name = "Loyal customers (selected): share of them"
    for group in customers_report.RFM_GROUPS:
        assert values[(name, group)] == pytest.approx(split.get(group, 0) / len(loyal),
                                                      abs=1e-12), group
    # their own chart: Loyal lit, the others dimmed; no third bar there
    behaviour = _chart(report, "behaviour")["figure"]["data"]
    assert len(behaviour) == 2
    assert [behaviour[0]["customdata"][i][1] for i in behaviour[0]["selectedpoints"]] == [
        "Loyal"]
    # loyal customers ordered before the period, so no cohort of its months is theirs: said
    assert _chart(report, "cohorts")["rows"] == []
    assert "None of the Loyal customers had a first order" in str(
        _chart(report, "cohorts")["figure"])
    share = revenue[loyal].sum() / revenue.sum()
    assert report["highlight"].startswith(f"Highlighting Loyal customers: {len(loyal):,} "
                                          f"customers ({len(loyal) / len(groups):.1%} of")
    assert f"({share:.1%} of customer revenue)" in report["highlight"]
    assert "hl=behaviour%3ALoyal" in report["query"]


def test_champions_cohorts_are_theirs_only(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, EVERYONE, "hl=rfm:Champions")
    rfm = rfm_of(raw, dates[1])
    expected = expected_cohorts(raw, *dates, customers=set(rfm[rfm == "Champions"].index))
    got = {(row, int(col.lstrip("+"))): v
           for row, col, v in _chart(report, "cohorts")["rows"] if v is not None}
    assert expected and got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-12), key
    everyone = customers_report.page_report(warehouse, EVERYONE, "")
    assert _chart(everyone, "cohorts")["rows"] != _chart(report, "cohorts")["rows"]


def test_champions_split_over_new_returning_loyal(warehouse, raw, dates):
    report = customers_report.page_report(warehouse, EVERYONE, "hl=rfm:Champions")
    groups, _ = behaviour_of(raw, *dates)
    rfm = rfm_of(raw, dates[1])
    champions = rfm[rfm == "Champions"].index
    active = groups.reindex(champions).dropna()
    values = _bar_values(_chart(report, "behaviour"))
    for group in customers_report.BEHAVIOURS:
        assert values[("Champions (RFM) (selected): share of them", group)] == pytest.approx(
            (active == group).sum() / len(active), abs=1e-12), group
    figure = _chart(report, "behaviour")["figure"]["data"]
    assert figure[0]["opacity"] < 1 and figure[2].get("opacity", 1) == 1


def test_a_forged_or_empty_group_names_nothing(warehouse):
    north = Scope(("North",))
    for hl in ("behaviour:Everyone", "rfm:<b>x</b>", "segment:Nowhere", "employee:E1",
               "behaviour:" + "L" * 500):
        report = customers_report.page_report(warehouse, north, f"hl={hl}")
        assert report["highlight"] == "" and "hl=" not in report["query"]
        assert "selected" not in str(report)
        assert all("selectedpoints" not in t for c in report["charts"]
                   for t in c["figure"]["data"])


def test_clicks_toggle_and_bad_clicks_are_ignored():
    kinds = customers_highlight.KINDS
    loyal = page_highlight.clicked({"points": [{"customdata": ["behaviour", "Loyal"]}]}, kinds)
    assert page_highlight.toggle(None, loyal, kinds) == {"kind": "behaviour", "value": "Loyal"}
    assert page_highlight.toggle(loyal.as_data(), loyal, kinds) is None
    for bad in (None, {}, {"points": []}, {"points": [{"customdata": ["member", "x"]}]}):
        assert page_highlight.clicked(bad, kinds) is None
