"""Excel workbooks (.xlsx via openpyxl in read-only mode, .xls via xlrd); every sheet with data.

An .xlsx is a zip of XML: its declared sizes are checked before openpyxl opens it, so a small
file that inflates to gigabytes (a zip bomb) is refused instead of filling memory.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.table import RawTable, check_header, drop_blank_trailing_columns

MAX_RATIO = 200  # a sheet's XML compresses ~10-30x; far more is a bomb
RATIO_CHECK_BYTES = 1 << 20
PROGRESS_EVERY = 50_000

Progress = Callable[[int], None]


def check_zip_container(path: Path, name: str, max_uncompressed: int) -> None:
    """Refuse a malformed zip or one whose members inflate past the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportProblem(f"not a valid .xlsx workbook (the zip container is damaged: {exc})",
                            file=name) from exc
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_BYTES and ratio > MAX_RATIO:
            raise ImportProblem(
                f"refused as a likely zip bomb: part {member.filename!r} inflates "
                f"{ratio:,.0f} times ({member.compress_size:,} -> {member.file_size:,} bytes)",
                file=name)
    if total > max_uncompressed:
        raise ImportProblem(
            f"refused: the workbook inflates to {total:,} bytes, over the limit of "
            f"{max_uncompressed:,} (DASHBOARD_IMPORT_MAX_MB x 10)", file=name)


def read_xlsx(path: Path, name: str, max_uncompressed: int,
              progress: Progress | None = None) -> list[RawTable]:
    import openpyxl

    check_zip_container(path, name, max_uncompressed)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportProblem(f"not a valid .xlsx workbook ({type(exc).__name__}: {exc})",
                            file=name) from exc
    try:
        sheets = [(ws.title, ws.iter_rows(values_only=True)) for ws in book.worksheets]
        return _tables(name, sheets, progress)
    except ImportProblem:
        raise
    except Exception as exc:
        raise ImportProblem(f"the workbook could not be read ({type(exc).__name__}: {exc})",
                            file=name) from exc
    finally:
        book.close()


def read_xls(path: Path, name: str, progress: Progress | None = None) -> list[RawTable]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise ImportProblem(f"not a valid .xls workbook ({type(exc).__name__}: {exc})",
                            file=name) from exc

    def rows(sheet) -> Iterable[tuple]:
        for r in range(sheet.nrows):
            yield tuple(_xls_value(cell, book.datemode) for cell in sheet.row(r))

    try:
        sheets = [(s.name, rows(s)) for s in book.sheets()]
        return _tables(name, sheets, progress)
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


def cell_text(value) -> str:
    """A cell as the text a CSV export would hold (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tables(name: str, sheets, progress: Progress | None) -> list[RawTable]:
    found = []
    for title, rows in sheets:
        table = _sheet_table(name, title, rows, progress)
        if table is not None:
            found.append(table)
    if not found:
        raise ImportProblem("the workbook has no sheet with data (every sheet is empty)",
                            file=name)
    if len(found) == 1:
        found[0].name = name
    return found


def _sheet_table(name: str, title: str, rows, progress: Progress | None) -> RawTable | None:
    label = f"{name}[{title}]"
    header, header_row, records, numbers = None, 0, [], []
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header_row = number
            used = max(i for i, c in enumerate(cells) if c.strip()) + 1
            header = check_header(drop_blank_trailing_columns(cells, used), label, number)
            continue
        extra = [(i, c) for i, c in enumerate(cells[len(header):], start=len(header)) if c.strip()]
        if extra:
            position, value = extra[0]
            raise ImportProblem(f"a value in column {position + 1}, which has no header",
                                file=label, row=number, column=f"#{position + 1}", value=value)
        cells = (cells + [""] * len(header))[: len(header)]
        records.append(cells)
        numbers.append(number)
        if progress is not None and len(records) % PROGRESS_EVERY == 0:
            progress(len(records))
    if header is None:
        return None
    if not records:
        raise ImportProblem("the sheet has a header but no data rows", file=label, row=header_row)
    frame = pd.DataFrame(records, columns=header, dtype=str)
    return RawTable(label, name, frame, np.asarray(numbers, dtype=np.int64))
