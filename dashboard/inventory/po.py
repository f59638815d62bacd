"""Draft purchase orders: per store, every item whose stock is at or below its reorder point
with its suggested quantity (up to the target cover, MOQ and pack size applied), as CSV through
csv_safe.SafeWriter and as a printable HTML page Chromium prints to PDF offline.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import tempfile
from pathlib import Path

import pandas as pd

from dashboard.csv_safe import SafeWriter
from dashboard.inventory.status import Status

COLUMNS = ["Store id", "Store", "Product id", "Product", "On hand", "Reorder point",
           "Quantity", "Unit cost", "Line cost"]


def lines(status: Status, store: str) -> pd.DataFrame:
    items = status.items
    due = items[(items["store_id"] == store) & (items["order_qty"] > 0)]
    return due.sort_values("product_name", kind="stable").reset_index(drop=True)


def rows(status: Status, store: str) -> list[list]:
    return [[i.store_id, i.store_name, i.product_id, i.product_name, round(i.on_hand),
             round(i.reorder_point, 1), int(i.order_qty),
             None if pd.isna(i.unit_cost) else round(i.unit_cost, 2),
             None if pd.isna(i.order_value) else round(i.order_value, 2)]
            for i in lines(status, store).itertuples(index=False)]


def to_csv(status: Status, store: str) -> bytes:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows(status, store))
    return out.getvalue().encode("utf-8")


def to_html(status: Status, store: str, store_name: str, who: str,
            today: dt.date | None = None) -> str:
    """The printable draft order; every text escaped."""
    today = today or dt.date.today()
    body = rows(status, store)
    total = sum(r[8] or 0 for r in body)
    esc = html.escape
    def cell(j: int, v) -> str:
        shown = "" if v is None else f"{v:,.2f}" if j >= 7 else f"{v:,}" if j != 3 and \
            isinstance(v, int | float) else str(v)
        return f"<td{' class=n' if j >= 4 else ''}>{esc(shown)}</td>"

    cells = "".join("<tr>" + "".join(cell(j, v) for j, v in enumerate(r[2:], start=2)) + "</tr>"
                    for r in body)
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS[2:])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Draft purchase order · {esc(store_name)}</title>
<style>body{{font-family:sans-serif;font-size:11pt;margin:2em}}table{{border-collapse:collapse;
width:100%}}th,td{{border-bottom:1px solid #ccc;padding:4px 6px;text-align:left}}
td.n,th:nth-child(n+3){{text-align:right}}h1{{font-size:16pt}}.muted{{color:#555}}</style>
</head><body><h1>Draft purchase order — {esc(store_name)} (store {esc(store)})</h1>
<p class="muted">Drafted {today.isoformat()} by {esc(who)} · stock as of the snapshot of
{esc(str(status.as_of))} plus {status.movements} movement(s) recorded since ·
{esc(status.settings.describe())}</p>
<p class="muted">DRAFT: not sent to any supplier. Check the quantities before ordering.</p>
<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody>
<tfoot><tr><th colspan="6">Total ({len(body)} line(s))</th><th>{total:,.2f}</th></tr></tfoot>
</table></body></html>"""


def to_pdf(page: str) -> bytes:
    from dashboard.report import chromium

    with tempfile.TemporaryDirectory(prefix="toypulse-po-") as folder:
        source, out = Path(folder) / "po.html", Path(folder) / "po.pdf"
        source.write_text(page, encoding="utf-8")
        chromium.print_pdf(source, out)
        return out.read_bytes()
