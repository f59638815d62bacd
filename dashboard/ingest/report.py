"""The data-quality report of one import: rows read, kept, fixed per rule, rejected per reason.

Rejected rows keep their file, row, column, value and reason, and are written as a CSV the user
can download and fix. Counts are per table, so "rows read = kept + rejected" holds for each.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.csv_safe import SafeWriter
from dashboard.ingest.currency import Seen
from dashboard.ingest.encoding import show_bytes

RULES = {
    "trim_whitespace": "leading/trailing/double spaces removed",
    "currency_symbols": "currency symbols removed from amounts ($9.99 -> 9.99)",
    "thousands_separators": "thousands separators removed (1,234 -> 1234)",
    "decimal_comma": "decimal commas read as points (9,99 -> 9.99)",
    "negative_parentheses": "accounting negatives read ((12.00) -> -12)",
    "percentages": "percentages made fractions (15% -> 0.15)",
    "date_format": "dates in another format converted to ISO dates",
    "two_digit_years": "two-digit years expanded (19 -> 2019)",
    "case_variants": "spellings differing only in case unified to the most common one",
    "value_aliases": "values corrected through the alias table (data/aliases.csv)",
    "missing_unknown": "missing values marked Unknown (policy: unknown)",
    "missing_filled": "missing values filled with the column's fill value (policy: fill)",
    "constants": "values set from a constant given in the mapping",
    "returns_sign": "revenue/cost made negative for returns (negative units)",
    "derived_revenue": "revenue derived as units x unit price x (1 - discount)",
    "derived_cost": "cost derived as units x the product's unit cost",
    "derived_unit_price": "unit price taken from the product table",
    "derived_region": "region looked up from city/state in the regions table",
    "derived_state": "state looked up from the city in the regions table",
    "derived_order_id": "no order id: each sale line is its own order",
    "derived_sale_id": "no sale id: the source file and row number identify each line",
    "derived_cost_from_profit": "cost derived as revenue - profit (the file has profit, no cost)",
    "derived_profit": "profit derived as revenue - cost",
    "derived_product_id": "no product id: the product name identifies the product",
    "filled_from_stores": "empty line attributes (region/state/city) filled from the stores table",
    "filled_from_products": "empty line attributes (name/category) filled from the products table",
    "duplicates_dropped": "exact duplicate lines dropped, as chosen (drop duplicates)",
}
FLAGS = {
    "duplicate_lines": "exact duplicate lines kept as separate sales (choose drop duplicates "
                       "to remove them)",
    "returns": "returns kept (negative units)",
    "outliers": "values flagged as outliers (kept; check them)",
}


@dataclass
class Problem:
    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass
class TableCounts:
    name: str
    role: str
    read: int = 0
    kept: int = 0
    rejected: int = 0


@dataclass
class QualityReport:
    tables: dict[str, TableCounts] = field(default_factory=dict)
    fixed: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    examples: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    records: dict[tuple[str, int], dict] = field(default_factory=dict)
    derived_keys: set[str] = field(default_factory=set)  # fields made up, not read
    field_columns: dict[str, list[str]] = field(default_factory=dict)  # key -> "file · column"
    constant_keys: set[str] = field(default_factory=set)
    dimensions: list[dict] = field(default_factory=list)  # where each dimension came from
    conflicts: list[dict] = field(default_factory=list)  # ids whose lines disagree
    totals: dict = field(default_factory=dict)  # what the import will produce
    currency: dict = field(default_factory=dict)  # code, how it was decided, symbols seen
    seen_currency: Seen = field(default_factory=Seen)  # currency marks in amount cells
    dropped_by_choice: int = 0  # rejected because the user chose so (not held to the limit)

    def source(self, key: str, table: str, column: str) -> None:
        """Remember which column of which file filled a field (for the report)."""
        self.field_columns.setdefault(key, []).append(f"{column} ({table})")

    def fix(self, rule: str, count: int) -> None:
        if count:
            self.fixed[rule] += int(count)

    def flag(self, name: str, count: int, example: dict | None = None) -> None:
        if count:
            self.flags[name] += int(count)
            if example is not None:
                self.examples.setdefault(name, []).append(example)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def reject(self, table: str, frame: pd.DataFrame, mask: np.ndarray, column: str,
               values: pd.Series | str, reason: str) -> None:
        """Record rows of `frame` (which carries __row and the raw columns) as rejected."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = frame.loc[mask, "__row"].to_numpy()
        shown = ([values] * len(rows) if isinstance(values, str)
                 else [show_bytes(v) for v in
                       values[mask].astype(object).fillna("").astype(str).tolist()])
        self.problems += [Problem(table, int(r), column, v, reason)
                          for r, v in zip(rows, shown, strict=True)]

    def table_summary(self) -> list[dict]:
        return [vars(t) for t in self.tables.values()]

    def first_problems(self) -> list[Problem]:
        """One problem per rejected row: the first found."""
        seen, out = set(), []
        for p in self.problems:
            if (p.file, p.row) not in seen:
                seen.add((p.file, p.row))
                out.append(p)
        return out

    def rows_read(self) -> int:
        return sum(t.read for t in self.tables.values())

    def rows_rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    def rows_rejected_unchosen(self) -> int:
        """Rejected rows the user did not ask to drop (held to DASHBOARD_IMPORT_MAX_REJECTED)."""
        return self.rows_rejected() - self.dropped_by_choice

    def count_reasons(self) -> None:
        self.rejected = Counter(p.reason for p in self.first_problems())

    def as_dict(self) -> dict:
        self.count_reasons()
        return {
            "rows_read": self.rows_read(),
            "rows_kept": sum(t.kept for t in self.tables.values()),
            "rows_rejected": self.rows_rejected(),
            "tables": self.table_summary(),
            "fixed": [{"rule": r, "count": n, "what": RULES.get(r, r)}
                      for r, n in sorted(self.fixed.items())],
            "rejected": [{"reason": r, "count": n} for r, n in self.rejected.most_common()],
            "rejected_examples": [vars(p) for p in self.first_problems()[:10]],
            "flags": [{"flag": f, "count": n, "what": FLAGS.get(f, f),
                       "examples": self.examples.get(f, [])[:10]}
                      for f, n in sorted(self.flags.items())],
            "notes": self.notes,
            "dimensions": self.dimensions,
            "conflicts": self.conflicts,
            "totals": self.totals,
            "currency": self.currency,
        }

    def write_rejected_csv(self, path: Path) -> int:
        """file,row,column,value,reason,record (the raw row as JSON); returns rows written."""
        problems = sorted(self.first_problems(), key=lambda p: (p.file, p.row))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = SafeWriter(handle)
            writer.writerow(["file", "row", "column", "value", "reason", "record"])
            for p in problems:
                record = self.records.get((p.file, p.row), {})
                writer.writerow([p.file, p.row, p.column, p.value, p.reason,
                                 json.dumps(record, ensure_ascii=False)])
        return len(problems)


def line_totals(sales: pd.DataFrame) -> dict:
    """The totals an import produces: lines, orders, units and every amount column."""
    out = {"lines": int(len(sales)),
           "orders": int(sales["order_id"].nunique()) if "order_id" in sales else int(len(sales))}
    for column in ("units", "revenue", "cost", "profit"):
        if column in sales and sales[column].notna().any():
            value = float(sales[column].sum())
            out[column] = int(value) if column == "units" and value.is_integer() else value
        else:
            out[column] = None
    if "discount" in sales and "revenue" in sales and sales["discount"].notna().any():
        out["discount_avg"] = float(sales["discount"].mean())
    dates = pd.to_datetime(sales["date"]) if "date" in sales else pd.Series(dtype="datetime64[ns]")
    out["first_date"] = dates.min().date().isoformat() if len(dates) else None
    out["last_date"] = dates.max().date().isoformat() if len(dates) else None
    return out


def _amount(value, currency: str) -> str:
    return "—" if value is None else f"{value:,.2f} {currency}"


def render_totals(report: dict) -> list[str]:
    t, code = report.get("totals") or {}, (report.get("currency") or {}).get("code", "")
    if not t:
        return []
    lines = [f"totals: {t['lines']:,} lines, {t['orders']:,} orders, "
             f"{t['first_date']} to {t['last_date']}",
             f"  units {t['units']:,}" if t["units"] is not None else "  units —",
             f"  revenue {_amount(t['revenue'], code)}", f"  cost {_amount(t['cost'], code)}",
             f"  profit {_amount(t['profit'], code)}"]
    if t.get("discount_avg") is not None:
        lines.append(f"  average discount {t['discount_avg']:.1%}")
    return lines


def render_text(report: dict) -> str:
    """The report as the CLI prints it."""
    lines = [f"rows read {report['rows_read']:,}, kept {report['rows_kept']:,}, "
             f"rejected {report['rows_rejected']:,}"]
    currency = report.get("currency") or {}
    if currency:
        lines.append(f"currency: {currency['code']} ({currency['how']})")
    for t in report["tables"]:
        lines.append(f"  {t['name']} ({t['role']}): read {t['read']:,}, kept {t['kept']:,}, "
                     f"rejected {t['rejected']:,}")
    lines += render_totals(report)
    if report["fixed"]:
        lines.append("fixed:")
        lines += [f"  {f['rule']}: {f['count']:,} ({f['what']})" for f in report["fixed"]]
    if report["rejected"]:
        lines.append("rejected:")
        lines += [f"  {r['reason']}: {r['count']:,}" for r in report["rejected"]]
    if report["flags"]:
        lines.append("flagged:")
        lines += [f"  {f['flag']}: {f['count']:,} ({f['what']})" for f in report["flags"]]
    if report.get("conflicts"):
        lines.append("conflicting ids (each line keeps its own value):")
        for c in report["conflicts"]:
            shown = "; ".join(f"{e['id']}: " + ", ".join(f"{v} ({n:,})" for v, n in
                                                         e["values"].items())
                              for e in c["examples"][:3])
            lines.append(f"  {c['key']} with more than one {c['attribute']}: {c['ids']:,} ids, "
                         f"{c['lines']:,} lines, e.g. {shown}")
    if report.get("dimensions"):
        lines.append("dimensions (where each came from; lines Unknown and why):")
        for d in report["dimensions"]:
            why = ", ".join(f"{k}: {v:,}" for k, v in d["why"].items())
            unknown = f"; {d['unknown']:,} Unknown" + (f" ({why})" if why else "")
            lines.append(f"  {d['label']}: {d['source']}" + (unknown if d["unknown"] else ""))
    if report["notes"]:
        lines.append("notes:")
        lines += [f"  {n}" for n in report["notes"]]
    return "\n".join(lines)
