"""Constants and empty-cell policies set on the Data page reach the import (and forged rows
from the browser are coerced, never trusted)."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from dashboard.ingest.mapping import propose
from dashboard.ingest.pipeline import run_import
from dashboard.ingest.readers import read_files
from dashboard.warehouse.store import Warehouse
from tests.ingest_support import SALES_HEADER, SALES_ROWS, write_export


@pytest.fixture
def data(app):
    """The Data page module, imported once the app exists (register_page needs one)."""
    return importlib.import_module("dashboard.pages.data")


def _proposal(files, tmp_path) -> dict:
    tables = read_files(files, tmp_path / "preview")
    mapping = propose(tables)
    return {"mapping": mapping.to_dict()}


def _inputs(prop: dict) -> tuple[list, list]:
    roles = [t["role"] for t in prop["mapping"]["tables"]]
    tables = [[{"column": c, "field": t["columns"].get(c) or "-"} for c in t["header"]]
              for t in prop["mapping"]["tables"]]
    return roles, tables


def test_forged_rows_are_coerced(data):
    assert data.constants_from_inputs("not a list") == {}
    assert data.constants_from_inputs([None, 7, {"source": "s.csv", "field": "sales.nope",
                                             "constant": "x"}]) == {}
    long = {"source": "s.csv", "field": "sales.channel", "constant": " " + "x" * 500}
    assert data.constants_from_inputs([long]) == {"s.csv": {"sales.channel": "x" * 200}}
    assert data.policies_from_inputs([{"field": "sales.units", "policy": "drop; DROP TABLE"},
                                 {"field": "evil", "policy": "drop"},
                                 {"field": "sales.discount", "policy": "fill", "fill": "0.1"},
                                 {"field": "sales.units", "policy": "unknown"}]) == {
        "sales.discount": "fill:0.1", "sales.units": "unknown"}


def test_constant_and_fill_policy_reach_the_warehouse(data, tmp_path):
    # Row 3 has no units: the default policy drops it; the page's policy fills it with 1.
    rows = list(SALES_ROWS)
    rows[2] = "3,2024-02-10,S1,P3,"
    files = write_export(tmp_path / "export", SALES_HEADER + "\n".join(rows) + "\n")
    prop = _proposal(files, tmp_path)
    offered = {(r["source"], r["field"]) for r in data.constant_rows(prop["mapping"])}
    assert ("sales.csv", "sales.channel") in offered
    assert ("sales.csv", "sales.units") not in offered  # mapped already
    assert {r["field"] for r in data.policy_rows(prop["mapping"])} >= {"sales.units", "sales.date"}

    roles, tables = _inputs(prop)
    constants = [{"source": "sales.csv", "field": "sales.channel", "constant": "Online"},
                 {"source": "products.csv", "field": "sales.channel", "constant": "Store"}]
    policies = [{"field": "sales.units", "policy": "fill", "fill": "1"}]
    mapping = data.mapping_from_inputs(prop, roles, tables, "auto", constants, policies)
    sales = mapping.table("sales.csv")
    assert sales.constants["sales.channel"] == "Online"
    assert mapping.table("products.csv").constants == {}  # not a field a products file has
    assert mapping.missing["sales.units"] == "fill:1"

    root = tmp_path / "warehouse"
    result = run_import(files, root, mapping=dataclasses.replace(mapping), user="tester")
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            channels = cur.execute("SELECT DISTINCT channel FROM sales_fact").fetchall()
            units = cur.execute("SELECT units FROM sales_fact WHERE sale_id = 3").fetchall()
            count = cur.execute("SELECT count(*) FROM sales_fact").fetchall()[0][0]
    finally:
        wh.close()
    assert channels == [("Online",)]
    assert units == [(1,)] and count == len(SALES_ROWS)
    fixed = {f["rule"]: f["count"] for f in result.manifest["report"]["fixed"]}
    assert fixed.get("constants", 0) >= len(SALES_ROWS)
    assert fixed.get("missing_filled") == 1


def test_a_whole_file_from_one_festival(data, tmp_path):
    """A constant festival overrides the calendar for that file (e.g. a promotion's export)."""
    files = write_export(tmp_path / "export")
    prop = _proposal(files, tmp_path)
    roles, tables = _inputs(prop)
    constants = [{"source": "sales.csv", "field": "sales.festival", "constant": "Summer Sale"}]
    mapping = data.mapping_from_inputs(prop, roles, tables, "auto", constants, [])
    root = tmp_path / "warehouse"
    run_import(files, root, mapping=mapping, user="tester")
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            festivals = cur.execute("SELECT DISTINCT festival FROM sales_fact").fetchall()
            orders = cur.execute("SELECT DISTINCT festival FROM orders_fact").fetchall()
    finally:
        wh.close()
    assert festivals == [("Summer Sale",)] and orders == [("Summer Sale",)]
    # Without the constant, festivals come from the calendar (2024-01-05 is Día de Reyes).
    run_import(files, root, user="tester")
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            day = cur.execute("SELECT DISTINCT festival FROM sales_fact "
                              "WHERE date = DATE '2024-01-05'").fetchall()
    finally:
        wh.close()
    assert day == [("Día de Reyes",)]
