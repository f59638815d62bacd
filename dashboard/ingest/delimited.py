"""CSV/TSV files: encoding and delimiter found from the data, structure checked strictly.

A plain UTF-8 file (every record one line) is read by DuckDB's strict parallel reader
(fastcsv.py). Anything else, or anything DuckDB refuses, takes the careful way: a streaming pass
with the csv module (strict mode) finds unmatched quotes and ragged rows and notes where each
record starts, without holding the file; pandas' C parser then reads the checked file with the
same dialect, as strings, so nothing is guessed twice.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.ingest.encoding import ERRORS, detect_encoding
from dashboard.ingest.errors import ImportProblem, _show
from dashboard.ingest.fastcsv import read_plain
from dashboard.ingest.table import RawTable, check_header

DELIMITERS = (",", ";", "\t", "|")
SNIFF_CHARS = 64 * 1024
PROGRESS_EVERY = 50_000

Progress = Callable[[int], None]


def sniff_delimiter(sample: str, suffix: str) -> str:
    """The candidate that splits the first records into the most consistent number of fields."""
    lines = sample.splitlines()[:-1] or sample.splitlines()  # the last line may be cut off
    text = "\n".join(lines[:200])
    best, best_score = ("\t" if suffix in (".tsv", ".tab") else ","), (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(text.splitlines(), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        score = (hits / len(counts), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(path: Path, name: str, progress: Progress | None = None) -> RawTable:
    encoding = detect_encoding(path, name)
    with open(path, encoding=encoding, errors=ERRORS, newline="") as handle:
        sample = handle.read(SNIFF_CHARS)
    if not sample.strip():
        raise ImportProblem("the file is empty (no header, no rows)", file=name)
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    first = _first_line_header(sample, delimiter) if encoding == "utf-8" else None
    fast = read_plain(path, len(first), delimiter) if first else None
    if fast is not None:
        header = check_header(first, name)
        frame, starts = fast
        frame.columns = header
        if progress is not None:
            progress(len(starts))
        return RawTable(name, name, frame, starts, encoding, delimiter)
    header, starts = _check_structure(path, name, encoding, delimiter, progress)
    if len(starts) == 0:
        raise ImportProblem("the file has a header but no data rows", file=name, row=1)
    frame = pd.read_csv(
        path, sep=delimiter, encoding=encoding, encoding_errors=ERRORS, dtype=str, header=0,
        quotechar='"', doublequote=True, keep_default_na=False, na_filter=False,
        skip_blank_lines=True, engine="c",
    )
    if len(frame) != len(starts):  # the two parsers disagree: trust neither silently
        raise ImportProblem(
            f"the CSV parser read {len(frame):,} records but the structure check found "
            f"{len(starts):,}; check for stray quotes or line breaks", file=name)
    frame.columns = header
    return RawTable(name, name, frame, np.asarray(starts, dtype=np.int64), encoding, delimiter)


def _first_line_header(sample: str, delimiter: str) -> list[str] | None:
    """The header when it is the whole first line (what the fast reader assumes), else None."""
    line = sample.split("\n", 1)[0].rstrip("\r")
    try:
        whole = next(csv.reader(io.StringIO(sample), delimiter=delimiter, strict=True), None)
        alone = next(csv.reader([line], delimiter=delimiter, strict=True), None)
    except csv.Error:
        return None
    return whole if whole and whole == alone else None


def _check_structure(path: Path, name: str, encoding: str, delimiter: str,
                     progress: Progress | None) -> tuple[list[str], array]:
    """Header, and the line each record starts on; refuses unmatched quotes and ragged rows."""
    starts = array("q")
    with open(path, encoding=encoding, errors=ERRORS, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True,
                            strict=True)
        line = 0
        header = None
        try:
            for record in reader:
                start, line = line + 1, reader.line_num
                if not record:
                    continue
                if header is None:
                    header = check_header(record, name, start)
                    width = len(header)
                    continue
                if len(record) != width:
                    _ragged(name, start, header, record, delimiter)
                starts.append(start)
                if progress is not None and len(starts) % PROGRESS_EVERY == 0:
                    progress(len(starts))
        except csv.Error as exc:
            raise _quote_problem(path, name, encoding, delimiter, line + 1, exc) from exc
    if header is None:
        raise ImportProblem("the file is empty (no header, no rows)", file=name)
    if progress is not None:
        progress(len(starts))
    return header, starts


def _ragged(name: str, row: int, header: list[str], record: list[str], delimiter: str):
    shown = delimiter.join(record)
    if len(record) > len(header):
        column = f"#{len(header) + 1} (no header)"
        value = record[len(header)]
    else:
        column = header[len(record)]
        value = shown
    raise ImportProblem(
        f"this row has {len(record)} fields but the header has {len(header)} "
        f"(row text: {_show(shown)}); a stray delimiter or a missing quote?",
        file=name, row=row, column=column, value=value)


def _quote_problem(path: Path, name: str, encoding: str, delimiter: str, row: int,
                   exc: csv.Error) -> ImportProblem:
    text = _line(path, encoding, row)
    if "unexpected end of data" in str(exc) or "EOF" in str(exc):
        message = ("unmatched quote: a quoted field starts on this row and is never closed "
                   f"(row text: {_show(text)})")
    else:
        message = f"malformed quoting ({exc}) (row text: {_show(text)})"
    column = None
    if text and '"' in text:
        column = f"#{text[: text.index(chr(34))].count(delimiter) + 1}"
    return ImportProblem(message, file=name, row=row, column=column,
                         value=text[text.index('"'):][:40] if '"' in text else text)


def _line(path: Path, encoding: str, number: int) -> str:
    with open(path, encoding=encoding, errors=ERRORS, newline="") as handle:
        for i, text in enumerate(handle, start=1):
            if i == number:
                return text.rstrip("\r\n")
    return ""
