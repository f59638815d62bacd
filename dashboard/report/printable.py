"""A printable HTML page of one or more page reports: title, filter sentence, data version,
tiles, every chart with its title, notes.

Charts are drawn by plotly.js from the installed plotly package (never a CDN) and a small
static/print.js; both are referenced by URL, so the same page serves the app (`/print/...`,
under its Content-Security-Policy: no inline script) and the offline PDF/PNG export (file://
URLs). Every text from data or a URL is escaped here; figure JSON sits in non-executing
`<script type="application/json">` blocks with `</` escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import plotly
from plotly.io.json import to_json_plotly

STATIC = Path(__file__).resolve().parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PRINT_JS = STATIC / "print.js"

STYLE = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1f2937; background: #fff; margin: 0; padding: 16px; }
main { margin: 0 auto; max-width: var(--report-width, 760px); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 6px; }
.meta { color: #4b5563; font-size: 13px; margin: 0 0 4px; }
.notes { font-size: 12px; color: #92400e; margin: 6px 0; padding-left: 18px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 14px; }
.tile { flex: 1 1 120px; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
.tile .label { font-size: 12px; color: #6b7280; } .tile .value { font-size: 20px;
  font-weight: 600; } .tile .change { font-size: 11px; color: #4b5563; }
.chart { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; margin: 0 0 12px;
  break-inside: avoid; page-break-inside: avoid; }
.plot { width: 100%; }
.report + .report { break-before: page; page-break-before: always; margin-top: 24px; }
.toolbar { margin: 0 0 10px; display: flex; flex-wrap: wrap; gap: 8px; }
.toolbar a, .toolbar button { font-size: 14px; min-height: 44px; padding: 8px 12px;
  display: inline-flex; align-items: center; }
@media print { .toolbar { display: none; } body { padding: 0; } }
"""


@dataclass(frozen=True)
class Scripts:
    """Where the page loads plotly.js and print.js from (app routes or file:// URLs)."""

    plotly: str
    printer: str

    @classmethod
    def local(cls) -> Scripts:
        return cls(PLOTLY_JS.as_uri(), PRINT_JS.as_uri())


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def _figure_json(figure: dict) -> str:
    return to_json_plotly(figure).replace("</", "<\\/").replace("<!--", "<\\!--")


def _tiles(report: dict) -> str:
    cells = []
    for tile in report["tiles"]:
        changes = " · ".join(
            f"{escape(text)} {label}" for text, label in (
                (tile.get("change_previous_text"), "vs prev."),
                (tile.get("change_year_ago_text"), "vs last yr")) if text and text != "–")
        cells.append(f'<div class="tile"><div class="label">{escape(tile["label"])}</div>'
                     f'<div class="value">{escape(tile["text"])}</div>'
                     f'<div class="change">{changes}</div></div>')
    return f'<div class="tiles">{"".join(cells)}</div>' if cells else ""


def _paragraphs(lines) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in lines or [])


def report_section(report: dict, index: int) -> str:
    """One page's report; a chart that carries its own narrative (a story's scene) has it
    printed under its title, instead of every scene's words before every chart."""
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.get("notes", []))
    per_chart = any("narrative" in chart for chart in report["charts"])
    narrative = "" if per_chart else _paragraphs(report.get("narrative"))
    charts = []
    for j, chart in enumerate(report["charts"]):
        ident = f"fig-{index}-{j}"
        if not chart["rows"]:  # no marks: the title and why, not a blank plot
            charts.append(f'<section class="chart empty"><h2>{escape(chart["title"])}</h2>'
                          + _paragraphs(chart.get("narrative"))
                          + '<p class="meta">Nothing to show for these filters.</p></section>')
            continue
        charts.append(
            f'<section class="chart" id="chart-{escape(chart["id"])}-{index}">'
            f'<h2>{escape(chart["title"])}</h2>' + _paragraphs(chart.get("narrative")) +
            f'<div class="plot" data-figure="{ident}"></div>'
            f'<script type="application/json" id="{ident}">{_figure_json(chart["figure"])}'
            "</script></section>")
    return (
        f'<article class="report" data-page="{escape(report["page"])}">'
        f'<h1>{escape(report["title"])}</h1>'
        f'<p class="meta" id="report-filters-{index}">{escape(report["filters"])}</p>'
        f'<p class="meta">Data version {escape(report["data_version"])}</p>'
        + (f'<ul class="notes">{notes}</ul>' if notes else "")
        + narrative + _tiles(report) + "".join(charts) + "</article>")


def page(reports: list[dict], scripts: Scripts, width: int = 760,
         toolbar: str = "") -> str:
    """The whole HTML document; `width` is the content width in CSS px (A4 prints ~700)."""
    title = " · ".join(r["title"] for r in reports) or "Report"
    body = "".join(report_section(r, i) for i, r in enumerate(reports))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · ToyPulse</title>"
        f'<link rel="icon" href="data:,"><style>{STYLE}</style></head>'
        f'<body style="--report-width: {int(width)}px"><main>{toolbar}{body}</main>'
        f'<script src="{escape(scripts.plotly)}"></script>'
        f'<script src="{escape(scripts.printer)}"></script></body></html>')
