"""Headless Chromium (Debian's package) prints a local HTML file to PDF or captures it as PNG.

Offline: the page loads only file:// scripts and Chromium runs with background networking off.
`--virtual-time-budget` lets the page's scripts (plotly drawing the charts) finish before the
print; a PNG first reads the drawn page's height from the DOM, then captures exactly that.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from dashboard import config

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-extensions", "--no-first-run", "--hide-scrollbars",
         "--allow-file-access-from-files", "--virtual-time-budget=20000")
TIMEOUT_S = 120
HEIGHT = re.compile(r'data-height="(\d+)"')


class BrowserMissing(RuntimeError):
    """No Chromium to print with."""


def binary() -> str:
    chosen = config.get("chromium")
    for name in ((chosen,) if chosen else CANDIDATES):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("PDF and PNG need Chromium: install Debian's `chromium` package "
                         "(python3 tasks.py test does) or set DASHBOARD_CHROMIUM to its path")


def _run(*args: str, profile: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([binary(), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise RuntimeError(f"chromium failed ({done.returncode}): {' '.join(tail)[:300]}")
    return done


def print_pdf(page: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="toypulse-chromium-") as profile:
        _run("--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri(),
             profile=Path(profile))
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError("chromium wrote no PDF")


def screenshot(page: Path, out: Path, width: int) -> None:
    with tempfile.TemporaryDirectory(prefix="toypulse-chromium-") as profile:
        dom = _run(f"--window-size={width},900", "--dump-dom", page.as_uri(),
                   profile=Path(profile)).stdout
        found = HEIGHT.search(dom)
        height = min(int(found.group(1)) if found else 4000, 16000)
        _run(f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri(),
             profile=Path(profile))
    if not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError("chromium wrote no PNG")
