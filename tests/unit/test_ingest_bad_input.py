"""Every kind of bad input gets a message naming file, row, column and value, and changes nothing.

Each test starts from a warehouse already serving a good import and checks (through `refused`)
that CURRENT, the versions on disk and the totals users see are exactly as before.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from dashboard.ingest import pipeline, readers
from dashboard.ingest.locking import import_lock
from dashboard.ingest.parse import DateOrderAmbiguous
from dashboard.ingest.pipeline import TooManyRejected, run_import
from tests.ingest_support import (
    SALES_HEADER,
    SALES_ROWS,
    load_good,
    refused,
    served_state,
    write_export,
)


@pytest.fixture
def loaded_root(tmp_path):
    return load_good(tmp_path)



def _sales(*rows: str, header: str = SALES_HEADER) -> str:
    return header + "\n".join(rows) + "\n"


def test_unmatched_quote_names_the_row_where_the_field_opens(loaded_root, tmp_path):
    bad = _sales(*SALES_ROWS[:2], '3,"2024-02-10,S1,P3,4', *SALES_ROWS[3:])
    problem = refused(write_export(tmp_path / "in", bad), loaded_root)
    assert (problem.file, problem.row, problem.column) == ("sales.csv", 4, "#2")
    assert problem.value.startswith('"2024-02-10')
    assert "unmatched quote" in str(problem) and "sales.csv" in str(problem)


@pytest.mark.parametrize("row, column, value", [
    ("3,2024-02-10,S1,P3,4,9", "#6 (no header)", "9"),
    ("3,2024-02-10,S1", "Product_ID", "3,2024-02-10,S1"),
])
def test_ragged_rows(loaded_root, tmp_path, row, column, value):
    bad = _sales(*SALES_ROWS[:2], row, *SALES_ROWS[3:])
    problem = refused(write_export(tmp_path / "in", bad), loaded_root)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "sales.csv", 4, column, value)
    assert "fields but the header has 5" in problem.message


def test_duplicate_header(loaded_root, tmp_path):
    bad = _sales(*SALES_ROWS, header="Sale_ID,Date,Units,Product_ID,units\n")
    problem = refused(write_export(tmp_path / "in", bad), loaded_root)
    assert (problem.file, problem.row, problem.column) == ("sales.csv", 1, "units")
    assert "columns 3 and 5" in problem.message


def test_empty_header(loaded_root, tmp_path):
    bad = _sales(*SALES_ROWS, header="Sale_ID,,Store_ID,Product_ID,Units\n")
    problem = refused(write_export(tmp_path / "in", bad), loaded_root)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "sales.csv", 1, "#2", "")
    assert "empty header" in problem.message


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty (0 bytes)"),
    ("\n  \n", "the file is empty (no header, no rows)"),
    (SALES_HEADER, "the file has a header but no data rows"),
])
def test_empty_and_header_only_files(loaded_root, tmp_path, content, message):
    problem = refused(write_export(tmp_path / "in", content), loaded_root)
    assert problem.file == "sales.csv"
    assert problem.message == message
    assert problem.row == (1 if content == SALES_HEADER else None)


def test_value_that_fails_to_parse_refuses_the_import_over_the_reject_limit(loaded_root,
                                                                             tmp_path):
    bad = _sales(SALES_ROWS[0], "2,2024-01-05,S2,P2,two", *SALES_ROWS[2:])
    problem = refused(write_export(tmp_path / "in", bad), loaded_root)
    assert isinstance(problem, TooManyRejected)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "sales.csv", 3, "Units", "two")
    assert "units: not a number" in problem.message
    assert "1 of 15 rows" in problem.message  # 10 sales + 3 products + 2 stores


def test_value_that_fails_to_parse_is_rejected_and_listed_when_allowed(loaded_root, tmp_path):
    bad = _sales(SALES_ROWS[0], "2,2024-13-45,S2,P2,1", *SALES_ROWS[2:])
    work = tmp_path / "work"
    result = run_import(write_export(tmp_path / "in", bad), loaded_root, user="tester",
                        max_rejected=0.5, work_dir=work)
    assert result.report["rejected"] == [{"reason": "date: not a date", "count": 1}]
    rejected = (work / "rejected.csv").read_text().splitlines()
    assert rejected[1].startswith("sales.csv,3,Date,2024-13-45,date: not a date,")
    served = served_state(loaded_root)
    assert served[0] == 2 and served[2][0] == len(SALES_ROWS) - 1


def test_file_over_the_size_limit_is_refused_before_it_is_read(loaded_root, tmp_path,
                                                               monkeypatch):
    files = write_export(tmp_path / "in")
    size = files[2][0].stat().st_size
    monkeypatch.setenv("DASHBOARD_IMPORT_MAX_MB", str((size - 1) / 1024 / 1024))

    def must_not_read(*args, **kwargs):
        raise AssertionError("an over-limit file was opened")

    monkeypatch.setattr(readers, "read_one", must_not_read)
    monkeypatch.setattr(pipeline, "_describe", must_not_read)
    problem = refused(files, loaded_root)
    assert problem.file == "sales.csv"
    assert "over the import limit" in problem.message and "it was not read" in problem.message


def test_unknown_encoding_binary_file(loaded_root, tmp_path):
    garbage = b"Sale_ID,Date\n" + bytes(range(256)) * 4
    problem = refused(write_export(tmp_path / "in", garbage), loaded_root)
    assert problem.file == "sales.csv" and problem.value == "\\x00"
    assert "not a text file" in problem.message


@pytest.mark.parametrize("content", [b"this is not a workbook", b"PK\x03\x04broken zip"])
def test_malformed_xlsx(loaded_root, tmp_path, content):
    path = tmp_path / "sales.xlsx"
    path.write_bytes(content)
    problem = refused([(path, "sales.xlsx")], loaded_root)
    assert problem.file == "sales.xlsx" and "not a valid .xlsx workbook" in problem.message


def test_truncated_xlsx(loaded_root, tmp_path):
    path = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    for i in range(2000):
        book.active.append([i, "2024-01-01", "S1", "P1", 1])
    book.save(path)
    data = path.read_bytes()
    cut = tmp_path / "sales.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    problem = refused([(cut, "sales.xlsx")], loaded_root)
    assert problem.file == "sales.xlsx" and "not a valid .xlsx workbook" in problem.message


def test_zip_bomb_xlsx_is_refused_before_inflating(loaded_root, tmp_path):
    path = tmp_path / "sales.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
            for _ in range(64):
                handle.write(b"\0" * (1 << 20))
    assert path.stat().st_size < 1 << 20
    problem = refused([(path, "sales.xlsx")], loaded_root)
    assert problem.file == "sales.xlsx" and "zip bomb" in problem.message
    assert "xl/worksheets/sheet1.xml" in problem.message


def test_ambiguous_dates_ask_for_the_order_then_import(loaded_root, tmp_path):
    rows = [r.replace("2024-01-05", "05/01/2024").replace("2024-02-10", "10/02/2024")
            for r in SALES_ROWS[:3]]
    files = write_export(tmp_path / "in", _sales(*rows))
    problem = refused(files, loaded_root)
    assert isinstance(problem, DateOrderAmbiguous)
    assert (problem.file, problem.column, problem.value) == ("sales.csv", "Date", "05/01/2024")
    result = run_import(files, loaded_root, user="tester", date_order="day_first")
    assert result.version == 2
    wh_dates = _dates(loaded_root)
    assert wh_dates == ["2024-01-05", "2024-02-10"]


def test_mixed_date_orders_are_refused(loaded_root, tmp_path):
    rows = [SALES_ROWS[0].replace("2024-01-05", "13/01/2024"),
            SALES_ROWS[1].replace("2024-01-05", "01/13/2024")]
    problem = refused(write_export(tmp_path / "in", _sales(*rows)), loaded_root)
    assert (problem.file, problem.column, problem.value) == ("sales.csv", "Date", "01/13/2024")
    assert "mix day-first" in problem.message


def test_second_import_at_once_is_refused_clearly(loaded_root, tmp_path):
    with import_lock(loaded_root, "alice"):
        problem = refused(write_export(tmp_path / "in"), loaded_root)
    assert "another import is running (started by alice" in problem.message
    assert run_import(write_export(tmp_path / "in"), loaded_root, user="bob").version == 2


def test_unknown_file_type(loaded_root, tmp_path):
    path = tmp_path / "sales.pdf"
    path.write_bytes(b"%PDF-1.4")
    problem = refused([(path, "sales.pdf")], loaded_root)
    assert problem.file == "sales.pdf" and "unsupported file type" in problem.message


def _dates(root) -> list[str]:
    from dashboard.warehouse.store import Warehouse

    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            rows = cur.execute("SELECT DISTINCT date FROM sales_fact ORDER BY 1").fetchall()
    finally:
        wh.close()
    return [r[0].isoformat() for r in rows]
