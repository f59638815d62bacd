"""From cleaned source tables to the canonical tables: join, derive what the source lacks.

revenue = units x unit price x (1 - discount) when there is no revenue column; cost from the
product's unit cost; unit price from the product table; region and state from the city through
the editable regions table; a sale line with no order id is its own order. Season and festival
come from the date when the warehouse builds its calendar. Fields nothing can fill are listed
as unavailable so pages hide them and say why.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import config
from dashboard.ingest.clean import Cleaned
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.lines import (
    LINE_TEXT,
    build_dimension_tables,
    find_conflicts,
    resolve_line_attributes,
)
from dashboard.ingest.report import QualityReport
from dashboard.warehouse.schema import CANONICAL_TABLES, UNKNOWN

INVENTORY_COLUMNS = ("as_of", "store_id", "product_id", "stock_on_hand")
OPTIONAL = {"age_group": "sales.customer_age_group", "gender": "sales.customer_gender",
            "channel": "sales.channel", "order_id": "sales.order_id"}
OUTLIER_COLUMNS = ("units", "unit_price", "revenue")
OUTLIER_FACTOR = 10.0
OUTLIER_QUANTILE = 0.99  # flagged when |value| > 10 x the 99th percentile of |value|
EXAMPLES = 10
TEXT_COLUMNS = {"sales": ("sale_id", "order_id", "store_id", "product_id", "customer_id",
                          "employee_id", "channel", "customer_gender", "customer_age_group",
                          "festival", *LINE_TEXT),
                "products": ("product_id", "name", "category", "subcategory",
                             "target_age_group", "brand"),
                "stores": ("store_id", "name", "city", "state", "region", "location_type")}


def read_regions(path: Path | None = None) -> pd.DataFrame:
    """The editable city -> state, region table (data/regions.csv)."""
    path = Path(path or config.get("regions_file"))
    if not path.exists():
        return pd.DataFrame(columns=["city", "state", "region"])
    with open(path, encoding="utf-8-sig", newline="") as handle:
        frame = pd.DataFrame(list(csv.DictReader(handle)), dtype=str)
    missing = {"city", "region"} - set(frame.columns)
    if missing:
        raise ImportProblem(f"the regions table needs columns city,state,region "
                            f"(missing: {', '.join(sorted(missing))})", file=str(path))
    if "state" not in frame:
        frame["state"] = pd.NA
    return frame[["city", "state", "region"]].apply(lambda c: c.str.strip())


def _part(cleaned: list[Cleaned], role: str, prefix: str) -> pd.DataFrame:
    frames = []
    for c in cleaned:
        if c.role != role:
            continue
        cols = {k: k.split(".", 1)[1] for k in c.frame.columns if k.startswith(prefix + ".")}
        part = c.frame[list(cols)].rename(columns=cols)
        part["__source"], part["__row"] = c.source, c.frame["__row"].to_numpy()
        frames.append(part)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _flat(cleaned: list[Cleaned], prefix: str, key: str) -> pd.DataFrame:
    """Dimension attributes carried by a flat sales file, one row per key (first seen)."""
    part = _part(cleaned, "sales", prefix)
    sales = _part(cleaned, "sales", "sales")
    if part.empty or len(part.columns) <= 2:
        return pd.DataFrame()
    if key in sales:
        part[key] = sales[key].to_numpy()
    elif "name" in part:
        part[key] = part["name"]
    else:
        return pd.DataFrame()
    if "name" not in part:
        part["name"] = part[key]
    return part.drop_duplicates(key).reset_index(drop=True)


def assemble(cleaned: list[Cleaned], report: QualityReport,
             regions: pd.DataFrame | None = None) -> tuple[dict[str, pd.DataFrame], tuple]:
    """Canonical sales/products/stores/inventory frames and the unavailable dimensions."""
    regions = read_regions() if regions is None else regions
    products = _part(cleaned, "products", "products")
    has_products_table = not products.empty
    if not has_products_table:
        products = _flat(cleaned, "products", "product_id")
    stores = _part(cleaned, "stores", "stores")
    if stores.empty:
        stores = _flat(cleaned, "stores", "store_id")
    stores = _derive_regions(stores, regions, report)
    sales = _part(cleaned, "sales", "sales")
    if sales.empty:
        raise ImportProblem("no sales rows are left after cleaning; see the rejected rows")
    _legacy_flat_columns(cleaned, sales)
    if "product_id" not in sales and "product_name" in sales:  # flat file keyed by name
        sales["product_id"] = sales["product_name"]
        report.fix("derived_product_id", int(sales["product_id"].notna().sum()))
    if "store_id" not in sales:
        flat = _part(cleaned, "sales", "stores")
        for column in ("name", "city"):
            if column in flat and column in stores:
                sales["store_id"] = flat[column].to_numpy()
                break
    own = {c for c in sales.columns if not c.startswith("__")}
    sales = _derive_sales(sales, products, stores, has_products_table, report)
    sales = resolve_line_attributes(sales, own, products, stores, regions, report)
    find_conflicts(sales, own, report)
    products, stores = build_dimension_tables(sales, products, stores)
    unavailable = tuple(dim for dim, key in OPTIONAL.items()
                        if key.split(".", 1)[1] not in sales or key in report.derived_keys)
    covered = {key.split(".", 1)[1] for key in OPTIONAL.values()}
    unavailable += tuple(d["dimension"] for d in report.dimensions
                         if d["source"] == "unavailable" and d["dimension"] not in covered)
    tables = {
        "sales": _canonical(sales, "sales"),
        "products": _canonical(products, "products"),
        "stores": _canonical(stores, "stores"),
    }
    inventory = _part(cleaned, "inventory", "inventory")
    if not inventory.empty:
        for column in INVENTORY_COLUMNS:
            if column not in inventory:
                inventory[column] = pd.NA
        tables["inventory"] = inventory[list(INVENTORY_COLUMNS)].reset_index(drop=True)
    return tables, unavailable


LEGACY_FLAT = {"products": {"name": "product_name", "category": "category",
                            "subcategory": "subcategory"},
               "stores": {"region": "region", "state": "state", "city": "city"}}


def _legacy_flat_columns(cleaned: list[Cleaned], sales: pd.DataFrame) -> None:
    """A sales file mapped with products.* / stores.* fields (mappings saved before line
    attributes existed): those values are the line's own, too."""
    for role, columns in LEGACY_FLAT.items():
        flat = _part(cleaned, "sales", role)
        for source, line in columns.items():
            if source in flat and line not in sales:
                sales[line] = flat[source].to_numpy()


def _derive_regions(stores: pd.DataFrame, regions: pd.DataFrame,
                    report: QualityReport) -> pd.DataFrame:
    if stores.empty or "city" not in stores or regions.empty:
        return stores
    by_city = regions.assign(key=regions["city"].str.casefold()).drop_duplicates("key")
    by_city = by_city.set_index("key")
    folded = stores["city"].astype("str").str.casefold()
    for column, rule in (("region", "derived_region"), ("state", "derived_state")):
        looked_up = folded.map(by_city[column])
        current = stores[column] if column in stores else pd.Series(pd.NA, index=stores.index)
        empty = current.isna() | (current == UNKNOWN)
        fill = empty & looked_up.notna()
        if fill.any():
            stores[column] = current.where(~fill, looked_up)
            report.fix(rule, int(fill.sum()))
    if "region" in stores:
        unmatched = stores.loc[stores["region"].isna() | (stores["region"] == UNKNOWN), "city"]
        if len(unmatched):
            report.note("cities with no region in the regions table (shown as Unknown; add "
                        f"them to {config.get('regions_file')}): "
                        f"{', '.join(sorted(set(unmatched.astype(str))))}")
    return stores


def _derive_sales(sales: pd.DataFrame, products: pd.DataFrame, stores: pd.DataFrame,
                  has_products_table: bool, report: QualityReport,
                  whole: bool = True) -> pd.DataFrame:
    """Derived fields of the sales lines. With `whole` False (one chunk of a file) the checks
    that need every line (lost stores, outliers) are left to the caller."""
    n = len(sales)
    if "sale_id" not in sales:
        sales["sale_id"] = sales["__source"].astype(str) + ":" + sales["__row"].astype(str)
        report.fix("derived_sale_id", n)
        report.derived_keys.add("sales.sale_id")
    if "order_id" not in sales:
        sales["order_id"] = sales["sale_id"]
        report.fix("derived_order_id", n)
        report.derived_keys.add("sales.order_id")
    product = _lookup(sales, products, "product_id")
    if has_products_table and "product_id" in sales:
        unknown = product["__found"].isna().to_numpy() & sales["product_id"].notna().to_numpy()
        needs_price = "revenue" not in sales and "unit_price" not in sales
        if unknown.any() and needs_price:
            sales = _reject(sales, unknown, "product_id", report,
                            "product_id: not in the products file (no price to derive revenue)")
            product = product.loc[~unknown].reset_index(drop=True)
        elif unknown.any():
            report.note(f"{int(unknown.sum()):,} sales rows have a product_id missing from the "
                        "products file; they are kept under category Unknown")
    if whole:
        note_lost_stores(lost_stores(sales, stores), report)
    if "unit_price" not in sales and "unit_price" in product:
        sales["unit_price"] = product["unit_price"].to_numpy()
        report.fix("derived_unit_price", int(sales["unit_price"].notna().sum()))
    discount = sales["discount"].fillna(0.0) if "discount" in sales else 0.0
    if "revenue" not in sales:
        sales["revenue"] = sales["units"] * sales["unit_price"] * (1 - discount)
        report.fix("derived_revenue", int(sales["revenue"].notna().sum()))
    if "cost" not in sales and "unit_cost" in product and "units" in sales:
        sales["cost"] = sales["units"] * product["unit_cost"].to_numpy()
        report.fix("derived_cost", int(sales["cost"].notna().sum()))
    if "units" in sales:
        returns = (sales["units"] < 0).to_numpy()
        report.flag("returns", int(returns.sum()))
        for column in ("revenue", "cost"):
            if column in sales:
                wrong = returns & (sales[column] > 0).to_numpy()
                sales.loc[wrong, column] = -sales.loc[wrong, column]
                report.fix("returns_sign", int(wrong.sum()))
    _cost_and_profit(sales, report)
    for column in OUTLIER_COLUMNS if whole else ():
        if column in sales:
            _flag_outliers(sales, column, report)
    return sales


def lost_stores(sales: pd.DataFrame, stores: pd.DataFrame) -> int:
    """Sales lines whose store_id the stores table lacks."""
    if "store_id" in sales and not stores.empty and "store_id" in stores:
        known = sales["store_id"].isin(stores["store_id"])
        return int((~known & sales["store_id"].notna()).sum())
    return 0


def note_lost_stores(lost: int, report: QualityReport) -> None:
    if lost:
        report.note(f"{lost:,} sales rows have a store_id missing from the stores file; "
                    "they are kept under region Unknown")


def _cost_and_profit(sales: pd.DataFrame, report: QualityReport) -> None:
    """Either measure gives the other (profit = revenue - cost), so margin can be shown."""
    if "profit" in sales and "cost" not in sales:
        sales["cost"] = sales["revenue"] - sales["profit"]
        report.fix("derived_cost_from_profit", int(sales["cost"].notna().sum()))
    elif "cost" in sales and "profit" not in sales:
        sales["profit"] = sales["revenue"] - sales["cost"]
        report.fix("derived_profit", int(sales["profit"].notna().sum()))


def _lookup(sales: pd.DataFrame, products: pd.DataFrame, key: str) -> pd.DataFrame:
    if products.empty or key not in products or key not in sales:
        return pd.DataFrame({"__found": pd.Series([pd.NA] * len(sales), dtype="object")})
    table = products.drop(columns=["__source", "__row"], errors="ignore").drop_duplicates(key)
    table = table.assign(__found=True).set_index(key)
    return table.reindex(sales[key].to_numpy()).reset_index(drop=True)


def _reject(sales: pd.DataFrame, mask: np.ndarray, column: str, report: QualityReport,
            reason: str) -> pd.DataFrame:
    for source in sales.loc[mask, "__source"].unique():
        part = mask & (sales["__source"] == source).to_numpy()
        report.reject(source, sales, part, column, sales[column], reason)
        counts = report.tables[source]
        counts.kept -= int(part.sum())
        counts.rejected += int(part.sum())
    return sales.loc[~mask].reset_index(drop=True)


def _flag_outliers(sales: pd.DataFrame, column: str, report: QualityReport) -> None:
    flag_outliers(sales[column], sales, column, report)


def flag_outliers(column_values: pd.Series, sales, column: str, report: QualityReport) -> None:
    """Flag |value| > 10 x the 99th percentile; `sales(hits)` (or a frame) gives the rows with
    __source, __row and the column for the first examples."""
    values = column_values.abs()
    p99 = values.quantile(OUTLIER_QUANTILE)
    if not p99 or np.isnan(p99):
        return
    limit = OUTLIER_FACTOR * p99
    hits = (values > limit).to_numpy()
    if hits.any():
        report.flag("outliers", int(hits.sum()))
        first = (sales.loc[hits].head(EXAMPLES) if isinstance(sales, pd.DataFrame)
                 else sales(np.flatnonzero(hits)[:EXAMPLES]))
        for _, row in first.iterrows():
            report.examples.setdefault("outliers", []).append(
                {"file": row["__source"], "row": int(row["__row"]), "column": column,
                 "value": round(float(row[column]), 4), "reason": f"over {limit:,.2f} "
                 f"({OUTLIER_FACTOR:g} x the 99th percentile)"})


def _canonical(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Exactly the canonical columns, in order, with stable types (ids as text)."""
    out = pd.DataFrame(index=range(len(frame)))
    for column in CANONICAL_TABLES[table]:
        if column in frame:
            values = frame[column].reset_index(drop=True)
        else:
            values = pd.Series(pd.NA, index=out.index, dtype="object")
        if column in TEXT_COLUMNS.get(table, ()):
            values = values.astype("str").where(values.notna(), None)
        out[column] = values
    if table == "sales":
        out["date"] = pd.to_datetime(out["date"])
        out["ship_date"] = pd.to_datetime(out["ship_date"], errors="coerce")
        units = pd.to_numeric(out["units"], errors="coerce").astype("float64")
        if units.notna().all() and (units == units.round()).all():
            out["units"] = units.astype("int64")
        for column in ("unit_price", "discount", "revenue", "cost", "profit"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    elif table == "products":
        for column in ("unit_cost", "unit_price"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    elif table == "stores":
        for column in ("latitude", "longitude"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        out["open_date"] = pd.to_datetime(out["open_date"], errors="coerce")
    return out
