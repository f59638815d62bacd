"""docs/PERFORMANCE.md: one section per row count, with the machine and library versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from importlib.metadata import version
from pathlib import Path

LIBRARIES = ("dash", "plotly", "pandas", "duckdb", "numpy", "pyarrow", "flask-caching")
HEADER = """# Performance

Written by `dashboard bench --rows N` (see README). Each section is one run on the machine named
in it; a new run at the same size replaces its section. Timings are measured, never asserted in
tests: the test suite runs a small benchmark only to keep it working.

How it is measured: the sample retailer at N order lines is generated and loaded; the app is
started as in production (gunicorn, one worker process) with the callback cache off, and the
scripted session of distinct Overview states (dates that do and do not align with months, 1-3
regions, seasons, festivals, categories, toy types, age groups, gender, channel, highlights, the
unfiltered view) is posted to `/_dash-update-component` exactly as the browser posts it: one
request renders every chart and tile. Times are client round trips on loopback. "Cached repeat"
replays the same states on a server with the cache on. The usual way is one pandas DataFrame in
memory with boolean masks and a groupby per chart, in its own process, computing the same
numbers (without building figures, which only flatters it). Every state's numbers are compared
between the two; a mismatch fails the run.
"""


def machine() -> str:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    libs = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return (f"{os.cpu_count()} cores, {mem_kb / 1024 / 1024:.0f} GB memory, "
            f"{platform.platform()}, Python {platform.python_version()}; {libs}")


def write(doc: Path, rows: int | str, table: str, notes: str = "") -> None:
    text = doc.read_text() if doc.exists() else HEADER
    begin, end = f"<!-- bench {rows} -->", f"<!-- /bench {rows} -->"
    section = (f"{begin}\n{table}\nRun {dt.date.today().isoformat()} on {machine()}.\n"
               f"{notes}{end}")
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else (
        text.rstrip() + "\n\n" + section + "\n")
    doc.write_text(text)
