"""Version history (who imported what, when, from which files) and rollback.

Each version's manifest sits next to it (versions/NNNN.json). A rollback points CURRENT at an
earlier complete version (atomically, under the import lock so it never races an import) and is
logged in history.jsonl with who did it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

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
            "note": info.get("note", "") if info else
            "loaded with `dashboard load`/`sample` (no import manifest)",
        })
    return out


def rollback(root: Path, version: int, user: str | None = None) -> int | None:
    """Serve `version` again; returns the version served before."""
    user = user or getpass.getuser()
    if version not in store.list_versions(root):
        raise ImportProblem(f"there is no version {version}; see `dashboard versions`",
                            value=version)
    with import_lock(root, user):
        before = store.current_version(root)
        store.set_current(root, version)
        entry = {"action": "rollback", "from": before, "to": version, "user": user,
                 "at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        with open(root / "history.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    return before
