"""`dashboard report`: a user's JSON, CSV zip and PDF hold their scope only; bad input is a clear
message with exit code 2; a formula from the data is neutralised in every CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile

import pandas as pd
import pytest

from dashboard import cli
from dashboard.auth import db, users
from dashboard.queries.filters import Scope
from dashboard.report import export
from tests import reference as ref

YEAR = "start=2025-01-01&end=2025-12-31"
TITLES = ("Monthly sales trend", "Top toys by age group", "Contribution % by state in North",
          "Demand by month, by state in North", "Revenue by category", "Revenue by toy type",
          "Share by age group", "Share by gender")


@pytest.fixture(scope="module")
def places(sample_dir) -> pd.DataFrame:
    return pd.read_parquet(sample_dir / "stores.parquet")


@pytest.fixture(scope="module")
def not_north(places) -> list[str]:
    """Names of other regions, their states and cities: none may appear in North's exports."""
    others = places[places["region"] != "North"]
    north = places[places["region"] == "North"]
    names = set(others["region"]) | set(others["state"]) | (set(others["city"])
                                                            - set(north["city"]))
    return sorted(names)


def leaks(text: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)]


def report(warehouse_dir, *args) -> int:
    return cli.main(["--warehouse", str(warehouse_dir), "report", *args])


@pytest.fixture
def north_login(accounts):
    return accounts["manager"].username


def test_north_json_holds_north_only(warehouse_dir, north_login, tmp_path, raw, not_north):
    out = tmp_path / "north.json"
    assert report(warehouse_dir, "--as", north_login, "--page", "overview", "--view", YEAR,
                  "--format", "json", "--out", str(out)) == 0
    text = out.read_text()
    assert leaks(text, not_north) == []
    data = json.loads(text)
    north = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"),
                       scope=("North",))
    assert data["tiles"][0]["value"] == pytest.approx(north["revenue"].sum())
    category = next(c for c in data["charts"] if c["id"] == "category")
    assert sum(row[2] for row in category["rows"]) == pytest.approx(north["revenue"].sum())
    assert [c["title"] for c in data["charts"]] == list(TITLES)
    everyone = tmp_path / "analyst.json"  # the same check finds other regions when they are there
    assert report(warehouse_dir, "--as", "t-analyst", "--view", YEAR, "--format", "json",
                  "--out", str(everyone)) == 0
    assert {"South", "West", "Central"} <= set(leaks(everyone.read_text(), not_north))


def read_zip(path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode())))
                for name in archive.namelist()}


def test_north_csv_zip_holds_north_only(warehouse_dir, north_login, tmp_path, raw, not_north):
    out = tmp_path / "north.zip"
    assert report(warehouse_dir, "--as", north_login, "--view", YEAR, "--format", "csv",
                  "--out", str(out)) == 0
    files = read_zip(out)
    assert sorted(files) == ["01-trend.csv", "02-top.csv", "03-contrib.csv", "04-heatmap.csv",
                             "05-category.csv", "06-subcategory.csv", "07-age.csv",
                             "08-gender.csv", "about.csv", "tiles.csv"]
    assert leaks(json.dumps(files), not_north) == []
    north = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"),
                       scope=("North",))
    category = files["05-category.csv"]
    assert category[0] == ["Series", "Category", "Revenue"]
    expected = north.groupby("category")["revenue"].sum().sort_values(ascending=False)
    assert [row[1] for row in category[1:]] == list(expected.index)
    assert [float(row[2]) for row in category[1:]] == pytest.approx(expected.tolist())
    tiles = {row[0]: row for row in files["tiles.csv"][1:]}
    assert float(tiles["revenue"][2]) == pytest.approx(north["revenue"].sum())
    about = dict(files["about.csv"][1:3])
    assert about == {"page": "overview", "title": "Overview"}


def test_forged_south_view_gives_nothing_of_south(warehouse_dir, north_login, tmp_path):
    for fmt in ("json", "csv"):
        out = tmp_path / f"forged.{fmt}"
        assert report(warehouse_dir, "--as", north_login, "--view",
                      YEAR + "&region=South&hl=region:South&geo=South", "--format", fmt,
                      "--out", str(out)) == 0
        text = out.read_text() if fmt == "json" else json.dumps(read_zip(out))
        assert "South" not in text
    data = json.loads((tmp_path / "forged.json").read_text())
    assert data["tiles"] == [] and all(c["rows"] == [] for c in data["charts"])


needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext")),
    reason="needs Debian's chromium and poppler-utils (python3 tasks.py test installs them)")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@needs_pdf_tools
def test_north_pdf_holds_north_only_and_every_chart(warehouse_dir, north_login, tmp_path, raw,
                                                     not_north):
    out = tmp_path / "north.pdf"
    assert report(warehouse_dir, "--as", north_login, "--view", YEAR, "--format", "pdf",
                  "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert leaks(text, not_north) == []
    for title in ("Overview", "North (your regions), 2025", "Data version", *TITLES):
        assert title in text, title
    north = ref.select(raw, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"),
                       scope=("North",))
    revenue = north["revenue"].sum()
    shown = f"${revenue / 1e6:.1f}M" if revenue >= 1e6 else f"${revenue / 1e3:.1f}k"
    assert shown in text  # the revenue tile, as pandas rounds it
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


@needs_pdf_tools
def test_forged_south_pdf_and_png(warehouse_dir, north_login, tmp_path):
    out = tmp_path / "forged.pdf"
    assert report(warehouse_dir, "--as", north_login, "--view", YEAR + "&region=South",
                  "--format", "pdf", "--out", str(out)) == 0
    text = pdf_text(out)
    assert "South" not in text and "No sales match these filters" in text
    png = tmp_path / "north.png"
    assert report(warehouse_dir, "--as", north_login, "--format", "png", "--out",
                  str(png)) == 0
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("args, message", [
    (["--as", "nobody-here"], "no user 'nobody-here'"),
    (["--as", "Bad Name!"], "a user name is"),
    (["--as", "t-nobody"], "may see no data"),
    (["--as", "t-north", "--page", "secrets"], "no page 'secrets'"),
    (["--as", "t-north", "--story", "Q4"], "no story 'Q4' that t-north may see"),
    (["--as", "t-north", "--saved", "mine"], "no saved view 'mine' that t-north may see"),
])
def test_bad_input_is_a_clear_message(warehouse_dir, accounts, tmp_path, capsys, args, message):
    code = report(warehouse_dir, *args, "--format", "json", "--out", str(tmp_path / "x.json"))
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_inactive_user_is_refused(warehouse_dir, app, accounts, tmp_path, capsys):
    database = app.server.extensions[db.EXTENSION]
    users.create(database, "t-gone", "a long enough password 1", "analyst", (), "Gone", "tests")
    users.set_active(database, "t-gone", False)
    code = report(warehouse_dir, "--as", "t-gone", "--format", "json", "--out",
                  str(tmp_path / "x.json"))
    assert code == 2 and "inactive" in capsys.readouterr().err


def test_a_missing_folder_is_a_clear_message(warehouse_dir, accounts, tmp_path, capsys):
    code = report(warehouse_dir, "--as", "t-north", "--format", "json", "--out",
                  str(tmp_path / "no" / "x.json"))
    assert code == 2 and "does not exist" in capsys.readouterr().err
    code = report(warehouse_dir, "--as", "t-north", "--format", "pdf", "--out", str(tmp_path))
    assert code == 2 and "is a folder" in capsys.readouterr().err


def test_no_data_is_a_clear_message(accounts, tmp_path, capsys):
    empty = tmp_path / "empty-warehouse"
    empty.mkdir()
    code = report(empty, "--as", "t-north", "--format", "json", "--out", str(tmp_path / "x"))
    err = capsys.readouterr().err
    assert code == 2 and "no data has been imported yet" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def formula_warehouse(tmp_path_factory):
    """A small sample whose best-selling toy type is renamed to a spreadsheet formula, and the
    second to markup that would close the page's script block."""
    from dashboard import sample
    from dashboard.warehouse.build import build_version, parquet_sources
    from dashboard.warehouse.store import Warehouse

    folder = tmp_path_factory.mktemp("formula-sample")
    sample.generate(folder, rows=20_000, seed=5)
    products = pd.read_parquet(folder / "products.parquet")
    ranked = ref.raw_lines(folder).groupby("subcategory")["revenue"].sum().sort_values()
    products.loc[products["subcategory"] == ranked.index[-1], "subcategory"] = FORMULA
    products.loc[products["subcategory"] == ranked.index[-2], "subcategory"] = MARKUP
    products.to_parquet(folder / "products.parquet", index=False)
    root = tmp_path_factory.mktemp("formula-warehouse")
    build_version(root, parquet_sources(folder), info={"source": "formula test"})
    wh = Warehouse(root)
    yield wh
    wh.close()


FORMULA = '=HYPERLINK("http://evil.example","Click")'
MARKUP = "</script><script>alert(1)</script>"


def test_a_formula_from_the_data_is_neutralised_in_the_csv(formula_warehouse):
    found = export.reports(formula_warehouse, Scope.everything(), [("overview", "")])
    types = next(c for c in found[0]["charts"] if c["id"] == "subcategory")
    assert FORMULA in [row[1] for row in types["rows"]]  # the data keeps the name as it is
    files = read_zip(io.BytesIO(export.csv_zip(found)))
    cells = [cell for rows in files.values() for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_markup_from_the_data_stays_text_in_the_printable_page(formula_warehouse):
    from dashboard.report import printable

    found = export.reports(formula_warehouse, Scope.everything(), [("overview", "")])
    types = next(c for c in found[0]["charts"] if c["id"] == "subcategory")
    assert MARKUP in [row[1] for row in types["rows"]]  # the rows hold the raw name
    page = printable.page(found, printable.Scripts.local())
    assert "<script>alert(1)" not in page and "</script><script>" not in page
    assert page.count("<script") == page.count("</script>")  # no block closed early
