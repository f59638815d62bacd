"""`dashboard bench`'s pages table times the Forecast over its kept views only (a filter state
would fit a model per state), and says why when none are kept."""

from __future__ import annotations

from urllib.parse import parse_qs

from dashboard.bench import pages
from dashboard.forecast import ahead
from dashboard.forecast.spec import ForecastSpec
from dashboard.queries.filters import Scope

WEST = Scope(("West",))


def test_only_kept_forecast_views_are_timed(warehouse):
    spec = ForecastSpec("units", "month", "total")
    assert spec in ahead.AHEAD
    ahead.compute_ahead(warehouse, specs=(spec,), scopes=[WEST])
    queries = pages.kept_forecast_queries(warehouse, WEST)
    assert {"measure": ["units"], "grain": ["month"], "by": ["total"]}.items() <= \
        parse_qs(queries[0]).items() and len(queries) >= 1
    assert pages.kept_forecast_queries(warehouse, Scope(("West", "South", "North"))) == []
    ms = pages.time_page(warehouse, WEST, "forecast", queries)
    assert len(ms) == len(queries) and min(ms) > 0
    text = pages.pages_table(1000, {"overview": {"analyst": [1.0, 2.0]},
                                    "forecast": {"analyst": ms}})
    assert f"forecast: timed over its {len(queries)} kept views" in text
    assert "| forecast |" in text and "2 filter states" in text


def test_forecast_without_kept_views_is_skipped_with_the_reason():
    text = pages.pages_table(1000, {"overview": {"analyst": [1.0, 2.0]}})
    assert "| forecast |" not in text
    assert f"Not timed here: forecast ({pages.NOT_KEPT})." in text
