"""Reading decided from the whole column and the whole file (issue 8, items 4 and 5).

Decimal comma vs thousands separator, invalid bytes, values that cannot be real, and fields a
file lacks given as constants. Expected totals come from pandas reading the same bytes with the
reading a person would choose, never from ToyPulse's output.
"""

from __future__ import annotations

import importlib
import io
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.ingest.decimals import DecimalMarkAmbiguous
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
from tests.ingest_support import query_served, refused

CENT = 0.005


def _revenue_by_product(root: Path) -> dict[str, float]:
    frame = query_served(root, "SELECT product_id, sum(revenue) AS revenue FROM sales_fact "
                          "GROUP BY 1")
    return dict(zip(frame["product_id"], frame["revenue"], strict=True))


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> list[tuple]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return [(folder / name, name)]


def _assert_same(served: dict[str, float], expected: pd.Series) -> None:
    assert set(served) == set(expected.index)
    for key, value in expected.items():
        assert abs(served[key] - value) < CENT, (key, served[key], value)


SEMICOLON_EVIDENT = (
    "Date;Product;Units;Price;Revenue\n"
    "2023-01-02;A;1;3,54;16,448\n"
    "2023-01-03;B;2;1.234,50;2.469,00\n"
    "2023-01-04;A;3;0,99;2,97\n"
)


def test_decimal_comma_decided_from_the_column_values(tmp_path):
    files = _write(tmp_path / "in", "sales.csv", SEMICOLON_EVIDENT)
    root = tmp_path / "wh"
    result = run_import(files, root, user="t")
    expected = pd.read_csv(io.StringIO(SEMICOLON_EVIDENT), sep=";", decimal=",",
                           thousands=".").groupby("Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)
    assert abs(sum(_revenue_by_product(root).values()) - 16.448 - 2469.0 - 2.97) < CENT
    notes = " ".join(result.report["notes"])
    assert "sales.csv Revenue: decimal comma, decided from the data" in notes


SEMICOLON_AMBIGUOUS = (
    "Date;Product;Units;Revenue\n"
    "2023-01-02;A;1;16,448\n"
    "2023-01-03;B;2;1,234\n"
    "2023-01-04;B;1;7\n"
)


def test_an_ambiguous_column_is_asked_not_guessed(tmp_path):
    root = tmp_path / "wh"
    run_import(_write(tmp_path / "first", "first.csv", SEMICOLON_EVIDENT), root, user="t")
    problem = refused(_write(tmp_path / "in", "sales.csv", SEMICOLON_AMBIGUOUS), root)
    assert isinstance(problem, DecimalMarkAmbiguous)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "sales.csv", 2, "Revenue", "16,448")
    assert "--decimal-mark" in problem.message


@pytest.mark.parametrize("mark, pandas_options", [
    (",", {"decimal": ","}), (".", {"thousands": ","})])
def test_the_chosen_mark_is_used(tmp_path, mark, pandas_options):
    folder = tmp_path / "in"
    _write(folder, "sales.csv", SEMICOLON_AMBIGUOUS)
    root = tmp_path / "wh"
    code = main(["--warehouse", str(root), "import", str(folder / "sales.csv"),
                 "--decimal-mark", f"Revenue={mark}"])
    assert code == 0
    expected = pd.read_csv(io.StringIO(SEMICOLON_AMBIGUOUS), sep=";",
                           **pandas_options).groupby("Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)


def test_the_other_columns_of_the_file_decide_an_ambiguous_one(tmp_path):
    text = ("Date;Product;Units;Price;Revenue\n"
            "2023-01-02;A;4;4,112;16,448\n"
            "2023-01-03;B;2;3,50;7,000\n")
    root = tmp_path / "wh"
    result = run_import(_write(tmp_path / "in", "sales.csv", text), root, user="t")
    expected = pd.read_csv(io.StringIO(text), sep=";", decimal=",").groupby(
        "Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)
    assert any("like the file's other numeric columns" in n for n in result.report["notes"])


def test_a_column_mixing_both_marks_is_refused(tmp_path):
    text = "Date;Product;Units;Revenue\n2023-01-02;A;1;3,54\n2023-01-03;B;2;3.54\n"
    problem = refused(_write(tmp_path / "in", "sales.csv", text), _loaded(tmp_path))
    assert (problem.row, problem.column, problem.value) == (3, "Revenue", "3.54")
    assert "'3,54'" in problem.message and "'3.54'" in problem.message


def test_quoted_thousands_in_a_comma_file_are_thousands(tmp_path):
    text = ('Date,Product,Units,Revenue\n2023-01-02,A,1,"16,448"\n'
            '2023-01-03,B,2,"1,234.50"\n2023-01-04,B,2,12.5\n')
    root = tmp_path / "wh"
    run_import(_write(tmp_path / "in", "sales.csv", text), root, user="t")
    expected = pd.read_csv(io.StringIO(text), thousands=",").groupby("Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)


def _loaded(tmp_path: Path) -> Path:
    root = tmp_path / "wh"
    run_import(_write(tmp_path / "first", "first.csv", SEMICOLON_EVIDENT), root, user="t")
    return root


def test_one_invalid_byte_is_reported_and_the_rest_keeps_its_accents(tmp_path):
    names = ["Résumé", "Muñeca", "Peluche Niño", "Día"] * 50
    lines = [f"2023-01-{i % 28 + 1:02d},{n},1,2.50" for i, n in enumerate(names)]
    data = ("Date,Product,Units,Revenue\n" + "\n".join(lines) + "\n").encode("utf-8")
    broken_line = 8  # row 8 of the file (header is row 1): "Peluche Niño", its ñ a lone 0xF1
    assert names[broken_line - 2] == "Peluche Niño"
    raw_lines = data.split(b"\n")
    raw_lines[broken_line - 1] = raw_lines[broken_line - 1].replace("ñ".encode(), b"\xf1")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "sales.csv").write_bytes(b"\n".join(raw_lines))
    root = tmp_path / "wh"
    result = run_import([(folder / "sales.csv", "sales.csv")], root, user="t",
                        max_rejected=0.05)
    problems = result.report["rejected_examples"]
    assert [(p["file"], p["row"], p["column"]) for p in problems] == [
        ("sales.csv", broken_line, "Product")]
    assert problems[0]["value"] == "Peluche Ni\\xf1o"
    assert "not text in this file's encoding" in problems[0]["reason"]
    served = set(query_served(root, "SELECT DISTINCT product_id FROM products")["product_id"])
    assert {"Résumé", "Muñeca", "Peluche Niño", "Día"} <= served  # nothing re-decoded
    assert not any("Ã" in name for name in served)
    rejected = (store.versions_dir(root) / "0001.rejected.csv").read_text(encoding="utf-8")
    assert "Peluche Ni\\xf1o" in rejected


def test_a_file_with_no_utf8_at_all_is_read_as_windows_1252(tmp_path):
    text = "Date,Product,Units,Revenue\n2023-01-02,Muñeca – Día,1,2.50\n"
    root = tmp_path / "wh"
    result = run_import(_write(tmp_path / "in", "sales.csv", text, "cp1252"), root, user="t")
    assert set(query_served(root, "SELECT product_id FROM products")["product_id"]) == {
        "Muñeca – Día"}
    assert any("Windows-1252" in n for n in result.report["notes"])


WILD = ("Date,Product,Units,Revenue,Discount\n"
        "2023-01-02,A,1,5,0\n"
        "2023-01-02,A,2,1e308,0\n"
        "2023-01-03,B,99999999999999999999,5,0\n"
        "2023-01-03,B,2,inf,0\n"
        "2023-01-03,B,2,-Infinity,0\n"
        "2023-01-04,A,3,9.5,150%\n"
        "2023-01-04,B,4,8.25,10%\n")


def test_values_that_cannot_be_real_are_rejected_with_their_row(tmp_path):
    root = tmp_path / "wh"
    result = run_import(_write(tmp_path / "in", "sales.csv", WILD), root, user="t",
                        max_rejected=0.9)
    shown = {(p["row"], p["column"], p["value"]) for p in result.report["rejected_examples"]}
    assert shown == {(3, "Revenue", "1e308"), (4, "Units", "99999999999999999999"),
                     (5, "Revenue", "inf"), (6, "Revenue", "-Infinity"),
                     (7, "Discount", "150%")}
    raw = pd.read_csv(io.StringIO(WILD), dtype=str)
    ok = raw.drop(index=[1, 2, 3, 4, 5])  # pandas' own row labels of the five broken lines
    units = query_served(root, "SELECT units, revenue FROM sales_fact")
    assert units["units"].min() > -1 and units["units"].max() < 1e9  # no int64 wrap-around
    assert int(units["units"].sum()) == ok["Units"].astype(int).sum()
    assert all(math.isfinite(v) for v in units["revenue"])
    assert abs(units["revenue"].sum() - ok["Revenue"].astype(float).sum()) < CENT


NO_DATE = "Product,Units,Revenue\nA,1,2.50\nB,2,5.00\nA,3,7.25\n"
NO_UNITS = "Product,Revenue\nA,2.50\nB,5.00\n"


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "--warehouse", str(root),
                           "import", *args], capture_output=True, text=True, timeout=120)


def test_no_date_column_is_a_message_and_a_constant_fixes_it(tmp_path):
    folder = tmp_path / "in"
    _write(folder, "day.csv", NO_DATE)
    root = tmp_path / "wh"
    first = _cli(root, str(folder / "day.csv"))
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert "file day.csv: no column is mapped to the sale date" in first.stderr
    done = _cli(root, str(folder / "day.csv"), "--constant", "sales.date=2023-11-12")
    assert done.returncode == 0, done.stderr
    frame = query_served(root, "SELECT DISTINCT date FROM sales_fact")
    assert [str(d)[:10] for d in frame["date"]] == ["2023-11-12"]
    expected = pd.read_csv(io.StringIO(NO_DATE)).groupby("Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)


def test_a_date_constant_with_no_units_column_imports_revenue(tmp_path):
    folder = tmp_path / "in"
    _write(folder, "day.csv", NO_UNITS)
    root = tmp_path / "wh"
    done = _cli(root, str(folder / "day.csv"), "--constant", "sales.date=2023-11-12")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "units" in done.stdout.split("unavailable:")[-1]
    expected = pd.read_csv(io.StringIO(NO_UNITS)).groupby("Product")["Revenue"].sum()
    _assert_same(_revenue_by_product(root), expected)


def test_a_constant_overrides_the_column_proposed_for_its_field(tmp_path):
    text = "Date,Product,Units,Revenue\n2023-01-02,A,1,2.50\n2023-01-05,B,2,5.00\n"
    folder = tmp_path / "in"
    _write(folder, "sales.csv", text)
    root = tmp_path / "wh"
    assert _cli(root, str(folder / "sales.csv"), "--constant",
                "sales.date=2024-03-01").returncode == 0
    dates = query_served(root, "SELECT DISTINCT date FROM sales_fact")["date"]
    assert [str(d)[:10] for d in dates] == ["2024-03-01"]


@pytest.mark.parametrize("flag, words", [
    ("sales.date=not a date", "the constant for sales.date is not date"),
    ("sales.when=2023-01-01", "--constant names an unknown field"),
    ("sales.date", "--constant takes FIELD=VALUE"),
])
def test_bad_constants_are_messages(tmp_path, flag, words):
    folder = tmp_path / "in"
    _write(folder, "day.csv", NO_DATE)
    root = tmp_path / "wh"
    result = _cli(root, str(folder / "day.csv"), "--constant", flag)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert words in result.stderr
    assert not (root / "versions").exists() or not store.list_versions(root)


def test_a_bad_decimal_mark_flag_is_a_message(tmp_path):
    folder = tmp_path / "in"
    _write(folder, "sales.csv", SEMICOLON_AMBIGUOUS)
    result = _cli(tmp_path / "wh", str(folder / "sales.csv"), "--decimal-mark", "Revenue=;")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--decimal-mark takes a comma or a point" in result.stderr


# ---- the Data page asks the same questions ------------------------------------------------


@pytest.fixture
def data_page(app):
    """The Data page module, imported once the app exists (register_page needs one)."""
    return importlib.import_module("dashboard.pages.data")


def _texts(component) -> str:
    return str(component.to_plotly_json())


def test_data_page_asks_for_a_missing_date_up_front(data_page):
    mapping = {"tables": [{"source": "day.csv", "role": "sales",
                           "columns": {"Product": "sales.product_id", "Units": "sales.units",
                                       "Revenue": "sales.revenue"}, "constants": {}}]}
    question = data_page.required_question(mapping)
    assert question is not None and "day.csv has no column for the sale date" in _texts(
        question)
    block = data_page.extras_block(mapping)
    assert block.active_item == "extras"  # the constants are shown, not folded away
    mapping["tables"][0]["constants"] = {"sales.date": "2023-11-12"}
    assert data_page.required_question(mapping) is None


def test_data_page_asks_which_decimal_mark_and_keeps_the_answer(data_page, tmp_path):
    problem = DecimalMarkAmbiguous("ambiguous", file="sales.csv", row=2, column="Revenue",
                                   value="16,448")
    question = data_page.decimal_question(problem.as_dict())
    text = _texts(question)
    assert "16,448 is 16.448" in text and "16,448 is 16448" in text
    assert data_page.decimal_question(ImportProblem("other").as_dict()) is None
    marks = data_page.decimal_marks_from_inputs(
        tmp_path, [","], [{"type": "data-decimal", "column": "Revenue"}])
    assert marks == {"Revenue": ","}
    forged = data_page.decimal_marks_from_inputs(
        tmp_path, ["=1+1", ","], [{"type": "data-decimal", "column": "Price"}, "junk"])
    assert forged == {}


def test_accented_spanish_headers_are_recognised_in_a_latin1_file(tmp_path):
    text = ("Producto;Región;Cantidad;Importe;Fecha\n"
            + "".join(f"Muñeca {i % 3};{['Norte', 'Centro', 'Sur'][i % 3 - 1]};{i % 4 + 1};"
                      f"{i * 3},{i % 100:02d};2023-11-{i % 28 + 1:02d}\n" for i in range(40)))
    root = tmp_path / "wh"
    run_import(_write(tmp_path / "in", "fiesta.csv", text, "latin-1"), root, user="t")
    expected = pd.read_csv(io.StringIO(text), sep=";", decimal=",").groupby(
        "Región")["Importe"].sum()
    frame = query_served(root, "SELECT region, sum(revenue) AS revenue FROM sales_fact GROUP BY 1")
    _assert_same(dict(zip(frame["region"], frame["revenue"], strict=True)), expected)


def test_german_headers_map_without_a_mapping_file(tmp_path):
    text = "Datum;Artikel;Menge;Umsatz\n2024-03-01;A;2;1.234,50\n2024-03-02;B;1;16,45\n"
    root = tmp_path / "wh"
    run_import(_write(tmp_path / "in", "verkauf.csv", text), root, user="t")
    expected = pd.read_csv(io.StringIO(text), sep=";", decimal=",", thousands=".").groupby(
        "Artikel")["Umsatz"].sum()
    _assert_same(_revenue_by_product(root), expected)


def test_a_file_nothing_maps_names_its_columns(tmp_path):
    problem = refused(_write(tmp_path / "in", "x.csv", "Foo;Bar\n1;2\n"), _loaded(tmp_path))
    assert "x.csv: Foo, Bar" in problem.message and "--mapping" in problem.message
