"""Which text encoding a file is in: byte-order marks first, then strict UTF-8, then cp1252.

ERP exports come as UTF-8 (with or without a BOM), UTF-16 from Excel's "Unicode text", or
Windows-1252 from older systems. Latin-1 decodes any byte, so it is the last resort for the five
bytes cp1252 leaves undefined. Files with NUL bytes that are not UTF-16 are not text at all.
"""

from __future__ import annotations

import codecs
from pathlib import Path

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
    if _decodes(path, "cp1252"):
        return "cp1252"
    return "latin-1"


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
