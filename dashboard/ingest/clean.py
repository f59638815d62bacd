"""Cleaning rules applied column by column, each named and counted in the quality report.

For each mapped column: trim spaces, read missing values, parse by kind (amounts, percentages,
dates), correct values through the alias table and unify case variants, then apply the column's
missing-value policy. Rows that cannot be read are rejected with file, row, column, value and
reason; nothing is dropped silently.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import config
from dashboard.ingest import decimals
from dashboard.ingest.distinct import distinct
from dashboard.ingest.duplicates import note_source, sales_duplicates
from dashboard.ingest.encoding import bad_bytes, show_bytes
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fields import BY_KEY, Field
from dashboard.ingest.mapping import Mapping, TableMapping
from dashboard.ingest.parse import parse_date, parse_number
from dashboard.ingest.report import QualityReport
from dashboard.ingest.table import RawTable
from dashboard.warehouse.schema import UNKNOWN

NULL_TOKENS = {"na", "n/a", "#n/a", "null", "none", "nan", "-", "--", "?"}
NULL_LONGEST = max(len(t) for t in NULL_TOKENS)
TEXT_KINDS = ("id", "text", "category")
NUMERIC_KINDS = ("number", "money", "float", "percent")


@dataclass
class Cleaned:
    """One source table in canonical fields (columns are field keys) plus its source rows."""

    source: str
    role: str
    frame: pd.DataFrame  # field keys as columns, plus "__row"


def read_aliases(path: Path | None = None) -> dict[str, dict[str, str]]:
    """field name -> {misspelling (case-folded): right value}, from the editable alias table."""
    path = Path(path or config.get("aliases_file"))
    if not path.exists():
        return {}
    out: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle), start=2):
            try:
                name, alias, value = row["field"].strip(), row["alias"].strip(), row["value"]
            except (KeyError, AttributeError) as exc:
                raise ImportProblem("alias table needs columns field,alias,value",
                                    file=str(path), row=i) from exc
            out.setdefault(name.split(".")[-1], {})[alias.casefold()] = value.strip()
    return out


def clean_table(table: RawTable, tm: TableMapping, mapping: Mapping,
                aliases: dict[str, dict[str, str]], report: QualityReport,
                decided=None) -> Cleaned:
    """`decided` (a chunked import's Decisions, decisions.py) carries what is decided from the
    whole column (decimal marks, date orders, case variants) and the duplicate check across
    chunks; without it, all of that is decided from `table` alone."""
    raw = table.frame
    out = pd.DataFrame({"__row": table.rows}, index=raw.index)
    rejected = np.zeros(len(raw), dtype=bool)
    if table.encoding == "cp1252":
        report.note(f"{table.name}: read as Windows-1252 (Latin-1): no byte of it is UTF-8")
    numeric = [c for k, c in tm.field_columns().items() if BY_KEY[k].kind in NUMERIC_KINDS]
    if decided is None:
        marks, notes = decimals.decide(table, numeric, mapping.decimal_marks)
    else:
        marks, notes = decided.marks, []
    for note in notes:
        if note not in report.notes:
            report.note(note)
    for key, column in tm.field_columns().items():
        f = BY_KEY[key]
        values, bad = clean_column(raw[column], f, table.name, column, mapping, aliases, out,
                                   report, marks.get(column),
                                   None if decided is None else decided.for_column(column))
        out[key] = values
        rejected |= bad
        note_source(report, f, raw[column], table, column)
    for key, constant in tm.constants.items():
        f = BY_KEY[key]
        out[key] = _constant(constant, f, table.name, mapping)
        report.fix("constants", len(out))
        report.constant_keys.add(key)
    if tm.role == "sales" and decided is not None:
        rejected |= decided.duplicates.check(table, tm, out, report, rejected,
                                             mapping.drop_duplicates)
    elif tm.role == "sales":
        rejected |= sales_duplicates(table, tm, out, report, rejected, mapping.drop_duplicates)
    else:
        rejected |= _duplicates(table, tm, out, report, rejected)
    _remember_records(table, rejected, report)
    kept = out.loc[~rejected].reset_index(drop=True)
    counts = report.tables.setdefault(table.name, _counts(table.name, tm.role))
    counts.read, counts.kept, counts.rejected = len(raw), len(kept), int(rejected.sum())
    return Cleaned(table.name, tm.role, kept)


def _counts(name: str, role: str):
    from dashboard.ingest.report import TableCounts

    return TableCounts(name, role)


def clean_column(text: pd.Series, f: Field, table: str, column: str, mapping: Mapping,
                 aliases: dict[str, dict[str, str]], rows: pd.DataFrame,
                 report: QualityReport, decimal: str | None = None, decided=None
                 ) -> tuple[pd.Series, np.ndarray]:
    """Values of one field and a mask of rows rejected because of it.

    `decided` is a chunked import's whole-column decision for this column: (day_first, note)
    for a date, the case-variant lookup for a category."""
    d, tidy, empty = tidy_distinct(text, f)  # each distinct text is trimmed and checked once
    report.fix("trim_whitespace", d.count((tidy != d.values).to_numpy()))
    stripped = d.series(tidy)
    missing = d.cells(empty, True)
    broken = d.cells(bad_bytes(tidy) & ~empty, False)
    if broken.any():
        report.reject(table, rows, broken, column, text,
                      f"{f.name}: a byte that is not text in this file's encoding "
                      "(shown as \\xNN)")
    present = stripped.where(~(missing | broken))
    bad = np.zeros(len(text), dtype=bool)
    wild = broken.copy()
    if f.kind in ("date",):
        parsed = parse_date(present, mapping.date_order, (table, column), decided)
        values, bad = parsed.values, parsed.bad
        _fixes(report, parsed.fixed)
        if parsed.note and parsed.note not in report.notes:
            report.note(parsed.note)
    elif f.kind in NUMERIC_KINDS:
        parsed = parse_number(present, percent=f.kind == "percent", decimal=decimal)
        values, bad = parsed.values, parsed.bad
        _fixes(report, parsed.fixed)
        wild = _beyond_bounds(values, f)
        if wild.any():  # rejected under its own reason, not "not a number"
            report.reject(table, rows, wild, column, text, _bound_reason(f))
            values = values.where(~wild)
    elif f.kind == "category":
        values = _unify(present, f, aliases, report, decided)
    else:
        values = present
    if bad.any():
        what = {"date": "a date", "percent": "a percentage", "money": "an amount"}.get(
            f.kind, "a number")
        report.reject(table, rows, bad, column, text, f"{f.name}: not {what}")
    bad = bad | wild
    missing_rows = missing & ~bad
    if missing_rows.any():
        policy = mapping.policy(f.key)
        if policy == "drop":
            report.reject(table, rows, missing_rows, column, text, f"{f.name}: missing")
            bad = bad | missing_rows
        elif policy.startswith("fill:"):
            values = values.copy()
            values[missing_rows] = _constant(policy[5:], f, table, mapping)
            report.fix("missing_filled", int(missing_rows.sum()))
        elif f.kind in TEXT_KINDS:
            values = values.copy()
            values[missing_rows] = UNKNOWN
            report.fix("missing_unknown", int(missing_rows.sum()))
        else:
            report.fix("missing_unknown", int(missing_rows.sum()))
    return values, bad


def tidy_distinct(text: pd.Series, f: Field):
    """The distinct values of a column, trimmed, and which of them count as empty."""
    d = distinct(text)
    tidy = d.values.str.strip()
    if f.kind in ("text", "category"):
        tidy = tidy.str.replace(r"\s{2,}", " ", regex=True)
    empty = (tidy == "").to_numpy()
    if f.kind not in TEXT_KINDS:  # casefold never shortens, so only short values can be one
        short = (tidy.str.len() <= NULL_LONGEST).to_numpy(dtype=bool)
        if short.any():
            nulls = np.zeros(len(tidy), dtype=bool)
            nulls[short] = tidy[short].str.casefold().isin(NULL_TOKENS).to_numpy()
            empty = empty | nulls
    return d, tidy, empty


def _beyond_bounds(values: pd.Series, f: Field) -> np.ndarray:
    """Values that parsed but cannot be real: inf, NaN spelled out, or past the field's bound."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    wild = ~pd.isna(values).to_numpy() & ~np.isfinite(numbers)
    if f.bound is not None:
        with np.errstate(invalid="ignore"):
            wild |= np.abs(numbers) > f.bound
    return wild


def _bound_reason(f: Field) -> str:
    limit = f"{f.bound:.0%}" if f.kind == "percent" else f"{f.bound:,.0f}"
    return f"{f.name}: not a finite number, or beyond ±{limit} (a broken cell, not a value)"


def _fixes(report: QualityReport, fixed: dict[str, int]) -> None:
    for rule, count in fixed.items():
        report.fix(rule, count)


def _unify(values: pd.Series, f: Field, aliases: dict[str, dict[str, str]],
           report: QualityReport, lookup: dict[str, str] | None = None) -> pd.Series:
    """Alias-table corrections, then one spelling per case-insensitive value (the commonest;
    `lookup` when it was decided from the whole column already)."""
    values = corrected(values, f, aliases, report)
    if lookup is None:
        lookup = variant_lookup(values.value_counts())
    if not lookup:
        return values
    changed = values.isin(list(lookup))
    report.fix("case_variants", int(changed.sum()))
    return values.where(~changed, values.map(lookup))


def corrected(values: pd.Series, f: Field, aliases: dict[str, dict[str, str]],
              report: QualityReport | None) -> pd.Series:
    """Values with the alias table's corrections (counted as value_aliases)."""
    table = aliases.get(f.name, {})
    if table:
        folded = values.str.casefold()
        fixed = folded.map(table)
        hit = fixed.notna() & (fixed != values)
        if report is not None:
            report.fix("value_aliases", int(hit.sum()))
        values = values.where(~hit, fixed)
    return values


def variant_lookup(counts: pd.Series) -> dict[str, str]:
    """Each spelling that differs only in case from a commoner one -> that commoner one."""
    if counts.empty:
        return {}
    frame = counts.rename("n").reset_index().rename(columns={counts.index.name or "index": "v"})
    frame.columns = ["v", "n"]
    frame["key"] = frame["v"].str.casefold()
    best = frame.sort_values(["key", "n", "v"], ascending=[True, False, True]).drop_duplicates(
        "key").set_index("key")["v"]
    variants = frame.loc[frame["v"] != frame["key"].map(best), "v"]
    return {v: best[v.casefold()] for v in variants}


def _constant(value: str, f: Field, table: str, mapping: Mapping):
    series = pd.Series([value], dtype="str")
    if f.kind == "date":
        parsed = parse_date(series, mapping.date_order, (table, f.key))
    elif f.kind in ("number", "money", "float", "percent"):
        parsed = parse_number(series, percent=f.kind == "percent")
    else:
        return value
    if parsed.bad.any():
        raise ImportProblem(f"the constant for {f.key} is not {f.kind}", file=table,
                            column=f.key, value=value)
    return parsed.values.iloc[0]


def _duplicates(table: RawTable, tm: TableMapping, out: pd.DataFrame,
                report: QualityReport, rejected: np.ndarray) -> np.ndarray:
    """Exact copies of an earlier row, then repeated keys with different content."""
    columns = list(tm.field_columns().values())
    if not columns:
        return np.zeros(len(out), dtype=bool)
    copies = table.frame[columns].duplicated(keep="first").to_numpy() & ~rejected
    if copies.any():
        report.reject(table.name, out, copies, "(whole row)", "", "duplicate row (exact copy)")
    key = {"sales": "sales.sale_id", "products": "products.product_id",
           "stores": "stores.store_id"}.get(tm.role)
    repeated = np.zeros(len(out), dtype=bool)
    if key and key in out:
        live = ~(rejected | copies)
        dup = out[key].where(live).duplicated(keep="first").to_numpy() & live
        dup &= out[key].notna().to_numpy()
        if dup.any():
            column = tm.field_columns()[key]
            report.reject(table.name, out, dup, column, table.frame[column],
                          f"{key.split('.')[1]}: duplicate (an earlier row has it)")
            repeated = dup
    return copies | repeated


def _remember_records(table: RawTable, rejected: np.ndarray, report: QualityReport) -> None:
    """The raw rows that were rejected, for the downloadable CSV."""
    if not rejected.any():
        return
    frame = table.frame.loc[rejected]
    rows = table.rows[rejected]
    for row, record in zip(rows, frame.to_dict("records"), strict=True):
        report.records[(table.name, int(row))] = {
            k: show_bytes(v) if isinstance(v, str) else v for k, v in record.items()}
