"""In headless Chromium: how long a filter change takes until every chart has redrawn."""

from __future__ import annotations

import shutil
import time

BROWSER_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--window-size=1440,2000")
ALL_DONE = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const summary = document.getElementById('ov-summary');
return busy === 0 && summary && summary.textContent.startsWith(arguments[0]);
"""


def filter_change_ms(url: str, account, region: str = "North") -> float:
    """Sign in, pick one region, and time until nothing is loading and the summary says it."""
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
        driver.find_element(By.ID, "ov-f-regions").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]"))
        option = next(o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                      if o.text == region)
        started = time.perf_counter()
        option.click()
        wait.until(lambda d: d.execute_script(ALL_DONE, region))
        return (time.perf_counter() - started) * 1000
    finally:
        driver.quit()
