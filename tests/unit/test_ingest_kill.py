"""kill -9 in the middle of an import: the previous version keeps serving (or, killed just after the
switch, the complete new one does, with its manifest, rejected rows and audit entry), `dashboard
versions` tells the truth, and the next import works and leaves nothing behind.

The exact instants come from dashboard/crashpoints.py: the import process, started as the Data
page starts it, writes a file and sleeps at the named point; the test then kills it with SIGKILL.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.auth import audit
from dashboard.auth.commands import open_db
from dashboard.cli import main
from dashboard.ingest import jobs, leftovers
from dashboard.ingest.errors import ImportBusy
from dashboard.ingest.history import history, rollback
from dashboard.ingest.locking import import_lock
from dashboard.ingest.pipeline import run_import
from dashboard.warehouse import store
from dashboard.warehouse.build import build_version
from tests.ingest_support import PRODUCTS, SALES_HEADER, load_good, served_state, write_export


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


# The new import: six good lines and one whose date cannot be read (rejected, within the limit).
NEW_ROWS = ["1,2024-08-01,S1,P1,3", "2,2024-08-02,S2,P2,1", "3,2024-08-03,S1,P3,2",
            "4,2024-08-04,S2,P1,4", "5,2024-08-05,S1,P3,1", "6,2024-08-06,S2,P2,2"]
BAD_ROW = "7,not-a-date,S1,P1,9"


def _new_totals() -> tuple:
    """(lines, revenue, units) of NEW_ROWS, from the prices in PRODUCTS (not via the pipeline)."""
    price = {}
    for line in PRODUCTS.splitlines()[1:]:
        cells = next(csv.reader([line]))
        price[cells[0]] = float(cells[4].strip().lstrip("$").replace(",", ""))
    units = [(r.split(",")[3], int(r.split(",")[4])) for r in NEW_ROWS]
    return len(units), sum(price[p] * n for p, n in units), sum(n for _, n in units)


def _audit_details(text: str) -> list[str]:
    database = open_db()  # the session's test app database (see conftest)
    try:
        return [e["detail"] for e in audit.recent(database, limit=500, action="import")
                if text in e["detail"]]
    finally:
        database.dispose()


def _versions_text(root: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["--warehouse", str(root), "versions"]) == 0
    return capsys.readouterr().out


def _expected_files(root: Path) -> set[str]:
    """What a warehouse folder holds with nothing left over: each published import's four."""
    return {f"{v:04d}{suffix}" for v in store.list_versions(root)
            for suffix in (".duckdb", ".json", ".rejected.csv", ".canonical")}


def _assert_no_leftovers(root: Path, job_folder: Path) -> None:
    assert {p.name for p in store.versions_dir(root).iterdir()} == _expected_files(root)
    assert not list((root / "imports").glob("import-*"))
    assert not (root / "CURRENT.tmp").exists()
    work = job_folder / "work"
    assert not (work / "canonical").exists() and not list(work.glob("unzipped-*"))


def _start_paused_job(root: Path, tmp_path: Path, point: str, monkeypatch):
    files = write_export(tmp_path / "new", SALES_HEADER + "\n".join([*NEW_ROWS, BAD_ROW]) + "\n")
    job_id, folder = jobs.new_job(root)
    for path, name in files:
        shutil.copy(path, folder / "uploads" / name)
    jobs.record_uploads(folder, [(name, name) for _, name in files])
    flag = tmp_path / f"paused-{point}"
    monkeypatch.setenv("DASHBOARD_TEST_PAUSE_AT", point)
    monkeypatch.setenv("DASHBOARD_TEST_PAUSE_FILE", str(flag))
    monkeypatch.setenv("DASHBOARD_IMPORT_MAX_REJECTED", "0.5")
    process = jobs.start(folder, root, "kim")
    try:
        _wait_for(flag.exists, process)
        assert int(flag.read_text()) == process.pid
        at_kill = _kill_time_state(root)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    monkeypatch.delenv("DASHBOARD_TEST_PAUSE_AT")
    assert process.returncode == -signal.SIGKILL
    return job_id, folder, files, at_kill


def _kill_time_state(root: Path) -> set[str]:
    return {p.name for p in store.versions_dir(root).iterdir()}


@pytest.mark.parametrize("point", ["reading", "cleaning", "writing", "building", "publishing",
                                   "switched"])
def test_kill_at_each_point(point, tmp_path, monkeypatch, capsys):
    root = load_good(tmp_path)
    before = served_state(root)
    job_id, folder, files, at_kill = _start_paused_job(root, tmp_path, point, monkeypatch)
    via = f"web import (job {job_id})"

    # What the paused process had written when it was killed.
    if point == "building":  # a half-built DuckDB file and the version's marker
        assert {"0002.duckdb.building", "0002.publishing"} <= at_kill
        assert "0002.json" not in at_kill
    if point == "publishing":  # everything but the switch: durable, under final names
        assert {"0002.json", "0002.rejected.csv", "0002.canonical", "0002.publishing",
                "0002.duckdb.building"} <= at_kill
    if point in ("publishing", "switched"):
        assert _audit_details(f"{via}: version 2, 6 sales rows")
    else:
        assert not _audit_details(via)

    listing = _versions_text(root, capsys)
    assert "loaded with" not in listing and "sample" not in listing
    status = jobs.read_status(folder)
    if point == "switched":
        # the complete new version is served, with everything an import keeps
        assert served_state(root) == (2, (1, 2), (_new_totals()[0],
                                                  pytest.approx(_new_totals()[1]),
                                                  _new_totals()[2]))
        manifest = json.loads((store.versions_dir(root) / "0002.json").read_text())
        assert manifest["rows"] == 6 and manifest["user"] == "kim"
        assert [f["sha256"] for f in manifest["files"]] == [
            hashlib.sha256(p.read_bytes()).hexdigest() for p, _ in files]
        with open(store.versions_dir(root) / "0002.rejected.csv", encoding="utf-8") as handle:
            rejected = list(csv.DictReader(handle))
        assert [(r["row"], r["value"]) for r in rejected] == [("8", "not-a-date")]
        assert sorted(p.name for p in (store.versions_dir(root) / "0002.canonical").iterdir()) \
            == sorted(p.name for p in (store.versions_dir(root) / "0001.canonical").iterdir())
        assert [(e["version"], e["current"], e["user"], e["note"]) for e in history(root)] == [
            (2, True, "kim", ""), (1, False, "tester", "")]
        assert "sales.csv" in listing.splitlines()[0] and listing.startswith("*    2")
        assert status["state"] == "done" and status["version"] == 2
        assert "just after switching" in status["message"]
        assert status["report"]["rows_rejected"] == 1
        # a rollback now must not lose version 2 (its marker is still on disk)
        assert rollback(root, 1, "kim") == 2
        assert served_state(root) == before[:1] + ((1, 2),) + before[2:]
    else:
        assert served_state(root) == before
        assert [e["version"] for e in history(root)] == [1]
        assert status["state"] == "failed" and "stopped before finishing" in status["error"]["text"]

    result = run_import(write_export(tmp_path / "again"), root, user="tester")
    expected = 3 if point == "switched" else 2
    assert result.version == expected and store.current_version(root) == expected
    assert store.list_versions(root) == list(range(1, expected + 1))
    _assert_no_leftovers(root, folder)
    if point == "publishing":  # its audit entry is followed by the truth: never served
        assert _audit_details(f"{via} interrupted: version 2 was never served")
    listing = _versions_text(root, capsys)
    assert "loaded with" not in listing and "interrupted" not in listing


def test_next_import_removes_what_killed_ones_left(loaded_root, tmp_path):
    versions = store.versions_dir(loaded_root)
    scratch = loaded_root / "imports" / "import-killed"
    scratch.mkdir(parents=True)
    (scratch / "sales.parquet").write_bytes(b"half")
    (versions / "0002.publishing").write_text(json.dumps({"source": "import", "user": "eve",
                                                          "files": ["x.csv"], "via": "CLI import"}))
    for name in ("0002.duckdb.building", "0002.json", "0002.rejected.csv", "0002.json.99.tmp"):
        (versions / name).write_text("partial")
    (versions / "0002.duckdb.building.tmp").mkdir()
    (versions / "0002.canonical").mkdir()
    before = served_state(loaded_root)
    assert [e["version"] for e in history(loaded_root)] == [1]  # the marked one is not listed
    with pytest.raises(Exception, match="there is no version 2"):
        rollback(loaded_root, 2)
    assert served_state(loaded_root) == before

    result = run_import(write_export(tmp_path / "again"), loaded_root, user="tester")
    assert result.version == 2
    assert {p.name for p in versions.iterdir()} == _expected_files(loaded_root)
    assert not scratch.exists()
    assert _audit_details("CLI import interrupted: version 2 was never served")


def test_leftovers_of_a_live_import_are_left_alone(loaded_root, tmp_path):
    live = loaded_root / "imports" / "import-live"
    live.mkdir(parents=True)
    with import_lock(loaded_root, "someone"):
        with pytest.raises(ImportBusy):
            run_import(write_export(tmp_path / "again"), loaded_root, user="tester")
        assert live.exists()
    run_import(write_export(tmp_path / "again"), loaded_root, user="tester")
    assert not live.exists()


def test_versions_never_calls_an_import_a_sample_load(loaded_root, tmp_path, sample_dir,
                                                       capsys):
    from dashboard.warehouse.build import parquet_sources

    # version 1: an import whose manifest is missing (killed just after the switch by an older
    # release); version 2: a sample load, which never has one
    (store.versions_dir(loaded_root) / "0001.json").unlink()
    build_version(loaded_root, parquet_sources(sample_dir), info={"source": "sample"})
    notes = {e["version"]: e["note"] for e in history(loaded_root)}
    assert notes[1].startswith("interrupted") and "sample" not in notes[1]
    assert notes[2].startswith("loaded with") and "(sample)" in notes[2]
    listing = _versions_text(loaded_root, capsys)
    assert "interrupted" in listing and "loaded with" in listing


DAY = 86_400


def _job(root: Path, state: str | None, age_days: float, pid: int | None = None) -> Path:
    _, folder = jobs.new_job(root)
    (folder / "uploads" / "sales.csv").write_text("a,b\n")
    if state is not None:
        jobs.write_status(folder, state=state, pid=pid)
    when = time.time() - age_days * DAY
    for path in [*folder.rglob("*"), folder]:
        os.utime(path, (when, when))
    return folder


def test_old_finished_job_folders_are_pruned(tmp_path, monkeypatch):
    root = tmp_path / "wh"
    old_done = _job(root, "done", 8)
    old_failed = _job(root, "failed", 30)
    old_previewed = _job(root, "previewed", 9)
    old_abandoned = _job(root, None, 10)  # uploaded, never started
    old_dead = _job(root, "running", 8, pid=2**22 + 12345)  # its process is gone
    old_running = _job(root, "running", 8, pid=os.getpid())  # alive: kept
    recent = _job(root, "done", 6.5)
    other = jobs.jobs_dir(root) / "not-a-job"
    other.mkdir()
    os.utime(other, (time.time() - 40 * DAY,) * 2)

    monkeypatch.setenv("DASHBOARD_IMPORT_KEEP_JOB_DAYS", "20")
    assert leftovers.prune_jobs(root) == [old_failed.name]

    monkeypatch.delenv("DASHBOARD_IMPORT_KEEP_JOB_DAYS")  # the default, 7 days
    run_import(write_export(tmp_path / "in"), root, user="tester")  # an import prunes
    kept = {p.name for p in jobs.jobs_dir(root).iterdir()}
    assert kept == {old_running.name, recent.name, "not-a-job"}
    for gone in (old_done, old_previewed, old_abandoned, old_dead):
        assert not gone.exists()


def test_a_load_cleans_up_after_a_killed_import_too(loaded_root, sample_dir, capsys):
    versions = store.versions_dir(loaded_root)
    (versions / "0002.publishing").write_text(json.dumps(
        {"source": "import", "user": "eve", "files": ["y.csv"], "via": "web import (job X1)"}))
    (versions / "0002.duckdb").write_text("renamed, never switched to")
    assert store.list_versions(loaded_root) == [1]
    assert main(["--warehouse", str(loaded_root), "load", "--source", str(sample_dir)]) == 0
    assert "removed version 2" in capsys.readouterr().out
    assert store.list_versions(loaded_root) == [1, 2] and store.current_version(loaded_root) == 2
    assert {p.name for p in versions.iterdir()} == _expected_files(loaded_root) - {
        "0002.json", "0002.rejected.csv", "0002.canonical"}  # a load keeps no manifest
    assert _audit_details("web import (job X1) interrupted: version 2 was never served")
