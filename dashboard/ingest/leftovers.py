"""What killed imports leave behind, removed at the start of the next import (and job start).

Only what no live import can be using: callers hold the import lock, so no other import runs;
the warehouse's own leftovers (half-built DuckDB files, files of versions never switched to)
need the load lock too and are handled by store.recover. Finished Data-page job folders older
than DASHBOARD_IMPORT_KEEP_JOB_DAYS go as well.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from dashboard import config
from dashboard.ingest import audit_entry, jobs
from dashboard.warehouse import store

DAY = 86_400


def clean(root: Path, keep: Path | None = None) -> list[dict]:
    """Remove killed imports' leftovers (but `keep`, the caller's own work folder); returns the
    notes of versions removed because their import was killed before the switch."""
    for folder in (root / "imports").glob("import-*"):
        if folder != keep:
            shutil.rmtree(folder, ignore_errors=True)
    for folder in jobs.jobs_dir(root).glob("*/work"):
        if folder != keep and jobs.read_status(folder.parent).get("state") != "running":
            for bulky in [*folder.glob("unzipped-*"), folder / "canonical",
                          folder / "cleaned"]:
                shutil.rmtree(bulky, ignore_errors=True)
    abandoned = []
    try:
        with store.load_lock(root):
            abandoned = store.recover(root)
    except store.LoadInProgressError:
        pass  # a `dashboard load` is running; its own build recovers first
    audit_entry.interrupted(abandoned)
    prune_jobs(root)
    return abandoned


def prune_jobs(root: Path, days: float | None = None, now: float | None = None) -> list[str]:
    """Delete job folders not running whose last change is older than `days`; returns their ids."""
    days = config.get_float("import_keep_job_days") if days is None else days
    cutoff = (time.time() if now is None else now) - days * DAY
    pruned = []
    for folder in sorted(jobs.jobs_dir(root).glob("*")):
        if not folder.is_dir() or not jobs.JOB_ID.match(folder.name):
            continue
        if jobs.read_status(folder).get("state") == "running" or _last_change(folder) >= cutoff:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        pruned.append(folder.name)
    return pruned


def _last_change(folder: Path) -> float:
    """The newest modification time of the folder or anything directly in it (status.json…)."""
    times = [folder.stat().st_mtime]
    times += [p.stat().st_mtime for p in folder.iterdir()]
    return max(times)
