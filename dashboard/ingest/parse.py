"""Vectorised value parsers: amounts, numbers, percentages and dates written the many ways
exports write them. Each returns the values, a mask of what failed, and how many it fixed per
named rule, so the quality report can say what changed.

A value that already parses is left alone (the fast path); only the rest go through the slower
clean-up, so a clean 800,000-row column costs one pandas call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ingest.distinct import Distinct, distinct
from dashboard.ingest.errors import ImportProblem

CURRENCY = r"[$€£¥₹]|\b(?:USD|MXN|EUR|GBP|INR|CAD|AUD)\b"
DATE_ORDERS = ("auto", "day_first", "month_first")


@dataclass
class Parsed:
    values: pd.Series
    bad: np.ndarray  # True where a value was present but could not be read
    fixed: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    day_first: bool | None = None  # the order the D/M/Y values were read in, if any


def _count(mask, weights: np.ndarray) -> int:
    """Cells flagged by `mask`, a mask over distinct values each held by `weights` cells."""
    return int(weights[np.asarray(mask, dtype=bool)].sum())


def parse_number(text: pd.Series, percent: bool = False, decimal: str | None = None) -> Parsed:
    """Numbers, amounts ('$1,234.50 ', '1.234,50 €', '(12.00)') and, if `percent`, '15%'.

    `decimal` is the column's decimal mark ("," or ".", see decimals.py); without it the mark
    is guessed from these values alone, which only proposals and constants rely on. With it, a
    value whose separators do not fit the mark (3,54 in a decimal-point column) is not a number.
    """
    d = distinct(text)
    once = _parse_numbers(d.values, percent, decimal, d.counts)
    values = pd.Series(d.cells(once.values.to_numpy(dtype="float64"), np.nan), index=text.index,
                       name=text.name)
    return Parsed(values, d.cells(once.bad, False), once.fixed)


def _parse_numbers(text: pd.Series, percent: bool, decimal: str | None,
                   weights: np.ndarray) -> Parsed:
    """parse_number over distinct values; `weights` (cells per value) make counts of cells."""
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    if decimal == ",":  # 1.234 is a thousand here, not what to_numeric reads
        values[text.str.contains(".", regex=False).fillna(False).to_numpy()] = np.nan
    todo = values.isna().to_numpy() & text.notna().to_numpy()
    fixed: dict[str, int] = {}
    if todo.any():
        raw = text[todo].astype(str)
        w = weights[todo]
        paren = raw.str.match(r"^\(.*\)$").to_numpy()
        core = raw.str.replace(r"^\((.*)\)$", r"\1", regex=True)
        symbol = core.str.contains(CURRENCY, regex=True).to_numpy()
        core = core.str.replace(CURRENCY, "", regex=True)
        pct = core.str.contains("%", regex=False).to_numpy()
        core = core.str.replace("%", "", regex=False).str.strip()
        spaced = core.str.contains("[ \u00a0\u202f]", regex=True).to_numpy(dtype=bool)
        if spaced.any():  # the look-around pattern runs in Python: only where it can match
            core = core.copy()
            core[spaced] = core[spaced].str.replace(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "",
                                                    regex=True)
        comma_decimal = _decimal_comma(core) if decimal is None else decimal == ","
        if decimal is not None:
            fits = core.str.fullmatch(_GROUPED[decimal]).to_numpy()
            core = core.where(fits, "not a number")
        if comma_decimal:
            thousands = core.str.contains(".", regex=False).to_numpy()
            core = core.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            fixed["decimal_comma"] = _count(core.str.contains(".", regex=False), w)
        else:
            thousands = core.str.contains(",", regex=False).to_numpy()
            core = core.str.replace(",", "", regex=False)
        number = pd.to_numeric(core, errors="coerce").astype("float64").to_numpy()
        number = np.where(paren, -number, number)
        if percent:
            number = np.where(pct, number / 100.0, number)
        elif pct.any():
            number = np.where(pct, np.nan, number)
        ok = ~np.isnan(number)
        values.iloc[np.flatnonzero(todo)] = number
        fixed.update({
            "currency_symbols": _count(symbol & ok, w),
            "thousands_separators": _count(thousands & ok, w),
            "negative_parentheses": _count(paren & ok, w),
            "percentages": _count(pct & ok, w) if percent else 0,
        })
    bad = values.isna().to_numpy() & text.notna().to_numpy()
    if percent:
        plain = ~bad & text.notna().to_numpy() & ~text.fillna("").str.contains("%").to_numpy()
        if plain.any() and values[plain].abs().max() > 1:  # '15' in a discount column is 15%
            values[plain] = values[plain] / 100.0
            fixed["percentages"] = fixed.get("percentages", 0) + _count(plain, weights)
    return Parsed(values, bad, {k: v for k, v in fixed.items() if v})


_GROUPED = {  # a sign, then digits grouped by the other mark (or not), then the decimals
    ",": r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)?(?:,\d*)?(?:[eE][-+]?\d+)?",
    ".": r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][-+]?\d+)?",
}


def _decimal_comma(core: pd.Series) -> bool:
    """Does this column write decimals with a comma (1.234,50 or 9,99)?"""
    dot_then_comma = core.str.contains(r"\.\d{3},", regex=True).any()
    comma_then_dot = core.str.contains(r",\d{3}\.", regex=True).any()
    if dot_then_comma and not comma_then_dot:
        return True
    if comma_then_dot:
        return False
    no_dots = not core.str.contains(".", regex=False).any()
    short_tail = core.str.contains(r",\d{1,2}$", regex=True).any()
    thousands_tail = core.str.contains(r",\d{3}$", regex=True).any()
    return bool(no_dots and short_tail and not thousands_tail)


_DMY = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$"
_YMD = r"^\s*(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T].*)?$"


def parse_date(text: pd.Series, order: str, where: tuple[str, str],
               decided: tuple[bool, str] | None = None) -> Parsed:
    """Dates as ISO, Y/M/D, D/M/Y or M/D/Y (order decided from values >12), or spelled out.

    When no value tells day-first from month-first, `order` decides; if it is "auto" the import
    stops and asks (DateOrderAmbiguous), because a silent guess would shift sales by months.
    `decided` (day_first, note) is an order already taken from the whole column (a chunked
    import decides it from every chunk's values before cleaning any).
    """
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}")
    d = distinct(text)
    once = _parse_dates(d.values, order, where, d, decided)
    values = pd.Series(d.cells(once.values.to_numpy(dtype="datetime64[ns]"),
                               np.datetime64("NaT", "ns")), index=text.index, name=text.name)
    return Parsed(values, d.cells(once.bad, False), once.fixed, once.note, once.day_first)


def _parse_dates(text: pd.Series, order: str, where: tuple[str, str], d: Distinct,
                 decided: tuple[bool, str] | None = None) -> Parsed:
    """parse_date over the distinct values `text` (of `d`); fix counts are counts of cells."""
    values = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    todo = values.isna().to_numpy() & text.notna().to_numpy()
    fixed: dict[str, int] = {}
    note = None
    day_first = None
    if todo.any():
        raw = text[todo].astype(str)
        out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        ymd = raw.str.extract(_YMD).astype("float64")
        hit = ymd[0].notna()
        out[hit] = _assemble(ymd.loc[hit, 0], ymd.loc[hit, 1], ymd.loc[hit, 2])
        dmy = raw[~hit].str.extract(_DMY).astype("float64")
        has = dmy[0].notna()
        if has.any():
            a, b, y = dmy.loc[has, 0], dmy.loc[has, 1], dmy.loc[has, 2]
            day_first, note = decided or _decide_order(raw[~hit][has], a, b, order, where)
            years = y.where(y >= 100, _expand_years(y))
            fixed["two_digit_years"] = d.count(y < 100)
            day, month = (a, b) if day_first else (b, a)
            out[dmy.index[has]] = _assemble(years, month, day)
        rest = out.isna() & ~raw.str.match(_DMY) & ~raw.str.match(_YMD)
        if rest.any():  # 'Jan 3, 2019', '3 January 2019', ISO with a time
            out[rest] = pd.to_datetime(raw[rest], format="mixed", errors="coerce",
                                       dayfirst=order == "day_first").dt.tz_localize(None)
        values.iloc[np.flatnonzero(todo)] = out.to_numpy()
        fixed["date_format"] = d.count(out.notna())
    values = values.dt.normalize()
    bad = values.isna().to_numpy() & text.notna().to_numpy()
    return Parsed(values, bad, {k: v for k, v in fixed.items() if v}, note, day_first)


def _assemble(year, month, day) -> pd.Series:
    frame = pd.DataFrame({"year": year, "month": month, "day": day})
    return pd.to_datetime(frame, errors="coerce")


def _expand_years(y: pd.Series) -> pd.Series:
    pivot = dt.date.today().year % 100 + 20
    return y.where(y >= 100, np.where(y <= pivot, 2000 + y, 1900 + y))


class DateOrderAmbiguous(ImportProblem):
    """Dates like 03/01/19 fit both orders and nothing in the data decides."""


def _decide_order(raw: pd.Series, a: pd.Series, b: pd.Series, order: str,
                  where: tuple[str, str]) -> tuple[bool, str]:
    file, column = where
    day_evidence = (a > 12) & (b <= 12)
    month_evidence = (b > 12) & (a <= 12)
    if order != "auto":
        return order == "day_first", (
            f"{file} {column}: dates read {order.replace('_', '-')} as chosen in the mapping")
    if day_evidence.any() and not month_evidence.any():
        example = raw[day_evidence.to_numpy()].iloc[0]
        return True, (f"{file} {column}: dates read day-first, decided from the data "
                      f"(e.g. {example!r} has a day above 12)")
    if month_evidence.any() and not day_evidence.any():
        example = raw[month_evidence.to_numpy()].iloc[0]
        return False, (f"{file} {column}: dates read month-first, decided from the data "
                       f"(e.g. {example!r} has a day above 12 in second place)")
    if day_evidence.any() and month_evidence.any():
        first = raw[day_evidence.to_numpy()].iloc[0]
        second = raw[month_evidence.to_numpy()].iloc[0]
        raise ImportProblem(
            f"dates mix day-first ({first!r}) and month-first ({second!r}) orders; "
            "fix the export so one order is used", file=file, column=column, value=second)
    example = raw.iloc[0]
    raise DateOrderAmbiguous(
        "dates fit both day-first and month-first (no day above 12); choose the order: "
        "--date-order day_first|month_first on the command line, or on the Data page",
        file=file, column=column, value=example)
