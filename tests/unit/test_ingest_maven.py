"""The real Maven Toys export, imported through the CLI with no code written for it, gives the
same revenue, cost and units per category, city and month as pandas over the raw files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dashboard import config
from dashboard.cli import main
from dashboard.queries import overview as metrics
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.options import domain
from dashboard.warehouse.store import Warehouse

MAVEN = config.ROOT.parent / "shared" / "datasets" / "maven-toys.zip"


def _raw(name: str) -> pd.DataFrame:
    with zipfile.ZipFile(MAVEN) as archive:
        member = next(m for m in archive.namelist() if m.endswith(name) and "Dictionary" not in m)
        return pd.read_csv(io.BytesIO(archive.read(member)))


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """Sales joined to products and stores by pandas alone, city typos fixed by the alias table."""
    products = _raw("products.csv")
    for column in ("Product_Cost", "Product_Price"):
        products[column] = products[column].str.replace("$", "").str.strip().astype(float)
    stores = _raw("stores.csv")
    aliases = pd.read_csv(config.get("aliases_file"))
    fix = dict(zip(aliases.loc[aliases["field"] == "city", "alias"],
                   aliases.loc[aliases["field"] == "city", "value"], strict=True))
    stores["city"] = stores["Store_City"].replace(fix)
    sales = _raw("sales.csv").merge(products, on="Product_ID").merge(stores, on="Store_ID")
    sales["revenue"] = sales["Units"] * sales["Product_Price"]
    sales["cost"] = sales["Units"] * sales["Product_Cost"]
    sales["month"] = pd.to_datetime(sales["Date"]).dt.to_period("M").dt.to_timestamp().dt.date
    return sales


@pytest.fixture(scope="module")
def maven_root(tmp_path_factory) -> Path:
    if not MAVEN.exists():
        pytest.skip(f"the Maven Toys export is not at {MAVEN} (shared/ beside the repository)")
    root = tmp_path_factory.mktemp("maven") / "warehouse"
    assert main(["--warehouse", str(root), "import", str(MAVEN)]) == 0
    return root


@pytest.fixture(scope="module")
def maven(maven_root):
    wh = Warehouse(maven_root)
    yield wh
    wh.close()


def _warehouse(maven, by: str) -> pd.Series:
    with maven.cursor() as cur:
        frame = cur.execute(
            f"SELECT {by} AS key, sum(revenue) AS revenue, sum(cost) AS cost, "
            f"sum(units) AS units FROM sales_fact GROUP BY {by}").df()
    if by == "month":  # DuckDB DATE arrives as a pandas timestamp
        frame["key"] = pd.to_datetime(frame["key"]).dt.date
    return frame.set_index("key").sort_index()


@pytest.mark.parametrize("by, column", [
    ("category", "Product_Category"), ("city", "city"), ("month", "month")])
def test_revenue_cost_units_match_pandas(maven, reference, by, column):
    expected = reference.groupby(column)[["revenue", "cost", "Units"]].sum().sort_index()
    got = _warehouse(maven, by)
    assert list(got.index) == list(expected.index)
    assert got["revenue"].to_numpy() == pytest.approx(expected["revenue"].to_numpy(), rel=1e-9)
    assert got["cost"].to_numpy() == pytest.approx(expected["cost"].to_numpy(), rel=1e-9)
    assert got["units"].tolist() == expected["Units"].tolist()


def test_totals_rows_and_report(maven, maven_root, reference):
    import json

    with maven.cursor() as cur:
        rows, revenue = cur.execute("SELECT count(*), sum(revenue) FROM sales_fact").fetchall()[0]
    assert rows == len(reference) == 829_262
    assert revenue == pytest.approx(reference["revenue"].sum(), rel=1e-9)
    manifest = json.loads((maven_root / "versions" / "0001.json").read_text())
    report = manifest["report"]
    assert report["rows_read"] == 829_262 + 35 + 50 + 1_593 and report["rows_rejected"] == 0
    fixed = {f["rule"]: f["count"] for f in report["fixed"]}
    assert fixed["value_aliases"] == 4  # the four "Cuidad de Mexico" stores
    assert fixed["currency_symbols"] == 70  # 35 costs + 35 prices
    assert set(manifest["unavailable"]) >= {"age_group", "gender", "channel"}


def test_overview_runs_and_hides_what_maven_lacks(maven, reference):
    dom = domain(maven, Scope.everything())
    assert {"age_group", "gender"} <= set(dom.unavailable)
    assert (dom.min_date, dom.max_date) == (dt.date(2017, 1, 1), dt.date(2018, 9, 30))
    flt = Filter(dom.min_date, dom.max_date)
    scan = metrics.run_overview(maven, flt, Scope.everything())
    kpis = metrics.kpis(scan)
    assert kpis["revenue"]["value"] == pytest.approx(reference["revenue"].sum(), rel=1e-9)
    assert kpis["orders"]["value"] == len(reference)  # no order id: each line is an order
    regions = metrics.regional_contribution(scan)
    assert "Unknown" not in set(regions["region"])  # every city has a region
