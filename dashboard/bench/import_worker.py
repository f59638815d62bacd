"""One timed read of the benchmark file, in its own process so its peak RSS is its own.

`python -m dashboard.bench.import_worker WAY FILE ROOT OUT`: WAY is toypulse (the whole
import, as `dashboard import` runs it), pandas (read_csv with its defaults) or duckdb
(read_csv into an in-memory table). Writes {"seconds", "rows"} as JSON to OUT.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def toypulse(path: Path, root: Path) -> int:
    from dashboard.ingest.pipeline import run_import

    shutil.rmtree(root, ignore_errors=True)
    return run_import([(path, path.name)], root, user="bench").manifest["rows"]


def pandas(path: Path, root: Path) -> int:
    import pandas as pd

    return len(pd.read_csv(path))


def duckdb(path: Path, root: Path) -> int:
    import duckdb as db

    con = db.connect()
    try:
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
        return con.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        con.close()


WAYS = {"toypulse": toypulse, "pandas": pandas, "duckdb": duckdb}


def main(argv: list[str]) -> None:
    way, path, root, out = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    started = time.perf_counter()
    rows = WAYS[way](path, root)
    out.write_text(json.dumps({"seconds": time.perf_counter() - started, "rows": int(rows)}))


if __name__ == "__main__":
    main(sys.argv[1:])
