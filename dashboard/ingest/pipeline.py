"""One import, start to finish: read, map, clean, derive, write Parquet, build a new version.

Nothing served changes until the warehouse build switches to the new version (store.py); any
problem before that (bad input, too many rejected rows, a kill) leaves the current version as
it was. Every published version has a manifest (versions/NNNN.json): who, when, which files
(name, size, sha256), the mapping and the quality report, plus its rejected rows as CSV, the
canonical Parquet it was built from (versions/NNNN.canonical/) and an audit-log entry, so
nothing read is lost. All of these are stored, fsync'd and under their final names BEFORE the
switch (the build's `keep` step), so a kill -9 at any instant leaves the old version or the
complete new one; what a killed import leaves is removed at the start of the next (leftovers.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import getpass
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from dashboard import config, crashpoints, durable
from dashboard.ingest import audit_entry, chunks, leftovers
from dashboard.ingest.chunked import prepare_chunked
from dashboard.ingest.errors import ImportBusy, ImportProblem
from dashboard.ingest.locking import import_lock
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.preview import Prepared, prepare
from dashboard.ingest.readers import check_size, read_files
from dashboard.ingest.report import QualityReport
from dashboard.warehouse import store
from dashboard.warehouse.build import build_version
from dashboard.warehouse.parquet_files import write_dated_parquet

# Share of the progress bar each stage starts at.
STAGES = {"checking": 0, "reading": 2, "mapping": 45, "cleaning": 47, "deriving": 65,
          "writing": 72, "building": 78, "publishing": 97, "done": 100}
SAMPLE_BYTES = 64 * 1024

ProgressFn = Callable[[dict], None]


@dataclass
class ImportResult:
    version: int
    manifest: dict
    report: dict
    seconds: float


class TooManyRejected(ImportProblem):
    """More rows failed than the configured share allows."""


def run_import(files: list[tuple[Path, str]], root: Path, *, mapping: Mapping | None = None,
               date_order: str | None = None, user: str | None = None,
               progress: ProgressFn | None = None, max_rejected: float | None = None,
               work_dir: Path | None = None, via: str = "CLI import") -> ImportResult:
    """Import `files` ((path, name shown to the user) pairs) as a new version of `root`.

    `via` starts the audit-log entry ("CLI import", "web import (job …)")."""
    started = time.perf_counter()
    user = user or getpass.getuser()
    max_rejected = config.get_float("import_max_rejected") if max_rejected is None else max_rejected
    tracker = _Tracker(progress)
    own_work = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="import-", dir=_scratch(root))) if own_work else work_dir
    work.mkdir(parents=True, exist_ok=True)
    hashing = ThreadPoolExecutor(max_workers=1)
    try:
        with import_lock(root, user):
            leftovers.clean(root, keep=work)
            tracker.stage("checking", f"checking {len(files)} file(s)")
            for path, name in files:  # every size first: nothing over the limit is opened
                check_size(path, name)
            # The files' sha256 (hashlib lets go of the GIL) on the other core meanwhile.
            digests = hashing.submit(lambda: [_describe(path, name) for path, name in files])
            tracker.expect(_estimate_rows(files))
            tracker.stage("reading", "reading files")
            prepared = _prepare(files, work, mapping, date_order, tracker)
            mapping, report = prepared.mapping, prepared.report
            canonical, unavailable = prepared.canonical, prepared.unavailable
            summary = report.as_dict()
            report.write_rejected_csv(work / "rejected.csv")
            (work / "report.json").write_text(json.dumps(summary, indent=2, default=str))
            _check_rejected(report, max_rejected)
            tracker.stage("writing", "writing canonical Parquet")
            parquet = _write_parquet(canonical, work / "canonical")
            if prepared.sales_parts is not None:  # written chunk by chunk while deriving
                parquet["sales"] = prepared.sales_parts / "*.parquet"
            del prepared, canonical  # the frames are on disk now
            _release_memory()
            tracker.stage("building", "building the new warehouse version")
            described = digests.result()
            info = {"source": "import", "user": user,
                    "files": [d["name"] for d in described],
                    "currency": report.currency["code"]}
            sources = {t: str(p) for t, p in parquet.items()}  # inventory: the stock snapshot
            manifest: dict = {}

            def keep(version: int, rows: int) -> None:
                """The version's files and audit entry, durable before the switch."""
                tracker.stage("publishing", f"storing version {version}'s manifest and report",
                              publishing_version=version)
                manifest.update({
                    "version": version, "user": user,
                    "imported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "seconds": round(time.perf_counter() - started, 1),
                    "files": described, "rows": rows, "unavailable": list(unavailable),
                    "currency": report.currency["code"],
                    "mapping": mapping.to_dict(), "report": summary,
                })
                _keep_with_version(root, version, work, manifest)
                audit_entry.new_version(user, info["files"], via, version, rows)

            try:
                result = build_version(root, sources, info=info, unavailable=unavailable,
                                       memory_limit=config.get("import_memory_limit"),
                                       keep=keep,
                                       note={**info, "via": via, "pid": os.getpid()},
                                       on_abandoned=audit_entry.interrupted)
            except store.LoadInProgressError as exc:
                raise ImportBusy(f"{exc}; nothing was changed") from exc
            tracker.stage("done", f"version {result.version} is live: {result.rows:,} sales rows")
            return ImportResult(result.version, manifest, summary, time.perf_counter() - started)
    finally:
        hashing.shutdown(wait=True)
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
        else:  # keep report.json and rejected.csv for the user; drop the bulky copies
            for bulky in [*work.glob("unzipped-*"), work / "canonical", work / "cleaned"]:
                shutil.rmtree(bulky, ignore_errors=True)


def _prepare(files: list[tuple[Path, str]], work: Path, mapping: Mapping | None,
             date_order: str | None, tracker: _Tracker) -> Prepared:
    """One big plain CSV a chunk at a time (chunked.py), anything else read whole."""
    src = chunks.source(files)
    if src is not None:
        try:
            return prepare_chunked(src, mapping, date_order, tracker.stage, work, tracker.rows)
        except chunks.NotPlain:
            shutil.rmtree(work / "canonical", ignore_errors=True)
            shutil.rmtree(work / "cleaned", ignore_errors=True)
    tables = read_files(files, work, tracker.rows)
    return prepare(tables, mapping, date_order, tracker.stage, release_raw=True)


def _release_memory() -> None:
    """Give the heap freed by the import's frames back to the OS before DuckDB builds (glibc
    and Arrow keep freed pages otherwise), so the build's memory adds to a small process."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _scratch(root: Path) -> Path:
    folder = root / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _describe(path: Path, name: str) -> dict:
    size = path.stat().st_size
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _estimate_rows(files: list[tuple[Path, str]]) -> int:
    """Rough row count from sizes and the first lines, so progress can show a percentage."""
    total = 0
    for path, name in files:
        if name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(path) as archive:
                    for member in archive.infolist():
                        with archive.open(member) as handle:
                            total += _rows_in(handle.read(SAMPLE_BYTES), member.file_size)
            except (zipfile.BadZipFile, OSError):
                continue
        else:
            with open(path, "rb") as handle:
                total += _rows_in(handle.read(SAMPLE_BYTES), path.stat().st_size)
    return max(total, 1)


def _rows_in(sample: bytes, size: int) -> int:
    lines = max(sample.count(b"\n"), 1)
    return int(size / (len(sample) / lines)) if sample else 0


def _check_rejected(report: QualityReport, limit: float) -> None:
    read, rejected = report.rows_read(), report.rows_rejected_unchosen()
    if read and rejected / read > limit:
        first = report.first_problems()[0]
        reasons = "; ".join(f"{r}: {n:,}" for r, n in report.rejected.most_common(5))
        raise TooManyRejected(
            f"{rejected:,} of {read:,} rows ({rejected / read:.1%}) could not be used, over the "
            f"limit of {limit:.1%} (DASHBOARD_IMPORT_MAX_REJECTED); the first: {first.reason}. "
            f"All reasons: {reasons}. Nothing was changed; the rejected rows are listed in the "
            "report", file=first.file, row=first.row, column=first.column, value=first.value)


def _write_parquet(tables: dict, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, frame in tables.items():
        out[name] = folder / f"{name}.parquet"
        write_dated_parquet(frame, out[name])
        crashpoints.reached("writing")
    return out


def _keep_with_version(root: Path, version: int, work: Path, manifest: dict) -> None:
    """Rejected rows, canonical Parquet, then the manifest, each synced under its final name."""
    stem = store.versions_dir(root) / f"{version:04d}"
    durable.copy_file(work / "rejected.csv", Path(f"{stem}.rejected.csv"))
    durable.move_tree(work / "canonical", Path(f"{stem}.canonical"))
    durable.write_text(Path(f"{stem}.json"), json.dumps(manifest, indent=2, default=str))


class _Tracker:
    """Turns stage changes and row counts into progress events (stage, percent, rows read)."""

    def __init__(self, callback: ProgressFn | None):
        self.callback, self.expected, self.current, self.read = callback, 1, "checking", 0
        self.done_before = 0  # rows of earlier tables
        self.last_table: str | None = None
        self.last_rows = 0

    def expect(self, rows: int) -> None:
        self.expected = rows

    def stage(self, name: str, message: str, **extra) -> None:
        self.current = name
        self._emit(STAGES[name], message, **extra)
        if name == "cleaning":
            crashpoints.reached("cleaning")

    def rows(self, table: str, rows: int) -> None:
        if table != self.last_table:
            self.done_before += self.last_rows
            self.last_table = table
        self.last_rows = rows
        self.read = self.done_before + rows
        span = STAGES["mapping"] - STAGES["reading"]
        share = min(self.read / self.expected, 1.0)
        self._emit(STAGES["reading"] + span * share, f"reading {table}")
        if self.read:
            crashpoints.reached("reading")

    def _emit(self, percent: float, message: str, **extra) -> None:
        if self.callback is not None:
            self.callback({"stage": self.current, "percent": round(percent, 1),
                           "rows_read": self.read, "message": message, **extra})
