"""In headless Chromium: how long a filter change takes until every chart has redrawn."""

from __future__ import annotations

import shutil
import statistics
import time

BROWSER_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--window-size=1440,2000")
# Before a change: listen for every chart's next redraw (Plotly's afterplot event).
WATCH = """
window.__redrawn = new Set();
document.querySelectorAll('.chart-loading .js-plotly-plot').forEach(function (gd) {
  if (!gd.__benchWatch) {
    gd.__benchWatch = true;
    gd.on('plotly_afterplot', function () { window.__redrawn && window.__redrawn.add(gd); });
  }
});
return document.querySelectorAll('.chart-loading .js-plotly-plot').length;
"""
# Done: nothing loading, the summary names the new filters, and every chart has redrawn.
ALL_DONE = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const summary = document.getElementById('ov-summary');
const charts = document.querySelectorAll('.chart-loading .js-plotly-plot').length;
return busy === 0 && summary && summary.textContent.startsWith(arguments[0]) &&
       (!window.__redrawn || window.__redrawn.size >= charts);
"""
REGIONS = ("North", "South", "West", "East", "Central")


def filter_change_ms(url: str, account, regions: tuple[str, ...] = REGIONS) -> float:
    """Sign in; then, from the unfiltered page, pick one region and time until nothing is
    loading, the summary names it and every chart has redrawn. The median over `regions`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in BROWSER_ARGS:
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    try:
        wait = WebDriverWait(driver, 60, poll_frequency=0.005)
        driver.get(url + "/login")
        wait.until(lambda d: d.find_elements(By.ID, "username"))
        driver.find_element(By.ID, "username").send_keys(account.username)
        driver.find_element(By.ID, "password").send_keys(account.password)
        driver.find_element(By.ID, "login-submit").click()
        wait.until(lambda d: d.execute_script(ALL_DONE, "All regions"))
        times = []
        for region in regions:
            driver.get(url + "/")  # every region, every chart drawn
            wait.until(lambda d: d.execute_script(ALL_DONE, "All regions"))
            driver.find_element(By.ID, "ov-f-regions").click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]"))
            # Options read "North (12,345)": the member and its line count.
            [option] = [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                        if o.text.startswith(f"{region} (")]
            driver.execute_script(WATCH)
            started = time.perf_counter()
            option.click()
            wait.until(lambda d, r=region: d.execute_script(ALL_DONE, r))
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        driver.quit()
