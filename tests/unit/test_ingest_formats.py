"""Files as exports really come: encodings, delimiters, Excel sheets (.xlsx, .xls), zips, and
one flat file named in another language. Each is checked against values computed here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from dashboard.ingest.pipeline import run_import
from dashboard.warehouse.store import Warehouse
from tests.ingest_support import (
    PRODUCTS,
    SALES_HEADER,
    SALES_ROWS,
    STORES,
    expected_revenue,
    write_export,
)


def _query(root: Path, sql: str, params=()) -> list[tuple]:
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            return cur.execute(sql, list(params)).fetchall()
    finally:
        wh.close()


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("encoding, name", [
    ("utf-8", "Muñeca Día"), ("utf-8-sig", "Muñeca Día"), ("utf-16", "Muñeca Día"),
    ("utf-16-le", "Muñeca Día"), ("cp1252", "Peluche – Niño"), ("latin-1", "Muñeca Día"),
])
def test_encodings_read_correctly(tmp_path, encoding, name):
    folder = tmp_path / "in"
    files = write_export(folder)
    products = PRODUCTS.replace("Robot Kit", name)
    (folder / "products.csv").write_bytes(products.encode(encoding))
    root = tmp_path / "wh"
    run_import(files, root, user="t")
    names = {r[0] for r in _query(root, "SELECT DISTINCT product_name FROM sales_fact")}
    assert name in names
    assert _query(root, "SELECT sum(revenue) FROM sales_fact")[0][0] == pytest.approx(
        expected_revenue())


def test_semicolon_decimal_comma_and_tab_files(tmp_path):
    folder = tmp_path / "in"
    files = write_export(folder)
    products = ("Product_ID;Product_Name;Product_Category;Product_Cost;Product_Price\n"
                "P1;Robot Kit;Toys;10,00 €;25,00 €\n"
                "P2;Puzzle 500;Games;1.000,00 €;1.500,00 €\n"
                "P3;Crayons;Art & Crafts;1,50 €;3,00 €\n")
    (folder / "products.csv").write_text(products)
    (folder / "sales.tsv").write_text((SALES_HEADER + "\n".join(SALES_ROWS)).replace(",", "\t"))
    files[2] = (folder / "sales.tsv", "sales.tsv")
    root = tmp_path / "wh"
    result = run_import(files, root, user="t")
    assert _query(root, "SELECT sum(revenue) FROM sales_fact")[0][0] == pytest.approx(
        expected_revenue())
    fixed = {f["rule"]: f["count"] for f in result.report["fixed"]}
    assert fixed["decimal_comma"] == 6 and fixed["currency_symbols"] >= 6


def _sheets() -> dict[str, list[list]]:
    return {"Sales": _csv_rows(SALES_HEADER + "\n".join(SALES_ROWS)),
            "Products": _csv_rows(PRODUCTS), "Stores": _csv_rows(STORES)}


def test_xlsx_with_several_sheets(tmp_path):
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in _sheets().items():
        sheet = book.create_sheet(title)
        for i, row in enumerate(rows):
            values = list(row)
            if title == "Sales" and i:  # real Excel cells: numbers and dates, not text
                import datetime as dt

                values[1] = dt.datetime.fromisoformat(values[1])
                values[4] = int(values[4])
            sheet.append(values)
    book.create_sheet("Notes")  # an empty sheet is skipped
    book.save(path)
    root = tmp_path / "wh"
    result = run_import([(path, "export.xlsx")], root, user="t")
    assert {t["name"] for t in result.report["tables"]} == {
        "export.xlsx[Sales]", "export.xlsx[Products]", "export.xlsx[Stores]"}
    assert _query(root, "SELECT sum(revenue) FROM sales_fact")[0][0] == pytest.approx(
        expected_revenue())


def test_xls_workbook(tmp_path):
    path = tmp_path / "export.xls"
    book = xlwt.Workbook()
    for title, rows in _sheets().items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, float(value) if title == "Sales" and r and c == 4 else value)
    book.save(str(path))
    root = tmp_path / "wh"
    run_import([(path, "export.xls")], root, user="t")
    assert _query(root, "SELECT sum(revenue), sum(units) FROM sales_fact")[0] == (
        pytest.approx(expected_revenue()), sum(int(r.split(",")[4]) for r in SALES_ROWS))


def test_zip_of_csv_files_skips_documentation(tmp_path):
    files = write_export(tmp_path / "in")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file, name in files:
            archive.write(file, f"export/{name}")
        archive.writestr("export/Data Dictionary/sales_data_dictionary.csv", "Field,Description\n")
    root = tmp_path / "wh"
    result = run_import([(path, "export.zip")], root, user="t")
    assert len(result.report["tables"]) == 3
    assert result.manifest["files"][0]["name"] == "export.zip"


def test_flat_file_in_spanish_with_day_first_dates_and_a_constant(tmp_path):
    """One denormalised sheet: no ids, amounts with thousands separators, dd/mm/yyyy."""
    lines = ["Fecha,Tienda,Ciudad,Producto,Categoria,Cantidad,Importe,Genero"]
    data = [("13/01/2024", "Centro", "CDMX", "Robot", "Toys", 2, "$1,050.00", "F"),
            ("02/02/2024", "Norte", "Monterrey", "Puzzle", "Games", 1, "$12.50", "M"),
            ("02/02/2024", "Norte", "Monterrey", "Robot", "toys", 3, "$1,575.00", "F")]
    lines += [",".join(f'"{v}"' if "," in str(v) else str(v) for v in row) for row in data]
    path = tmp_path / "ventas.csv"
    path.write_text("\n".join(lines) + "\n")
    from dashboard.ingest.mapping import propose
    from dashboard.ingest.readers import read_files

    proposal = propose(read_files([(path, "ventas.csv")], tmp_path))
    columns = proposal.tables[0].columns
    assert proposal.tables[0].role == "sales"
    assert columns == {"Fecha": "sales.date", "Tienda": "stores.name", "Ciudad": "sales.city",
                       "Producto": "sales.product_name", "Categoria": "sales.category",
                       "Cantidad": "sales.units", "Importe": "sales.revenue",
                       "Genero": "sales.customer_gender"}
    proposal.tables[0].constants["sales.channel"] = "Store"
    root = tmp_path / "wh"
    result = run_import([(path, "ventas.csv")], root, user="t", mapping=proposal)
    assert "gender" not in result.manifest["unavailable"]
    assert "channel" not in result.manifest["unavailable"]
    rows = _query(root, "SELECT month, region, category, channel, sum(revenue) FROM sales_fact "
                        "GROUP BY ALL ORDER BY ALL")
    assert [(m.isoformat(), r, c, ch, v) for m, r, c, ch, v in rows] == [
        ("2024-01-01", "Central", "Toys", "Store", 1050.0),
        ("2024-02-01", "North", "Games", "Store", 12.5),
        ("2024-02-01", "North", "Toys", "Store", 1575.0),
    ]
    assert any("day-first" in n for n in result.report["notes"])
