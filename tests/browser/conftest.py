"""Browser tests drive Debian's headless Chromium through dash's dash_duo fixture."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.chrome.options import Options


def pytest_setup_options():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--window-size=1440,1800"):
        options.add_argument(arg)
    return options


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
