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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard import crashpoints
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
from dashboard.warehouse.parquet_files import write_dated_parquet
from dashboard.warehouse.schema import UNKNOWN

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


class Deriver:
    """assemble for the chunks of one flat sales file: `add` each cleaned chunk in file order
    (it is derived and written as a Parquet part at once), then `finish`."""

    def __init__(self, source: str, products: pd.DataFrame, stores: pd.DataFrame,
                 report: QualityReport, out: Path, lines: int):
        self.source, self.report, self.out = source, report, out
        self.regions = read_regions()
        self.products = products
        self.stores = _derive_regions(stores, self.regions, report)
        self.parts = out / "sales"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.totals, self.stats, self.conflicts = _Totals(), None, None
        self.lost = 0
        self.outliers = {c: _Top(lines) for c in OUTLIER_COLUMNS}
        self.outlier_columns: set[str] = set()
        self.firsts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
        self.columns: set[str] = set()
        self.own: set[str] = set()
        self.count = 0
        self.unsourced: list[tuple[Path, str]] = []  # (part, attribute) left empty, not Unknown

    def add(self, frame: pd.DataFrame) -> None:
        products, stores, report = self.products, self.stores, self.report
        chunk = Cleaned(self.source, "sales", frame)
        sales = _part([chunk], "sales", "sales")
        if sales.empty:
            return
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
        del chunk, frame
        own = self.own = {c for c in sales.columns if not c.startswith("__")}
        sales = _derive_sales(sales, products, stores, False, report, whole=False)
        self.lost += lost_stores(sales, stores)
        for column in OUTLIER_COLUMNS:
            if column in sales:
                self.outlier_columns.add(column)
                self.outliers[column].add(
                    sales[column].to_numpy(dtype="float64", na_value=np.nan),
                    sales["__row"].to_numpy())
        sales, counted = fill_line_attributes(sales, own, products, stores, self.regions)
        path = self.parts / f"part-{self.count:05d}.parquet"
        self.unsourced += [(path, name) for name, c in counted["attributes"].items()
                           if not c["sourced"]]
        self.stats = add_stats(self.stats, counted)
        self.conflicts = add_conflict_counts(self.conflicts, conflict_counts(sales, own))
        self.firsts.append(build_dimension_tables(sales, products, stores))
        self.columns = set(sales.columns)
        canonical = _canonical(sales, "sales")
        del sales
        self.totals.add(canonical)
        _write_part(canonical, path)
        self.count += 1

    def _unknown_where_the_file_has_a_source(self) -> None:
        """An attribute only the regions table gives (a city with no state column) is Unknown
        where empty if any line of the file got one, else left empty; a chunk with no such
        line cannot know that, so its part is corrected here."""
        sourced = {name for name, c in self.stats["attributes"].items() if c["sourced"]}
        for path, name in self.unsourced:
            if name in sourced:
                table = pq.read_table(path)
                at = table.schema.get_field_index(name)
                column = pc.fill_null(table.column(at).cast(pa.string()), UNKNOWN)
                pq.write_table(table.set_column(at, name, column), path)

    def finish(self) -> tuple[dict[str, pd.DataFrame], tuple]:
        """Canonical products/stores frames (the sales are Parquet parts in out/sales/) and
        the unavailable dimensions."""
        report = self.report
        if self.stats is None:
            raise ImportProblem("no sales rows are left after cleaning; see the rejected rows")
        note_lost_stores(self.lost, report)
        for column in OUTLIER_COLUMNS:
            if column in self.outlier_columns:
                self.outliers[column].flag(self.source, column, report)
        describe_lines(self.stats, self.own, report)
        describe_conflicts(self.conflicts, report)
        products, stores = _dimension_tables(self.firsts, self.products, self.stores)
        self._unknown_where_the_file_has_a_source()
        _unify_schemas(self.parts)
        report.totals = self.totals.result(self.parts)
        unavailable = tuple(dim for dim, key in OPTIONAL.items()
                            if key.split(".", 1)[1] not in self.columns
                            or key in report.derived_keys)
        covered = {key.split(".", 1)[1] for key in OPTIONAL.values()}
        unavailable += tuple(d["dimension"] for d in report.dimensions
                             if d["source"] == "unavailable" and d["dimension"] not in covered)
        return {"products": _canonical(products, "products"),
                "stores": _canonical(stores, "stores")}, unavailable


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
    write_dated_parquet(frame, path)
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
