"""Fits the page starts in the background, so no web worker waits for a model.

A view that is not kept yet (forecast/ahead.py) gets a job: the file `<key>.job.json` beside
the result it will write, claimed with O_EXCL so two workers asking for the same view start
one process, not two. The process (`dashboard forecast --fit JOBFILE`) fits the view, counts
series done into the job file, writes the result (ahead.result) and removes the job. A job
whose process died is started again once it is older than STALE_SECONDS, and a failed one
says why. Everything is a file under the data version's folder: no module state, any worker
can answer the page's progress poll.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dashboard import durable
from dashboard.forecast import ahead
from dashboard.forecast.spec import ForecastSpec
from dashboard.queries.filters import Scope

STALE_SECONDS = 900  # a job not finished by then is assumed dead and started again
SECONDS_PER_SERIES = {"month": 1.5, "week": 4.0}  # until a kept view of this scope says better


def job_file(warehouse, scope: Scope, spec: ForecastSpec) -> Path | None:
    path = ahead.result_file(warehouse, scope, spec)
    return None if path is None else path.with_suffix(".job.json")


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def estimate(warehouse, scope: Scope, spec: ForecastSpec, series: int) -> float:
    """Seconds to fit `series` series: the pace of this scope's kept total view (the same
    machine, the same history length), else a measured rule of thumb."""
    total = ahead.kept(warehouse, scope, ForecastSpec(spec.measure, spec.grain, "total"))
    pace = (total or {}).get("fit", {}).get("seconds_per_series")
    return series * (pace or SECONDS_PER_SERIES[spec.grain])


def status(warehouse, scope: Scope, spec: ForecastSpec) -> dict | None:
    """The running job of this view ({series, done, estimate, started, error}), or None."""
    path = job_file(warehouse, scope, spec)
    return None if path is None or not path.exists() else _read(path)


def start(warehouse, scope: Scope, spec: ForecastSpec, series: int) -> dict:
    """The view's job, started unless one is running (returns what the page shows)."""
    path = job_file(warehouse, scope, spec)
    if path is None:
        raise ValueError("this warehouse keeps no files, so forecasts cannot be fitted ahead")
    path.parent.mkdir(parents=True, exist_ok=True)
    job = {"scope": {"regions": scope.regions, "stores": scope.stores},
           "spec": {"measure": spec.measure, "grain": spec.grain, "by": spec.by,
                    "values": [[name, list(members)] for name, members in spec.values]},
           "series": series, "done": 0, "estimate": estimate(warehouse, scope, spec, series),
           "started": time.time(), "error": None}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        running = _read(path)
        if running and not running.get("error") and \
                time.time() - running.get("started", 0) < STALE_SECONDS:
            return running
        path.unlink(missing_ok=True)  # dead, failed or damaged: start it again
        return start(warehouse, scope, spec, series)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(job))
    subprocess.Popen([sys.executable, "-m", "dashboard", "--warehouse", str(warehouse.root),
                      "forecast", "--fit", str(path)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return job


def job_view(job: dict) -> tuple[Scope, ForecastSpec]:
    scope = job["scope"]
    spec = job["spec"]
    values = tuple((str(name), tuple(str(m) for m in members))
                   for name, members in spec["values"])
    return (Scope(None if scope["regions"] is None else tuple(scope["regions"]),
                  None if scope["stores"] is None else tuple(scope["stores"])),
            ForecastSpec(spec["measure"], spec["grain"], spec["by"], values=values))


def run(warehouse, path: Path) -> int:
    """The background process: fit the job's view, keep it, remove the job."""
    job = _read(path)
    if job is None:
        return 2
    scope, spec = job_view(job)

    def progress(done: int) -> None:
        job["done"] = done
        durable.write_text(path, json.dumps(job))

    try:
        ahead.result(warehouse, scope, spec, progress=progress)
    except Exception as exc:  # noqa: BLE001 - said on the page, never a traceback
        job["error"] = f"{type(exc).__name__}: {exc}"[:300]
        durable.write_text(path, json.dumps(job))
        return 1
    path.unlink(missing_ok=True)
    return 0
