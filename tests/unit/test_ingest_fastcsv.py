"""The fast reader gives exactly what the careful csv-module reader gives, or steps aside."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.ingest import delimited
from dashboard.ingest.delimited import read_delimited
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fastcsv import read_plain
from tests.flat_export import write_flat_export

PLAIN = [
    "a,b,c\n1,2,3\n4,,6\n",
    "a;b\r\n\"x;y\";\"say \"\"hi\"\"\"\r\n 7 ;8\r\n",
    "a,b\n\"1,234.50\",€9\nno newline at the end,z",
]
NOT_PLAIN = [  # the careful reader decides (and names the problem, if any)
    "a,b\n1,\"2\n3,4\n",  # a record over two lines
    "a,b\n1,2\n\n3,4\n",  # a blank line
    "\na,b\n1,2\n",  # header not on line 1
    "a,b\n\"x\"y,2\n",  # text after a closing quote
    "a,b\n1,2,3\n",  # ragged
]


def _careful(path, name, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(delimited, "read_plain", lambda *a: None)
        return read_delimited(path, name)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_files_read_the_same_both_ways(tmp_path, monkeypatch, text):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    fast = read_delimited(path, "f.csv")
    careful = _careful(path, "f.csv", monkeypatch)
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert fast.rows.tolist() == careful.rows.tolist()
    assert read_plain(path, len(fast.columns), fast.delimiter) is not None  # it was the fast way


def test_a_flat_export_reads_the_same_both_ways(tmp_path, monkeypatch):
    path = write_flat_export(tmp_path / "flat.csv")
    fast = read_delimited(path, "flat.csv")
    careful = _careful(path, "flat.csv", monkeypatch)
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert np.array_equal(fast.rows, careful.rows)


def _outcome(read):
    try:
        table = read()
    except ImportProblem as exc:
        return exc.as_dict()
    return table.frame.to_dict("list"), table.rows.tolist()


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_unusual_is_left_to_the_careful_reader(tmp_path, monkeypatch, text):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    if not text.startswith("\n"):  # (a blank first line is caught before: no header on it)
        assert read_plain(path, 2, ",") is None
    assert _outcome(lambda: read_delimited(path, "f.csv")) == _outcome(
        lambda: _careful(path, "f.csv", monkeypatch))


def test_invalid_utf8_is_left_to_the_careful_reader(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("a,b\nR\u00e9sum\u00e9,1\n".encode() + b"R\xe9sum\xe9,2\n")
    assert read_plain(path, 2, ",") is None
