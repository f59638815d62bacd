"""Each cleaning rule does what its name says and is counted; mapping reuse; history, rollback."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.ingest.history import history, rollback
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.parse import parse_date, parse_number
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
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



def test_amounts_percentages_and_dates_parse():
    money = parse_number(pd.Series(["$9.99 ", "1,234.50", "(12.00)", "1.234,50 €"],
                                   dtype="str").str.strip())
    assert money.values.tolist()[:3] == [9.99, 1234.5, -12.0]
    assert money.fixed["currency_symbols"] == 2 and money.fixed["negative_parentheses"] == 1
    pct = parse_number(pd.Series(["15%", "5%", "0.1"], dtype="str"), percent=True)
    assert pct.values.tolist() == [0.15, 0.05, 0.1]
    dates = parse_date(pd.Series(["2024-01-31", "31/01/24", "Jan 5, 2024"], dtype="str"),
                       "auto", ("f", "c"))
    assert [d.date().isoformat() for d in dates.values] == ["2024-01-31", "2024-01-31",
                                                             "2024-01-05"]
    assert dates.fixed == {"two_digit_years": 1, "date_format": 2}


def test_rules_are_applied_and_counted(tmp_path):
    rows = [
        "1,2024-01-05, S1 ,P1,2",      # stray spaces
        "2,2024-01-06,S2,P2,1",
        "3,2024-01-08,S1,P3,-2",       # a return
        "4,2024-01-09,S1,,1",          # missing product: policy drop
        "5,2024-01-10,S2,P1,3",
    ]
    folder = tmp_path / "in"
    files = write_export(folder, SALES_HEADER + "\n".join(rows) + "\n")
    work = tmp_path / "work"
    result = run_import(files, tmp_path / "wh", user="t", max_rejected=0.5, work_dir=work)
    report = result.report
    fixed = {f["rule"]: f["count"] for f in report["fixed"]}
    assert fixed["trim_whitespace"] >= 1
    assert fixed["currency_symbols"] == 6 and fixed["thousands_separators"] == 2
    assert fixed["value_aliases"] == 1          # Cuidad de Mexico -> Ciudad de Mexico
    assert "returns_sign" not in fixed  # derived revenue of a return is negative already
    assert {r["reason"]: r["count"] for r in report["rejected"]} == {"product_id: missing": 1}
    assert {f["flag"]: f["count"] for f in report["flags"]}["returns"] == 1
    assert report["rows_read"] == 5 + 3 + 2 and report["rows_rejected"] == 1
    rejected = (work / "rejected.csv").read_text().splitlines()
    assert len(rejected) == 2 and rejected[1].startswith("sales.csv,5,Product_ID,")
    root = tmp_path / "wh"
    _, _, totals = served_state(root)
    assert totals == (4, pytest.approx(2 * 25 + 1500 - 2 * 3 + 3 * 25), 2 + 1 - 2 + 3)


def test_a_repeated_line_id_is_refused_with_the_rows_named(tmp_path):
    rows = ["1,2024-01-05,S1,P1,2", "1,2024-01-05,S1,P1,2",  # the same line twice
            "2,2024-01-06,S2,P2,1", "3,2024-01-07,S2,P2,9", "2,2024-01-07,S2,P2,9"]
    files = write_export(tmp_path / "in", SALES_HEADER + "\n".join(rows) + "\n")
    root = load_good(tmp_path)
    problem = refused(files, root, max_rejected=0.9)
    text = str(problem)
    assert "'1' in rows 2, 3" in text and "'2' in rows 4, 6" in text
    assert problem.file == "sales.csv" and problem.column == "Sale_ID" and problem.row == 3


def test_case_variant_takes_the_commonest_spelling(tmp_path):
    folder = tmp_path / "in"
    files = write_export(folder)
    products = (folder / "products.csv").read_text() + "P4,Easel,Art & Crafts,$5.00 ,$9.00 \n"
    products += "P5,Paints,Art & Crafts,$2.00 ,$4.00 \n"
    (folder / "products.csv").write_text(products)
    root = tmp_path / "wh"
    run_import(files, root, user="t")
    from dashboard.warehouse.store import Warehouse

    wh = Warehouse(root)
    with wh.cursor() as cur:
        cats = cur.execute("SELECT DISTINCT category FROM products ORDER BY 1").fetchall()
    wh.close()
    assert [c[0] for c in cats] == ["Art & Crafts", "Games", "Toys"]


def test_missing_value_policies_from_the_mapping(tmp_path):
    rows = ["1,2024-01-05,S1,P1,2", "2,2024-01-06,S2,,1", "3,2024-01-07,S2,P2,"]
    files = write_export(tmp_path / "in", SALES_HEADER + "\n".join(rows) + "\n")
    mapping = Mapping([], missing={"sales.product_id": "unknown", "sales.units": "fill:1"})
    root = tmp_path / "wh"
    result = run_import(files, root, user="t", mapping=mapping, max_rejected=0.5)
    fixed = {f["rule"]: f["count"] for f in result.report["fixed"]}
    assert fixed["missing_filled"] == 1
    # product Unknown has no price, so its revenue cannot be derived: rejected, with the reason
    assert result.report["rejected"] == [
        {"reason": "product_id: not in the products file (no price to derive revenue)",
         "count": 1}]
    assert served_state(root)[2] == (2, pytest.approx(2 * 25 + 1500), 3)


def test_mapping_saved_by_cli_is_reused(tmp_path, capsys):
    files = write_export(tmp_path / "in")
    root = tmp_path / "wh"
    saved = tmp_path / "mapping.json"
    args = ["--warehouse", str(root), "import", *[str(p) for p, _ in files]]
    assert main([*args, "--propose", "--save-mapping", str(saved)]) == 0
    assert store.current_version(root) is None  # proposing imports nothing
    data = json.loads(saved.read_text())
    sales = next(t for t in data["tables"] if t["role"] == "sales")
    sales["columns"]["Sale_ID"] = ""          # the user edits the proposal:
    sales["constants"]["sales.channel"] = "Store"  # no sale id, everything sold in store
    saved.write_text(json.dumps(data))
    assert {(j["from"], j["to"], j["key"]) for j in data["joins"]} == {
        ("sales.csv", "products.csv", "product_id"), ("sales.csv", "stores.csv", "store_id")}
    assert main([*args, "--mapping", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "version 1 is live" in out and "derived_sale_id" in out
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    assert manifest["mapping"]["tables"][2]["constants"] == {"sales.channel": "Store"}
    assert "channel" not in manifest["unavailable"]
    from dashboard.auth import audit
    from dashboard.auth.commands import open_db

    database = open_db()  # the session's test app database (see conftest)
    try:
        entries = [e for e in audit.recent(database, action="import")
                   if "version 1," in e["detail"] and "sales.csv" in (e["subject"] or "")]
    finally:
        database.dispose()
    assert entries and entries[0]["detail"].startswith("CLI import")


def test_history_and_rollback(loaded_root, tmp_path, capsys):
    before = served_state(loaded_root)
    rows = SALES_ROWS[:3]
    run_import(write_export(tmp_path / "in", SALES_HEADER + "\n".join(rows) + "\n"),
               loaded_root, user="carol")
    entries = history(loaded_root)
    assert [(e["version"], e["current"], e["user"]) for e in entries] == [
        (2, True, "carol"), (1, False, "tester")]
    assert entries[0]["files"][2]["name"] == "sales.csv"
    assert len(entries[0]["files"][2]["sha256"]) == 64 and entries[0]["rows"] == 3
    assert rollback(loaded_root, 1, "carol") == 2
    assert served_state(loaded_root)[2] == before[2]
    assert main(["--warehouse", str(loaded_root), "rollback", "7"]) == 1
    assert "there is no version 7" in capsys.readouterr().err
    assert main(["--warehouse", str(loaded_root), "versions"]) == 0
    assert "carol" in capsys.readouterr().out
