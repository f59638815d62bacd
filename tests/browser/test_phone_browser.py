"""The Overview on a 390 px phone and at 1440 px, read as a user sees it, plus axe-core.

Phone: KPIs first (the first tile in the top third of the screen), filters in a drawer whose
button counts the active ones, every visible chart's plot at least 220 px tall, no sideways
scroll, touch targets at least 44 px. Everywhere: no serious or critical axe-core violations,
every chart has a keyboard-reachable table view, no console errors. Screenshots go to
$TOYPULSE_SCREENSHOTS (default /tmp) as phone-*.png.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.figures.formats import Numbers
from dashboard.figures.theme import format_number
from tests import reference as ref
from tests.auth_helpers import browser_sign_in, start_app
from tests.browser import axe

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # the sample's default range
# A KPI change ("▲ +4.2% vs prev.") broken across lines leaves its arrow on one line and its
# label on the next: taller than one line of its own text.
SPLIT_CHANGES_JS = """
return [...document.querySelectorAll('#ov-kpis .card .small > span')]
  .filter(s => s.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(s).lineHeight))
  .map(s => s.textContent);
"""
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}

# Plot-area height of every chart a user can see (Plotly's own layout numbers).
PLOT_HEIGHTS_JS = """
return [...document.querySelectorAll('[id^=ov-card-]')]
  .filter(card => card.offsetParent !== null)
  .map(card => {
    const gd = card.querySelector('.js-plotly-plot');
    return [card.id, gd && gd._fullLayout ? gd._fullLayout._size.h : 0];
  });
"""
# Controls a finger taps that are smaller than 44 x 44 CSS px (visible ones only).
SMALL_TARGETS_JS = """
const sel = 'button, a[href], summary, .btn, .form-check-label, .dash-dropdown, ' +
            '.dash-datepicker-input-wrapper, [role=button]';
return [...document.querySelectorAll(sel)]
  .filter(el => el.checkVisibility({visibilityProperty: true, opacityProperty: true}))
  .map(el => [el.id || el.className || el.tagName, el.getBoundingClientRect()])
  .filter(([_, r]) => r.width > 0 && (r.height < 44 || r.width < 44))
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`);
"""


def _wait_for_overview(dash_duo) -> None:
    dash_duo.wait_for_element("#ov-kpis .card", timeout=90)
    for key in ("trend", "top", "category"):
        dash_duo.wait_for_element(f"#ov-{key} .js-plotly-plot .main-svg", timeout=90)


def _no_blocking_axe(driver, where: str) -> None:
    found = axe.blocking(driver)
    assert found == [], f"axe on {where}:\n{axe.describe(found)}"


def _plot_heights_once_drawn(driver) -> dict[str, float]:
    """Each visible chart's plot height, read once every chart is drawn and has settled
    (charts arrive one by one, and a phone chart may grow once after it is first drawn)."""
    seen: list[dict] = []

    def settled(_):
        heights = dict(driver.execute_script(PLOT_HEIGHTS_JS))
        seen.append(heights)
        return len(seen) > 1 and all(seen[-2:]) and seen[-1] == seen[-2] and \
            all(h > 0 for h in heights.values())

    try:
        WebDriverWait(driver, 30, poll_frequency=0.5).until(settled)
    except TimeoutException:
        pass  # the assertion below names what never drew or stayed short
    return seen[-1]


def _tab_to(driver, target, what: str):
    """Press Tab until `target` has focus (at most 200 times); the target."""
    for _ in range(200):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.switch_to.active_element == target:
            return target
    raise AssertionError(f"{what} is not reachable with Tab")


def _scroll_width(driver) -> int:
    return driver.execute_script("return document.documentElement.scrollWidth")


def test_phone_kpis_first_drawer_charts_tall_no_sideways_scroll(dash_duo, app, accounts, raw):
    year = ref.select(raw, *YEAR)
    browser_sign_in(dash_duo, app, accounts["analyst"])
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    driver.get(dash_duo.server_url + "/")
    _wait_for_overview(dash_duo)

    first_kpi = dash_duo.find_element("#ov-kpis .card")
    assert first_kpi.rect["y"] < PHONE["height"] / 3, (
        f"first KPI at y={first_kpi.rect['y']}, not in the top third of the phone screen")
    regions = dash_duo.find_element("#ov-f-regions")
    assert not regions.is_displayed(), "on a phone the filters wait in the drawer"
    button = dash_duo.find_element("#ov-filters-open")
    assert button.text == "Filters (0 active)"
    assert _scroll_width(driver) <= PHONE["width"], "the page must not scroll sideways"
    heights = _plot_heights_once_drawn(driver)
    assert set(heights) >= {"ov-card-trend", "ov-card-top", "ov-card-category"}
    short = {card: h for card, h in heights.items() if h < 220}
    assert short == {}, f"plots shorter than 220 px on a phone: {short}"
    small = driver.execute_script(SMALL_TARGETS_JS)
    assert small == [], f"touch targets under 44 px: {small}"
    split = driver.execute_script(SPLIT_CHANGES_JS)
    assert split == [], f"KPI changes broken across lines on a phone: {split}"
    driver.save_screenshot(str(SHOTS / "phone-390-first-screen.png"))
    _no_blocking_axe(driver, "Overview at 390 px")

    # The drawer: open it, pick a region, the button counts it and the KPIs follow.
    button.click()
    dash_duo.wait_for_element("#ov-filters.show", timeout=10)
    WebDriverWait(driver, 10).until(lambda _: regions.is_displayed())  # it slides in
    WebDriverWait(driver, 5).until(  # focus moves into the drawer
        lambda _: driver.switch_to.active_element.get_attribute("id") == "ov-filters-close")
    # Focus stays in the open drawer: Shift+Tab from its first control goes to its last,
    # Tab from there comes back, and a walk with Tab never reaches the page behind it.
    driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "ov-filters-done"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "ov-filters-close"
    for _ in range(25):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        assert driver.execute_script(
            "return document.getElementById('ov-filters').contains(document.activeElement)"), \
            "Tab left the open filter drawer"
    assert _scroll_width(driver) <= PHONE["width"]
    small = driver.execute_script(SMALL_TARGETS_JS)
    assert small == [], f"touch targets under 44 px in the drawer: {small}"
    driver.save_screenshot(str(SHOTS / "phone-390-drawer.png"))
    _no_blocking_axe(driver, "the filter drawer at 390 px")
    regions.click()
    dash_duo.wait_for_element("[role=option]")
    [north] = [o for o in dash_duo.find_elements("[role=option]")
               if o.text.startswith("North (")]  # options carry their line counts
    north.click()
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)  # closes the list
    dash_duo.wait_for_text_to_equal("#ov-summary", "North, 2025", timeout=20)
    dash_duo.wait_for_text_to_equal("#ov-filters-open", "Filters (1 active)", timeout=10)
    dash_duo.find_element("#ov-filters-done").click()  # closes the drawer, focus returns
    WebDriverWait(driver, 10).until(lambda _: not regions.is_displayed())
    WebDriverWait(driver, 5).until(  # focus goes back to the button that opened the drawer
        lambda _: driver.switch_to.active_element.get_attribute("id") == "ov-filters-open")
    north = year[year["region"] == "North"]["revenue"].sum()
    dash_duo.wait_for_text_to_equal("#ov-kpi-revenue-value", format_number(north, "currency"))
    driver.save_screenshot(str(SHOTS / "phone-390-north.png"))
    button.click()  # Escape closes the drawer too
    WebDriverWait(driver, 10).until(lambda _: regions.is_displayed())
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 10).until(lambda _: not regions.is_displayed())
    assert dash_duo.get_logs() == []


def test_desktop_filters_inline_and_no_axe_violations(dash_duo, app, accounts):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    driver = dash_duo.driver
    driver.set_window_size(1440, 1000)
    driver.get(dash_duo.server_url + "/")
    _wait_for_overview(dash_duo)
    assert dash_duo.find_element("#ov-f-regions").is_displayed(), "filters inline at 1440 px"
    assert not dash_duo.find_element("#ov-filters-open").is_displayed()
    assert _scroll_width(driver) <= driver.execute_script("return window.innerWidth")
    driver.save_screenshot(str(SHOTS / "phone-1440-overview.png"))
    _no_blocking_axe(driver, "Overview at 1440 px")
    assert dash_duo.get_logs() == []


def test_every_chart_has_a_keyboard_table_view(dash_duo, app, accounts, raw):
    browser_sign_in(dash_duo, app, accounts["analyst"])
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/")
    _wait_for_overview(dash_duo)
    toggles = [t for t in dash_duo.find_elements(".chart-table-toggle") if t.is_displayed()]
    cards = [c for c in dash_duo.find_elements("[id^=ov-card-]") if c.is_displayed()]
    assert len(toggles) == len(cards) > 0, "one table toggle per visible chart"

    # A filter list is reached with Tab and opened with Enter (its button is in the tab order).
    dash_duo.find_element("body").click()
    regions = _tab_to(driver, dash_duo.find_element("#ov-f-regions"), "the Region filter")
    regions.send_keys(Keys.ENTER)
    dash_duo.wait_for_element("[role=option]", timeout=10)
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)

    # Reach the category chart's toggle with Tab alone, open it with Enter.
    target = _tab_to(driver, dash_duo.find_element("#ov-table-toggle-category"),
                     "the category chart's table button")
    outline = driver.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused Table button shows where focus is"
    target.send_keys(Keys.ENTER)
    table = dash_duo.wait_for_element("#ov-table-category table", timeout=10)
    assert table.find_element(By.TAG_NAME, "caption").text
    heads = table.find_elements(By.CSS_SELECTOR, "thead th[scope=col]")
    assert [h.text for h in heads][:2] == ["Category", "Revenue"]
    rows = {r.find_element(By.CSS_SELECTOR, "th[scope=row]").text:
            r.find_elements(By.TAG_NAME, "td")[0].text
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    truth = ref.select(raw, *YEAR).groupby("category")["revenue"].sum()
    numbers = Numbers("$")  # the sample is in dollars; tooltips give exact amounts
    assert rows == {name: numbers.metric("revenue", value, exact=True)
                    for name, value in truth.items()}
    # Enter again closes it.
    target.send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(
        lambda _: not driver.find_elements(By.CSS_SELECTOR, "#ov-table-category table"))
    assert target.get_attribute("aria-expanded") == "false"

    _no_blocking_axe(driver, "Overview with a table open")
    assert dash_duo.get_logs() == []


def test_sign_in_and_data_pages_have_no_axe_violations(dash_duo, app, accounts):
    start_app(dash_duo, app)
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("#username")
    _no_blocking_axe(dash_duo.driver, "the sign-in page")
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.get(dash_duo.server_url + "/data")
    dash_duo.wait_for_element("#shell-user-name", timeout=20)
    dash_duo.wait_for_element("h1, h2", timeout=20)
    _no_blocking_axe(dash_duo.driver, "the Data page")
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    dash_duo.driver.get(dash_duo.server_url + "/data")
    dash_duo.wait_for_element("h1, h2", timeout=20)
    _no_blocking_axe(dash_duo.driver, "the Data page at 390 px")
    assert dash_duo.get_logs() == []


def test_the_pages_fold_into_a_menu_on_a_phone(dash_duo, app, accounts):
    """At 390 px the admin's page links are behind the menu button and the top bar is one row;
    the button opens them (and says so to a screen reader) and a link there works."""
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    dash_duo.driver.get(dash_duo.server_url + "/")
    toggle = dash_duo.wait_for_element("#shell-menu-toggle", timeout=20)
    links = dash_duo.find_elements("#shell-menu .nav-link")
    assert [a.get_attribute("textContent") for a in links][:1] == ["Overview"]
    assert {"Data", "Admin"} <= {a.get_attribute("textContent") for a in links}
    assert not any(a.is_displayed() for a in links)
    bar = dash_duo.find_element("header nav").rect
    name = dash_duo.find_element("#shell-user-name").rect
    assert toggle.rect["y"] < name["y"] + name["height"] and bar["height"] < 70  # one row
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    WebDriverWait(dash_duo.driver, 10).until(lambda _d: all(a.is_displayed() for a in links))
    assert toggle.get_attribute("aria-expanded") == "true"
    dash_duo.driver.save_screenshot("/tmp/phone-menu-open-390.png")
    assert dash_duo.driver.execute_script("return document.documentElement.scrollWidth") <= 390
    next(a for a in links if a.text == "Data").click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: d.current_url.endswith("/data"))
    dash_duo.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    dash_duo.driver.get(dash_duo.server_url + "/")
    wide = dash_duo.wait_for_element("#shell-menu .nav-link", timeout=20)
    assert wide.is_displayed() and not dash_duo.find_element("#shell-menu-toggle").is_displayed()
    assert dash_duo.get_logs() == []
