"""What a chunked import decides from a whole column before it cleans any chunk.

A big file is cleaned a chunk at a time (chunked.py), but some rules look at every value of a
column: the decimal mark, the day-first or month-first order of dates and the commonest of the
case variants of a category. `gather` reads every chunk once and keeps only what those rules
need (each column's distinct values, in order of first appearance, with counts), then decides
exactly as the one-table code does on the whole column; `Decisions` hands that to clean.py.
Exact duplicate lines and repeated line ids are found across chunks by `Duplicates`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from dashboard.ingest import decimals
from dashboard.ingest.clean import NUMERIC_KINDS, corrected, tidy_distinct, variant_lookup
from dashboard.ingest.duplicates import EXAMPLES, _refuse_repeated_ids
from dashboard.ingest.encoding import bad_bytes
from dashboard.ingest.fields import BY_KEY
from dashboard.ingest.mapping import Mapping, TableMapping
from dashboard.ingest.parse import parse_date
from dashboard.ingest.report import QualityReport
from dashboard.ingest.table import RawTable


@dataclass
class Decisions:
    marks: dict[str, str]  # numeric column -> decimal mark
    notes: list[str]  # what was decided, in the order the one-table code notes it
    dates: dict[str, tuple[bool, str]]  # date column -> (day first, note)
    lookups: dict[str, dict[str, str]]  # category column -> {variant: commonest spelling}
    duplicates: Duplicates = field(default_factory=lambda: Duplicates())

    def for_column(self, column: str):
        if column in self.dates:
            return self.dates[column]
        return self.lookups.get(column)


def _present(text: pd.Series, key: str) -> tuple[pd.Series, np.ndarray]:
    """A chunk column's distinct present values (trimmed, as clean_column reads them) and the
    cells holding each."""
    d, tidy, empty = tidy_distinct(text, BY_KEY[key])
    keep = ~empty & ~bad_bytes(tidy)
    return tidy[keep].reset_index(drop=True), d.counts[keep]


def gather(chunks: Iterable[RawTable], tm: TableMapping, mapping: Mapping,
           aliases: dict[str, dict[str, str]]) -> Decisions:
    """Read every chunk once and decide; raises what the one-table code would raise."""
    columns = tm.field_columns()
    every_numeric = [c for k, c in columns.items() if BY_KEY[k].kind in NUMERIC_KINDS]
    numeric = [c for c in every_numeric if c not in mapping.decimal_marks]
    dates = {c: k for k, c in columns.items() if BY_KEY[k].kind == "date"}
    categories = {c: k for k, c in columns.items() if BY_KEY[k].kind == "category"}
    evidence = {c: decimals.Evidence() for c in numeric}
    rows: dict[tuple[str, str], int] = {}
    date_values: dict[str, pd.Series] = {c: pd.Series([], dtype="str") for c in dates}
    counts: dict[str, pd.Series] = {c: pd.Series([], dtype="int64") for c in categories}
    name, delimiter = None, None
    for chunk in chunks:
        name, delimiter = chunk.name, chunk.delimiter
        for column in numeric:
            found = decimals.evidence(chunk.frame[column])
            for value in vars(found).values():
                if value is not None and (column, value) not in rows:
                    hit = np.flatnonzero((chunk.frame[column] == value).to_numpy())
                    rows[(column, value)] = int(chunk.rows[hit[0]])
            evidence[column] = decimals.merge(evidence[column], found)
        for column, key in dates.items():
            values, _ = _present(chunk.frame[column], key)
            date_values[column] = pd.concat([date_values[column], values],
                                            ignore_index=True).drop_duplicates()
        for column, key in categories.items():
            values, cells = _present(chunk.frame[column], key)
            fixed = corrected(values, BY_KEY[key], aliases, None)
            part = pd.Series(cells, index=fixed.to_numpy()).groupby(level=0, sort=False).sum()
            counts[column] = pd.concat([counts[column], part]).groupby(level=0, sort=False).sum()
        del chunk
    marks, notes = decimals.decide_from(name, delimiter, every_numeric, evidence,
                                        mapping.decimal_marks,
                                        lambda column, value: rows.get((column, value)))
    decided_dates = {}
    for column in dates:  # in the mapping's column order, as clean_table meets them
        parsed = parse_date(date_values[column].reset_index(drop=True), mapping.date_order,
                            (name, column))
        if parsed.day_first is not None:
            decided_dates[column] = (parsed.day_first, parsed.note)
            if parsed.note and parsed.note not in notes:
                notes.append(parsed.note)
    lookups = {c: variant_lookup(counts[c]) for c in categories}
    return Decisions(marks, notes, decided_dates, lookups)


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's cells (DuckDB's, on both cores: the chunked path's stand-in
    for hash_pandas_object; equal rows hash equal, so only a 64-bit collision could differ)."""
    con = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        con.register("chunk", frame)
        columns = ", ".join('"' + str(c).replace('"', '""') + '"' for c in frame.columns)
        hashed = con.execute(f"SELECT hash({columns}) AS h FROM chunk").fetchnumpy()["h"]
        return np.asarray(hashed, dtype=np.uint64)
    finally:
        con.close()


class Duplicates:
    """Exact duplicate lines and repeated line ids across the chunks of one file.

    The same rules as duplicates.sales_duplicates: a line is a copy when an earlier line (in
    any chunk) has the same content hash; the first examples say which row it copies. Line
    ids are kept until the last chunk, then a repeated one refuses the import as before."""

    def __init__(self):
        self.hashes = np.empty(0, dtype=np.uint64)  # sorted content hashes seen so far
        self.first_rows = np.empty(0, dtype=np.int64)  # the row each hash was first seen on
        self.examples = 0
        self.ids: list[pd.Series] = []
        self.id_rows: list[np.ndarray] = []
        self.id_column: str | None = None
        self.name = ""

    def check(self, table: RawTable, tm: TableMapping, out: pd.DataFrame,
              report: QualityReport, rejected: np.ndarray, drop: bool) -> np.ndarray:
        """This chunk's rows to reject as duplicates (only those the user chose to drop)."""
        live = ~rejected
        none = np.zeros(len(out), dtype=bool)
        self.name = table.name
        column = tm.field_columns().get("sales.sale_id")
        if column is not None:
            self.id_column = column
            self.ids.append(out["sales.sale_id"][live].reset_index(drop=True))
            self.id_rows.append(table.rows[live])
            return none
        if table.frame.empty:
            return none
        hashes = _row_hashes(table.frame)
        first_rows = self._first_rows(hashes, table.rows)
        copies = (first_rows != table.rows) & live
        if not copies.any():
            return none
        count = int(copies.sum())
        if not drop:
            report.flag("duplicate_lines", count)
            want = max(EXAMPLES - self.examples, 0)
            examples = [{"file": table.name, "row": int(row), "column": "(whole row)",
                         "value": "", "reason": f"same as row {int(first)}"}
                        for row, first in zip(table.rows[copies][:want],
                                              first_rows[copies][:want], strict=True)]
            self.examples += len(examples)
            report.examples.setdefault("duplicate_lines", []).extend(examples)
            return none
        report.reject(table.name, out, copies, "(whole row)", "",
                      "duplicate line (exact copy), dropped as chosen")
        report.fix("duplicates_dropped", count)
        report.dropped_by_choice += count
        return copies

    def _first_rows(self, hashes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The row each line's content was first seen on (its own row when it is new)."""
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        out = rows[first][inverse]
        if len(self.hashes):
            at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
            earlier = self.hashes[at] == hashes
            out = np.where(earlier, self.first_rows[at], out)
            at = np.minimum(np.searchsorted(self.hashes, unique), len(self.hashes) - 1)
            new = self.hashes[at] != unique
        else:
            new = np.ones(len(unique), dtype=bool)
        at = np.searchsorted(self.hashes, unique[new])  # both sorted: insert, no new sort
        self.hashes = np.insert(self.hashes, at, unique[new])
        self.first_rows = np.insert(self.first_rows, at, rows[first][new])
        return out

    def finish(self) -> None:
        """Refuse repeated line ids, naming them (after the last chunk)."""
        if self.id_column is None or not self.ids:
            return
        ids = pd.concat(self.ids, ignore_index=True)
        rows = np.concatenate(self.id_rows)
        self.ids, self.id_rows = [], []
        shim = RawTable(self.name, self.name, pd.DataFrame(index=range(len(ids))), rows)
        _refuse_repeated_ids(shim, ids, self.id_column, np.ones(len(ids), dtype=bool))
