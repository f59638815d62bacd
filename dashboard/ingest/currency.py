"""The currency of a dataset: read from the symbols and codes in its amount cells, or set in the
mapping, and stored as an ISO code in the version's meta (`currency`) so every page formats
amounts in it. Amounts in two currencies cannot be summed, so such a file is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ingest.distinct import distinct
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.parse import CURRENCY

DEFAULT = "USD"
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
CODE = re.compile(r"^[A-Z]{3}$")


@dataclass
class Seen:
    """Currency marks found in amount cells: code -> (lines, first file/row/column/value)."""

    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, tuple[str, int, str, str]] = field(default_factory=dict)
    dollar_only: bool = True


def scan(seen: Seen, text: pd.Series, rows, table: str, column: str) -> None:
    """Count the currency marks of one amount column, looking at each distinct value once."""
    d = distinct(text)
    plain = pd.to_numeric(d.values, errors="coerce").notna().to_numpy()
    rest = d.values[~plain]
    if rest.empty:
        return
    marks = rest.str.extract(f"({CURRENCY})", expand=False).dropna()
    if marks.empty:
        return
    codes = marks.map(lambda m: SYMBOLS.get(m, m))  # indexed by position in d.values
    cells = pd.Series(d.counts[codes.index.to_numpy()], index=codes.index)
    totals = cells.groupby(codes.to_numpy(), sort=False).sum().sort_values(
        ascending=False, kind="stable")
    for code, count in totals.items():
        seen.counts[code] = seen.counts.get(code, 0) + int(count)
        if code not in seen.first:
            value = int(codes.index[(codes == code).to_numpy()][0])  # first in the file
            position = int(np.flatnonzero(d.codes == value)[0])
            seen.first[code] = (table, int(rows[position]), column, str(d.values[value]))
    if (marks != "$").any():
        seen.dollar_only = False


def decide(seen: Seen, chosen: str | None) -> dict:
    """The dataset's currency and how it was decided; refuses amounts in two currencies."""
    marks = ", ".join(f"{code}: {n:,} cells" for code, n in sorted(seen.counts.items()))
    if chosen and chosen.lower() != "auto":
        code = chosen.strip().upper()
        if not CODE.match(code):
            raise ImportProblem("the currency must be a three-letter ISO code (USD, EUR, MXN…)",
                                file="mapping", column="currency", value=chosen)
        how = "set in the mapping" + (f"; the file shows {marks}" if marks else "")
        return {"code": code, "how": how, "seen": seen.counts}
    if len(seen.counts) > 1:
        (a, first), (b, second) = sorted(seen.first.items())[:2]
        raise ImportProblem(
            f"amounts are in more than one currency ({marks}), e.g. {a} in {first[0]} row "
            f"{first[1]} and {b} in {second[0]} row {second[1]}; amounts in different "
            "currencies cannot be added up: convert the file to one currency",
            file=second[0], row=second[1], column=second[2], value=second[3])
    if seen.counts:
        code = next(iter(seen.counts))
        how = f"from the amounts ({marks})"
        if seen.dollar_only:
            how += "; $ is read as USD: set the currency in the mapping for pesos or others"
        return {"code": code, "how": how, "seen": seen.counts}
    return {"code": DEFAULT, "how": f"no currency marks in the amounts; {DEFAULT} assumed "
            "(set the currency in the mapping to change it)", "seen": {}}
