"""One import at a time per warehouse, across processes, with who holds it for the message.

An flock on import.lock is released by the OS when its process dies, so a killed import (kill -9)
never leaves a lock anyone must clean up. The holder's details sit next to it for the refusal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from dashboard.ingest.errors import ImportBusy


@contextlib.contextmanager
def import_lock(root: Path, user: str) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "import.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ImportBusy(f"another import is running ({_holder(root)}); nothing was "
                             "changed: try again when it has finished") from exc
        owner = root / "import.owner.json"
        owner.write_text(json.dumps({"user": user, "pid": os.getpid(),
                                     "since": dt.datetime.now().isoformat(timespec="seconds")}))
        try:
            yield
        finally:
            owner.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(root: Path) -> str:
    try:
        info = json.loads((root / "import.owner.json").read_text())
        return f"started by {info['user']} at {info['since']}, process {info['pid']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"
