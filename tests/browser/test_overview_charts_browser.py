"""What a user sees in the Overview's charts, read from the rendered SVG in headless Chromium.

Top toys: one small chart per age group, bars in value order, every bar named by its own toy
(the tick beside it is the name its tooltip shows). One member's colour is the same on every
chart and stays when a filter changes. Markup in a shared URL stays text. Festival labels sit
above the plot and never overlap. Screenshots go to $TOYPULSE_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboard.figures.charts import AGE_ORDER
from tests import reference as ref
from tests.auth_helpers import browser_sign_in

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # the sample's default range
SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))

# Per subplot of a graph: the bars of its first trace (centre y, width, fill) and its y tick
# labels (centre y, text).
SUBPLOTS_JS = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
return [...gd.querySelectorAll('.cartesianlayer .subplot')].map(sp => ({
  id: [...sp.classList].find(c => c !== 'subplot'),
  bars: [...(sp.querySelector('.trace.bars') || sp).querySelectorAll('.point path')].map(p => {
    const r = p.getBoundingClientRect();
    return {y: r.top + r.height / 2, w: r.width, h: r.height, fill: p.style.fill};
  }),
  ticks: [...sp.querySelectorAll('.yaxislayer-above text')].map(t => {
    const r = t.getBoundingClientRect();
    return {y: r.top + r.height / 2, text: t.textContent};
  }),
}));
"""
# Which age group each subplot shows, from the rendered figure's own traces.
SUBPLOT_AGES_JS = """
const gd = document.querySelector('#ov-top .js-plotly-plot');
return gd._fullData.map(t => [t.xaxis + t.yaxis, t.name]);
"""


def _wait_for_charts(dash_duo) -> None:
    dash_duo.wait_for_element("#ov-kpis .card", timeout=90)
    for key in ("top", "trend", "category", "contrib", "age"):
        dash_duo.wait_for_element(f"#ov-{key} .js-plotly-plot .main-svg", timeout=90)
    dash_duo.wait_for_element("#ov-top .trace.bars .point path", timeout=90)


def _labelled_bars(subplot: dict) -> list[tuple[str, float]]:
    """(tick text beside the bar, bar width) from top to bottom; asserts each bar is named."""
    bars = sorted(subplot["bars"], key=lambda b: b["y"])
    ticks = sorted(subplot["ticks"], key=lambda t: t["y"])
    assert len(ticks) == len(bars), f"{subplot['id']}: {len(bars)} bars, {len(ticks)} names"
    out = []
    for bar, tick in zip(bars, ticks, strict=True):
        assert abs(bar["y"] - tick["y"]) < max(bar["h"] / 2, 4), (
            f"{subplot['id']}: name {tick['text']!r} sits beside no bar")
        out.append((tick["text"], bar["w"]))
    return out


def _top_toys_by_age(dash_duo) -> dict[str, list[tuple[str, float]]]:
    ages = dict(dash_duo.driver.execute_script(SUBPLOT_AGES_JS))
    shown = {}
    for subplot in dash_duo.driver.execute_script(SUBPLOTS_JS, "#ov-top"):
        # Plotly names the first subplot "xy", the second "x2y2"...
        shown[ages[subplot["id"]]] = _labelled_bars(subplot)
    return shown


def _hover_name(dash_duo, graph: str, bar) -> str:
    ActionChains(dash_duo.driver).move_to_element(bar).perform()
    label = dash_duo.wait_for_element(f"#{graph} .hoverlayer .hovertext", timeout=60)
    return label.find_element(By.CSS_SELECTOR, "text tspan.line").text  # the first line


def _expected_top(raw, n: int = 5) -> dict[str, list[str]]:
    rows = ref.select(raw, *YEAR)
    sums = rows.groupby(["age_group", "product_name"], as_index=False)["revenue"].sum()
    sums = sums.sort_values(["age_group", "revenue", "product_name"],
                            ascending=[True, False, True])
    return {age: list(group["product_name"].head(n)) for age, group in
            sums.groupby("age_group")}


@pytest.mark.parametrize("width", [1440, 390])
def test_top_toys_ranked_and_every_bar_named(dash_duo, app, raw, accounts, width):
    dash_duo.driver.set_window_size(width, 1000)
    browser_sign_in(dash_duo, app, accounts["analyst"])
    if width < 500:
        dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        dash_duo.driver.get(dash_duo.server_url + "/")
    _wait_for_charts(dash_duo)
    shown = _top_toys_by_age(dash_duo)
    expected = _expected_top(raw)
    assert list(shown) == [a for a in AGE_ORDER if a in expected]  # natural order, not text
    for age, bars in shown.items():
        names, widths = [n for n, _ in bars], [w for _, w in bars]
        assert names == expected[age], age  # pandas over the raw lines
        assert widths == sorted(widths, reverse=True), f"{age}: bars leave value order"
    # The tooltip names the toy whose name is beside the bar (first age group, every bar).
    first = dash_duo.driver.execute_script(SUBPLOTS_JS, "#ov-top")[0]
    paths = dash_duo.find_elements("#ov-top .subplot.xy .trace.bars .point path")
    ticks = [t["text"] for t in sorted(first["ticks"], key=lambda t: t["y"])]
    for path in sorted(paths, key=lambda p: p.rect["y"]):
        assert _hover_name(dash_duo, "ov-top", path) == ticks.pop(0)
    dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    try:
        dash_duo.driver.save_screenshot(str(SHOTS / f"ovc_overview_{width}.png"))
    except TimeoutException:
        warnings.warn("overview screenshot skipped: the browser was too slow", stacklevel=1)
    for card in ("top", "trend", "category"):
        _card_shot(dash_duo, card, f"ovc_{card}_{width}.png")
    _festival_labels_clear(dash_duo)
    assert dash_duo.get_logs() == []


def _card_shot(dash_duo, key: str, name: str) -> None:
    """A picture for people to look at, not an assertion: a slow renderer only skips it."""
    card = dash_duo.find_element(f"#ov-card-{key}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({behavior: 'instant'})", card)
    try:
        dash_duo.driver.save_screenshot(str(SHOTS / name))  # the viewport, card at its top
    except TimeoutException:
        warnings.warn(f"screenshot {name} skipped: the browser was too slow", stacklevel=2)


def _festival_labels_clear(dash_duo) -> None:
    """Festival labels sit above the plot area and do not overlap one another."""
    boxes = dash_duo.driver.execute_script("""
        const gd = document.querySelector('#ov-trend .js-plotly-plot');
        const plot = {top: gd.getBoundingClientRect().top + gd._fullLayout._size.t};
        const notes = [...gd.querySelectorAll('.annotation')].map(a => {
          const r = a.querySelector('.annotation-text').getBoundingClientRect();
          return {text: a.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
        });
        return {plotTop: plot.top, notes: notes};
    """)
    notes = boxes["notes"]
    assert any("Christmas" in n["text"] for n in notes)
    for i, a in enumerate(notes):
        assert a["b"] <= boxes["plotTop"] + 1, f"{a['text']} covers the plot"
        for b in notes[i + 1:]:
            apart = a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]
            assert apart, f"{a['text']!r} overlaps {b['text']!r}"


def _trace_colors(dash_duo, graph: str) -> dict[str, str]:
    """Member -> colour as drawn: legend lines of a line chart, bar fills beside their tick."""
    driver = dash_duo.driver
    if graph == "ov-trend":
        return dict(driver.execute_script("""
            return [...document.querySelectorAll('#ov-trend .legend .traces')].map(t =>
              [t.querySelector('.legendtext').textContent,
               t.querySelector('.legendlines path').style.stroke]);"""))
    if graph in ("ov-age", "ov-gender"):
        return dict(driver.execute_script(f"""
            const gd = document.querySelector('#{graph} .js-plotly-plot');
            return [...gd.querySelectorAll('.slice')].map((s, i) =>
              [gd.calcdata[0][i].label, s.querySelector('path.surface').style.fill]);"""))
    subplot = driver.execute_script(SUBPLOTS_JS, f"#{graph}")[0]
    bars = sorted(subplot["bars"], key=lambda b: b["y"])
    ticks = sorted(subplot["ticks"], key=lambda t: t["y"])
    return {t["text"]: b["fill"] for t, b in zip(ticks, bars, strict=True)}


def test_one_colour_per_member_everywhere_and_after_filtering(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    _wait_for_charts(dash_duo)
    trend, bars = _trace_colors(dash_duo, "ov-trend"), _trace_colors(dash_duo, "ov-category")
    shared = [m for m in trend if m in bars]
    assert len(shared) >= 3
    for member in shared:
        assert trend[member] == bars[member], member
    other = [colour for name, colour in trend.items() if name.startswith("Other (")]
    assert other and other[0] not in set(bars.values())  # "Other" is no category's colour
    regions = _trace_colors(dash_duo, "ov-contrib")
    ages = _trace_colors(dash_duo, "ov-age")
    # Different dimensions never share a colour (Action Figures, Central and 0-2 differ).
    assert not set(bars.values()) & set(regions.values())
    assert not set(bars.values()) & set(ages.values())
    assert not set(regions.values()) & set(ages.values())

    # Trend by region: each region keeps the colour it has in the contribution chart.
    dash_duo.driver.find_element(
        By.XPATH, "//*[@id='ov-trend-by']//label[normalize-space()='Region']").click()
    dash_duo.wait_for_contains_text("#ov-trend .legend", "North", timeout=60)
    by_region = _trace_colors(dash_duo, "ov-trend")
    assert len(set(by_region) & set(regions)) >= 3
    for region in set(by_region) & set(regions):
        assert by_region[region] == regions[region], region

    # A filter that removes other categories does not recolour the ones left.
    keep = shared[-1]
    dash_duo.driver.get(dash_duo.server_url + "/?category=" + quote(keep))
    dash_duo.wait_for_text_to_equal("#ov-summary", f"All regions, 2025, {keep}", timeout=60)
    _wait_for_charts(dash_duo)
    assert _trace_colors(dash_duo, "ov-category") == {keep: bars[keep]}
    assert dash_duo.get_logs() == []


def test_markup_from_the_url_stays_text(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    markup = '<a href="https://x.example">x</a>'
    dash_duo.driver.get(dash_duo.server_url + "/?hl=" + quote(f"product_name:{markup}"))
    _wait_for_charts(dash_duo)
    dash_duo.wait_for_contains_text("#ov-category .legend", markup, timeout=60)
    links = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('.js-plotly-plot a')]
          .map(a => a.getAttribute('href') || a.getAttribute('xlink:href'))
          .filter(h => h && !h.startsWith('#'));""")
    assert links == []
    legend = dash_duo.find_element("#ov-trend .legend").text
    assert f"{markup} (selected)" in legend  # shown as the characters it is
    _card_shot(dash_duo, "category", "ovc_markup.png")
    assert dash_duo.get_logs() == []


def test_top_toys_stay_in_order_for_a_manager_after_a_resize(dash_duo, app, raw, accounts):
    """A North manager's Top toys, every group largest on top, also after the window is
    resized (the card refits its chart): the first group once came out upside down when the
    axis was reversed by Plotly's autorange "reversed"."""
    dash_duo.driver.set_window_size(1440, 1000)
    browser_sign_in(dash_duo, app, accounts["manager"])
    _wait_for_charts(dash_duo)
    rows = ref.select(raw, *YEAR, regions=("North",))
    sums = rows.groupby(["age_group", "product_name"], as_index=False)["revenue"].sum()
    sums = sums.sort_values(["age_group", "revenue", "product_name"],
                            ascending=[True, False, True])
    expected = {age: list(g["product_name"].head(5)) for age, g in sums.groupby("age_group")}
    for size in ((1100, 1000), (1440, 1000)):
        dash_duo.driver.set_window_size(*size)
        dash_duo.driver.execute_script("return new Promise(r => setTimeout(r, 800))")
        shown = _top_toys_by_age(dash_duo)
        for age, bars in shown.items():
            assert [n for n, _ in bars] == expected[age], (size, age)
            widths = [w for _, w in bars]
            assert widths == sorted(widths, reverse=True), (size, age)
    dash_duo.driver.save_screenshot(str(SHOTS / "ovc_manager_top_toys_1440.png"))
    assert dash_duo.get_logs() == []


def test_analyst_finds_the_seasonal_bestsellers_for_3_to_5(dash_duo, app, raw, accounts):
    """"Which toys are the seasonal bestsellers for 3-5 year olds": Age = 3-5 and Season =
    Winter in the filter bar leave one Top toys chart whose bars, top to bottom, are pandas'
    top five for 3-5 in winter; the same link with Summer gives summer's five."""
    import html

    from tests.browser.test_overview_browser import _pick

    def expected(season: str) -> list[str]:
        rows = ref.select(raw, *YEAR, age_groups=["3-5"], seasons=[season])
        sums = rows.groupby("product_name")["revenue"].sum()
        return sorted(sums.index, key=lambda t: (-round(sums[t], 6), t))[:5]

    def shown() -> list[str]:
        by_age = _top_toys_by_age(dash_duo)
        return [html.unescape(name) for name, _ in by_age.get("3-5", [])] \
            if list(by_age) == ["3-5"] else []

    browser_sign_in(dash_duo, app, accounts["analyst"])
    _wait_for_charts(dash_duo)
    _pick(dash_duo, "ov-f-age_groups", "3-5")
    _pick(dash_duo, "ov-f-seasons", "Winter")
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025, Winter, age 3-5",
                                    timeout=30)
    winter = expected("Winter")
    _wait(lambda: shown() == winter, "winter's top five never showed")
    dash_duo.driver.save_screenshot(str(SHOTS / "walk-analyst-3-5-winter-1440.png"))
    dash_duo.driver.get(dash_duo.server_url + "/?age=3-5&season=Summer")
    _wait_for_charts(dash_duo)
    dash_duo.wait_for_text_to_equal("#ov-summary", "All regions, 2025, Summer, age 3-5",
                                    timeout=30)
    summer = expected("Summer")
    _wait(lambda: shown() == summer, "summer's top five never showed")
    assert winter != summer  # the question has an answer: the bestsellers move with the season
    dash_duo.driver.save_screenshot(str(SHOTS / "walk-analyst-3-5-summer-1440.png"))
    assert dash_duo.get_logs() == []


def _wait(condition, message: str, timeout: float = 60) -> None:
    from dash.testing.wait import until

    until(condition, timeout=timeout, msg=message)
