"""Version history (who imported what, when, from which files) and rollback.

Each version's manifest sits next to it (versions/NNNN.json). An import stores it before it
switches to the version, so a version without one was loaded with `dashboard load`/`sample`,
or (an older release's) import was killed just after its switch: the version's own meta says
which. A rollback points CURRENT at an earlier complete version (atomically, under the import
and load locks so it never races an import or a load) and is logged in history.jsonl with who
did it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

from dashboard.ingest import audit_entry
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.locking import import_lock
from dashboard.warehouse import store


def manifest(root: Path, version: int) -> dict | None:
    path = store.versions_dir(root) / f"{version:04d}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def rejected_csv(root: Path, version: int) -> Path:
    return store.versions_dir(root) / f"{version:04d}.rejected.csv"


def history(root: Path) -> list[dict]:
    """Newest first: version, current?, who, when, files, rows, rows rejected."""
    current = store.current_version(root)
    out = []
    for version in reversed(store.list_versions(root)):
        info = manifest(root, version) or {}
        report = info.get("report", {})
        out.append({
            "version": version,
            "current": version == current,
            "user": info.get("user", ""),
            "imported_at": info.get("imported_at", ""),
            "files": info.get("files", []),
            "rows": info.get("rows"),
            "rows_read": report.get("rows_read"),
            "rows_rejected": report.get("rows_rejected"),
            "note": info.get("note", "") if info else _no_manifest(root, version),
        })
    return out


def _no_manifest(root: Path, version: int) -> str:
    """Why a version has no manifest, from the source its build recorded."""
    try:
        source = store.read_meta(root, version).get("source")
    except Exception:  # noqa: BLE001 - an unreadable file must not break the list
        return "no import manifest (its source could not be read)"
    if source == "import":
        return ("interrupted: imported, but the import was killed before its manifest was "
                "kept (no file list or rejected rows)")
    return f"loaded with `dashboard load`/`sample` ({source or 'no source recorded'})"


def rollback(root: Path, version: int, user: str | None = None) -> int | None:
    """Serve `version` again; returns the version served before."""
    user = user or getpass.getuser()
    if version not in store.list_versions(root):
        raise ImportProblem(f"there is no version {version}; see `dashboard versions`",
                            value=version)
    with import_lock(root, user):
        try:
            with store.load_lock(root):
                # a version killed just after its switch keeps its files; others go
                audit_entry.interrupted(store.recover(root))
                before = store.current_version(root)
                store.set_current(root, version)
        except store.LoadInProgressError as exc:
            raise ImportProblem(f"{exc}; nothing was changed") from exc
        entry = {"action": "rollback", "from": before, "to": version, "user": user,
                 "at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        with open(root / "history.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    return before
