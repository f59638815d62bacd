"""CSV a user downloads, with spreadsheet formulas neutralised (CSV injection, OWASP).

Excel, LibreOffice and Sheets run a cell that starts with = + - @ (or a tab/CR before one) as a
formula, so a value read from an uploaded file such as `=HYPERLINK(...)` would become a live link
in the admin's spreadsheet. Such cells are written with a leading apostrophe, which the
spreadsheet shows as text; real numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """The cell as a spreadsheet will read it as data, never as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeWriter:
    """csv.writer whose rows pass through safe_cell."""

    def __init__(self, handle: IO[str], **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)
