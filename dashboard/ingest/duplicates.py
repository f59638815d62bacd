"""Repeated sales lines: kept unless the user chooses otherwise, or refused when ids repeat.

In a file with no line id, two identical lines are two real sales (two customers buying the
same toy on the same day), so they are kept and flagged, with a choice to drop them (mapping
`"duplicates": "drop"`, `--drop-duplicates`, or the Data page's checkbox). A repeated line id
says the export itself is wrong (a line written twice, or ids that are not line ids), so the
import is refused with the rows named rather than guessing which copy is right.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.ingest.currency import scan
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fields import Field
from dashboard.ingest.report import QualityReport
from dashboard.ingest.table import RawTable

EXAMPLES = 10
NAMED_IDS = 5


def note_source(report: QualityReport, f: Field, raw: pd.Series, table: RawTable,
                column: str) -> None:
    """Which column filled a field, and the currency marks of an amount column."""
    report.source(f.key, table.name, column)
    if f.kind == "money":
        scan(report.seen_currency, raw, table.rows, table.name, column)


def sales_duplicates(table: RawTable, tm, out: pd.DataFrame, report: QualityReport,
                     rejected: np.ndarray, drop: bool) -> np.ndarray:
    """Rows to reject as duplicates (only those the user chose to drop)."""
    live = ~rejected
    column = tm.field_columns().get("sales.sale_id")
    if column is not None:
        _refuse_repeated_ids(table, out["sales.sale_id"], column, live)
        return np.zeros(len(out), dtype=bool)
    frame = table.frame
    if frame.empty:
        return np.zeros(len(out), dtype=bool)
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    copies = pd.Series(hashes).duplicated(keep="first").to_numpy() & live
    if not copies.any():
        return np.zeros(len(out), dtype=bool)
    first_row = pd.Series(table.rows, index=hashes)
    first_row = first_row[~first_row.index.duplicated(keep="first")]
    examples = [{"file": table.name, "row": int(row), "column": "(whole row)",
                 "value": "", "reason": f"same as row {int(first_row[h])}"}
                for row, h in zip(table.rows[copies][:EXAMPLES], hashes[copies][:EXAMPLES],
                                  strict=True)]
    count = int(copies.sum())
    if not drop:
        report.flag("duplicate_lines", count)
        report.examples.setdefault("duplicate_lines", []).extend(examples)
        return np.zeros(len(out), dtype=bool)
    report.reject(table.name, out, copies, "(whole row)", "",
                  "duplicate line (exact copy), dropped as chosen")
    report.fix("duplicates_dropped", count)
    report.dropped_by_choice += count
    return copies


def _refuse_repeated_ids(table: RawTable, ids: pd.Series, column: str,
                         live: np.ndarray) -> None:
    present = ids.where(live)
    repeated = (present.duplicated(keep=False) & present.notna()).to_numpy()
    if not repeated.any():
        return
    rows = pd.DataFrame({"id": ids[repeated].to_numpy(), "row": table.rows[repeated]})
    groups = rows.groupby("id", sort=False)["row"].apply(list)
    named = "; ".join(f"{value!r} in rows {', '.join(str(r) for r in found[:6])}"
                      + ("…" if len(found) > 6 else "")
                      for value, found in list(groups.items())[:NAMED_IDS])
    more = f" and {len(groups) - NAMED_IDS:,} more ids" if len(groups) > NAMED_IDS else ""
    first_id, first_rows = next(iter(groups.items()))
    raise ImportProblem(
        f"the line id column {column!r} repeats {len(groups):,} ids on {int(repeated.sum()):,} "
        f"rows: {named}{more}. Each line needs its own id: fix the export, or set the column "
        "to (not used) so lines are told apart by file and row (identical lines are then kept "
        "and flagged)", file=table.name, row=int(first_rows[1]), column=column,
        value=str(first_id))
