"""The Forecast page in headless Chromium: an analyst's category forecast at 1440 px (chart
with history, forecast and both bands; the accuracy table's rows; the verdict; picking a series
and a measure), and a North manager's weekly forecast at 390 px (no other region anywhere, no
sideways scroll). Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp) as forecast-*.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from dash.testing.wait import until

from dashboard.pages.forecast_report import page_report
from dashboard.queries.filters import Scope
from tests.auth_helpers import browser_sign_in
from tests.browser import axe

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
TRACES_JS = """
const gd = document.querySelector('#fc-graph .js-plotly-plot');
if (!gd || !gd.data) { return null; }
return gd.data.map(t => ({name: t.name, x: t.x, y: t.y}));
"""


def _traces(dash_duo) -> dict:
    until(lambda: dash_duo.driver.execute_script(TRACES_JS), timeout=30)
    return {t["name"]: t for t in dash_duo.driver.execute_script(TRACES_JS)}


def _table(dash_duo) -> list[list[str]]:
    return [[c.text for c in row.find_elements("css selector", "th, td")]
            for row in dash_duo.find_elements("#fc-accuracy tbody tr")]


def _last_whole_month(raw: pd.DataFrame, measure: str, region: str | None = None) -> float:
    df = raw if region is None else raw[raw["region"] == region]
    month = df["date"].dt.to_period("M")
    return float(df[month == month.max()][measure].sum())  # the sample ends on a month's end


def test_analyst_category_forecast(dash_duo, app, accounts, warehouse, raw):
    expected = page_report(warehouse, Scope.everything(), "by=category")  # fits it ahead
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.set_window_size(1440, 1400)
    dash_duo.driver.get(dash_duo.server.url + "/forecast?by=category")
    traces = _traces(dash_duo)
    assert {"Actual", "95% interval", "80% interval"} <= set(traces)
    forecast = [n for n in traces if n.startswith(("Forecast ·", "Seasonal naive forecast"))]
    assert len(forecast) == 1 and len(traces[forecast[0]]["y"]) == 6
    assert traces["Actual"]["y"][-1] == pytest.approx(
        _last_whole_month(raw, "revenue"), rel=1e-9)  # pandas over the raw rows
    rows = _table(dash_duo)
    categories = sorted(set(raw["category"]))
    assert [r[0] for r in rows] == ["Total", *categories]
    for row in rows:
        assert row[6] in ("Model beats seasonal naive", "Seasonal naive is better: it is shown")
        assert re.fullmatch(r"\d+\.\d\d", row[2]) and re.fullmatch(r"\d+\.\d%", row[3])
    verdict = dash_duo.find_element("#fc-verdict").text
    assert verdict.startswith("Total: the model (ETS(")
    assert ("beat seasonal naive" in verdict) and verdict == expected["narrative"][0]
    levels_text = dash_duo.find_element("#fc-levels").text
    assert levels_text.startswith("Levels: reconciled. The categories'")
    dash_duo.driver.save_screenshot(str(SHOTS / "forecast-analyst-1440.png"))

    dash_duo.find_element("#fc-member").click()  # pick a category's series
    for option in dash_duo.find_elements("[role=option]"):
        if option.text == "Dolls":
            option.click()
            break
    dash_duo.wait_for_contains_text("#fc-verdict", "Dolls:", timeout=30)
    dolls = raw[raw["category"] == "Dolls"]
    until(lambda: abs(_traces(dash_duo)["Actual"]["y"][-1]
                      - _last_whole_month(dolls, "revenue")) < 1e-6, timeout=20)
    assert "member=Dolls" in dash_duo.driver.current_url
    row = next(r for r in _table(dash_duo) if r[0] == "Dolls")
    shown = "Seasonal naive forecast" if "baseline" in row[6] or "naive is" in row[6] \
        else "Forecast ·"
    assert any(n.startswith(shown) for n in _traces(dash_duo))
    assert dash_duo.get_logs() == []


def test_north_manager_weekly_forecast_on_a_phone(dash_duo, app, accounts, warehouse, raw):
    page_report(warehouse, Scope(("North",)), "grain=week")  # fits it ahead
    others = sorted(set(raw["region"]) - {"North"})
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.set_window_size(390, 1100)
    dash_duo.driver.get(dash_duo.server.url + "/forecast?grain=week&region=South")
    traces = _traces(dash_duo)
    assert "Actual" in traces
    notes = dash_duo.find_element("#fc-notes").text
    assert "1 filter value in the link is not in the data you can see" in notes
    dash_duo.driver.get(dash_duo.server.url + "/forecast?grain=week")
    traces = _traces(dash_duo)
    north = raw[raw["region"] == "North"]
    weeks = north.groupby(north["date"] - pd.to_timedelta(north["date"].dt.day_of_week,
                                                          unit="D"))["revenue"].sum()
    assert traces["Actual"]["y"][0] == pytest.approx(float(weeks.iloc[1]), rel=1e-9)
    verdict = dash_duo.find_element("#fc-verdict").text
    assert verdict.startswith("Total: the model") and "12 weeks" in verdict
    if "did not beat" in verdict:
        assert "Seasonal naive forecast" in traces
    text = dash_duo.find_element("#fc-page").text
    for region in others:
        assert not re.search(rf"\b{re.escape(region)}\b", text), region
    assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    found = axe.blocking(dash_duo.driver)
    assert found == [], axe.describe(found)
    dash_duo.driver.save_screenshot(str(SHOTS / "forecast-north-390.png"))
    dash_duo.driver.set_window_size(390, 2400)  # the whole page: chart and table too
    dash_duo.driver.save_screenshot(str(SHOTS / "forecast-north-390-chart.png"))
    assert dash_duo.get_logs() == []


def _pick(dash_duo, control_id: str, option: str) -> None:
    dash_duo.find_element(f"#{control_id}").click()
    dash_duo.wait_for_element(f"[role=option] input[value='{option}']")
    for element in dash_duo.find_elements("[role=option]"):
        if element.text.startswith(f"{option} ("):  # options carry their line count
            element.click()
            break
    dash_duo.find_element("body").send_keys("\ue00c")  # Escape closes the list


def _whole_months(df: pd.DataFrame, measure: str, first, last) -> list[float]:
    """Monthly sums over the months lying wholly inside the data's span [first, last]."""
    month = df["date"].dt.to_period("M")
    sums = df.groupby(month)[measure].sum()
    months = pd.period_range(first, last, freq="M")
    whole = [m for m in months if m.start_time >= first and m.end_time.normalize() <= last]
    return [float(sums.get(m, 0.0)) for m in whole]


def _actual_now(dash_duo) -> list | None:
    """The chart's Actual values, or None while the view is being fitted (no traces yet)."""
    traces = dash_duo.driver.execute_script(TRACES_JS) or []
    return next((t["y"] for t in traces if t["name"] == "Actual"), None)


def test_filter_bar_narrows_the_forecast(dash_duo, app, accounts, warehouse, raw):
    """The shared filter bar: picking a category refits on its rows only (equal to pandas),
    the link keeps it, and dates, seasons and festivals are not offered."""
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.set_window_size(1440, 1400)
    dash_duo.driver.get(dash_duo.server.url + "/forecast")
    first, last = raw["date"].min(), raw["date"].max()
    until(lambda: _actual_now(dash_duo) == pytest.approx(
        _whole_months(raw, "revenue", first, last), rel=1e-9), timeout=300)
    for hidden in ("ov-dates", "ov-f-seasons", "ov-f-festivals"):
        assert not dash_duo.find_element(f"#{hidden}").is_displayed(), hidden
    assert dash_duo.find_element("#ov-f-regions").is_displayed()
    _pick(dash_duo, "ov-f-categories", "Dolls")
    dolls = _whole_months(raw[raw["category"] == "Dolls"], "revenue", first, last)
    until(lambda: _actual_now(dash_duo) == pytest.approx(dolls, rel=1e-9), timeout=300)
    assert "category=Dolls" in dash_duo.driver.current_url
    assert "Dolls" in dash_duo.find_element("#fc-filter-sentence").text
    _pick(dash_duo, "ov-f-regions", "North")
    both = raw[(raw["category"] == "Dolls") & (raw["region"] == "North")]
    until(lambda: _actual_now(dash_duo) == pytest.approx(
        _whole_months(both, "revenue", first, last), rel=1e-9), timeout=300)
    dash_duo.driver.save_screenshot(str(SHOTS / "forecast-filtered-1440.png"))
    assert dash_duo.get_logs() == []
