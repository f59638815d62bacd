"""Refresh in place on the Inventory page: an open page shows version 2's stock on hand after a
load, without a reload (the stock tile against pandas over each version's raw snapshot)."""

from __future__ import annotations

import pandas as pd

from dashboard import sample, sample_inventory
from dashboard.figures.formats import Numbers
from dashboard.warehouse.build import build_version, parquet_sources
from tests.auth_helpers import browser_sign_in


def _stock_text(folder) -> str:
    """Stock on hand as the tile shows it: each item's snapshot stock (no movements recorded in
    this fresh warehouse), negatives counted as 0, products the data knows only."""
    stock = pd.read_parquet(folder / "inventory.parquet")
    known = set(pd.read_parquet(folder / "products.parquet")["product_id"].astype(str))
    stock = stock[stock["product_id"].astype(str).isin(known)]
    per_item = stock.groupby(["store_id", "product_id"])["stock_on_hand"].sum()
    return Numbers().value(float(per_item.clip(lower=0).sum()))


def test_an_open_inventory_page_shows_a_new_version_without_a_reload(
        dash_duo, app, accounts, empty_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", "1")
    monkeypatch.setenv("DASHBOARD_FORECAST_AHEAD", "off")
    first, second = tmp_path / "first", tmp_path / "second"
    sample.generate(first, rows=20_000, seed=3)
    sample_inventory.write(first, seed=3)
    sample.generate(second, rows=30_000, seed=4)
    sample_inventory.write(second, seed=5)
    assert _stock_text(first) != _stock_text(second)
    build_version(empty_warehouse, parquet_sources(first), info={"source": "first"})

    browser_sign_in(dash_duo, app, accounts["analyst"])
    dash_duo.driver.get(dash_duo.server_url + "/inventory")
    dash_duo.wait_for_text_to_equal("#inv-tile-on_hand", _stock_text(first), timeout=30)
    dash_duo.driver.execute_script("window.__notReloaded = true")

    build_version(empty_warehouse, parquet_sources(second), info={"source": "second"})
    dash_duo.wait_for_contains_text("#data-as-of", "(version 2)", timeout=120)
    dash_duo.wait_for_text_to_equal("#inv-tile-on_hand", _stock_text(second), timeout=120)
    assert dash_duo.find_element("#inv-sentence").get_attribute("data-version") == "2"
    assert dash_duo.driver.execute_script("return window.__notReloaded === true")
    dash_duo.driver.save_screenshot("/tmp/inventory-refresh-after-1440.png")
    assert dash_duo.get_logs() == []
