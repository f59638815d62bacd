"""Reports as files: JSON (the page-data dicts), a CSV zip (one CSV per chart, tiles.csv,
about.csv; all through SafeWriter), PDF and PNG (the printable page through headless Chromium).

A page, a story or a saved view is just a list of (page, query) items, rendered in order, each
within the one scope given; one item writes its dict as it is, several write {"reports": [...]}.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

from plotly.io.json import to_json_plotly

from dashboard.csv_safe import SafeWriter
from dashboard.queries.filters import Scope
from dashboard.report import chromium, printable
from dashboard.report.registry import page_function

FORMATS = ("json", "csv", "png", "pdf")
PDF_WIDTH = 700  # CSS px: A4 with 12 mm margins
PNG_WIDTH = 1200
TILE_COLUMNS = ("id", "label", "value", "text", "change_previous", "change_previous_text",
                "change_year_ago", "change_year_ago_text")


def reports(warehouse, scope: Scope, items: list[tuple[str, str]]) -> list[dict]:
    """page_report of each (page, query), within `scope`."""
    return [page_function(name)(warehouse, scope, query) for name, query in items]


def as_json(found: list[dict]) -> str:
    return to_json_plotly(found[0] if len(found) == 1 else {"reports": found})


def _csv(rows) -> bytes:
    handle = io.StringIO(newline="")
    SafeWriter(handle).writerows(rows)
    return handle.getvalue().encode("utf-8")


def chart_csv(chart: dict) -> bytes:
    """One chart's numbers: its column names, then a row per mark (formula-safe)."""
    return _csv([chart["columns"], *chart["rows"]])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "chart"


def csv_zip(found: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, report in enumerate(found):
            prefix = "" if len(found) == 1 else f"{i + 1:02d}-{_slug(report['page'])}/"
            about = [("page", report["page"]), ("title", report["title"]),
                     ("data_version", report["data_version"]), ("filters", report["filters"]),
                     *(("note", note) for note in report["notes"])]
            archive.writestr(f"{prefix}about.csv", _csv([("field", "value"), *about]))
            archive.writestr(f"{prefix}tiles.csv", _csv(
                [TILE_COLUMNS, *([t.get(c) for c in TILE_COLUMNS] for t in report["tiles"])]))
            for j, chart in enumerate(report["charts"]):
                archive.writestr(f"{prefix}{j + 1:02d}-{_slug(chart['id'])}.csv",
                                 chart_csv(chart))
    return buffer.getvalue()


def _rendered(found: list[dict], out: Path, fmt: str) -> None:
    width = PDF_WIDTH if fmt == "pdf" else PNG_WIDTH
    with tempfile.TemporaryDirectory(prefix="toypulse-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(printable.page(found, printable.Scripts.local(), width=width),
                        encoding="utf-8")
        if fmt == "pdf":
            chromium.print_pdf(page, out)
        else:
            chromium.screenshot(page, out, width + 32)


def write(found: list[dict], fmt: str, out: Path) -> None:
    """Write the reports to `out` in one of FORMATS."""
    if fmt == "json":
        out.write_text(as_json(found), encoding="utf-8")
    elif fmt == "csv":
        out.write_bytes(csv_zip(found))
    elif fmt in ("pdf", "png"):
        _rendered(found, out.resolve(), fmt)
    else:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
