"""Which text encoding a file is in: byte-order marks first, then UTF-8, then cp1252.

ERP exports come as UTF-8 (with or without a BOM), UTF-16 from Excel's "Unicode text", or
Windows-1252 from older systems. The choice is made once per file, from all of it: a file whose
non-ASCII bytes are mostly valid UTF-8 is UTF-8 even if a few bytes are broken, and those bytes
are reported by row and column (decoded with `ERRORS`, they surface as lone private-use marks
that `bad_bytes` finds) instead of re-decoding every accented name as another code page
(Résumé -> RÃ©sumÃ©). Only a file with no valid UTF-8 sequence at all is read as cp1252.
Files with NUL bytes that are not UTF-16 are not text at all.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.ingest.errors import ImportProblem

SNIFF_BYTES = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(path: Path, name: str) -> str:
    """A Python codec name that decodes the whole file, or ImportProblem naming the bad byte."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if b"\x00" in head:
        return _utf16_without_bom(head, name)
    if _decodes(path, "utf-8"):
        return "utf-8"
    valid, invalid = _utf8_sequences(path)
    return "utf-8" if valid > invalid else "cp1252"


ERRORS = "toypulse-mark"  # how files are opened: a broken byte becomes a findable mark
_MARK_BASE = 0xF700  # byte 0xNN -> U+F7NN, a private-use character no export writes
_ESCAPED = "[\uf780-\uf7ff]"


def _mark(error: UnicodeError):
    """Decode error handler: each undecodable byte becomes its private-use mark.

    Lone surrogates (Python's surrogateescape) would do the same, but pandas' Arrow strings
    refuse them; a private-use character is valid text all the way to the quality report."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(chr(_MARK_BASE + b) for b in bad), error.end


codecs.register_error(ERRORS, _mark)  # registering a pure function: no state is kept


def bad_bytes(values: pd.Series) -> np.ndarray:
    """Cells holding a byte the file's encoding does not define."""
    return values.str.contains(_ESCAPED, regex=True).fillna(False).to_numpy(dtype=bool)


def show_bytes(value: str) -> str:
    """'R\uf7e9sum' -> 'R\\xe9sum': the broken byte written as a user can look it up."""
    return re.sub(_ESCAPED, lambda m: f"\\x{ord(m.group()) - _MARK_BASE:02x}", value)


def _utf8_sequences(path: Path) -> tuple[int, int]:
    """(bytes in valid multi-byte UTF-8 characters beyond their first, bytes that are not
    UTF-8) over the whole file: enough to tell a UTF-8 file with a broken byte from cp1252."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors=ERRORS)
    valid = invalid = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(SNIFF_BYTES):
            text = decoder.decode(chunk)
            valid += len(chunk) - len(text)
            invalid += len(re.findall(_ESCAPED, text))
    invalid += len(re.findall(_ESCAPED, decoder.decode(b"", final=True)))
    return valid, invalid


def _decodes(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
def _utf16_without_bom(head: bytes, name: str) -> str:
    even, odd = head[0::2], head[1::2]
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    offset = head.index(b"\x00")
    raise ImportProblem(
        f"not a text file: NUL byte at byte offset {offset} and no UTF-16 pattern; "
        "export the data as CSV (UTF-8) or Excel",
        file=name, value="\\x00",
    )


