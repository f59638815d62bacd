"""The real Maven Toys export has neither employees nor customer ids: both pages are hidden
with their reason (and say nothing else)."""

from __future__ import annotations

import pytest

from dashboard import config
from dashboard.cli import main
from dashboard.pages import customers_report, team_report
from dashboard.queries import customers as cq
from dashboard.queries import team
from dashboard.queries.filters import Scope
from dashboard.warehouse.store import Warehouse

MAVEN = config.ROOT.parent / "shared" / "datasets" / "maven-toys.zip"


def test_maven_toys_hides_team_and_customers_with_the_reason(tmp_path):
    if not MAVEN.exists():
        pytest.skip(f"the Maven Toys export is not at {MAVEN} (shared/ beside the repository)")
    root = tmp_path / "warehouse"
    assert main(["--warehouse", str(root), "import", str(MAVEN)]) == 0
    wh = Warehouse(root)
    try:
        for page, reason in ((team_report, team.NO_EMPLOYEES), (customers_report,
                                                                cq.NO_CUSTOMERS)):
            report = page.page_report(wh, Scope.everything(), "")
            assert report["charts"] == [] and report["tiles"] == []
            assert reason in report["notes"]
    finally:
        wh.close()
