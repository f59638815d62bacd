"""The import commands: `dashboard import FILES...`, `dashboard versions`, `dashboard rollback N`.

`import --job FOLDER` is how the Data page runs an import in the background: files, mapping and
status live in the job folder (see jobs.py).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from dashboard import config
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.parse import DATE_ORDERS


def add_import_parsers(sub, cmd_import, cmd_versions, cmd_rollback) -> None:
    sp = sub.add_parser("import", help="import CSV/TSV/Excel files (or a .zip) as a new version")
    sp.add_argument("files", nargs="*", help="CSV, TSV, .xlsx, .xls or .zip files")
    sp.add_argument("--mapping", help="a mapping JSON saved earlier (--save-mapping or the "
                    "Data page); columns it does not cover are proposed")
    sp.add_argument("--save-mapping", help="write the mapping used to this JSON file")
    sp.add_argument("--propose", action="store_true",
                    help="preview only: the proposed mapping, row counts, the totals the import "
                    "would produce, every rule that would change values, duplicates, conflicts "
                    "and rejections; nothing is written")
    sp.add_argument("--json", action="store_true",
                    help="with --propose: print the preview (mapping and report) as JSON")
    sp.add_argument("--drop-duplicates", action="store_true", default=None,
                    help="drop exact duplicate lines of a file with no line id (default: keep "
                    "them as separate sales and flag them)")
    sp.add_argument("--currency", help="ISO code of the amounts (USD, EUR, MXN…); default: read "
                    "from the symbols and codes in the file, else USD")
    sp.add_argument("--date-order", choices=DATE_ORDERS,
                    help="how to read dates like 03/01/19 when the data does not decide")
    sp.add_argument("--constant", action="append", default=[], metavar="FIELD=VALUE",
                    help="a value for every row of a field the files lack or get wrong, e.g. "
                    "--constant sales.date=2023-11-12 (repeatable; the field keys are listed "
                    "by --propose)")
    sp.add_argument("--decimal-mark", action="append", default=[], metavar="COLUMN=MARK",
                    help="the decimal mark of a column when the values do not decide it, e.g. "
                    "--decimal-mark 'Revenue=,' (a comma: 16,448 is sixteen) or 'Revenue=.' "
                    "(repeatable)")
    sp.add_argument("--max-rejected", type=float,
                    help="share of rows that may be rejected (default DASHBOARD_IMPORT_MAX_"
                    "REJECTED)")
    sp.add_argument("--user", default=None, help="who is importing (default: login name)")
    sp.add_argument("--job", help=argparse_suppress())
    sp.add_argument("--preview", action="store_true", help=argparse_suppress())
    sp.set_defaults(func=cmd_import)
    sp = sub.add_parser("versions", help="list imported versions: who, when, files, rows")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_versions)
    sp = sub.add_parser("rollback", help="serve an earlier version again")
    sp.add_argument("version", type=int)
    sp.add_argument("--user", default=None)
    sp.set_defaults(func=cmd_rollback)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _printer():
    last = {"stage": None, "percent": -10.0}

    def show(event: dict) -> None:
        if event["stage"] != last["stage"] or event["percent"] - last["percent"] >= 10:
            last.update(stage=event["stage"], percent=event["percent"])
            print(f"[{event['percent']:5.1f}%] {event['stage']}: {event['message']} "
                  f"({event['rows_read']:,} rows read)", flush=True)

    return show


def run_import_command(args) -> int:
    from dashboard.ingest.mapping import Mapping

    if args.job:
        return _run_job(args)
    if not args.files:
        print("dashboard import: give one or more files", file=sys.stderr)
        return 2
    files = [(Path(f), Path(f).name) for f in args.files]
    try:
        mapping = _with_options(Mapping.load(Path(args.mapping)) if args.mapping else None, args)
        if args.propose:
            return _propose(files, mapping, args)
        result = _import(files, args, mapping, _printer())
    except ImportProblem as exc:
        print(f"import refused: {exc}", file=sys.stderr)
        print("nothing was changed; the data being served is as it was", file=sys.stderr)
        return 1
    from dashboard.ingest.report import render_text

    print(render_text(result.report))
    print(f"version {result.version} is live ({result.manifest['rows']:,} sales rows, "
          f"{result.seconds:.1f} s); unavailable: {', '.join(result.manifest['unavailable'])}")
    if args.save_mapping:
        Mapping.from_dict(result.manifest["mapping"]).save(Path(args.save_mapping))
        print(f"mapping saved to {args.save_mapping}")
    return 0


def _audit(action: str, actor: str, subject: str, detail: str) -> None:
    """Rollbacks from the command line go into the same audit log as the web's."""
    from dashboard.ingest.audit_entry import record

    record(action, actor, subject, detail)


def _import(files, args, mapping, progress, work_dir=None, via="CLI import"):
    """The import itself writes its audit-log entry, before it switches to the new version."""
    from dashboard.ingest.pipeline import run_import

    return run_import(files, Path(args.warehouse), mapping=mapping, date_order=args.date_order,
                      user=args.user or getpass.getuser(), progress=progress,
                      max_rejected=args.max_rejected, work_dir=work_dir, via=via)


def _with_options(mapping, args):
    """--currency and --drop-duplicates on top of the saved mapping (or an empty one)."""
    from dashboard.ingest.mapping import Mapping

    currency, drop = getattr(args, "currency", None), getattr(args, "drop_duplicates", None)
    constants = _pairs(getattr(args, "constant", None) or [], "--constant", "FIELD=VALUE")
    marks = _pairs(getattr(args, "decimal_mark", None) or [], "--decimal-mark", "COLUMN=MARK")
    for column, mark in marks.items():
        if mark not in (",", "."):
            raise ImportProblem("--decimal-mark takes a comma or a point, e.g. 'Revenue=,'",
                                column=column, value=mark)
    if currency is None and drop is None and not constants and not marks:
        return mapping
    mapping = mapping or Mapping([])
    if currency is not None:
        mapping.currency = currency
    if drop is not None:
        mapping.drop_duplicates = drop
    mapping.constants.update(constants)
    mapping.decimal_marks.update(marks)
    return mapping


def _pairs(given: list[str], flag: str, shape: str) -> dict[str, str]:
    """['a=1', 'b=2'] -> {'a': '1', 'b': '2'}; the value may itself hold '='."""
    out = {}
    for text in given:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ImportProblem(f"{flag} takes {shape}", value=text)
        out[name.strip()] = value.strip()
    return out


def _propose(files, mapping, args) -> int:
    from dashboard.ingest.mapping import Mapping
    from dashboard.ingest.preview import preview

    result = preview(files, Path(args.warehouse) / "imports", saved=mapping,
                     date_order=args.date_order, max_rejected=args.max_rejected)
    if args.save_mapping:
        Mapping.from_dict(result["mapping"]).save(Path(args.save_mapping))
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(render_preview(result))
    if args.save_mapping:
        print(f"proposed mapping saved to {args.save_mapping}; edit it, then "
              f"`dashboard import ... --mapping {args.save_mapping}`")
    return 1 if result["refused"] else 0


def render_preview(result: dict) -> str:
    """The preview as the CLI prints it: mapping, then what the import would do."""
    from dashboard.ingest.report import render_text

    lines = ["PREVIEW: nothing has been written", "mapping (column -> field):"]
    for table in result["mapping"]["tables"]:
        rows = result.get("rows", {}).get(table["source"])
        shown = f", {rows:,} rows" if rows is not None else ""
        lines.append(f"  {table['source']} (used as {table['role']}{shown})")
        lines += [f"    {column} -> {key or '(not used)'}"
                  for column, key in table["columns"].items()]
        lines += [f"    constant {key} = {value}" for key, value in table["constants"].items()]
    mapping = result["mapping"]
    lines.append(f"duplicates: {mapping.get('duplicates', 'keep')}; currency: "
                 f"{mapping.get('currency', 'auto')}; date order: {mapping['date_order']}")
    if result["refused"]:
        lines.append(f"the import would be refused: {result['refused']['text']}")
        return "\n".join(lines)
    lines.append("the import would produce:")
    lines.append(render_text(result["report"]))
    lines.append(f"unavailable: {', '.join(result['unavailable']) or 'none'}")
    lines.append("to import: run the same command without --propose")
    return "\n".join(lines)


def _run_job(args) -> int:
    """The background process behind the Data page: status and results go to the job folder."""
    from dashboard.ingest import jobs
    from dashboard.ingest.mapping import Mapping

    folder = Path(args.job)
    jobs.write_status(folder, state="running", pid=os.getpid(), stage="starting", percent=0,
                      rows_read=0, message="starting")
    try:
        mapping_file = folder / "mapping.json"
        mapping = Mapping.load(mapping_file) if mapping_file.exists() else None
        if args.preview:
            return _preview_job(folder, mapping, args)
        result = _import(jobs.uploaded_files(folder), args, mapping, jobs.StatusWriter(folder),
                         work_dir=folder / "work", via=f"web import (job {folder.name})")
    except ImportProblem as exc:
        jobs.write_status(folder, state="failed", error=exc.as_dict(),
                          report=_saved_report(folder))
        print(f"import refused: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # report the unexpected too, so the page never spins forever
        jobs.write_status(folder, state="failed",
                          error={"text": f"unexpected error: {type(exc).__name__}: {exc}"})
        raise
    jobs.write_status(folder, state="done", stage="done", percent=100, version=result.version,
                      report=result.report, message=f"version {result.version} is live")
    return 0


def _preview_job(folder: Path, mapping, args) -> int:
    """The Data page's preview: what the import would do, written to status.json."""
    from dashboard.ingest import jobs
    from dashboard.ingest.preview import preview

    jobs.write_status(folder, state="running", pid=os.getpid(), stage="previewing", percent=10,
                      message="previewing the import (nothing is written)")
    result = preview(jobs.uploaded_files(folder), folder / "work", saved=mapping,
                     date_order=args.date_order, max_rejected=args.max_rejected)
    jobs.write_status(folder, state="previewed", stage="preview", percent=100, preview=result,
                      message="check the preview, then confirm the import")
    return 0


def _saved_report(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "work" / "report.json").read_text())
    except (OSError, ValueError):
        return None


def print_versions(args) -> int:
    from dashboard.ingest.history import history

    rows = history(Path(args.warehouse))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no versions yet")
    for r in rows:
        files = ", ".join(f"{f['name']} ({f['size']:,} B, sha256 {f['sha256'][:12]})"
                          for f in r["files"]) or r["note"]
        rows_text = f"{r['rows']:,} sales rows" if r["rows"] is not None else ""
        print(f"{'*' if r['current'] else ' '} {r['version']:4d}  {r['imported_at'] or '-':25s} "
              f"{r['user'] or '-':12s} {rows_text:>18s}  {files}")
    return 0


def rollback_command(args) -> int:
    from dashboard.ingest.history import rollback
    from dashboard.warehouse import backends

    if backends.kind(config.get("warehouse_url")) != "duckdb":
        print("rollback refused: the app reads the server warehouse (DASHBOARD_WAREHOUSE_URL); "
              "re-import the version you want served (docs/DEPLOY.md)", file=sys.stderr)
        return 1
    try:
        before = rollback(Path(args.warehouse), args.version, args.user)
    except ImportProblem as exc:
        print(f"rollback refused: {exc}", file=sys.stderr)
        return 1
    print(f"now serving version {args.version} (was {before})")
    _audit("rollback", args.user or getpass.getuser(), f"version {args.version}",
           f"CLI rollback: was version {before}")
    return 0
