"""kill -9 in the middle of an import: the previous version keeps serving, the next import works
without anyone cleaning up (the lock dies with the process; stale build files are removed)."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.ingest import jobs
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
from tests.ingest_support import load_good, served_state, write_export


@pytest.fixture
def loaded_root(tmp_path):
    return load_good(tmp_path)


ROWS = 600_000
POLL = 0.005
LIMIT = 120.0


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> list[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(3)
    days = pd.date_range("2023-01-01", "2024-12-31").strftime("%Y-%m-%d").to_numpy()
    sales = pd.DataFrame({
        "Sale_ID": np.arange(1, ROWS + 1),
        "Date": days[rng.integers(0, len(days), ROWS)],
        "Store_ID": np.where(rng.random(ROWS) < 0.5, "S1", "S2"),
        "Product_ID": np.array(["P1", "P2", "P3"])[rng.integers(0, 3, ROWS)],
        "Units": rng.integers(1, 5, ROWS),
    })
    files = write_export(folder, "")
    sales.to_csv(folder / "sales.csv", index=False)
    return files


def _wait_for(condition, process) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import never reached the point to kill it"
        time.sleep(POLL)


@pytest.mark.parametrize("moment", ["reading", "building"])
def test_killed_import_leaves_previous_version_and_next_import_works(loaded_root, big_export,
                                                                     moment):
    before = served_state(loaded_root)
    job_id, folder = jobs.new_job(loaded_root)
    for path, name in big_export:
        shutil.copy(path, folder / "uploads" / name)
    jobs.record_uploads(folder, [(name, name) for _, name in big_export])
    process = jobs.start(folder, loaded_root, "tester")
    try:
        if moment == "reading":
            _wait_for(lambda: jobs.read_status(folder).get("rows_read", 0) > 0, process)
        else:
            versions = store.versions_dir(loaded_root)
            _wait_for(lambda: any(versions.glob("*.duckdb.building")), process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert served_state(loaded_root) == before
    status = jobs.read_status(folder)
    assert status["state"] == "failed" and "stopped before finishing" in status["error"]["text"]

    result = run_import(write_export(loaded_root.parent / "again"), loaded_root, user="tester")
    assert result.version == 2 and store.current_version(loaded_root) == 2
    assert not list(store.versions_dir(loaded_root).glob("*.building*"))
