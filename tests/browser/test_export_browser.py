"""Exports in the browser: a chart's "Download CSV" holds what the chart shows, "Download PNG"
hands the drawn chart to Plotly's image export, and "Print / PDF" opens a printable page with
every chart's title. Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from tests.auth_helpers import browser_sign_in

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))

# The contribution chart as drawn: y tick labels top-down, and each trace's name and values in
# the same (top-down) order, read from the rendered graph.
SHOWN_JS = """
const gd = document.querySelector('#ov-contrib .js-plotly-plot');
const ticks = [...gd.querySelectorAll('.yaxislayer-above .ytick text')].map(t => {
  const r = t.getBoundingClientRect(); return [r.top, t.textContent]; });
ticks.sort((a, b) => a[0] - b[0]);
const order = ticks.map(t => t[1]);
return {labels: order, traces: gd._fullData.map(t => ({name: t.name,
  values: order.map(label => t.x[t.y.indexOf(label)])}))};
"""
FETCH_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(
  text => done([r.status, r.headers.get('content-type'), text])));
"""
TITLES = ["Monthly sales trend", "Top toys by age group", "Regional contribution %",
          "Regional demand by month", "Revenue by category", "Revenue by toy type",
          "Share by age group", "Share by gender"]


def _charts_drawn(dash_duo) -> None:
    dash_duo.wait_for_element("#ov-kpis .card", timeout=90)
    dash_duo.wait_for_element("#ov-contrib .trace.bars .point path", timeout=90)


def _csv_of(dash_duo, link_id: str) -> list[list[str]]:
    href = dash_duo.find_element(f"#{link_id}").get_attribute("href")
    status, kind, text = dash_duo.driver.execute_async_script(FETCH_JS, href)
    assert status == 200 and kind.startswith("text/csv"), (status, kind, text[:200])
    return list(csv.reader(io.StringIO(text)))


def _assert_csv_is_the_chart(dash_duo) -> list[str]:
    shown = dash_duo.driver.execute_script(SHOWN_JS)
    table = _csv_of(dash_duo, "ov-csv-contrib")
    assert table[0][0] == "Series" and table[0][2] == "Share"
    for trace in shown["traces"]:
        rows = [row for row in table[1:] if row[0] == trace["name"]]
        assert [row[1] for row in rows] == shown["labels"], trace["name"]
        assert [round(float(row[2]), 9) for row in rows] == [
            round(v, 9) for v in trace["values"]], trace["name"]
    return shown["labels"]


def test_contribution_csv_matches_the_chart(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/?start=2025-01-01&end=2025-12-31")
    _charts_drawn(dash_duo)
    labels = _assert_csv_is_the_chart(dash_duo)
    assert len(labels) == 8  # every region, largest share on top
    # Another view: the link follows it, and the CSV still matches the chart.
    dash_duo.driver.get(dash_duo.server.url + "/?start=2025-10-01&end=2025-12-31&geo=West")
    _charts_drawn(dash_duo)
    dash_duo.wait_for_text_to_equal("#ov-title-contrib", "Contribution % by state in West",
                                    timeout=30)
    dash_duo.wait_for_contains_text("#ov-csv-contrib", "Download CSV")
    href = dash_duo.find_element("#ov-csv-contrib").get_attribute("href")
    assert "geo=West" in href and "start=2025-10-01" in href
    states = _assert_csv_is_the_chart(dash_duo)
    assert "West" not in states and len(states) == 3
    assert dash_duo.get_logs() == []


def test_png_button_exports_the_drawn_chart(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["manager"])
    _charts_drawn(dash_duo)
    driver = dash_duo.driver
    driver.execute_script("""
        window.__pngCalls = [];
        window.Plotly.downloadImage = (gd, opts) => {  // record the call, make the real image
          window.__pngCalls.push([gd.closest('[id^=ov-]').id, opts.format, opts.filename]);
          return window.Plotly.toImage(gd, opts).then(url => { window.__pngUrl = url; });
        };
    """)
    button = dash_duo.find_element("#ov-png-contrib")
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    ActionChains(driver).move_to_element(button).click().perform()
    url = WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return window.__pngUrl || null"))
    calls = driver.execute_script("return window.__pngCalls")
    assert calls == [["ov-contrib", "png", "toypulse-overview-contrib"]]
    assert url and url.startswith("data:image/png;base64,") and len(url) > 5_000
    assert dash_duo.get_logs() == []


def test_print_page_shows_every_chart_title(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server.url + "/?start=2025-01-01&end=2025-12-31"
                        "&category=Plush")
    _charts_drawn(dash_duo)
    link = dash_duo.find_element("#ov-print")
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025, Plush", timeout=30)
    assert "category=Plush" in link.get_attribute("href")
    main = dash_duo.driver.current_window_handle
    link.click()
    handles = [h for h in dash_duo.driver.window_handles if h != main]
    assert len(handles) == 1
    dash_duo.driver.switch_to.window(handles[0])
    dash_duo.wait_for_element("body[data-ready='1']", timeout=60)
    titles = [e.text for e in dash_duo.driver.find_elements("css selector", ".chart h2")]
    assert titles == TITLES
    assert dash_duo.find_element("#report-filters-0").text == "All regions, 2025, Plush"
    assert len(dash_duo.driver.find_elements("css selector", ".tile")) == 5
    drawn = dash_duo.driver.find_elements("css selector", ".chart .main-svg")
    assert len(drawn) >= len(TITLES)  # every chart drawn by the bundled plotly.js
    height = dash_duo.driver.execute_script("return document.documentElement.scrollHeight")
    dash_duo.driver.set_window_size(1440, min(int(height) + 120, 8000))
    dash_duo.driver.save_screenshot(str(SHOTS / "export-print-page.png"))
    assert dash_duo.get_logs() == []
    dash_duo.driver.close()
    dash_duo.driver.switch_to.window(main)


def test_phone_cards_keep_their_export_links_tidy(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["manager"])
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    dash_duo.driver.get(dash_duo.server.url + "/")
    _charts_drawn(dash_duo)
    boxes = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('[id^=ov-csv-], [id^=ov-png-], #ov-print')]
          .filter(e => e.offsetParent !== null)
          .map(e => { const r = e.getBoundingClientRect();
                      return [e.id, r.left, r.right, r.height]; });
    """)
    assert len(boxes) >= 15  # 2 per shown chart, and the print link
    for ident, left, right, height in boxes:
        assert left >= 0 and right <= 390 and height <= 48, ident  # 44 px touch targets
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    card = dash_duo.find_element("#ov-card-contrib")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({behavior: 'instant'})", card)
    dash_duo.driver.save_screenshot(str(SHOTS / "export-phone-card.png"))
    assert dash_duo.get_logs() == []
