"""Cross-highlight on the profit and loss page (`hl=column:member`, the Overview's key): the
highlighted member's part of every sales, loss and margin chart against pandas over the raw
sample rows, its own chart dimming the other bars, the bars themselves unchanged, and a
highlight outside a manager's regions lighting and naming nothing."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.pages import profit_report
from dashboard.pages.profit_view import BANDS
from dashboard.queries.filters import Scope
from tests import reference as ref
from tests.unit.test_profit import YEAR, _chart, _ranked, _rows, _same, lines  # noqa: F401

EVERYONE = Scope.everything()


@pytest.fixture(scope="module")
def year(lines):  # noqa: F811 - the fixture imported above
    return ref.select(lines, *YEAR)


def _series(report: dict, chart_id: str, name: str) -> list[tuple[str, float]]:
    return [(m, v) for s, m, v in _chart(report, chart_id)["rows"] if s == name]


def test_a_category_lights_its_part_of_every_chart(warehouse, year):
    plain = profit_report.page_report(warehouse, EVERYONE, "")
    category = _rows(plain, "pl-prod")[1][0]
    lit = profit_report.page_report(warehouse, EVERYONE, f"hl=category:{category}")
    mine = year[year["category"] == category]
    # its own chart: the bars as before, only its bar lit
    prod = _chart(lit, "pl-prod")["figure"]["data"]
    assert len(prod) == 1 and [prod[0]["customdata"][i][1]
                               for i in prod[0]["selectedpoints"]] == [category]
    assert _rows(lit, "pl-prod") == _rows(plain, "pl-prod")
    # another dimension: the bars unchanged and dimmed, its part drawn over them
    label = f"{category} (selected)"
    geo = _chart(lit, "pl-geo")["figure"]["data"]
    assert geo[0]["opacity"] < 1 and geo[1]["name"] == label
    _same(_series(lit, "pl-geo", "Gross profit"), _rows(plain, "pl-geo"))
    by_region = mine.groupby("region")["profit"].sum()
    for region, value in _series(lit, "pl-geo", label):
        assert value == pytest.approx(by_region.get(region, 0.0), abs=1e-6), region
    # the loss charts: its part of each loss-making toy type (minus its profit there)
    by_type = mine.groupby("subcategory")["profit"].sum()
    for sub, value in _series(lit, "pl-loss-types", label):
        assert value == pytest.approx(-by_type.get(sub, 0.0), abs=1e-6), sub
    # the margin charts: its own margin per channel and per discount band
    sums = mine.groupby("channel")[["profit", "revenue"]].sum()
    for channel, value in _series(lit, "pl-channel", label):
        assert value == pytest.approx(sums.loc[channel, "profit"] / sums.loc[channel, "revenue"])
    band = np.searchsorted(np.array([u for u, _ in BANDS]), mine["discount"].to_numpy() - 1e-9)
    bands = mine.assign(band=band).groupby("band")[["profit", "revenue"]].sum()
    expected = {BANDS[i][1]: row.profit / row.revenue for i, row in bands.iterrows()}
    for name, value in _series(lit, "pl-discount", label):
        assert value == pytest.approx(expected[name]), name
    # the words: what it sold, as the tiles would say it
    share = mine["revenue"].sum() / year["revenue"].sum()
    assert lit["highlight"].startswith(f"Highlighting {category}: revenue ")
    assert f"({share:.1%} of the view)" in lit["highlight"]
    assert "hl=category%3A" in lit["query"]


def test_a_region_lights_its_part_of_the_toy_charts(warehouse, year):
    lit = profit_report.page_report(warehouse, EVERYONE, "hl=region:West")
    west = year[year["region"] == "West"]
    _same(_series(lit, "pl-prod", "West (selected)"),
          [(m, float(west.loc[west["category"] == m, "profit"].sum()))
           for m, _ in _rows(profit_report.page_report(warehouse, EVERYONE, ""), "pl-prod")])
    geo = _chart(lit, "pl-geo")["figure"]["data"]
    assert len(geo) == 1 and [geo[0]["customdata"][i][1]
                              for i in geo[0]["selectedpoints"]] == ["West"]


def test_a_highlight_outside_a_managers_regions_names_nothing(warehouse):
    north = Scope(("North",))
    report = profit_report.page_report(warehouse, north, "hl=region:South")
    assert report["highlight"] == "" and "hl=" not in report["query"]
    assert any("not in the data you can see" in n for n in report["notes"])
    assert "South" not in str(report)
    for chart in report["charts"]:
        for trace in chart["figure"]["data"]:
            assert "selected)" not in str(trace.get("name", ""))
            assert "selectedpoints" not in trace


def test_ranked_order_is_kept_under_a_highlight(warehouse, year):
    """The bars keep the page's order (largest profit first) whatever is highlighted."""
    lit = profit_report.page_report(warehouse, EVERYONE, "hl=channel:Online")
    assert lit["highlight"].startswith("Highlighting Online")
    _same(_series(lit, "pl-prod", "Gross profit"),
          _ranked(year.groupby("category")["profit"].sum()))
    online = year[year["channel"] == "Online"].groupby("category")["profit"].sum()
    for category, value in _series(lit, "pl-prod", "Online (selected)"):
        assert value == pytest.approx(online.get(category, 0.0), abs=1e-6), category
