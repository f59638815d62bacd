"""Turn the files a user gives into raw tables: CSV/TSV, Excel (every sheet), or a zip of them.

Sizes are checked from the file system before anything is read, so a file over the limit is
refused without being loaded into memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from dashboard import config
from dashboard.ingest.delimited import read_delimited
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.excel import read_xls, read_xlsx
from dashboard.ingest.table import RawTable

DELIMITED = (".csv", ".tsv", ".tab", ".txt")
EXCEL = (".xlsx", ".xlsm", ".xls")
ZIP = (".zip",)
SKIP_IN_ZIP = ("__macosx/", "data dictionary/", "readme")

Progress = Callable[[str, int], None]  # (table name, rows read so far)


def max_bytes() -> int:
    return int(config.get_float("import_max_mb") * 1024 * 1024)


def check_size(path: Path, name: str, limit: int | None = None) -> int:
    limit = max_bytes() if limit is None else limit
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImportProblem("file not found", file=name) from exc
    if size > limit:
        raise ImportProblem(
            f"the file is {size / 1e6:,.1f} MB, over the import limit of {limit / 1e6:,.1f} MB "
            "(DASHBOARD_IMPORT_MAX_MB); it was not read", file=name)
    return size


def supported(path: Path) -> bool:
    return path.suffix.lower() in (*DELIMITED, *EXCEL, *ZIP)


def expand_zip(path: Path, name: str, into: Path) -> list[tuple[Path, str]]:
    """Extract the data files of a zip (sizes checked first); documentation folders are skipped."""
    limit = max_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist()
                       if not m.is_dir() and supported(Path(m.filename))
                       and Path(m.filename).suffix.lower() != ".zip"
                       and not any(s in m.filename.lower() for s in SKIP_IN_ZIP)]
            for member in members:
                if member.file_size > limit:
                    raise ImportProblem(
                        f"{member.filename} inflates to {member.file_size / 1e6:,.1f} MB, over "
                        f"the import limit of {limit / 1e6:,.1f} MB; it was not extracted",
                        file=name)
            out = []
            into.mkdir(parents=True, exist_ok=True)
            for i, member in enumerate(members):
                target = into / f"{i:03d}-{Path(member.filename).name}"
                with archive.open(member) as src, open(target, "wb") as dst:
                    _copy_limited(src, dst, limit, name, member.filename)
                out.append((target, Path(member.filename).name))
    except zipfile.BadZipFile as exc:
        raise ImportProblem(f"not a valid zip archive ({exc})", file=name) from exc
    if not out:
        raise ImportProblem("the zip holds no CSV, TSV or Excel files", file=name)
    return out


def _copy_limited(src, dst, limit: int, name: str, member: str) -> None:
    written = 0
    while chunk := src.read(1 << 20):
        written += len(chunk)
        if written > limit:  # declared sizes can lie
            raise ImportProblem(f"{member} inflates past the import limit", file=name)
        dst.write(chunk)


def read_files(files: list[tuple[Path, str]], work_dir: Path,
               progress: Progress | None = None) -> list[RawTable]:
    """Every table in `files` ((path, name shown to the user) pairs), sizes checked first."""
    for path, name in files:
        check_size(path, name)
        if not supported(path) and not supported(Path(name)):
            raise ImportProblem(
                "unsupported file type; use .csv, .tsv, .txt, .xlsx, .xls or a .zip of them",
                file=name)
    expanded: list[tuple[Path, str]] = []
    for i, (path, name) in enumerate(files):
        if Path(name).suffix.lower() in ZIP:
            expanded += expand_zip(path, name, work_dir / f"unzipped-{i}")
        else:
            expanded.append((path, name))
    tables: list[RawTable] = []
    for path, name in expanded:
        tables += read_one(path, name, progress)
    names = [t.name for t in tables]
    for t in tables:
        if names.count(t.name) > 1:
            raise ImportProblem("two files have the same name; rename one", file=t.name)
    return tables


def read_one(path: Path, name: str, progress: Progress | None = None) -> list[RawTable]:
    suffix = Path(name).suffix.lower()

    def report(rows: int) -> None:
        if progress is not None:
            progress(name, rows)

    if path.stat().st_size == 0:
        raise ImportProblem("the file is empty (0 bytes)", file=name)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, name, max_bytes() * 10, report)
    if suffix == ".xls":
        return read_xls(path, name, report)
    return [read_delimited(path, name, report)]
