"""Small retailer exports for import tests, and checks that stored data did not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
from dashboard.warehouse.store import Warehouse

PRODUCTS = (
    "Product_ID,Product_Name,Product_Category,Product_Cost,Product_Price\n"
    "P1,Robot Kit,Toys,$10.00 ,$25.00 \n"
    "P2,Puzzle 500,Games,\"$1,000.00\",\"$1,500.00\"\n"
    "P3,Crayons,art & crafts,$1.50 ,$3.00 \n"
)
STORES = (
    "Store_ID,Store_Name,Store_City,Store_Location\n"
    "S1,Toys Centro,Cuidad de Mexico,Downtown\n"
    "S2,Toys Norte,Monterrey,Commercial\n"
)
SALES_HEADER = "Sale_ID,Date,Store_ID,Product_ID,Units\n"
SALES_ROWS = [
    "1,2024-01-05,S1,P1,2",
    "2,2024-01-05,S2,P2,1",
    "3,2024-02-10,S1,P3,4",
    "4,2024-03-15,S2,P1,1",
    "5,2024-03-16,S2,P3,3",
    "6,2024-04-01,S1,P2,2",
    "7,2024-04-02,S1,P1,1",
    "8,2024-05-20,S2,P3,5",
    "9,2024-06-30,S1,P1,2",
    "10,2024-07-04,S2,P2,1",
]


def write_export(folder: Path, sales: str | None = None, sales_name: str = "sales.csv",
                 encoding: str = "utf-8") -> list[tuple[Path, str]]:
    """products.csv, stores.csv and a sales file; returns (path, name) pairs for run_import."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    (folder / "stores.csv").write_text(STORES, encoding="utf-8")
    text = sales if sales is not None else SALES_HEADER + "\n".join(SALES_ROWS) + "\n"
    (folder / sales_name).write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return [(folder / n, n) for n in ("products.csv", "stores.csv", sales_name)]


def expected_revenue() -> float:
    price = {"P1": 25.0, "P2": 1500.0, "P3": 3.0}
    return sum(int(r.split(",")[4]) * price[r.split(",")[3]] for r in SALES_ROWS)


def query_served(root: Path, sql: str):
    """A DataFrame of `sql` over the version users are served (read-only, closed after)."""
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            return cur.execute(sql).df()
    finally:
        wh.close()


def served_state(root: Path) -> tuple:
    """What users see: the CURRENT version, the versions on disk, and totals read through it."""
    wh = Warehouse(root)
    try:
        with wh.cursor() as cur:
            totals = cur.execute(
                "SELECT count(*), sum(revenue), sum(units) FROM sales_fact").fetchall()[0]
    finally:
        wh.close()
    return store.current_version(root), tuple(store.list_versions(root)), totals


def load_good(tmp_path: Path) -> Path:
    """A warehouse with one good import (version 1) already served."""
    root = tmp_path / "warehouse"
    result = run_import(write_export(tmp_path / "good"), root, user="tester")
    assert result.version == 1
    return root


def refused(files, root: Path, **kwargs) -> ImportProblem:
    """Run an import that must be refused and leave everything as it was; return the problem."""
    before = served_state(root)
    with pytest.raises(ImportProblem) as info:
        run_import(files, root, user="tester", **kwargs)
    assert served_state(root) == before, "a refused import changed what is served"
    assert not list(store.versions_dir(root).glob("*.building*"))
    return info.value
