"""The currency of a dataset: read from the symbols and codes in its amount cells, or set in the
mapping, and stored as an ISO code in the version's meta (`currency`) so every page formats
amounts in it. Amounts in two currencies cannot be summed, so such a file is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

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
    """Count the currency marks of one amount column (plain numbers are skipped fast)."""
    plain = pd.to_numeric(text, errors="coerce").notna().to_numpy()
    rest = text[~plain & text.notna().to_numpy()]
    if rest.empty:
        return
    marks = rest.str.extract(f"({CURRENCY})", expand=False).dropna()
    if marks.empty:
        return
    codes = marks.map(lambda m: SYMBOLS.get(m, m))
    for code, count in codes.value_counts().items():
        seen.counts[code] = seen.counts.get(code, 0) + int(count)
        if code not in seen.first:
            index = codes.index[codes == code][0]
            position = text.index.get_loc(index)
            seen.first[code] = (table, int(rows[position]), column, str(text.loc[index]))
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
