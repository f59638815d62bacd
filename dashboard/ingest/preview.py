"""What an import will do, before anything is written: the same steps as the import itself.

`prepare` maps, cleans and derives the read tables into canonical frames plus the quality
report (rules and cells changed, duplicates, conflicts, rejections, dimension sources, the
currency and the totals the import will produce). The import runs exactly this and then writes;
`preview` runs it alone and writes nothing, so the totals a user confirms are the totals served.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.ingest.clean import clean_table, read_aliases
from dashboard.ingest.currency import decide
from dashboard.ingest.derive import assemble
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fields import IGNORE
from dashboard.ingest.mapping import Mapping, propose, validate
from dashboard.ingest.readers import read_files
from dashboard.ingest.report import QualityReport, line_totals
from dashboard.ingest.table import RawTable

StageFn = Callable[[str, str], None]


@dataclass
class Prepared:
    mapping: Mapping
    report: QualityReport
    canonical: dict[str, pd.DataFrame]
    unavailable: tuple[str, ...]
    sales_parts: Path | None = None  # a chunked import wrote the sales lines here (Parquet)


def prepare(tables: list[RawTable], saved: Mapping | None, date_order: str | None = None,
            stage: StageFn | None = None, release_raw: bool = False) -> Prepared:
    """Map, clean and derive; raises ImportProblem with file/row/column/value when refused.

    With `release_raw` (the import, which has no later use for them) each table's cells are
    dropped once it is cleaned, so the raw copy does not sit in memory beside the derived one;
    the rejected rows are kept in the report."""
    stage = stage or (lambda name, message: None)
    stage("mapping", "matching columns to fields")
    mapping = propose(tables, saved=saved)
    if date_order:
        mapping.date_order = date_order
    validate(mapping, tables)
    report = QualityReport()
    stage("cleaning", "applying cleaning rules")
    aliases = read_aliases()
    cleaned = []
    for t in tables:
        if mapping.table(t.name).role != IGNORE:
            cleaned.append(clean_table(t, mapping.table(t.name), mapping, aliases, report))
        if release_raw:
            t.frame = t.frame.iloc[:0]
    report.currency = decide(report.seen_currency, mapping.currency)
    stage("deriving", "joining files and deriving fields")
    canonical, unavailable = assemble(cleaned, report)
    report.totals = line_totals(canonical["sales"])
    return Prepared(mapping, report, canonical, unavailable)


def preview(files: list[tuple[Path, str]], scratch: Path, saved: Mapping | None = None,
            date_order: str | None = None, max_rejected: float | None = None) -> dict:
    """The preview of importing `files`: {"mapping", "report", "unavailable"} when it would
    succeed, or {"mapping", "refused"} (and the report so far) when it would be refused."""
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="preview-", dir=scratch))
    try:
        chunked = _chunked(files, work, saved, date_order, max_rejected)
        if chunked is not None:
            return chunked
        tables = read_files(files, work)
        try:
            done = prepare(tables, saved, date_order)
            _check_limit(done.report, max_rejected)
        except ImportProblem as exc:
            mapping = propose(tables, saved=saved)
            return {"mapping": mapping.to_dict(), "refused": exc.as_dict(),
                    "rows": {t.name: len(t) for t in tables}}
        return {"mapping": done.mapping.to_dict(), "report": done.report.as_dict(),
                "unavailable": list(done.unavailable), "refused": None,
                "rows": {t.name: len(t) for t in tables}}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _chunked(files: list[tuple[Path, str]], work: Path, saved: Mapping | None,
             date_order: str | None, max_rejected: float | None) -> dict | None:
    """The preview of one big plain CSV, a chunk at a time (chunked.py), or None."""
    from dashboard.ingest import chunked, chunks

    src = chunks.source(files)
    if src is None:
        return None
    rows = {src.name: src.lines}
    try:
        done = chunked.prepare_chunked(src, saved, date_order, lambda *_: None, work)
        _check_limit(done.report, max_rejected)
    except chunks.NotPlain:
        return None
    except ImportProblem as exc:
        return {"mapping": chunked.proposed(src, saved).to_dict(), "refused": exc.as_dict(),
                "rows": rows}
    return {"mapping": done.mapping.to_dict(), "report": done.report.as_dict(),
            "unavailable": list(done.unavailable), "refused": None, "rows": rows}


def _check_limit(report: QualityReport, max_rejected: float | None) -> None:
    from dashboard import config
    from dashboard.ingest.pipeline import _check_rejected

    limit = config.get_float("import_max_rejected") if max_rejected is None else max_rejected
    _check_rejected(report, limit)
