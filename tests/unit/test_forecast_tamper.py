"""The Forecast page's callback forged by a North manager: a region filter, a breakdown by
region and a member outside their scope get nothing of that region (the series are North's,
equal to pandas over North's rows), and the page through the router names no other region."""

from __future__ import annotations

import json

import pytest

from dashboard.components.filter_bar import FIELDS
from dashboard.forecast.spec import CALENDAR_FILTERS
from dashboard.pages.forecast_report import page_report
from dashboard.queries.filters import Scope
from tests import dash_payloads as dp

FILTER_FIELDS = [f for f in FIELDS if f not in CALENDAR_FILTERS]  # the page's filter inputs


def _values(**overrides) -> dict:
    values = {"fc-measure.value": "revenue", "fc-grain.value": "month", "fc-by.value": "total",
              "fc-member.value": "Total", "fc-horizon.value": 6,
              "fc-view.data": {}, **{f"ov-f-{field}.value": [] for field in FILTER_FIELDS}}
    values.update(overrides)
    return values


def _actual(figure: dict) -> list[float]:
    trace = next(t for t in figure["data"] if t["name"] == "Actual")
    return dp.array(trace["y"])


def test_forged_forecast_callback_stays_in_north(client_as, raw, warehouse):
    for query in ("by=region&region=North&region=South", "region=South"):  # fitted ahead: the
        page_report(warehouse, Scope(("North",)), query)  # callback answers from the kept file
    north = client_as("manager")
    dep = dp.dependency(north, "fc-graph.figure")
    forged = _values(**{"fc-by.value": "region", "fc-member.value": "South",
                        "ov-f-regions.value": ["North", "South"]})
    response = dp.post(north, dp.payload(dep, forged, ["fc-member.value"]))
    assert response.status_code == 200
    out = dp.outputs(response)
    assert [o["value"] for o in out["fc-member.options"]] == ["Total", "North"]
    assert out["fc-member.value"] == "Total"
    rows = raw[raw["region"] == "North"]
    months = rows.groupby(rows["date"].dt.to_period("M"))["revenue"].sum()
    assert _actual(out["fc-graph.figure"]) == pytest.approx(months.to_numpy(), rel=1e-9)
    body = json.dumps(out)
    for region in sorted(set(raw["region"]) - {"North"}):
        assert f'"{region}"' not in body, region
    alone = dp.post(north, dp.payload(dep, _values(**{"ov-f-regions.value": ["South"]}),
                                      ["fc-horizon.value"]))
    assert not any(_actual(dp.outputs(alone)["fc-graph.figure"]))  # South alone: nothing
    page = dp.texts(dp.page_area(north, "/forecast", "?by=region&member=South"))
    assert "North" in page and "not among the series you can see" in page
    assert "South" not in page
