"""The Team and Customers pages give the same rows on PostgreSQL and ClickHouse as on DuckDB
(their SQL goes through the dialect layer like every other query): a North manager's range that
cuts months, so rollups, raw edge days and the scope all take part. The DuckDB numbers
themselves are checked against pandas in test_team_page.py and test_customers_page.py."""

from __future__ import annotations

import pytest

from dashboard.pages import customers_report, team_report
from dashboard.queries.filters import Scope

QUERY = "start=2024-03-10&end=2024-11-20"


@pytest.mark.parametrize("page", [team_report, customers_report], ids=["team", "customers"])
def test_page_rows_are_the_same_on_every_backend(any_warehouse, warehouse, page):
    got = page.page_report(any_warehouse, Scope(("North",)), QUERY)
    want = page.page_report(warehouse, Scope(("North",)), QUERY)
    assert [c["id"] for c in got["charts"]] == [c["id"] for c in want["charts"]]
    assert all(c["rows"] for c in want["charts"])
    for ours, theirs in zip(got["charts"], want["charts"], strict=True):
        assert len(ours["rows"]) == len(theirs["rows"]), ours["id"]
        for a, b in zip(ours["rows"], theirs["rows"], strict=True):
            assert a[:2] == b[:2], ours["id"]
            assert (a[2] is None and b[2] is None) or a[2] == pytest.approx(b[2], rel=1e-9)
