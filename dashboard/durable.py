"""Writes that survive a crash: fsync the data, rename into place, fsync the folder.

A rename is atomic (readers see the old file or the new one), but only an fsync of the file
before it and of the folder after it makes the result survive a power cut, not just a kill -9.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder` (and `folder` itself)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fsync_file(path)
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(folder)


def rename(source: Path, target: Path) -> None:
    """Rename (replacing a file `target`), then make the rename itself durable."""
    os.replace(source, target)
    fsync_dir(Path(target).parent)
    if Path(source).parent != Path(target).parent:
        fsync_dir(Path(source).parent)


def write_bytes(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a temporary file next to it, renamed when synced)."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    rename(tmp, path)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def copy_file(source: Path, target: Path) -> None:
    target = Path(target)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, tmp)
    fsync_file(tmp)
    rename(tmp, target)


def move_tree(source: Path, target: Path) -> None:
    """Move a folder into place whole: synced first, then one rename (a copy across disks)."""
    source, target = Path(source), Path(target)
    shutil.rmtree(target, ignore_errors=True)
    try:
        fsync_tree(source)
        rename(source, target)
    except OSError:  # another file system: copy beside the target, sync, rename
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp)
        fsync_tree(tmp)
        rename(tmp, target)
        shutil.rmtree(source, ignore_errors=True)
