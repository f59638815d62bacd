"""A big plain CSV read a chunk at a time, so memory scales with the chunk, not the file.

Only a file the fast reader would take (fastcsv.py: UTF-8, header on line 1, every record one
line) with more data lines than `DASHBOARD_IMPORT_CHUNK_ROWS` is read this way. DuckDB's strict
reader streams it in order as record batches; record i starts on line i + 2, as in fastcsv.
Whatever makes that untrue (a DuckDB error, a record spanning lines) raises NotPlain, and the
import then reads the file the careful way, whole (delimited.py), which names the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import config
from dashboard.ingest.delimited import (
    DELIMITERS,
    SNIFF_CHARS,
    _first_line_header,
    sniff_delimiter,
)
from dashboard.ingest.encoding import detect_encoding
from dashboard.ingest.fastcsv import QUERY, data_lines
from dashboard.ingest.readers import DELIMITED
from dashboard.ingest.table import RawTable, check_header


class NotPlain(Exception):
    """The file is not one the chunked reader can take; read it whole instead."""


@dataclass
class Source:
    path: Path
    name: str
    header: list[str]
    delimiter: str
    lines: int  # data lines (records)
    chunk_rows: int

    def chunks(self, keep: Path | None = None) -> Iterator[RawTable]:
        """The file's records in order, `chunk_rows` at a time, as raw tables of strings;
        with `keep`, each chunk is also stored there (Arrow) for `kept` to read back."""
        names = [f"c{i}" for i in range(len(self.header))]
        con = duckdb.connect()
        done = index = 0
        try:
            relation = con.sql(QUERY, params={"path": str(self.path), "delim": self.delimiter,
                                              "columns": {n: "VARCHAR" for n in names}})
            reader = relation.to_arrow_reader(self.chunk_rows)
            pending: list[pa.RecordBatch] = []
            size = 0
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    batch = None
                if batch is not None:
                    pending.append(batch)
                    size += batch.num_rows
                if pending and (size >= self.chunk_rows or batch is None):
                    table = pa.Table.from_batches(pending)
                    pending, size = [], 0
                    table = pa.table({n: pc.fill_null(table.column(n), "") for n in names})
                    if keep is not None:
                        _store(table, keep / f"raw-{index:05d}.arrow")
                        index += 1
                    rows = table.num_rows
                    yield self._raw(table, done)
                    del table  # not held while the next chunk is read
                    done += rows
                if batch is None:
                    break
        except (duckdb.Error, UnicodeError) as exc:
            raise NotPlain(str(exc)) from exc
        finally:
            con.close()
        if done != self.lines:
            raise NotPlain(f"{done} records on {self.lines} lines")

    def kept(self, keep: Path) -> Iterator[RawTable]:
        """The chunks `chunks(keep)` stored, in order; each file is removed once read."""
        done = 0
        for path in sorted(keep.glob("raw-*.arrow")):
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
            path.unlink()
            rows = table.num_rows
            yield self._raw(table, done)
            del table
            done += rows

    def _raw(self, table: pa.Table, done: int) -> RawTable:
        frame = table.to_pandas()
        frame.columns = self.header
        rows = np.arange(done + 2, done + 2 + len(frame), dtype=np.int64)
        return RawTable(self.name, self.name, frame, rows, "utf-8", self.delimiter)


def _store(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def source(files: list[tuple[Path, str]]) -> Source | None:
    """The one big plain CSV of `files`, or None (the import reads its files whole)."""
    if len(files) != 1:
        return None
    path, name = files[0]
    if Path(name).suffix.lower() not in DELIMITED or path.stat().st_size == 0:
        return None
    chunk_rows = config.get_int("import_chunk_rows")
    lines = data_lines(path)  # first: a small file is read whole, with no extra pass
    if chunk_rows <= 0 or lines <= chunk_rows:
        return None
    try:
        if detect_encoding(path, name) != "utf-8":
            return None
        with open(path, encoding="utf-8", newline="") as handle:
            sample = handle.read(SNIFF_CHARS)
    except Exception:  # anything odd: the careful reader explains it
        return None
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    if delimiter not in DELIMITERS:
        return None
    first = _first_line_header(sample, delimiter)
    if not first:
        return None
    try:
        header = check_header(first, name)
    except Exception:
        return None
    return Source(path, name, header, delimiter, lines, chunk_rows)
