"""A flat export (Superstore-like order lines) imported through the CLI: the total by every
column of the file equals a pandas pivot of the file by that column, to the cent; conflicting
ids, duplicate lines, the currency and where each dimension came from are reported; the
preview's totals are the totals served."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.queries import overview as metrics
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.options import domain
from dashboard.warehouse import store
from dashboard.warehouse.store import Warehouse
from tests.flat_export import reference, write_flat_export
from tests.ingest_support import query_served

# warehouse column -> file column
BY = {"region": "Region", "state": "State", "city": "City", "country": "Country",
      "postal_code": "Postal Code", "category": "Category", "subcategory": "Sub-Category",
      "product_name": "Product Name", "product_id": "Product ID", "segment": "Segment",
      "ship_mode": "Ship Mode", "customer_id": "Customer ID", "customer_name": "Customer Name",
      "order_id": "Order ID", "month": "Month"}
MEASURES = {"revenue": "Sales", "units": "Quantity", "profit": "Profit", "cost": "Cost",
            "discount": "Discount"}
CENT = 0.005


def _import(root: Path, *args: str) -> int:
    return main(["--warehouse", str(root), "import", *args])


def _meta(root: Path) -> dict:
    frame = query_served(root, "SELECT key, value FROM meta")
    return {k: json.loads(v) for k, v in zip(frame["key"], frame["value"], strict=True)}


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flat")
    path = write_flat_export(folder / "superstore.csv")
    root = folder / "warehouse"
    assert _import(root, str(path)) == 0
    return path, root


def _pivot_matches(root: Path, expected_frame: pd.DataFrame, by: str, column: str) -> None:
    frame = expected_frame.assign(Discount=expected_frame["Discount"].astype(float))
    expected = frame.groupby(column)[list(MEASURES.values())].sum()
    expected["lines"] = frame.groupby(column).size()
    got = query_served(root, f"SELECT {by} AS key, sum(revenue) AS revenue, sum(units) AS units, "
                       f"sum(profit) AS profit, sum(cost) AS cost, sum(discount) AS discount, "
                       f"count(*) AS lines FROM sales_fact GROUP BY 1")
    if by == "month":
        got["key"] = pd.to_datetime(got["key"]).dt.date
    got = got.set_index("key").sort_index()
    expected = expected.sort_index()
    assert list(got.index) == list(expected.index), f"members of {by} differ"
    for ours, theirs in MEASURES.items():
        diff = (got[ours].to_numpy() - expected[theirs].to_numpy())
        assert abs(diff).max() < CENT, f"{ours} by {by} is off by {abs(diff).max()}"
    assert got["lines"].tolist() == expected["lines"].tolist()


@pytest.mark.parametrize("by", list(BY))
def test_total_by_every_column_equals_a_pivot_of_the_file(flat, by):
    path, root = flat
    _pivot_matches(root, reference(path), by, BY[by])


def test_totals_currency_and_profit_become_cost(flat):
    path, root = flat
    ref = reference(path)
    total = query_served(root, "SELECT count(*) AS n, sum(revenue) AS r, sum(cost) AS c, "
                         "sum(profit) AS p, sum(units) AS u FROM sales_fact").iloc[0]
    assert total["n"] == len(ref)
    assert abs(total["r"] - ref["Sales"].sum()) < CENT
    assert abs(total["c"] - ref["Cost"].sum()) < CENT
    assert abs(total["p"] - ref["Profit"].sum()) < CENT
    assert total["u"] == ref["Quantity"].sum()
    meta = _meta(root)
    assert meta["currency"] == "EUR"
    assert "cost" not in meta["unavailable"] and "region" not in meta["unavailable"]
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    fixed = {f["rule"]: f["count"] for f in manifest["report"]["fixed"]}
    assert fixed["derived_cost_from_profit"] == len(ref)
    assert fixed["currency_symbols"] == len(ref)
    assert manifest["report"]["currency"]["code"] == "EUR"


def test_dimension_sources_and_unknown_lines_are_reported(flat):
    path, root = flat
    ref = reference(path)
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    dims = {d["dimension"]: d for d in manifest["report"]["dimensions"]}
    assert dims["region"]["source"] == "column Region (superstore.csv)"
    empty = int((ref["Region"] == "Unknown").sum())
    assert empty == 3 and dims["region"]["unknown"] == empty
    assert sum(dims["region"]["why"].values()) == empty
    assert "empty in the file" in next(iter(dims["region"]["why"]))
    assert dims["category"]["source"] == "column Category (superstore.csv)"
    assert dims["cost"]["source"] == "derived: revenue - profit"
    assert dims["channel"]["source"] == "unavailable"
    assert "channel" in manifest["unavailable"]


def test_conflicting_ids_are_reported_and_each_line_keeps_its_own(flat):
    path, root = flat
    ref = reference(path)
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    conflicts = {(c["key"], c["attribute"]): c for c in manifest["report"]["conflicts"]}
    for attribute, column in (("product_name", "Product Name"), ("category", "Category"),
                              ("subcategory", "Sub-Category")):
        spread = ref.groupby("Product ID")[column].nunique()
        ids = spread[spread > 1].index
        assert len(ids) > 0
        found = conflicts[("product_id", attribute)]
        assert found["ids"] == len(ids)
        assert found["lines"] == int(ref["Product ID"].isin(ids).sum())
        for example in found["examples"]:
            counts = ref.loc[ref["Product ID"] == example["id"], column].value_counts()
            assert example["values"] == {k: int(v) for k, v in counts.items()}
    # an id reused across categories is counted under each category its lines name
    got = query_served(root, "SELECT category, sum(revenue) AS r FROM sales_fact "
                       "WHERE product_id = 'TOY-2002' GROUP BY 1 ORDER BY 1")
    expected = ref[ref["Product ID"] == "TOY-2002"].groupby("Category")["Sales"].sum()
    assert list(got["category"]) == list(expected.index) == ["Building Sets", "Games"]
    assert abs(got["r"].to_numpy() - expected.to_numpy()).max() < CENT


def test_exact_duplicate_lines_are_kept_and_flagged(flat):
    path, root = flat
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    copies = int(raw.duplicated().sum())
    assert copies >= 12
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    flags = {f["flag"]: f for f in manifest["report"]["flags"]}
    assert flags["duplicate_lines"]["count"] == copies
    example = flags["duplicate_lines"]["examples"][0]
    first = int(example["reason"].split()[-1])
    assert raw.iloc[example["row"] - 2].tolist() == raw.iloc[first - 2].tolist()
    assert manifest["rows"] == len(raw)


def test_duplicates_dropped_when_chosen(tmp_path):
    path = write_flat_export(tmp_path / "superstore.csv")
    root = tmp_path / "warehouse"
    assert _import(root, str(path), "--drop-duplicates") == 0
    ref = reference(path, drop_duplicates=True)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(ref) == len(raw) - int(raw.duplicated().sum())
    for by in ("region", "category", "month"):
        _pivot_matches(root, ref, by, BY[by])
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    report = manifest["report"]
    assert {r["reason"]: r["count"] for r in report["rejected"]} == {
        "duplicate line (exact copy), dropped as chosen": len(raw) - len(ref)}
    assert manifest["mapping"]["duplicates"] == "drop"


def test_a_repeated_line_id_is_refused_with_the_rows_named(tmp_path, capsys):
    path = write_flat_export(tmp_path / "with-ids.csv", row_id=True, duplicates=0)
    lines = path.read_text().splitlines()
    lines[10] = "5" + lines[10][lines[10].index(","):]  # row 11 reuses the id of row 6
    lines[20] = "7" + lines[20][lines[20].index(","):]  # row 21 reuses the id of row 8
    path.write_text("\n".join(lines) + "\n")
    root = tmp_path / "warehouse"
    assert _import(root, str(path)) == 1
    err = capsys.readouterr().err
    assert "'5' in rows 6, 11" in err and "'7' in rows 8, 21" in err and "Row ID" in err
    assert "nothing was changed" in err
    assert store.current_version(root) is None
    assert _import(root, str(path), "--propose") == 1  # the preview says the same
    assert "'5' in rows 6, 11" in capsys.readouterr().out


def test_preview_shows_what_the_import_then_produces(tmp_path, capsys):
    path = write_flat_export(tmp_path / "superstore.csv")
    root = tmp_path / "warehouse"
    assert _import(root, str(path), "--propose", "--json") == 0
    preview = json.loads(capsys.readouterr().out)
    assert store.current_version(root) is None  # nothing written
    totals = preview["report"]["totals"]
    ref = reference(path)
    assert totals["lines"] == len(ref) and totals["units"] == ref["Quantity"].sum()
    assert abs(totals["revenue"] - ref["Sales"].sum()) < CENT
    assert preview["report"]["currency"]["code"] == "EUR"
    assert {f["rule"] for f in preview["report"]["fixed"]} >= {
        "currency_symbols", "thousands_separators", "derived_cost_from_profit", "date_format"}
    assert _import(root, str(path), "--propose") == 0
    text = capsys.readouterr().out
    assert "PREVIEW: nothing has been written" in text and "duplicate_lines" in text
    assert "product_id with more than one category: 1 ids" in text
    assert _import(root, str(path)) == 0
    got = query_served(root, "SELECT count(*) AS lines, sum(units) AS units, "
                             "sum(revenue) AS revenue, sum(cost) AS cost, sum(profit) AS profit "
                             "FROM sales_fact").iloc[0]
    for key in ("lines", "units", "revenue", "cost", "profit"):
        assert abs(got[key] - totals[key]) < CENT, key
    manifest = json.loads((store.versions_dir(root) / "0001.json").read_text())
    assert manifest["report"]["totals"] == totals


def test_currency_set_in_the_mapping_and_mixed_currencies_refused(tmp_path, capsys):
    path = write_flat_export(tmp_path / "superstore.csv")
    root = tmp_path / "warehouse"
    assert _import(root, str(path), "--currency", "mxn") == 0
    assert _meta(root)["currency"] == "MXN"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace("€", "$")
    path.write_text("\n".join(lines) + "\n")
    assert _import(root, str(path)) == 1
    err = capsys.readouterr().err
    assert "more than one currency" in err and "row 6" in err
    assert store.current_version(root) == 1


def test_a_file_without_cost_or_profit_says_cost_is_unavailable(tmp_path):
    path = tmp_path / "plain.csv"
    frame = pd.read_csv(write_flat_export(tmp_path / "full.csv"), dtype=str,
                        keep_default_na=False).drop(columns=["Profit"])
    frame.to_csv(path, index=False)
    root = tmp_path / "warehouse"
    assert _import(root, str(path)) == 0
    meta = _meta(root)
    assert "cost" in meta["unavailable"] and "profit" in meta["unavailable"]
    assert meta["currency"] == "EUR"


def test_overview_reads_the_flat_import(flat):
    path, root = flat
    ref = reference(path)
    wh = Warehouse(root)
    try:
        dom = domain(wh, Scope.everything())
        scan = metrics.run_overview(wh, Filter(dom.min_date, dom.max_date), Scope.everything())
        kpis = metrics.kpis(scan)
        regions = metrics.regional_contribution(scan)
    finally:
        wh.close()
    assert abs(kpis["revenue"]["value"] - ref["Sales"].sum()) < CENT
    assert kpis["orders"]["value"] == ref["Order ID"].nunique()
    by_region = ref.groupby("Region")["Sales"].sum()
    got = regions.set_index("region")["revenue"].sort_index()
    assert list(got.index) == list(by_region.index)
    assert abs(got.to_numpy() - by_region.to_numpy()).max() < CENT
