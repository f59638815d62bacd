"""`prepare` for one big plain CSV of sales lines, a chunk at a time: same rules, same report.

The one-table code (preview.prepare) holds the whole file in pandas frames, about 1.4 GB per
million lines. Here memory scales with the chunk (DASHBOARD_IMPORT_CHUNK_ROWS):
1. map from the first chunk (the proposal only reads the first rows anyway);
2. decide what needs the whole column (decisions.gather: decimal marks, date order, case
   variants), reading every chunk once and keeping only distinct values;
3. clean each chunk with those decisions (clean.clean_table), finding duplicates across chunks,
   and keep it in a scratch file; the products/stores a flat file carries are kept per id;
4. derive each chunk and write it as a Parquet part (derive_chunks.py); the checks that need
   every line (conflicting ids, outliers, totals, where each dimension came from) add up the
   chunks' counts and decide once.
Each chunk's quality report is added into the import's, and the rejected rows are put back in
the order the one-table code finds them, so the report, rejected rows and totals are the same.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from dashboard.ingest import currency
from dashboard.ingest.chunks import NotPlain, Source
from dashboard.ingest.clean import clean_table, read_aliases
from dashboard.ingest.decisions import gather
from dashboard.ingest.derive import _flat
from dashboard.ingest.derive_chunks import Deriver
from dashboard.ingest.mapping import Mapping, TableMapping, propose, validate
from dashboard.ingest.preview import Prepared, StageFn
from dashboard.ingest.report import QualityReport, TableCounts


def first_chunk(src: Source):
    chunks = src.chunks()
    try:
        return next(chunks)
    finally:
        chunks.close()


def proposed(src: Source, saved: Mapping | None) -> Mapping:
    return propose([first_chunk(src)], saved=saved)


def prepare_chunked(src: Source, saved: Mapping | None, date_order: str | None,
                    stage: StageFn, work: Path, rows=None) -> Prepared:
    """Prepared like preview.prepare; the sales Parquet parts are in work/canonical/sales/.
    Raises NotPlain when the file is not one this can take (read it whole instead)."""
    stage("mapping", "matching columns to fields")
    scratch = work / "cleaned"
    stream = src.chunks(keep=scratch)  # read once; pass 2 reads the stored chunks back
    try:
        first = next(stream)
        mapping = propose([first], saved=saved)
        if date_order:
            mapping.date_order = date_order
        validate(mapping, [first])
        tm = mapping.table(first.name)
        if tm.role != "sales":
            raise NotPlain("not a sales file")
        report = QualityReport()
        stage("cleaning", "applying cleaning rules")
        aliases = read_aliases()
        decided = gather(_counted(src, itertools.chain([first], stream), rows), tm, mapping,
                         aliases)
        del first
    finally:
        stream.close()
    for note in decided.notes:
        if note not in report.notes:
            report.note(note)
    # With no products.*/stores.* field, no chunk needs a table built from later chunks, so
    # each is derived as soon as it is cleaned; else the cleaned chunks wait in scratch files.
    fused = not any(k.startswith(("products.", "stores."))
                    for k in [*tm.field_columns(), *tm.constants])
    deriver = Deriver(src.name, pd.DataFrame(), pd.DataFrame(), report, work / "canonical",
                      src.lines) if fused else None
    cleaned, products, stores = [], [], []
    for i, chunk in enumerate(src.kept(scratch)):
        part = QualityReport(seen_currency=report.seen_currency)
        done = clean_table(chunk, tm, mapping, aliases, part, decided)
        add_report(report, part, first=i == 0)
        del chunk, part  # not held while the next chunk is read
        if deriver is not None:
            deriver.add(done.frame)
            del done
            continue
        products.append(_flat([done], "products", "product_id"))
        stores.append(_flat([done], "stores", "store_id"))
        path = scratch / f"clean-{i:05d}.pkl"
        done.frame.to_pickle(path)  # our own scratch file, read back by this process only
        cleaned.append(path)
        del done
    decided.duplicates.finish()
    report.problems = in_found_order(report.problems, tm)
    report.currency = currency.decide(report.seen_currency, mapping.currency)
    stage("deriving", "joining files and deriving fields")
    if deriver is None:
        deriver = Deriver(src.name, _first_seen(products), _first_seen(stores), report,
                          work / "canonical", src.lines)
        for path in cleaned:
            deriver.add(pd.read_pickle(path))
            path.unlink()
    canonical, unavailable = deriver.finish()
    return Prepared(mapping, report, canonical, unavailable, work / "canonical" / "sales")


def _counted(src: Source, stream, rows):
    done = 0
    for chunk in stream:
        done += len(chunk)
        if rows is not None:
            rows(src.name, done)
        yield chunk
        del chunk


def _first_seen(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The first row per id over the chunks (each part is already one row per id)."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    key = "product_id" if "product_id" in parts[0] else "store_id"
    return pd.concat(parts, ignore_index=True).drop_duplicates(key).reset_index(drop=True)


def add_report(report: QualityReport, part: QualityReport, first: bool) -> None:
    """Add one chunk's report into the import's (counts add up; the first chunk says which
    column filled each field)."""
    for name, counts in part.tables.items():
        total = report.tables.setdefault(name, TableCounts(name, counts.role))
        total.read += counts.read
        total.kept += counts.kept
        total.rejected += counts.rejected
    report.fixed.update(part.fixed)
    report.flags.update(part.flags)
    for note in part.notes:
        if note not in report.notes:
            report.note(note)
    for name, examples in part.examples.items():
        report.examples.setdefault(name, []).extend(examples)
    report.problems += part.problems
    report.records.update(part.records)
    report.derived_keys |= part.derived_keys
    report.constant_keys |= part.constant_keys
    if first:
        report.field_columns = part.field_columns
    report.dropped_by_choice += part.dropped_by_choice


def in_found_order(problems: list, tm: TableMapping) -> list:
    """Rejections in the order the one-table code records them: column by column (bytes,
    bounds, unreadable, missing), then duplicates; rows in file order within each."""
    columns = list(tm.field_columns().values())

    def rank(p) -> tuple[int, int]:
        where = columns.index(p.column) if p.column in columns else len(columns)
        if "a byte that is not text" in p.reason:
            step = 0
        elif "not a finite number" in p.reason:
            step = 1
        elif p.reason.endswith(": missing"):
            step = 3
        else:
            step = 2
        return where, step

    return sorted(problems, key=rank)  # stable: chunk order is file order
