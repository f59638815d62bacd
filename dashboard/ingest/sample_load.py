"""Load the sample retailer into an EMPTY warehouse, as the empty start's "Load the sample data".

It runs under the import lock and only while nothing is loaded, so two admins clicking at once
(or an import meanwhile) never stack sample versions on top of real data. The Parquet files are
written to a scratch folder of this warehouse (removed afterwards), and the version gets a
manifest naming who loaded it, like an import, so the Data page's history says so.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard import config, sample, sample_inventory
from dashboard.ingest.errors import ImportBusy
from dashboard.ingest.locking import import_lock
from dashboard.warehouse import store
from dashboard.warehouse.build import build_version, parquet_sources


@dataclass(frozen=True)
class SampleLoad:
    version: int | None  # None: data was already there, nothing was loaded
    rows: int
    seconds: float


def note(rows: int, seed: int) -> str:
    return f"the sample toy retailer ({rows:,} order lines, seed {seed})"


def load_sample_if_empty(root: Path, user: str, rows: int | None = None,
                         seed: int | None = None,
                         has_data: Callable[[], bool] | None = None) -> SampleLoad:
    """Generate and load the sample when the warehouse has no version yet.

    `has_data` asks the served warehouse (a server may hold data this folder lacks); by default
    the folder's CURRENT. Raises ImportBusy when an import (or another sample load) holds the
    lock.
    """
    has_data = has_data or (lambda: store.current_version(root) is not None)
    rows = config.get_int("sample_rows") if rows is None else rows
    seed = config.get_int("sample_seed") if seed is None else seed
    started = time.perf_counter()
    with import_lock(root, user):
        if has_data():
            return SampleLoad(None, 0, time.perf_counter() - started)
        scratch = root / "imports"
        scratch.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="sample-", dir=scratch))
        try:
            sample.generate(work, rows=rows, seed=seed)
            sample_inventory.write(work, seed=seed)  # the stock snapshot
            try:
                result = build_version(root, parquet_sources(work),
                                       info={"source": "sample", "user": user, "seed": seed})
            except store.LoadInProgressError as exc:
                raise ImportBusy(f"{exc}; nothing was changed") from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _write_manifest(root, result.version, user, result.rows, seed,
                        time.perf_counter() - started)
    return SampleLoad(result.version, result.rows, time.perf_counter() - started)


def _write_manifest(root: Path, version: int, user: str, rows: int, seed: int,
                    seconds: float) -> None:
    manifest = {"version": version, "user": user, "source": "sample",
                "imported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "seconds": round(seconds, 1), "files": [], "rows": rows,
                "note": note(rows, seed)}
    path = store.versions_dir(root) / f"{version:04d}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.replace(path)
