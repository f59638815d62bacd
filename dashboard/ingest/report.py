"""The data-quality report of one import: rows read, kept, fixed per rule, rejected per reason.

Rejected rows keep their file, row, column, value and reason, and are written as a CSV the user
can download and fix. Counts are per table, so "rows read = kept + rejected" holds for each.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

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
}
FLAGS = {
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
                 else values[mask].astype(object).fillna("").astype(str).tolist())
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
            "flags": [{"flag": f, "count": n, "what": FLAGS.get(f, f),
                       "examples": self.examples.get(f, [])[:10]}
                      for f, n in sorted(self.flags.items())],
            "notes": self.notes,
        }

    def write_rejected_csv(self, path: Path) -> int:
        """file,row,column,value,reason,record (the raw row as JSON); returns rows written."""
        problems = sorted(self.first_problems(), key=lambda p: (p.file, p.row))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "row", "column", "value", "reason", "record"])
            for p in problems:
                record = self.records.get((p.file, p.row), {})
                writer.writerow([p.file, p.row, p.column, p.value, p.reason,
                                 json.dumps(record, ensure_ascii=False)])
        return len(problems)


def render_text(report: dict) -> str:
    """The report as the CLI prints it."""
    lines = [f"rows read {report['rows_read']:,}, kept {report['rows_kept']:,}, "
             f"rejected {report['rows_rejected']:,}"]
    for t in report["tables"]:
        lines.append(f"  {t['name']} ({t['role']}): read {t['read']:,}, kept {t['kept']:,}, "
                     f"rejected {t['rejected']:,}")
    if report["fixed"]:
        lines.append("fixed:")
        lines += [f"  {f['rule']}: {f['count']:,} ({f['what']})" for f in report["fixed"]]
    if report["rejected"]:
        lines.append("rejected:")
        lines += [f"  {r['reason']}: {r['count']:,}" for r in report["rejected"]]
    if report["flags"]:
        lines.append("flagged:")
        lines += [f"  {f['flag']}: {f['count']:,} ({f['what']})" for f in report["flags"]]
    if report["notes"]:
        lines.append("notes:")
        lines += [f"  {n}" for n in report["notes"]]
    return "\n".join(lines)
