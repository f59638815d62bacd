"""A table as read from one file or sheet: every cell a string, with its source row numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.ingest.errors import ImportProblem


@dataclass
class RawTable:
    """Cells exactly as the file has them (strings), before any mapping or cleaning.

    `rows` holds each record's row number in the source (the header is row 1, as a spreadsheet
    shows it; for CSV, the line where the record starts), so every message can point at it.
    """

    name: str  # what the user calls it: "sales.csv" or "book.xlsx[Sales]"
    file: str
    frame: pd.DataFrame
    rows: np.ndarray
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def __len__(self) -> int:
        return len(self.frame)


def check_header(header: list[str], name: str, header_row: int = 1) -> list[str]:
    """Trimmed header names; duplicates and blanks are refused with their position."""
    names = [str(h).strip() for h in header]
    if not any(names):
        raise ImportProblem("the header row is empty", file=name, row=header_row)
    seen: dict[str, int] = {}
    for position, column in enumerate(names, start=1):
        if not column:
            raise ImportProblem(
                f"column {position} has an empty header; give every column a name",
                file=name, row=header_row, column=f"#{position}", value="")
        key = column.casefold()
        if key in seen:
            raise ImportProblem(
                f"duplicate header: columns {seen[key]} and {position} are both named "
                f"{column!r}; rename one", file=name, row=header_row, column=column, value=column)
        seen[key] = position
    return names


def drop_blank_trailing_columns(header: list[str], width_used: int) -> list[str]:
    """Spreadsheets often carry empty, unnamed columns after the data: those are not an error."""
    keep = len(header)
    while keep > width_used and keep > 0 and not str(header[keep - 1] or "").strip():
        keep -= 1
    return header[:keep]
