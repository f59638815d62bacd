"""A big plain CSV imported a chunk at a time decides and reports exactly what the one-frame
import does: the same quality report (counts per rule, rejections and their order, flags and
examples, conflicts, dimensions, notes, currency), the same rejected-rows CSV, the same served
lines, and totals that equal pandas over the file. Each file is imported both ways
(DASHBOARD_IMPORT_CHUNK_ROWS=0, the whole file in one frame, and small chunks); the shapes that
need the whole column (a date order, a decimal mark or a case spelling decided by a value in a
late chunk, duplicates across chunk boundaries, outliers, conflicts) are placed in late chunks.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboard.bench.import_file import write_import_file
from dashboard.ingest import jobs
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.pipeline import run_import
from dashboard.ingest.preview import preview
from dashboard.warehouse import store
from tests.flat_export import HEADER, make_rows, reference, write_flat_export
from tests.ingest_support import query_served, served_state

CHUNK = 300
CENT = 0.005


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _shapes(path: Path) -> Path:
    """The flat export with the shapes that need every chunk, most of them late in the file."""
    rows = make_rows(n_orders=700, seed=5)
    col = {name: i for i, name in enumerate(HEADER)}
    n = len(rows)
    for row in rows:  # dates day-first, only a late row has a day above 12
        for c in ("Order Date", "Ship Date"):
            month, day, year = row[col[c]].split("/")
            day = str(min(int(day), 12))
            row[col[c]] = f"{day}/{month}/{year}"
    rows[n - 40][col["Order Date"]] = "25/3/2024"
    rows[n - 42][col["Ship Date"]] = "20/4/2024"
    rows[n - 41][col["Order Date"]] = " NULL "  # a null token: missing date, rejected
    rows[n - 50][col["Category"]] = "PLUSH"  # a case variant, commonest spelling decides
    rows[n - 51][col["Category"]] = "plush"
    rows[10][col["Segment"]] = "consumer"
    rows[n - 60][col["Quantity"]] = "lots"  # not a number: rejected
    rows[n - 61][col["Quantity"]] = ""  # missing: rejected
    rows[n - 62][col["Sales"]] = "€1,250,000.00"  # an outlier
    rows[n - 63][col["Sales"]] = "1e308"  # beyond bounds
    rows[n - 64][col["Profit"]] = "(12.50)"  # accounting negative
    rows[n - 65][col["Customer Name"]] = "  Customer   9  "  # trimmed, spaces collapsed
    rows[n - 66][col["Quantity"]] = "-2"  # a return
    rows.insert(CHUNK * 2, list(rows[CHUNK * 2 - 1]))  # a duplicate across a chunk boundary
    rows.append(list(rows[3]))  # a duplicate of an early line, at the end
    return _write(path, HEADER, rows)


def _import_both(tmp_path: Path, monkeypatch, path: Path, **kwargs):
    out = {}
    for way, chunk in (("whole", 0), ("chunked", CHUNK)):
        monkeypatch.setenv("DASHBOARD_IMPORT_CHUNK_ROWS", str(chunk))
        root = tmp_path / way
        result = run_import([(path, path.name)], root, user="tester", **kwargs)
        parts = list((root / "versions" / "0001.canonical").rglob("*.parquet"))
        rejected = (root / "versions" / "0001.rejected.csv").read_text(encoding="utf-8")
        lines = query_served(root, "SELECT * EXCLUDE (sale_id) FROM sales_fact ORDER BY ALL")
        stored = root / "versions" / "0001.canonical"
        canonical = pd.read_parquet(stored / "sales" if (stored / "sales").exists()
                                    else stored / "sales.parquet")
        canonical = canonical.sort_values("sale_id").reset_index(drop=True)
        out[way] = (result.report, parts, rejected, lines, canonical)
    return out


def _same_report(a: dict, b: dict) -> None:
    for key in a:
        if key == "totals":
            continue
        assert a[key] == b[key], key
    assert a["totals"].keys() == b["totals"].keys()
    for key, value in a["totals"].items():
        if isinstance(value, float):  # summed chunk by chunk: the same to far below a cent
            assert math.isclose(value, b["totals"][key], rel_tol=1e-12, abs_tol=1e-6), key
        else:
            assert value == b["totals"][key], key


def _check_both(out) -> None:
    whole, chunked = out["whole"], out["chunked"]
    assert len([p for p in chunked[1] if p.parent.name == "sales"]) > 2, "not chunked"
    assert not any(p.parent.name == "sales" for p in whole[1])
    _same_report(whole[0], chunked[0])
    assert whole[2] == chunked[2]
    pd.testing.assert_frame_equal(whole[3], chunked[3])
    pd.testing.assert_frame_equal(whole[4], chunked[4])  # the Parquet each version keeps


@pytest.mark.parametrize("row_id", [False, True])
def test_flat_export_same_both_ways_and_equal_to_pandas(tmp_path, monkeypatch, row_id):
    path = write_flat_export(tmp_path / "flat.csv", row_id=row_id)
    out = _import_both(tmp_path, monkeypatch, path)
    _check_both(out)
    report = out["chunked"][0]
    ref = reference(path)
    assert report["totals"]["lines"] == len(ref)
    assert abs(report["totals"]["revenue"] - ref["Sales"].sum()) < CENT
    assert report["totals"]["units"] == ref["Quantity"].sum()
    lines = out["chunked"][3]
    for column, file_column in (("region", "Region"), ("category", "Category"),
                                ("product_name", "Product Name"), ("state", "State")):
        got = lines.groupby(column)["revenue"].sum()
        want = ref.groupby(file_column)["Sales"].sum()
        assert set(got.index) == set(want.index), column
        assert (got - want[got.index]).abs().max() < CENT, column
    assert {c["key"] for c in report["conflicts"]} >= {"product_id"}
    flags = {f["flag"]: f for f in report["flags"]}
    if not row_id:
        assert flags["duplicate_lines"]["count"] == len(ref) - len(ref.drop_duplicates())


def test_shapes_in_late_chunks_same_both_ways(tmp_path, monkeypatch):
    path = _shapes(tmp_path / "shapes.csv")
    out = _import_both(tmp_path, monkeypatch, path, max_rejected=0.05)
    _check_both(out)
    report = out["chunked"][0]
    fixed = {f["rule"]: f["count"] for f in report["fixed"]}
    assert fixed["case_variants"] >= 3 and fixed["negative_parentheses"] == 1
    assert any("day-first" in n and "25/3/2024" in n for n in report["notes"])
    flags = {f["flag"]: f for f in report["flags"]}
    assert flags["outliers"]["count"] >= 1 and flags["duplicate_lines"]["count"] >= 2
    assert flags["returns"]["count"] == 1
    reasons = {r["reason"] for r in report["rejected"]}
    assert {"units: not a number", "units: missing", "date: missing"} <= reasons
    assert "Plush" in set(out["chunked"][3]["category"])
    assert not {"PLUSH", "plush"} & set(out["chunked"][3]["category"])


def test_drop_duplicates_same_both_ways(tmp_path, monkeypatch):
    path = _shapes(tmp_path / "shapes.csv")
    mapping = Mapping.from_dict({"format": "toypulse-mapping/1", "tables": [],
                                 "duplicates": "drop"})
    out = _import_both(tmp_path, monkeypatch, path, max_rejected=0.05, mapping=mapping)
    _check_both(out)
    fixed = {f["rule"]: f["count"] for f in out["chunked"][0]["fixed"]}
    assert fixed["duplicates_dropped"] >= 2


def test_bench_file_same_both_ways(tmp_path, monkeypatch):
    path = write_import_file(tmp_path / "bench.csv", 2_000)
    _check_both(_import_both(tmp_path, monkeypatch, path))


def _refusal(tmp_path, monkeypatch, path: Path) -> list[dict]:
    problems = []
    for chunk in (0, CHUNK):
        monkeypatch.setenv("DASHBOARD_IMPORT_CHUNK_ROWS", str(chunk))
        with pytest.raises(ImportProblem) as caught:
            run_import([(path, path.name)], tmp_path / f"root-{chunk}", user="tester")
        problems.append(caught.value.as_dict())
    assert problems[0] == problems[1]
    return problems


def test_refusals_found_in_late_chunks_are_the_same(tmp_path, monkeypatch):
    rows = make_rows(n_orders=600, seed=2)
    sales = HEADER.index("Sales")
    mixed = [list(r) for r in rows]
    mixed[-5][sales] = "3,54"  # a decimal comma, where the rest write points
    for row in mixed:
        row[sales] = row[sales].replace("€", "").replace(",", "") if row is not mixed[-5] \
            else row[sales]
    problem = _refusal(tmp_path / "a", monkeypatch, _write(tmp_path / "mixed.csv", HEADER, mixed))
    assert "mixes a decimal comma" in problem[0]["message"]
    ids = [[str(i)] + r for i, r in enumerate(rows, start=1)]
    ids[-3][0] = "7"  # a line id repeated far from its first use
    problem = _refusal(tmp_path / "b", monkeypatch,
                       _write(tmp_path / "ids.csv", ["Row ID", *HEADER], ids))
    assert "repeats 1 ids" in problem[0]["message"]


def test_preview_same_both_ways(tmp_path, monkeypatch):
    path = _shapes(tmp_path / "shapes.csv")
    shown = []
    for chunk in (0, CHUNK):
        monkeypatch.setenv("DASHBOARD_IMPORT_CHUNK_ROWS", str(chunk))
        shown.append(preview([(path, path.name)], tmp_path / f"scratch-{chunk}",
                             max_rejected=0.05))
    assert shown[0]["rows"] == shown[1]["rows"]
    assert shown[0]["mapping"] == shown[1]["mapping"]
    _same_report(shown[0]["report"], shown[1]["report"])


@pytest.mark.parametrize("point", ["cleaning", "writing"])
def test_killed_chunked_import_changes_nothing_and_leaves_nothing(point, tmp_path, monkeypatch):
    """kill -9 while a Data-page import works through the chunks: the served version stays,
    and the next import removes the job's chunk files (cleaned/, canonical/)."""
    monkeypatch.setenv("DASHBOARD_IMPORT_CHUNK_ROWS", str(CHUNK))
    path = write_flat_export(tmp_path / "flat.csv")
    root = tmp_path / "root"
    run_import([(path, path.name)], root, user="tester")
    before = served_state(root)
    job_id, folder = jobs.new_job(root)
    shutil.copy(path, folder / "uploads" / path.name)
    jobs.record_uploads(folder, [(path.name, path.name)])
    flag = tmp_path / "paused"
    monkeypatch.setenv("DASHBOARD_TEST_PAUSE_AT", point)
    monkeypatch.setenv("DASHBOARD_TEST_PAUSE_FILE", str(flag))
    process = jobs.start(folder, root, "kim")
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never reached the point"
            time.sleep(0.01)
        work = folder / "work"
        assert list((work / "cleaned").iterdir()), "no chunk files at the kill"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    monkeypatch.delenv("DASHBOARD_TEST_PAUSE_AT")
    assert served_state(root) == before
    result = run_import([(path, path.name)], root, user="tester")
    assert result.version == 2 and store.current_version(root) == 2
    assert not (work / "cleaned").exists() and not (work / "canonical").exists()
    assert not list((root / "imports").glob("import-*"))


def test_flat_file_filling_products_and_stores_same_both_ways(tmp_path, monkeypatch):
    """A mapping that fills products.*/stores.* from the sales file (as saved before line
    attributes existed): those tables are built from every chunk before any is derived."""
    path = write_flat_export(tmp_path / "flat.csv")
    columns = {"Order ID": "sales.order_id", "Order Date": "sales.date",
               "Customer ID": "sales.customer_id", "Product ID": "sales.product_id",
               "Category": "products.category", "Product Name": "products.name",
               "City": "stores.city", "Region": "stores.region", "State": "stores.state",
               "Sales": "sales.revenue",
               "Quantity": "sales.units", "Profit": "sales.profit"}
    mapping = Mapping.from_dict({"format": "toypulse-mapping/1", "tables": [
        {"source": path.name, "role": "sales",
         "columns": {c: columns.get(c, "") for c in HEADER}, "header": HEADER}]})
    out = _import_both(tmp_path, monkeypatch, path, mapping=mapping)
    _check_both(out)
    ref = reference(path)
    lines = out["chunked"][3]
    got = lines.groupby("category")["revenue"].sum()
    assert abs(got.sum() - ref["Sales"].sum()) < CENT


def test_state_only_from_the_regions_table_same_both_ways(tmp_path, monkeypatch):
    """No State column: the state comes from the city through the regions table, and only a
    late chunk's city is in it, so the earlier chunks learn at the end that empty is Unknown."""
    rows = make_rows(n_orders=500, seed=9)
    city = HEADER.index("City")
    for row in rows[-20:]:
        row[city] = "Springfield"
    keep = [i for i, name in enumerate(HEADER) if name != "State"]
    path = _write(tmp_path / "nostate.csv", [HEADER[i] for i in keep],
                  [[row[i] for i in keep] for row in rows])
    regions = tmp_path / "regions.csv"
    regions.write_text("city,state,region\nSpringfield,Illinois,Central\n", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_REGIONS_FILE", str(regions))
    out = _import_both(tmp_path, monkeypatch, path)
    _check_both(out)
    states = out["chunked"][3]["state"].value_counts()
    assert states["Illinois"] == 20 and states["Unknown"] == len(rows) - 20


def test_record_spanning_lines_late_in_the_file_is_read_whole(tmp_path, monkeypatch):
    """A quoted cell with a line break far into the file: the chunked reader finds out at the
    end (records != lines) and the import reads the file whole, with the same result."""
    rows = make_rows(n_orders=500, seed=4)
    rows[-10][HEADER.index("Customer Name")] = "Customer\nwith a line break"
    path = _write(tmp_path / "multiline.csv", HEADER, rows)
    out = {}
    for chunk in (0, CHUNK):
        monkeypatch.setenv("DASHBOARD_IMPORT_CHUNK_ROWS", str(chunk))
        root = tmp_path / f"root-{chunk}"
        out[chunk] = run_import([(path, path.name)], root, user="tester").report
        assert not (root / "versions" / "0001.canonical" / "sales").exists()
    _same_report(out[0], out[CHUNK])
    assert out[CHUNK]["rows_read"] == len(rows)
