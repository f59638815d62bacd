"""After a load, fit the store forecast the stock plan's demand uses (`dashboard inventory
--ahead`), in the background like the Forecast page's views (DASHBOARD_FORECAST_AHEAD:
background, inline or off), so no Inventory request ever fits a model.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard import config


def after_load(root: Path) -> None:
    mode = config.get("forecast_ahead")
    if mode == "off":
        return
    command = [sys.executable, "-m", "dashboard", "--warehouse", str(root), "inventory",
               "--ahead"]
    if mode == "inline":
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        return
    subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
