"""`dashboard bench`'s "report" table: page_report and each export of the Overview, timed.

Measured in the bench process on the bench's warehouse, for an analyst (every region) and a
regional manager, on the default view, after one untimed warm-up run: page_report alone (median
of a few runs), then page_report plus writing JSON, the CSV zip and the PDF (headless Chromium,
one run: it dominates and barely varies).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from dashboard.queries.filters import Scope
from dashboard.report import chromium, export
from dashboard.report.registry import page_function

REPEATS = 5


def _ms(work, repeats: int = 1) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def report_timings(warehouse, scope: Scope, query: str = "") -> dict[str, float | None]:
    """Milliseconds: page_report, and page_report plus writing each format."""
    page_report = page_function("overview")
    page_report(warehouse, scope, query)  # warm: the first query of a scope reads cold pages
    out: dict[str, float | None] = {
        "page_report": _ms(lambda: page_report(warehouse, scope, query), REPEATS)}
    with tempfile.TemporaryDirectory(prefix="toypulse-bench-report-") as folder:
        for fmt in ("json", "csv", "pdf"):
            target = Path(folder) / f"overview.{fmt}"

            def write(fmt=fmt, target=target):
                export.write(export.reports(warehouse, scope, [("overview", query)]), fmt,
                             target)
            try:
                out[fmt] = _ms(write, 1 if fmt == "pdf" else REPEATS)
            except chromium.BrowserMissing:
                out[fmt] = None
    return out


def region_for_manager(warehouse) -> str:
    """The region a manager is measured with: the first of the warehouse's regions."""
    return sorted(warehouse.catalog().members_by_region)[0]


def measure(warehouse) -> dict[str, dict[str, float | None]]:
    """The timings for an analyst and for a manager of one region."""
    region = region_for_manager(warehouse)
    return {"analyst (every region)": report_timings(warehouse, Scope.everything()),
            f"manager ({region})": report_timings(warehouse, Scope((region,)))}


def report_table(rows: int, timings: dict[str, dict[str, float | None]]) -> str:
    """Markdown: one column per viewer, one row per measure."""
    viewers = list(timings)
    lines = [f"#### Reports: the Overview's page data and exports at {rows:,} order lines", "",
             f"| measure (ms) | {' | '.join(viewers)} |",
             f"| --- |{' --- |' * len(viewers)}"]
    names = {"page_report": "page_report (median)",
             "json": "page_report + JSON file (median)",
             "csv": "page_report + CSV zip (median)",
             "pdf": "page_report + PDF (Chromium, one run)"}
    for key, label in names.items():
        cells = [("n/a" if timings[v][key] is None else f"{timings[v][key]:,.0f}")
                 for v in viewers]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"
