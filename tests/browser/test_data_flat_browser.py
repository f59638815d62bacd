"""A flat export through the Data page in Chromium: the preview shows the totals, rules,
duplicates, conflicts and dimension sources before anything is written; the duplicate choice
changes the preview; confirming imports exactly the previewed totals (checked against pandas
over the file). Screenshots at 1440 px go to TOYPULSE_SCREENSHOT_DIR (default: the test's
temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.warehouse import store
from dashboard.warehouse.store import Warehouse
from tests.auth_helpers import browser_sign_in
from tests.browser.test_data_browser import _click, _upload
from tests.flat_export import reference, write_flat_export


def _shot(dash_duo, folder: Path, name: str, width: int = 1440) -> Path:
    """The whole page at `width` px (the window is stretched to the page, then restored); at a
    phone's width the page must not scroll sideways."""
    driver = dash_duo.driver
    size = driver.get_window_size()
    driver.set_window_size(width, size["height"])
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, int(height) + int(chrome))
    path = folder / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    driver.set_window_size(size["width"], size["height"])
    assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px wide)"
    return path


def _shots_desk_and_phone(dash_duo, folder: Path, name: str) -> None:
    """`name` at 1440 px, then at 390 px once the charts have refit to the phone's width (a
    shot taken at once measured the desk layout), then back at 1440 px for the next clicks."""
    from dash.testing.wait import until

    _shot(dash_duo, folder, name, 1440)
    dash_duo.driver.set_window_size(390, 900)
    until(lambda: dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth") <= 390, timeout=60)
    _shot(dash_duo, folder, name, 390)
    dash_duo.driver.set_window_size(1440, 1000)


def test_flat_export_preview_then_confirm(dash_duo, app, accounts, warehouse_dir, tmp_path):
    shots = Path(os.environ.get("TOYPULSE_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    before = store.current_version(warehouse_dir)
    path = write_flat_export(tmp_path / "superstore.csv")
    kept, dropped = reference(path), reference(path, drop_duplicates=True)
    browser_sign_in(dash_duo, app, accounts["admin"])
    dash_duo.driver.get(dash_duo.server_url + "/data")
    try:
        _upload(dash_duo, [path])
        dash_duo.wait_for_contains_text("#data-mapping-card", "superstore.csv", timeout=20)
        cells = " ".join(c.text for c in dash_duo.find_elements("#data-mapping-card td"))
        assert "sales.region" in cells and "sales.profit" in cells and "sales.category" in cells

        # Preview with the default: identical lines kept and flagged.
        _click(dash_duo, "#data-import")
        dash_duo.wait_for_element("#data-confirm", timeout=60)
        assert store.current_version(warehouse_dir) == before  # nothing written yet
        totals = dash_duo.find_element("#data-report-totals").text
        assert f"Lines {len(kept):,}" in totals
        assert f"Revenue {kept['Sales'].sum():,.2f} EUR" in totals
        assert f"Profit {kept['Profit'].sum():,.2f} EUR" in totals
        assert "EUR" in dash_duo.find_element("#data-report-currency").text
        fixed = dash_duo.find_element("#data-report-fixed").text
        assert "derived_cost_from_profit" in fixed and "currency_symbols" in fixed
        copies = len(kept) - len(dropped)
        assert f"duplicate_lines {copies}" in dash_duo.find_element("#data-report-flags").text
        conflicts = dash_duo.find_element("#data-report-conflicts").text
        assert "product_id → category" in conflicts and "TOY-2002" in conflicts
        dims = dash_duo.find_element("#data-report-dimensions").text
        assert "region column Region (superstore.csv)" in dims
        _shot(dash_duo, shots, "data-flat-preview")
        _shot(dash_duo, shots, "data-flat-preview", 390)

        # Choosing to drop duplicates changes the preview, still without writing.
        _click(dash_duo, "#data-drop-duplicates")
        _click(dash_duo, "#data-import")
        dash_duo.wait_for_contains_text("#data-report-totals", f"Lines {len(dropped):,}",
                                        timeout=60)
        rejected = dash_duo.find_element("#data-report-rejected").text
        assert f"dropped as chosen {copies}" in rejected
        assert store.current_version(warehouse_dir) == before

        _click(dash_duo, "#data-confirm")
        dash_duo.wait_for_element("#data-done", timeout=90)
        assert "display: none" in dash_duo.find_element("#data-mapping-card").get_attribute(
            "style")
        served = dash_duo.find_element("#data-report-totals").text
        assert f"Revenue {dropped['Sales'].sum():,.2f} EUR" in served
        _shot(dash_duo, shots, "data-flat-report")
        _shot(dash_duo, shots, "data-flat-report", 390)
        version = store.current_version(warehouse_dir)
        assert version != before
        wh = Warehouse(warehouse_dir)
        try:
            with wh.cursor() as cur:
                lines, revenue = cur.execute(
                    "SELECT count(*), sum(revenue) FROM sales_fact").fetchall()[0]
                by_region = dict(cur.execute(
                    "SELECT region, sum(revenue) FROM sales_fact GROUP BY 1").fetchall())
        finally:
            wh.close()
        assert lines == len(dropped) and abs(revenue - dropped["Sales"].sum()) < 0.005
        expected = dropped.groupby("Region")["Sales"].sum()
        assert set(by_region) == set(expected.index)
        assert all(abs(by_region[r] - expected[r]) < 0.005 for r in expected.index)
        assert dash_duo.get_logs() == []
    finally:
        if store.current_version(warehouse_dir) != before:
            store.set_current(warehouse_dir, before)
