"""Which mark a numeric column writes decimals with, decided from all its values.

`16,448` is sixteen thousand in a US export and sixteen in a European one; reading it the wrong
way multiplies revenue by a thousand without a word. So the decision is never taken per value:
every distinct value of the column is classified, and
- a value only one reading allows (`3,54`, `1.234,50`, `0,5`, `1.234.567`) is evidence;
- evidence for both marks in one column is refused, naming a value of each kind;
- with evidence for one mark, the column uses it;
- with none (only values like `1,234` or `1.500`), the other numeric columns of the same file
  decide; failing that, `1,234` in a comma-delimited file is a thousands comma (a decimal comma
  would clash with the delimiter), and anything else (`16.448` anywhere, `16,448` in a semicolon
  file) asks (DecimalMarkAmbiguous) instead of guessing.
A mark the user chose (mapping `decimal_marks`, `--decimal-mark COLUMN=,`) always wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.ingest.errors import ImportProblem

COMMA, POINT = ",", "."
MARKS = (COMMA, POINT)
MARK_NAMES = {COMMA: "decimal comma", POINT: "decimal point"}

# Patterns over a value reduced to its digits, commas and points.
_ONLY_COMMA = (r"^\d{1,3}(?:\.\d{3})+,\d*$|^\d*,(?:\d{1,2}|\d{4,})$|^0,\d+$|^\d{4,},\d+$"
               r"|^\d{1,3}(?:\.\d{3}){2,}$")
_ONLY_POINT = (r"^\d{1,3}(?:,\d{3})+\.\d*$|^\d*\.(?:\d{1,2}|\d{4,})$|^0\.\d+$|^\d{4,}\.\d+$"
               r"|^\d{1,3}(?:,\d{3}){2,}$")
_COMMA3, _POINT3 = r"^\d{1,3},\d{3}$", r"^\d{1,3}\.\d{3}$"  # fit both readings


class DecimalMarkAmbiguous(ImportProblem):
    """Values like 16,448 fit both readings and nothing in the file decides."""


@dataclass
class Evidence:
    comma: str | None = None  # an example value only a decimal comma explains
    point: str | None = None
    comma3: str | None = None  # 16,448: a decimal comma, or a thousands comma
    point3: str | None = None  # 16.448: a decimal point, or a thousands point

    @property
    def either(self) -> str | None:
        return self.point3 or self.comma3


def evidence(values: pd.Series) -> Evidence:
    """What the distinct values of a text column say about its decimal mark."""
    distinct = pd.Series(values.dropna().unique(), dtype="str")
    if distinct.empty:
        return Evidence()
    core = distinct.str.replace(r"[^\d,.]", "", regex=True)

    def first(pattern: str) -> str | None:
        hit = core.str.contains(pattern, regex=True)
        return str(distinct[hit.to_numpy()].iloc[0]) if hit.any() else None

    return Evidence(first(_ONLY_COMMA), first(_ONLY_POINT), first(_COMMA3), first(_POINT3))


def decide(table, columns: list[str], chosen: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """column -> mark for `columns` of `table` (a RawTable), and notes saying why."""
    seen = {c: evidence(table.frame[c]) for c in columns if c not in chosen}
    return decide_from(table.name, table.delimiter, columns, seen, chosen,
                       lambda column, value: _row_of(table, column, value))


def merge(first: Evidence, later: Evidence) -> Evidence:
    """Evidence of two consecutive parts of a column: each example is the earliest one."""
    return Evidence(first.comma or later.comma, first.point or later.point,
                    first.comma3 or later.comma3, first.point3 or later.point3)


def decide_from(name: str, delimiter: str | None, columns: list[str],
                seen: dict[str, Evidence], chosen: dict[str, str],
                row_of) -> tuple[dict[str, str], list[str]]:
    """`decide` from evidence already gathered (`row_of(column, value)` finds a value's row)."""
    marks = {c: chosen[c] for c in columns if c in chosen}
    notes = [f"{name} {c}: {MARK_NAMES[m]}, as chosen" for c, m in marks.items()]
    for column, ev in seen.items():
        if ev.comma and ev.point:
            raise ImportProblem(
                f"this column mixes a decimal comma ({ev.comma!r}) and a decimal point "
                f"({ev.point!r}); fix the export so one mark is used",
                file=name, row=row_of(column, ev.point), column=column,
                value=ev.point)
        if ev.comma or ev.point:
            marks[column] = COMMA if ev.comma else POINT
            example = ev.comma or ev.point
            if ev.either or marks[column] == COMMA:
                notes.append(f"{name} {column}: {MARK_NAMES[marks[column]]}, decided from "
                             f"the data (e.g. {example!r})")
    decided = {marks[c] for c, ev in seen.items() if ev.comma or ev.point}
    for column, ev in seen.items():
        if column in marks:
            continue
        if not ev.either:
            marks[column] = POINT  # whole numbers only: nothing to decide
        elif len(decided) == 1:
            marks[column] = next(iter(decided))
            notes.append(f"{name} {column}: {MARK_NAMES[marks[column]]} like the file's "
                         f"other numeric columns (e.g. {ev.either!r} read that way)")
        elif (delimiter or COMMA) == COMMA and not ev.point3:
            marks[column] = POINT
            notes.append(f"{name} {column}: {ev.comma3!r} read with a thousands comma "
                         "(a comma-separated file writes decimals with a point)")
        else:
            raise DecimalMarkAmbiguous(
                f"in {ev.either!r} the separator could mark decimals or thousands and nothing "
                "in the file decides; choose the decimal mark: --decimal-mark "
                f"'{column}=,' or '{column}=.' on the command line, or on the Data page",
                file=name, row=row_of(column, ev.either), column=column,
                value=ev.either)
    return marks, notes


def _row_of(table, column: str, value: str | None) -> int | None:
    if value is None:
        return None
    hits = (table.frame[column] == value).to_numpy().nonzero()[0]
    return int(table.rows[hits[0]]) if len(hits) else None
