"""derive.assemble for a flat sales file cleaned in chunks: each chunk derived and written as a
Parquet part, the whole-file checks decided once from counts that add up over the chunks.

Per chunk, exactly what assemble does to the lines (line ids, revenue/cost/profit, returns, the
line attributes filled from the file's own products/stores). Over all chunks: the stores'
regions, lost stores, outliers (the 99th percentile of every line's value), conflicting ids,
where each dimension came from, the products and stores tables (first line per id), totals.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import crashpoints
from dashboard.ingest.chunks import NotPlain
from dashboard.ingest.clean import Cleaned
from dashboard.ingest.derive import (
    OPTIONAL,
    OUTLIER_COLUMNS,
    OUTLIER_QUANTILE,
    _canonical,
    _derive_regions,
    _derive_sales,
    _legacy_flat_columns,
    _part,
    flag_outliers,
    lost_stores,
    note_lost_stores,
    read_regions,
)
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.lines import (
    add_conflict_counts,
    add_stats,
    build_dimension_tables,
    conflict_counts,
    describe_conflicts,
    describe_lines,
    fill_line_attributes,
)
from dashboard.ingest.report import QualityReport

SUMMED = ("units", "revenue", "cost", "profit")


class _Totals:
    """line_totals over chunks: sums, counts and first/last dates add up; orders are counted
    over the written parts."""

    def __init__(self):
        self.lines = 0
        self.sums = {c: [] for c in (*SUMMED, "discount")}
        self.present = {c: 0 for c in (*SUMMED, "discount")}
        self.dates: list = []
        self.has_revenue = False

    def add(self, sales: pd.DataFrame) -> None:
        self.lines += len(sales)
        for column in self.sums:
            if column in sales:
                self.present[column] += int(sales[column].notna().sum())
                self.sums[column].append(float(sales[column].sum()))
        self.has_revenue = self.has_revenue or "revenue" in sales
        if "date" in sales and len(sales):
            dates = pd.to_datetime(sales["date"])
            self.dates += [dates.min(), dates.max()]

    def result(self, parts: Path) -> dict:
        con = duckdb.connect()
        try:
            orders = con.execute("SELECT count(DISTINCT order_id) FROM read_parquet(?)",
                                 [str(parts / "*.parquet")]).fetchone()[0]
        finally:
            con.close()
        out = {"lines": self.lines, "orders": int(orders)}
        for column in SUMMED:
            if self.present[column]:
                value = math.fsum(self.sums[column])
                out[column] = int(value) if column == "units" and value.is_integer() else value
            else:
                out[column] = None
        if self.has_revenue and self.present["discount"]:
            out["discount_avg"] = math.fsum(self.sums["discount"]) / self.present["discount"]
        dates = pd.Series(self.dates, dtype="datetime64[ns]")
        out["first_date"] = dates.min().date().isoformat() if self.lines else None
        out["last_date"] = dates.max().date().isoformat() if self.lines else None
        return out


class _Top:
    """The largest |values| of a column (with their rows), enough for its 99th percentile:
    the percentile of n values reads the two order statistics at 0.99 x (n - 1), which lie in
    the top 1% + 2, and every outlier (over 10 x that) is among them too. `lines` bounds n."""

    def __init__(self, lines: int):
        self.keep = math.ceil(lines * (1 - OUTLIER_QUANTILE)) + 2
        self.n = 0
        self.size = np.empty(0)
        self.value = np.empty(0)
        self.row = np.empty(0, dtype=np.int64)

    def add(self, values: np.ndarray, rows: np.ndarray) -> None:
        present = ~np.isnan(values)
        self.n += int(present.sum())
        value = np.concatenate([self.value, values[present]])
        row = np.concatenate([self.row, rows[present]])
        size = np.abs(value)
        if len(size) > self.keep:
            top = np.argpartition(size, len(size) - self.keep)[len(size) - self.keep:]
            value, row, size = value[top], row[top], size[top]
        self.size, self.value, self.row = size, value, row

    def flag(self, source: str, column: str, report: QualityReport) -> None:
        """flag_outliers over a column with the same order statistics: the values not kept
        are below every kept one, so zeros stand in for them."""
        order = np.argsort(self.row, kind="stable")
        values = np.zeros(self.n)
        values[self.n - len(order):] = self.value[order]
        rows = np.zeros(self.n, dtype=np.int64)
        rows[self.n - len(order):] = self.row[order]

        def lines(at):
            return pd.DataFrame({"__source": source, "__row": rows[at], column: values[at]})

        flag_outliers(pd.Series(values), lines, column, report)


def assemble_chunks(source: str, cleaned: list[Path], products: pd.DataFrame,
                    stores: pd.DataFrame, report: QualityReport, out: Path,
                    lines: int) -> tuple[dict[str, pd.DataFrame], tuple]:
    """Canonical products/stores frames (the sales are Parquet parts in out/sales/) and the
    unavailable dimensions."""
    regions = read_regions()
    stores = _derive_regions(stores, regions, report)
    parts = out / "sales"
    parts.mkdir(parents=True, exist_ok=True)
    totals, stats, conflicts = _Totals(), None, None
    lost = 0
    outliers = {c: _Top(lines) for c in OUTLIER_COLUMNS}
    seen_outlier_columns: set[str] = set()
    firsts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    columns: set[str] = set()
    own: set[str] = set()
    for i, path in enumerate(cleaned):
        chunk = Cleaned(source, "sales", pd.read_pickle(path))
        path.unlink()
        sales = _part([chunk], "sales", "sales")
        if sales.empty:
            continue
        _legacy_flat_columns([chunk], sales)
        if "product_id" not in sales and "product_name" in sales:
            sales["product_id"] = sales["product_name"]
            report.fix("derived_product_id", int(sales["product_id"].notna().sum()))
        if "store_id" not in sales:
            flat = _part([chunk], "sales", "stores")
            for column in ("name", "city"):
                if column in flat and column in stores:
                    sales["store_id"] = flat[column].to_numpy()
                    break
        del chunk
        own = {c for c in sales.columns if not c.startswith("__")}
        sales = _derive_sales(sales, products, stores, False, report, whole=False)
        lost += lost_stores(sales, stores)
        for column in OUTLIER_COLUMNS:
            if column in sales:
                seen_outlier_columns.add(column)
                outliers[column].add(sales[column].to_numpy(dtype="float64", na_value=np.nan),
                                     sales["__row"].to_numpy())
        sales, counted = fill_line_attributes(sales, own, products, stores, regions)
        _refuse_unknown_mismatch(counted, own, sales)
        stats = add_stats(stats, counted)
        conflicts = add_conflict_counts(conflicts, conflict_counts(sales, own))
        firsts.append(build_dimension_tables(sales, products, stores))
        columns = set(sales.columns)
        frame = _canonical(sales, "sales")
        del sales
        totals.add(frame)
        _write_part(frame, parts / f"part-{i:05d}.parquet")
        del frame
    if stats is None:
        raise ImportProblem("no sales rows are left after cleaning; see the rejected rows")
    note_lost_stores(lost, report)
    for column in OUTLIER_COLUMNS:
        if column in seen_outlier_columns:
            outliers[column].flag(source, column, report)
    describe_lines(stats, own, report)
    describe_conflicts(conflicts, report)
    products, stores = _dimension_tables(firsts, products, stores)
    _unify_schemas(parts)
    report.totals = totals.result(parts)
    unavailable = tuple(dim for dim, key in OPTIONAL.items()
                        if key.split(".", 1)[1] not in columns or key in report.derived_keys)
    covered = {key.split(".", 1)[1] for key in OPTIONAL.values()}
    unavailable += tuple(d["dimension"] for d in report.dimensions
                         if d["source"] == "unavailable" and d["dimension"] not in covered)
    return {"products": _canonical(products, "products"),
            "stores": _canonical(stores, "stores")}, unavailable


def _refuse_unknown_mismatch(counted: dict, own: set[str], sales: pd.DataFrame) -> None:
    """A region/state only the regions table could give is Unknown or empty depending on
    whether any line got one; a chunk cannot know that for the file, so read it whole."""
    for name, c in counted["attributes"].items():
        if c["regions"] and name not in own and not c["looked"]:
            raise NotPlain(f"{name} comes only from the regions table")


def _dimension_tables(firsts, products: pd.DataFrame, stores: pd.DataFrame):
    """build_dimension_tables over all lines: the first line per id, over the chunks."""
    if products.empty:
        found = [p for p, _ in firsts if not p.empty]
        if found:
            products = pd.concat(found, ignore_index=True).drop_duplicates(
                "product_id").reset_index(drop=True)
    if stores.empty:
        found = [s for _, s in firsts if not s.empty]
        if found:
            stores = pd.concat(found, ignore_index=True).drop_duplicates(
                "store_id").reset_index(drop=True)
    return products, stores


def _write_part(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.date32()))
    pq.write_table(table.replace_schema_metadata(None), path)
    crashpoints.reached("writing")


def _unify_schemas(parts: Path) -> None:
    """One schema for every part, as one frame would have had: a column empty in one chunk
    takes the others' type, and units are whole numbers only if every chunk's are."""
    files = sorted(parts.glob("*.parquet"))
    schemas = [pq.read_schema(f) for f in files]
    if all(s.equals(schemas[0]) for s in schemas):
        return
    target = []
    for i, column in enumerate(schemas[0]):
        types = {s.field(i).type for s in schemas} - {pa.null()}
        if pa.float64() in types:
            kind = pa.float64()
        elif len(types) == 1:
            kind = types.pop()
        elif not types:
            kind = pa.null()
        else:
            kind = pa.string()
        target.append(pa.field(column.name, kind))
    schema = pa.schema(target)
    for path, current in zip(files, schemas, strict=True):
        if not current.equals(schema):
            pq.write_table(pq.read_table(path).cast(schema), path)
