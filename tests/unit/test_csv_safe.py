"""Downloads never carry a live spreadsheet formula; real numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.csv_safe import SafeWriter, safe_cell
from dashboard.ingest.pipeline import run_import
from tests.ingest_support import SALES_HEADER, SALES_ROWS, load_good, write_export

FORMULAS = ['=HYPERLINK("https://x.example","click")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0",
            "-1+2", "\t=1+1", "\r=1+1", "=1"]
NUMBERS = ["-12.5", "+3", "-0.5e3", "42", "-.5"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_written_as_text(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", [*NUMBERS, "Robot Kit", "", "a=b", None, -12.5, 7])
def test_numbers_and_plain_text_are_unchanged(cell):
    assert safe_cell(cell) == cell


def test_writer_round_trip_keeps_every_cell_readable():
    buffer = io.StringIO()
    SafeWriter(buffer).writerows([FORMULAS, NUMBERS])
    formulas, numbers = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert formulas == ["'" + raw for raw in FORMULAS]
    assert numbers == NUMBERS


def test_rejected_rows_csv_neutralises_formulas_from_the_uploaded_file(tmp_path):
    root = load_good(tmp_path)
    rows = list(SALES_ROWS)
    rows[1] = '2,2024-01-05,S2,P2,"=HYPERLINK(""https://x.example"",""win"")"'
    rows[2] = "3,2024-02-10,S1,P3,@SUM(A1:A9)"
    work = tmp_path / "work"
    run_import(write_export(tmp_path / "in", SALES_HEADER + "\n".join(rows) + "\n"), root,
               user="tester", max_rejected=0.5, work_dir=work)
    with open(work / "rejected.csv", newline="", encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    values = sorted(r["value"] for r in rejected)
    assert values == ["'=HYPERLINK(\"https://x.example\",\"win\")", "'@SUM(A1:A9)"]
    assert {r["row"] for r in rejected} == {"3", "4"}
