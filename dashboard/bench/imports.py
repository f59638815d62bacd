"""`dashboard bench --import-rows N`: the import of an N-line flat CSV against plain readers.

The file is generated once (import_file.py) and then read three ways, each in a fresh child
process: the whole ToyPulse import (read, map, clean, derive, write Parquet, build a version),
pandas `read_csv` and DuckDB `read_csv` of the same file. Peak RSS is the child's own high-water
mark, from the kernel (os.wait4), so no sampling can miss a peak. Linux starts a child's mark at
the RSS of the process that started it, so this one never holds the generated rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WAYS = (("toypulse", "ToyPulse import (read, clean, derive, Parquet, build)"),
        ("pandas", "pandas read_csv (defaults)"),
        ("duckdb", "DuckDB read_csv into a table"))


@dataclass
class ImportRun:
    way: str
    label: str
    seconds: float
    rows: int
    peak_mb: float


def bench_file(rows: int, workdir: Path, reuse: bool = False) -> Path:
    path = workdir / f"import-{rows}.csv"
    if not (reuse and path.exists()):  # in a child, so this process stays small (see below)
        subprocess.run([sys.executable, "-m", "dashboard.bench.import_file", str(path),
                        str(rows)], check=True)
    return path


def run_way(way: str, path: Path, workdir: Path) -> tuple[dict, float]:
    """The worker's result and its peak RSS in MB."""
    out = workdir / f"import-{way}.json"
    env = {**os.environ, "DASHBOARD_IMPORT_MAX_MB": str(path.stat().st_size // 2**20 + 100)}
    child = subprocess.Popen([sys.executable, "-m", "dashboard.bench.import_worker", way,
                              str(path), str(workdir / "import-root"), str(out)], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"the {way} import worker failed (exit {child.returncode})")
    return json.loads(out.read_text()), usage.ru_maxrss / 1024  # Linux: kilobytes


def run_imports(rows: int, workdir: Path, reuse: bool = False,
                ways: tuple[str, ...] | None = None) -> list[ImportRun]:
    """Each way (all by default) of reading the N-line file, in that order."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = bench_file(rows, workdir, reuse)
    runs = []
    for way, label in WAYS:
        if ways is not None and way not in ways:
            continue
        result, peak = run_way(way, path, workdir)
        runs.append(ImportRun(way, label, result["seconds"], result["rows"], peak))
    return runs


def import_table(rows: int, size_bytes: int, runs: list[ImportRun]) -> str:
    lines = [f"### Import of a {rows:,}-line flat CSV ({size_bytes / 1e9:.2f} GB)", "",
             "| reader | seconds | rows/s | peak RSS (MB) | rows |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.label} | {r.seconds:,.1f} | {r.rows / r.seconds:,.0f} | {r.peak_mb:,.0f} "
              f"| {r.rows:,} |" for r in runs]
    return "\n".join(lines) + "\n"
