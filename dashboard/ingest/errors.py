"""The one error type an import raises for bad input, so every message names where it happened.

A user fixing an export needs the file, the row (the header is row 1, as in a spreadsheet), the
column and the offending value; `ImportProblem` carries each, and its text says them all.
"""

from __future__ import annotations


class ImportProblem(Exception):
    """Bad input: the import is refused and nothing stored changes."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None):
        self.message, self.file, self.row, self.column, self.value = (
            message, file, row, column, value)
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {_show(self.value)}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"message": self.message, "file": self.file, "row": self.row,
                "column": self.column, "value": None if self.value is None else str(self.value),
                "text": self.describe(), "kind": type(self).__name__}


class ImportBusy(ImportProblem):
    """Another import holds the import lock."""


def _show(value: object, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
