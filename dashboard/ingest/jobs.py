"""Background imports for the web app: a job folder per upload, run by a separate process.

The folder (WAREHOUSE/jobs/<id>/) holds the uploaded files, the confirmed mapping, status.json
(stage, percent, rows read; replaced atomically so a reader never sees half of it), and when done
the report and rejected rows. The import runs as `python -m dashboard import --job <folder>`, so
the web workers stay free, any worker can poll the status, and a dead process is noticed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

from dashboard import config
from dashboard.warehouse import store

JOB_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
STATUS = "status.json"
THROTTLE_SECONDS = 0.25
START_GRACE = 120  # seconds a queued job may take to report its process id


def jobs_dir(root: Path) -> Path:
    return Path(root) / "jobs"


def new_job(root: Path) -> tuple[str, Path]:
    job_id = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    folder = jobs_dir(root) / job_id
    (folder / "uploads").mkdir(parents=True)
    return job_id, folder


def job_folder(root: Path, job_id: object) -> Path | None:
    """The folder of a job id from a client, or None if the id is malformed or unknown."""
    if not isinstance(job_id, str) or not JOB_ID.match(job_id):
        return None
    folder = jobs_dir(root) / job_id
    return folder if folder.is_dir() else None


def record_uploads(folder: Path, names: list[tuple[str, str]]) -> None:
    """(stored file name, name the user gave) pairs."""
    (folder / "files.json").write_text(json.dumps([{"stored": s, "name": n} for s, n in names]))


def uploaded_files(folder: Path) -> list[tuple[Path, str]]:
    entries = json.loads((folder / "files.json").read_text())
    return [(folder / "uploads" / e["stored"], e["name"]) for e in entries]


def write_status(folder: Path, **fields) -> dict:
    status = {**read_status(folder, check_alive=False), **fields,
              "updated": time.time()}
    tmp = folder / f"{STATUS}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(status, default=str))
    os.replace(tmp, folder / STATUS)
    return status


def read_status(folder: Path, check_alive: bool = True) -> dict:
    try:
        status = json.loads((folder / STATUS).read_text())
    except (OSError, ValueError):
        return {}
    starting = status.get("pid") is None and time.time() - status.get("updated", 0) < START_GRACE
    if check_alive and status.get("state") == "running" and not starting \
            and not _alive(status.get("pid")):
        status.update(_stopped(folder, status))
    return status


def _stopped(folder: Path, status: dict) -> dict:
    """What a job whose process died did: nothing, or (killed just after the switch) publish."""
    version = status.get("publishing_version")
    if isinstance(version, int) and store.is_published(folder.parent.parent, version):
        try:
            report = json.loads((folder / "work" / "report.json").read_text())
        except (OSError, ValueError):
            report = status.get("report")
        return {"state": "done", "stage": "done", "percent": 100, "version": version,
                "report": report,
                "message": f"version {version} is live (the import process stopped just after "
                           "switching to it; the version is complete)"}
    return {"state": "failed", "error": {
        "text": "the import process stopped before finishing (killed?); the data being "
                "served did not change. Start the import again."}}


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child that was not reaped yet is a zombie: not running
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


class StatusWriter:
    """A progress callback that writes status.json at most every THROTTLE_SECONDS."""

    def __init__(self, folder: Path):
        self.folder, self.last, self.stage = folder, 0.0, None

    def __call__(self, event: dict) -> None:
        now = time.monotonic()
        if event["stage"] == self.stage and now - self.last < THROTTLE_SECONDS:
            return
        self.stage, self.last = event["stage"], now
        write_status(self.folder, state="running", pid=os.getpid(), **event)


def start(folder: Path, root: Path, user: str, preview: bool = False) -> subprocess.Popen:
    """Run the import of this job in its own process (detached from the web request); with
    `preview`, only work out what it would do (status "previewed") and write nothing. Finished
    job folders older than DASHBOARD_IMPORT_KEEP_JOB_DAYS are pruned first."""
    from dashboard.ingest.leftovers import prune_jobs

    write_status(folder, state="running", stage="queued", percent=0, rows_read=0,
                 message="starting", pid=None)
    prune_jobs(root)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(config.ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    with open(folder / "log.txt", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "--warehouse", str(root), "import",
             "--job", str(folder), "--user", user, *(["--preview"] if preview else [])],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            cwd=str(config.ROOT), start_new_session=True)
    return process  # the child writes its own pid into status.json as it starts
