"""After a load, fit the store forecast the stock plan's demand uses (`dashboard inventory
--ahead`), in the background like the Forecast page's views (DASHBOARD_FORECAST_AHEAD:
background, inline or off), so no Inventory request ever fits a model.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.forecast import ahead


def after_load(root: Path) -> None:
    ahead.start(root, "inventory", "--ahead")
