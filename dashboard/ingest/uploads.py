"""Uploaded files for a web import: stored in a job folder, read, and a mapping proposed.

The proposal is shown for the user to confirm; the mapping last confirmed in the browser is
saved (WAREHOUSE/mappings/last.json) and proposed again for files with the same names or
headers.
"""

from __future__ import annotations

import json
from pathlib import Path

from dashboard.ingest import jobs
from dashboard.ingest.encoding import show_bytes
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.mapping import Mapping, propose
from dashboard.ingest.readers import read_files

SAMPLES = 3


def last_mapping_path(root: Path) -> Path:
    return Path(root) / "mappings" / "last.json"


def saved_mapping(root: Path) -> Mapping | None:
    path = last_mapping_path(root)
    if not path.exists():
        return None
    try:
        return Mapping.load(path)
    except ImportProblem:
        return None


def prepare(folder: Path, root: Path) -> dict:
    """Read the uploaded files and write proposal.json (mapping + sample values), or the
    problem that stops them being read into status.json."""
    try:
        tables = read_files(jobs.uploaded_files(folder), folder / "preview")
        mapping = propose(tables, saved=saved_mapping(root))
    except ImportProblem as exc:
        return jobs.write_status(folder, state="failed", stage="reading", error=exc.as_dict())
    finally:
        import shutil

        shutil.rmtree(folder / "preview", ignore_errors=True)
    samples = {t.name: {c: _samples(t.frame[c]) for c in t.columns} for t in tables}
    rows = {t.name: len(t) for t in tables}
    proposal = {"mapping": mapping.to_dict(), "samples": samples, "rows": rows}
    (folder / "proposal.json").write_text(json.dumps(proposal, default=str))
    return jobs.write_status(folder, state="uploaded", stage="mapping", percent=0,
                             message="confirm the mapping, then import")


def _samples(values) -> str:
    present = values[values.str.strip() != ""].drop_duplicates().head(SAMPLES)
    return " · ".join(show_bytes(v.strip()[:24]) for v in present)


def proposal(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "proposal.json").read_text())
    except (OSError, ValueError):
        return None
