"""Parquet files the warehouse is built from: one writer for the sample, imports and chunks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def write_dated_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write frame with its day-valued timestamp columns as DATE, for DuckDB and pandas alike;
    without pandas' metadata, so that a file's bytes depend on its data only."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    pq.write_table(table.replace_schema_metadata(None), path)
