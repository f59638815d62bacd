"""What each sales line says about itself: its region, city, product name, category...

A flat export carries these on every line, and a line's own value is the truth for that line:
charts group by it, so the total by any column equals a pivot of the file by that column. A
stores or products table (or data/regions.csv, through the line's city) only fills what the
line lacks. The quality report says, per dimension, where its values came from and how many
lines are Unknown and why; an id whose lines disagree (a product id with two categories, a
store in two regions) is reported with counts and examples, never settled by the first row.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import config
from dashboard.ingest.report import QualityReport
from dashboard.warehouse.schema import LINE_LOOKUPS, LINE_ONLY, UNKNOWN

LINE_TEXT = (*LINE_LOOKUPS, *LINE_ONLY)
# Dimensions the report accounts for, besides the line attributes: column -> label.
OTHER_DIMENSIONS = {
    "date": "order date", "ship_date": "ship date", "order_id": "order", "sale_id": "line id",
    "customer_id": "customer", "channel": "channel", "customer_gender": "gender",
    "customer_age_group": "age group", "units": "units", "revenue": "revenue",
    "discount": "discount", "cost": "cost", "profit": "profit",
}
LABELS = {"product_name": "product name", "subcategory": "sub-category",
          "postal_code": "postal code", "ship_mode": "ship mode",
          "customer_name": "customer name", "returned": "returned"}
DERIVED = {"revenue": "derived_revenue", "cost": "derived_cost", "profit": "derived_profit",
           "order_id": "derived_order_id", "sale_id": "derived_sale_id",
           "unit_price": "derived_unit_price"}
CONFLICT_CHECKS = (("product_id", ("product_name", "category", "subcategory")),
                   ("store_id", ("region", "state", "city")),
                   ("customer_id", ("customer_name", "segment")))
EXAMPLES = 5
RESOLVE_ORDER = ("city", "state", "region", "product_name", "category", "subcategory")


def _missing(values: pd.Series) -> np.ndarray:
    """Empty or Unknown; text is compared as it is (no copy), numbers and dates are never
    Unknown."""
    missing = values.isna().to_numpy(dtype=bool)
    if (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)
            or pd.api.types.is_bool_dtype(values)):
        return missing
    return missing | (values == UNKNOWN).fillna(False).to_numpy(dtype=bool)


def _lookup(sales: pd.DataFrame, table: pd.DataFrame, key: str, column: str):
    """The table's `column` for each line through `key`, and whether the key was found."""
    if table.empty or key not in table or column not in table or key not in sales:
        return None, None
    unique = table.drop_duplicates(key).set_index(key)
    found = sales[key].isin(unique.index).to_numpy()
    return unique[column].reindex(sales[key].to_numpy()).reset_index(drop=True), found


def _where(report: QualityReport, key: str) -> str:
    columns = report.field_columns.get(key) or []
    return ", ".join(columns) if columns else "the mapping"


def resolve_line_attributes(sales: pd.DataFrame, own: set[str], products: pd.DataFrame,
                            stores: pd.DataFrame, regions: pd.DataFrame,
                            report: QualityReport) -> pd.DataFrame:
    """Every line attribute filled from the line, else its lookup table, else regions.csv."""
    sales, stats = fill_line_attributes(sales, own, products, stores, regions)
    describe_lines(stats, own, report)
    return sales


def fill_line_attributes(sales: pd.DataFrame, own: set[str], products: pd.DataFrame,
                         stores: pd.DataFrame, regions: pd.DataFrame
                         ) -> tuple[pd.DataFrame, dict]:
    """The filled lines and, per attribute, the counts the report is made of (counts of parts
    of a file add up, so a chunked import sums them and describes once: `describe_lines`)."""
    sales = sales.reset_index(drop=True)
    n = len(sales)
    stats: dict = {"n": n, "attributes": {}, "other": {}}
    for name in RESOLVE_ORDER:
        table_name, column, key = LINE_LOOKUPS[name]
        table = products if table_name == "products" else stores
        values = (sales[name].astype("object") if name in sales
                  else pd.Series([None] * n, dtype="object"))
        empty = _missing(values)
        c = Counter(present=int((~empty).sum()), empty=int(empty.sum()))
        looked, found = _lookup(sales, table, key, column)
        c["looked"] = int(looked is not None)
        if looked is not None:
            fill = empty & ~_missing(looked)
            if fill.any():
                values = values.where(~fill, looked)
            c["fill"] = int(fill.sum())
            c["not_found"] = int((empty & ~found).sum())
            c["table_empty"] = int((empty & found & _missing(looked)).sum())
            empty = _missing(values)
        c["regions"] = int(name in ("region", "state") and not regions.empty and "city" in sales)
        if c["regions"]:
            values, filled, unmatched = _from_regions(values, sales["city"], regions, name)
            c["regions_filled"] = filled
            c["unmatched"] = int(unmatched.sum())
            empty = _missing(values)
        c["unknown"] = int(empty.sum())
        sources = name in own or looked is not None or c["regions_filled"] > 0
        c["sourced"] = int(sources)  # else the empty values stay empty, not Unknown
        sales[name] = values.where(~empty, UNKNOWN) if sources else values
        stats["attributes"][name] = c
    for name in LINE_ONLY:
        if name in sales:
            sales[name] = sales[name].where(sales[name].notna(), UNKNOWN)
    for name in (*LINE_ONLY, *OTHER_DIMENSIONS):
        if name in sales:
            stats["other"][name] = int(_missing(sales[name]).sum())
    return sales, stats


def add_stats(total: dict | None, part: dict) -> dict:
    """The stats of two parts of one file's lines, summed."""
    if total is None:
        return {"n": part["n"], "attributes": {k: Counter(v) for k, v in
                                               part["attributes"].items()},
                "other": dict(part["other"])}
    total["n"] += part["n"]
    for name, counts in part["attributes"].items():
        total["attributes"][name].update(counts)
    for name, empty in part["other"].items():
        total["other"][name] += empty
    return total


def describe_lines(stats: dict, own: set[str], report: QualityReport) -> None:
    """The report's dimensions (where each came from, Unknown lines and why) from the counts."""
    n = stats["n"]
    for name in RESOLVE_ORDER:
        table_name, column, key = LINE_LOOKUPS[name]
        c = stats["attributes"][name]
        lines = Counter()
        why = Counter()
        sources = []
        if name in own:
            sources.append(f"column {_where(report, _key_of(name, report))}")
            lines["from the file"] = c["present"]
            why["empty in the file"] = c["empty"]
        if c["looked"]:
            if c["fill"]:
                lines[f"from the {table_name} table"] = c["fill"]
                if name in own:
                    report.fix(f"filled_from_{table_name}", c["fill"])
            sources.append(f"{table_name} table via {key}")
            why = Counter({f"{key} not in the {table_name} table": c["not_found"],
                           f"empty in the {table_name} table": c["table_empty"]})
            if name in own:
                why["empty in the file"] = 0
        if c["regions"]:
            if c["regions_filled"]:
                report.fix(f"derived_{name}", c["regions_filled"])
                lines[f"from the city through {_regions_name()}"] = c["regions_filled"]
                sources.append("city through the regions table")
            if c["unmatched"]:
                reason = (f"empty in the file, and the city is not in {_regions_name()}"
                          if name in own else f"city not in {_regions_name()}")
                why = Counter({reason: c["unmatched"]})
        _dimension(report, name, sources, c["unknown"] if sources else n, why, lines)
    _other_dimensions(stats, own, report)


def _key_of(name: str, report: QualityReport) -> str:
    """The field key a line attribute was read from (sales.region, or stores.region of old)."""
    for key in (f"sales.{name}", *[f"{role}.{src}" for role, src in _legacy(name)]):
        if key in report.field_columns:
            return key
    return f"sales.{name}"


def _legacy(name: str):
    from dashboard.ingest.derive import LEGACY_FLAT

    return [(role, src) for role, cols in LEGACY_FLAT.items()
            for src, line in cols.items() if line == name]


def _from_regions(values: pd.Series, city: pd.Series, regions: pd.DataFrame, name: str):
    """Fill an empty region/state from the line's city through data/regions.csv."""
    by_city = regions.assign(key=regions["city"].str.casefold()).drop_duplicates("key")
    text = city.astype("str")
    codes, cities = pd.factorize(text)  # each distinct city folded and looked up once
    found = pd.Series(cities, dtype=text.dtype).str.casefold().map(by_city.set_index("key")[name])
    looked = pd.Series(found.array.take(codes, allow_fill=True), index=city.index, name=city.name)
    empty = _missing(values)
    fill = empty & ~_missing(looked.reset_index(drop=True))
    if fill.any():
        values = values.where(~fill, looked.reset_index(drop=True))
    return values, int(fill.sum()), _missing(values)


def _regions_name() -> str:
    path = Path(config.get("regions_file"))
    try:
        return str(path.relative_to(config.ROOT))
    except ValueError:
        return str(path)


def _label(name: str) -> str:
    return LABELS.get(name, OTHER_DIMENSIONS.get(name, name))


def _dimension(report: QualityReport, name: str, sources: list[str], unknown: int,
               why: Counter, lines: Counter) -> None:
    report.dimensions.append({
        "dimension": name, "label": _label(name),
        "source": "; ".join(sources) if sources else "unavailable",
        "lines": {k: v for k, v in lines.items() if v},
        "unknown": unknown,
        "why": ({k: v for k, v in why.items() if v} if sources
                else {"no column for it in the files": unknown} if unknown else {}),
    })


def _other_dimensions(stats: dict, own: set[str], report: QualityReport) -> None:
    n = stats["n"]
    for name in (*LINE_ONLY, *OTHER_DIMENSIONS):
        if name not in stats["other"]:
            _dimension(report, name, [], n, Counter(), Counter())
            continue
        empty = stats["other"][name]
        if name in own:
            source = f"column {_where(report, f'sales.{name}')}"
            if f"sales.{name}" in report.constant_keys:
                source = "constant in the mapping"
        elif name == "cost" and "derived_cost_from_profit" in report.fixed:
            source = "derived: revenue - profit"
        elif name in DERIVED:
            source = f"derived ({DERIVED[name]})"
        else:
            source = "derived"
        why = {"empty in the file": empty} if empty else {}
        report.dimensions.append({"dimension": name,
                                  "label": _label(name),
                                  "source": source, "lines": {}, "unknown": empty, "why": why})


def find_conflicts(sales: pd.DataFrame, own: set[str], report: QualityReport) -> None:
    """Ids whose lines disagree on an attribute the file carries: counts and examples."""
    describe_conflicts(conflict_counts(sales, own), report)


def conflict_counts(sales: pd.DataFrame, own: set[str]) -> dict:
    """Per checked (id, attribute): lines per (id, value) in order of first appearance, and
    lines per id; parts of a file add up (`add_conflict_counts`)."""
    out = {}
    for key, attributes in CONFLICT_CHECKS:
        if key not in own:
            continue
        for attribute in attributes:
            if attribute not in own:
                continue
            pairs = sales.loc[~_missing(sales[attribute]), [key, attribute]].dropna()
            out[(key, attribute)] = (pairs.groupby([key, attribute], sort=False).size(),
                                     sales[key].value_counts(sort=False))
    return out


def add_conflict_counts(total: dict | None, part: dict) -> dict:
    if total is None:
        return part
    for check, (pairs, ids) in part.items():
        old_pairs, old_ids = total[check]
        total[check] = (pd.concat([old_pairs, pairs]).groupby(level=[0, 1], sort=False).sum(),
                        pd.concat([old_ids, ids]).groupby(level=0, sort=False).sum())
    return total


def describe_conflicts(counted: dict, report: QualityReport) -> None:
    for (key, attribute), (pairs, per_id) in counted.items():
        counts = pairs.sort_values(ascending=False, kind="stable").rename("lines").reset_index()
        spread = counts.groupby(key)[attribute].nunique()
        ids = spread[spread > 1].index
        if not len(ids):
            continue
        examples = []
        for value in list(ids)[:EXAMPLES]:
            rows = counts[counts[key] == value].sort_values("lines", ascending=False)
            examples.append({"id": str(value), "values": {
                str(v): int(c) for v, c in zip(rows[attribute], rows["lines"], strict=True)}})
        report.conflicts.append({
            "key": key, "attribute": attribute, "ids": int(len(ids)),
            "lines": int(per_id[per_id.index.isin(ids)].sum()), "examples": examples,
            "resolution": f"each line keeps its own {LABELS.get(attribute, attribute)}; "
                          "charts group by what the line says"})


def build_dimension_tables(sales: pd.DataFrame, products: pd.DataFrame,
                           stores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Products and stores tables from the lines when no file gives them (first line seen;
    the lines themselves keep their own values)."""
    if products.empty and "product_id" in sales:
        columns = {"product_id": "product_id", "product_name": "name", "category": "category",
                   "subcategory": "subcategory"}
        present = {k: v for k, v in columns.items() if k in sales}
        if len(present) > 1:
            products = (sales[list(present)].rename(columns=present)
                        .drop_duplicates("product_id").reset_index(drop=True))
    if stores.empty and "store_id" in sales:
        present = {k: k for k in ("store_id", "region", "state", "city") if k in sales}
        if len(present) > 1:
            stores = (sales[list(present)].drop_duplicates("store_id").reset_index(drop=True))
            stores["name"] = stores["store_id"]
    return products, stores
