"""The Inventory page in Chromium as a North store manager: the alerts list shows their store
only, filters to low stock (the count pandas gets from the raw files), sorts by days of cover
from a column header, and offers the draft purchase order, whose PDF the browser fetches. No
sideways scroll at 390 px; screenshots at 1440 and 390 px go to TOYPULSE_SCREENSHOTS (/tmp)."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pandas as pd
from selenium.webdriver.support.ui import Select

from dashboard.auth import db
from dashboard.inventory import policy
from tests.auth_helpers import browser_sign_in
from tests.unit.test_inventory import pandas_rates

SHOTS = Path(os.environ.get("TOYPULSE_SCREENSHOTS", "/tmp"))


def _shot(driver, name: str, width: int) -> None:
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 120, 6000))
    driver.save_screenshot(str(SHOTS / f"inventory-{name}-{width}.png"))
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"


def _cover(text: str) -> float:
    """The days of cover a cell shows before its demand basis."""
    return float(re.match(r"[\d,.]+", text.strip()).group().replace(",", ""))


def _low_stock_count(app, sample_dir, store: str) -> int:
    """Items in stock at or below their reorder point, from pandas over the raw files (and the
    movements other tests recorded, read straight from the app database's table)."""
    s = policy.Settings.from_config()
    stock = pd.read_parquet(sample_dir / "inventory.parquet")
    have = stock[stock["store_id"] == store].groupby("product_id")["stock_on_hand"].sum()
    engine = app.server.extensions[db.EXTENSION].engine
    moved = pd.read_sql("SELECT product_id, qty FROM stock_movements WHERE store_id = ?",
                        engine, params=(store,))
    have = have.add(moved.groupby("product_id")["qty"].sum(), fill_value=0)
    count = 0
    for (_, product), (mean, std) in pandas_rates(sample_dir, [store]).iterrows():
        on_hand = float(have.get(product, 0))
        rop = mean * s.lead_days + s.z * std * math.sqrt(s.lead_days)
        count += bool(on_hand > 0 and mean > 0 and on_hand <= rop)
    return count


def test_store_manager_alerts_sort_and_draft_order(dash_duo, app, accounts, sample_dir):
    login = accounts["store_manager"]
    store, = login.stores
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    name = stores.set_index("store_id").loc[store, "name"]
    browser_sign_in(dash_duo, app, login)
    driver = dash_duo.driver
    dash_duo.wait_for_element("a.nav-link[href='/inventory']").click()
    dash_duo.wait_for_text_to_equal("h1", "Inventory", timeout=20)
    dash_duo.wait_for_element("#inv-alerts")
    _shot(driver, "all", 1440)
    Select(dash_duo.find_element("#inv-alert")).select_by_value("low")
    dash_duo.find_element("#inv-apply").click()
    dash_duo.wait_for_element("#inv-sort-cover")
    assert "alert=low" in driver.current_url
    want = _low_stock_count(app, sample_dir, store)
    header = dash_duo.find_element(".card-header").text
    assert header == f"Alerts ({want:,})", header
    dash_duo.find_element("#inv-sort-cover").click()  # ascending by days of cover
    dash_duo.wait_for_element("#inv-sort-cover")
    assert "sort=cover" in driver.current_url
    rows = driver.find_elements("css selector", "#inv-alerts tbody tr")
    assert len(rows) == min(want, 200)
    cells = [[td.get_attribute("textContent").strip() for td in r.find_elements(
        "css selector", "td")] for r in rows]
    assert {c[0] for c in cells} == {"Low stock"}
    assert {c[1] for c in cells} == {name}
    cover = [_cover(c[4]) for c in cells]
    # each row says which demand its cover uses (forecast or the 8-week mean)
    assert all(c[4].endswith(("forecast", "8-week mean")) for c in cells)
    assert cover == sorted(cover)
    dash_duo.find_element("#inv-sort-cover").click()  # again: descending
    dash_duo.wait_for_element("#inv-sort-cover")
    assert "order=desc" in driver.current_url
    first = driver.find_element("css selector", "#inv-alerts tbody tr td:nth-child(5)")
    assert _cover(first.get_attribute("textContent")) == max(cover)
    _shot(driver, "low", 1440)
    _shot(driver, "low", 390)
    link = dash_duo.find_element(f"#inv-po-pdf-{store}")
    fetched = driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.arrayBuffer().then("
        "b => done([r.status, r.headers.get('content-type'), "
        "String.fromCharCode(...new Uint8Array(b.slice(0, 5)))])))",
        link.get_attribute("href"))
    assert fetched == [200, "application/pdf", "%PDF-"]
    assert dash_duo.get_logs() == []
