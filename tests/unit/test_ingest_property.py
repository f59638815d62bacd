"""Property: any sales file ends in a version whose totals by every column equal the truth the
file was generated from, or in a clear refusal that leaves the served version byte-for-byte as it
was (issue 8).

Hypothesis writes files as exports write them: CSV with any delimiter, encoding, decimal style
and quoting, or XLSX; with exact duplicate lines, product ids whose lines disagree on the name,
columns left out and junk cells. The expected totals come from the generated records (never from
ToyPulse), minus exactly the lines given a junk cell, which must be the rejected ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dashboard.ingest.decimals import DecimalMarkAmbiguous
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.parse import DateOrderAmbiguous
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
from dashboard.warehouse.store import Warehouse

NAMES = {"P1": ["Muñeca Día", "Muñeca Día (new box)"], "P2": ["Peluche – Niño"],
         "P3": ["Lego Façade"], "P4": ["Robot"]}
CATEGORIES = {"P1": "Dolls", "P2": "Plush", "P3": "Bricks", "P4": "Electronics"}
REGIONS = ["North", "South", "Central"]
CENT = 0.005


@st.composite
def sales_files(draw):
    """(records, file spec): the truth and how it is written."""
    n = draw(st.integers(3, 30))
    start = dt.date(2023, 1, 1)
    early = draw(st.booleans())  # every day <= 12: 03/01/2023 fits both orders
    whole = draw(st.booleans())  # amounts with no decimals: 16,448 fits both readings
    records = []
    for _ in range(n):
        pid = draw(st.sampled_from(sorted(NAMES)))
        day = start + dt.timedelta(days=draw(st.integers(0, 400)))
        records.append({
            "date": day.replace(day=min(day.day, 12)) if early else day,
            "pid": pid, "name": draw(st.sampled_from(NAMES[pid])),
            "category": CATEGORIES[pid], "region": draw(st.sampled_from(REGIONS)),
            "units": draw(st.integers(1, 40)),
            "cents": draw(st.integers(1, 99_999)) * 100 if whole
            else draw(st.integers(1, 9_999_999)),
        })
    for i in draw(st.lists(st.integers(0, n - 1), max_size=3)):  # exact duplicate lines
        records.append(dict(records[i]))
    # junk cells in Quantity; at most one line in ten, or the column no longer looks like
    # quantities and is (rightly) not proposed as units
    junk = set(draw(st.lists(st.integers(0, len(records) - 1), max_size=len(records) // 10,
                             unique=True)))
    return records, {
        "format": draw(st.sampled_from(["csv", "csv", "csv", "xlsx"])),
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])),
        "decimal": draw(st.sampled_from([".", ","])),
        "thousands": draw(st.booleans()),
        "quote_all": draw(st.booleans()),
        "date_style": draw(st.sampled_from(["iso", "dmy", "mdy"])),
        "drop": draw(st.sampled_from([None, "Category", "Region"])),
        "junk": junk, "whole": whole,
    }


def _amount(cents: int, spec: dict) -> str:
    whole, frac = divmod(cents, 100)
    group = {".": ",", ",": "."}[spec["decimal"]]
    digits = f"{whole:,}".replace(",", group) if spec["thousands"] else str(whole)
    return digits if spec.get("whole") else f"{digits}{spec['decimal']}{frac:02d}"


def _date(day: dt.date, style: str) -> str:
    return {"iso": day.isoformat(), "dmy": day.strftime("%d/%m/%Y"),
            "mdy": day.strftime("%m/%d/%Y")}[style]


def _write(records: list[dict], spec: dict, folder: Path) -> tuple[Path, str]:
    header = ["Order Date", "Product ID", "Product Name", "Category", "Region", "Quantity",
              "Sales"]
    rows = []
    for i, r in enumerate(records):
        units = "lots" if i in spec["junk"] else str(r["units"])
        rows.append([_date(r["date"], spec["date_style"]), r["pid"], r["name"], r["category"],
                     r["region"], units, _amount(r["cents"], spec)])
    if spec["drop"]:
        at = header.index(spec["drop"])
        header.pop(at)
        rows = [row[:at] + row[at + 1:] for row in rows]
    folder.mkdir(parents=True, exist_ok=True)
    if spec["format"] == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Sales"
        sheet.append(header)
        for record, row in zip(records, rows, strict=True):  # numbers stored as numbers
            cells = list(row)
            cells[-1] = record["cents"] / 100
            if cells[-2].isdigit():
                cells[-2] = int(cells[-2])
            sheet.append(cells)
        path = folder / "orders.xlsx"
        book.save(path)
        return path, path.name
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spec["delimiter"], lineterminator="\n",
                        quoting=csv.QUOTE_ALL if spec["quote_all"] else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / "orders.csv"
    path.write_bytes(buffer.getvalue().encode(spec["encoding"]))
    return path, path.name


def _may_refuse(problem: ImportProblem, records: list[dict], spec: dict) -> bool:
    """Would a careful person have to ask too? Dates with no day above 12 fit both orders;
    whole amounts written 16,448 or 16.448 fit both decimal readings."""
    if isinstance(problem, DateOrderAmbiguous):
        return spec["date_style"] != "iso" and all(r["date"].day <= 12 for r in records)
    if isinstance(problem, DecimalMarkAmbiguous):
        return spec["format"] == "csv" and spec["whole"] and spec["thousands"]
    return False


def _served_bytes(root: Path) -> tuple:
    version = store.current_version(root)
    digest = hashlib.sha256(store.version_file(root, version).read_bytes()).hexdigest()
    return version, (root / "CURRENT").read_bytes(), digest, tuple(store.list_versions(root))


def _served_totals(root: Path, by: str) -> pd.DataFrame:
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            return cur.execute(f"SELECT {by} AS key, sum(revenue) AS revenue, "
                               f"sum(units) AS units, count(*) AS lines FROM sales_fact "
                               "GROUP BY 1 ORDER BY 1").df()
    finally:
        wh.close()


@pytest.fixture(scope="module")
def served_root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("property")
    records = [{"date": dt.date(2022, 12, 31), "pid": "P4", "name": "Robot",
                "category": "Electronics", "region": "North", "units": 1, "cents": 100}]
    spec = {"format": "csv", "delimiter": ",", "encoding": "utf-8", "decimal": ".",
            "thousands": False, "quote_all": False, "date_style": "iso", "drop": None,
            "junk": set(), "whole": False}
    root = folder / "warehouse"
    run_import([_write(records, spec, folder / "first")], root, user="tester")
    return root


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sales_files())
def test_every_file_ends_in_the_right_totals_or_a_clear_refusal(served_root, tmp_path_factory,
                                                                  generated):
    records, spec = generated
    folder = tmp_path_factory.mktemp("example")
    before = _served_bytes(served_root)
    try:
        result = run_import([_write(records, spec, folder)], served_root, user="tester",
                            max_rejected=1.0)
    except ImportProblem as problem:
        assert _served_bytes(served_root) == before, "a refusal changed what is served"
        assert _may_refuse(problem, records, spec), (
            f"refused a file a person could read: {problem} ({spec})")
        assert problem.file and problem.column and problem.value is not None
        event(f"refused: {type(problem).__name__}")
        return
    event(f"imported {spec['format']} {spec['encoding']} delimiter {spec['delimiter']!r} "
          f"decimal {spec['decimal']!r}" + (" with junk" if spec["junk"] else ""))
    rejected = sorted(p["row"] for p in result.report["rejected_examples"])
    assert rejected == sorted(i + 2 for i in spec["junk"]), "wrong lines rejected"
    kept = pd.DataFrame([r for i, r in enumerate(records) if i not in spec["junk"]])
    kept["revenue"] = kept["cents"] / 100
    columns = {"product_name": "name", "product_id": "pid", "date": "date",
               "category": "category", "region": "region"}
    if spec["drop"]:
        columns.pop(spec["drop"].lower())
    for by, truth in columns.items():
        expected = kept.groupby(truth).agg(revenue=("revenue", "sum"), units=("units", "sum"),
                                           lines=("units", "size")).sort_index()
        got = _served_totals(served_root, by).set_index("key")
        if by == "date":
            got.index = [pd.Timestamp(d).date() for d in got.index]
        assert [str(k) for k in got.index] == [str(k) for k in expected.index], by
        assert (abs(got["revenue"].to_numpy() - expected["revenue"].to_numpy()) < CENT).all(), by
        assert got["units"].tolist() == expected["units"].tolist(), by
        assert got["lines"].tolist() == expected["lines"].tolist(), by
