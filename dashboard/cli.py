"""Command line: generate, load, sample, run, import, versions, rollback, report, forecast,
send-reports (`python -m dashboard`)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dashboard import config
from dashboard.auth import commands as auth_commands
from dashboard.command_line import shown


def cmd_generate(args) -> int:
    from dashboard import sample

    started = time.perf_counter()
    counts = sample.generate(Path(args.out), rows=args.rows, seed=args.seed)
    from dashboard import sample_inventory

    sample_inventory.write(Path(args.out), seed=args.seed)  # the stock snapshot
    seconds = time.perf_counter() - started
    print(f"generated {counts['sales']:,} sales lines in {seconds:.1f} s "
          f"({counts['sales'] / seconds:,.0f} rows/s) into {args.out}")
    return 0


def cmd_load(args) -> int:
    from dashboard.warehouse.build import build_version, parquet_sources

    result = build_version(Path(args.warehouse), parquet_sources(Path(args.source)),
                           info={"source": "sample", "files": str(args.source)},
                           on_abandoned=_audit_interrupted)
    print(f"loaded version {result.version}: {result.rows:,} rows in {result.seconds:.1f} s "
          f"({result.rows / result.seconds:,.0f} rows/s) -> {result.path}")
    return 0


def _audit_interrupted(notes: list[dict]) -> None:
    """A load that cleans up after a killed import logs it as an import would; a load never
    fails for want of the audit log."""
    from dashboard.ingest import audit_entry
    from dashboard.ingest.errors import ImportProblem

    try:
        audit_entry.interrupted(notes)
    except ImportProblem as exc:
        print(f"warning: {exc}", file=sys.stderr)
    for note in notes:
        print(f"removed version {note['version']}: its load was killed before the switch")


def cmd_sample(args) -> int:
    cmd_generate(args)
    args.source = args.out
    return cmd_load(args)


def cmd_run(args) -> int:
    from dashboard.warehouse.store import current_version

    if current_version(Path(args.warehouse)) is None:
        if args.sample_if_empty:
            print("no data loaded yet: building the sample retailer first")
            cmd_sample(args)
        else:  # the empty start: the app leads an admin to an import or the sample
            print("no data loaded yet: the app starts empty; sign in as an admin to import a "
                  "file on the Data page or load the sample data (or run "
                  f"`{shown('sample')}` / `{shown('import', 'FILES')}`)")
    from dashboard.app import create_app

    auth_commands.prepare_run(args)  # --admin-if-none, --demo
    app = create_app(Path(args.warehouse))
    print(f"ToyPulse on http://{args.host}:{args.port}")
    app.run(host=args.host, port=args.port, debug=config.get("debug") == "1")
    return 0


def cmd_bench(args) -> int:
    # The bench's builds must not start the Forecast page's fits beside what it measures.
    os.environ["DASHBOARD_FORECAST_AHEAD"] = "off"
    from dashboard.bench import report
    from dashboard.bench.pages import pages_table
    from dashboard.bench.reports import report_table
    from dashboard.bench.run import reports_only, run, section_key, table

    if args.import_rows:
        return _bench_import(args)
    if args.reports_only:
        results, text = reports_only(args.rows, Path(args.workdir), args.reuse)
        results.problems = []
    else:
        results = run(args.rows, Path(args.workdir), args.states, args.reuse, args.browser,
                      args.warehouse_url, usual=not args.no_usual)
        text = table(results)
    report_text = report_table(results.rows, results.reports) if results.reports else ""
    if results.pages:
        report_text += "\n" + pages_table(results.rows, results.pages)
    print(text if args.reports_only else f"{text}\n{report_text}")
    if results.problems:
        print("\n".join(p[:300] for p in results.problems[:20]), file=sys.stderr)
    if args.doc:
        note = f"{args.note}\n" if args.note else ""
        if not args.reports_only:
            report.write(Path(args.doc), section_key(results), text, note)
        if report_text and results.backend == "duckdb":
            report.write(Path(args.doc), f"reports {results.rows}", report_text, note)
        print(f"written to {args.doc}")
    return 1 if results.problems else 0


def _bench_import(args) -> int:
    from dashboard.bench import report
    from dashboard.bench.imports import WAYS, bench_file, import_table, run_imports

    workdir = Path(args.workdir)
    ways = tuple(w.strip() for w in args.import_ways.split(",")) if args.import_ways else None
    unknown = set(ways or ()) - {way for way, _ in WAYS}
    if unknown:
        print(f"--import-ways: unknown {', '.join(sorted(unknown))}; use toypulse, pandas, duckdb",
              file=sys.stderr)
        return 2
    runs = run_imports(args.import_rows, workdir, args.reuse, ways)
    size = bench_file(args.import_rows, workdir, reuse=True).stat().st_size
    text = import_table(args.import_rows, size, runs)
    print(text)
    if args.doc:
        report.write(Path(args.doc), f"import {args.import_rows}", text,
                     f"{args.note}\n" if args.note else "")
        print(f"written to {args.doc}")
    return 0


def cmd_report(args) -> int:
    from dashboard.report.cli import run

    return run(args)


def cmd_send_reports(args) -> int:
    from dashboard.report.send import run

    return run(args)


def cmd_inventory(args) -> int:
    from dashboard.inventory.cli import run_inventory

    return run_inventory(args)


def cmd_stock(args) -> int:
    from dashboard.inventory.cli import run_stock

    return run_stock(args)


def cmd_import(args) -> int:
    from dashboard.ingest.cli import run_import_command

    return run_import_command(args)


def cmd_versions(args) -> int:
    from dashboard.ingest.cli import print_versions

    return print_versions(args)


def cmd_forecast(args) -> int:
    from dashboard.forecast.cli import run

    return run(args)


def cmd_rollback(args) -> int:
    from dashboard.ingest.cli import rollback_command

    return rollback_command(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dashboard", description="ToyPulse sales analytics")
    p.add_argument("--warehouse", default=str(config.warehouse_dir()),
                   help="warehouse folder (DASHBOARD_WAREHOUSE_DIR)")
    sub = p.add_subparsers(dest="command", required=True)

    def sample_args(sp):
        sp.add_argument("--rows", type=int, default=config.get_int("sample_rows"))
        sp.add_argument("--seed", type=int, default=config.get_int("sample_seed"))
        sp.add_argument("--out", default=str(Path(config.get("data_dir")) / "sample"))

    sp = sub.add_parser("generate", help="generate the sample retailer as Parquet files")
    sample_args(sp)
    sp.set_defaults(func=cmd_generate)
    sp = sub.add_parser("load", help="load Parquet files into a new warehouse version")
    sp.add_argument("--source", default=str(Path(config.get("data_dir")) / "sample"))
    sp.set_defaults(func=cmd_load)
    sp = sub.add_parser("sample", help="generate the sample retailer and load it")
    sample_args(sp)
    sp.set_defaults(func=cmd_sample)
    sp = sub.add_parser("run", help="serve the app")
    sample_args(sp)
    sp.add_argument("--host", default=config.get("host"))
    sp.add_argument("--port", type=int, default=config.get_int("port"))
    sp.add_argument("--sample-if-empty", action="store_true",
                    help="build the sample retailer first when no data is loaded")
    auth_commands.add_run_options(sp)
    sp.set_defaults(func=cmd_run)
    sp = sub.add_parser("bench", help="benchmark ToyPulse against the usual pandas way")
    sp.add_argument("--rows", type=int, default=1_000_000)
    sp.add_argument("--states", type=int, default=None, help="replay only the first N states")
    sp.add_argument("--workdir", default=str(Path(config.get("data_dir")) / "bench"))
    sp.add_argument("--reuse", action="store_true", help="reuse data generated earlier")
    sp.add_argument("--import-rows", type=int, default=0, metavar="N",
                    help="instead: time the import of an N-line flat CSV (ToyPulse, pandas "
                         "read_csv, DuckDB read_csv; seconds, rows/s, peak RSS)")
    sp.add_argument("--import-ways", default="", metavar="WAYS",
                    help="with --import-rows: only these, comma-separated (toypulse,pandas,duckdb)")
    sp.add_argument("--browser", action="store_true", help="also time a filter change in Chromium")
    sp.add_argument("--reports-only", action="store_true",
                    help="only the report and pages tables: page_report and the JSON, CSV and "
                         "PDF exports of the Overview, and every page's page_report per filter "
                         "state, at --rows")
    sp.add_argument("--no-usual", action="store_true",
                    help="skip the usual pandas way and the report and pages tables (at 100M "
                         "lines its frame does not fit in memory); the served numbers are still "
                         "checked state by state against the warehouse build")
    sp.add_argument("--note", default="", help="a line written under the table (e.g. load)")
    sp.add_argument("--warehouse-url", default="",
                    help="serve from this server warehouse (postgresql://..., chdb:///folder): "
                         "the build is copied there and the app reads it")
    sp.add_argument("--doc", default=str(config.ROOT / "docs" / "PERFORMANCE.md"),
                    help="Markdown file to write the table to ('' for none)")
    sp.set_defaults(func=cmd_bench)
    from dashboard.ingest.cli import add_import_parsers

    add_import_parsers(sub, cmd_import, cmd_versions, cmd_rollback)
    auth_commands.add_parsers(sub)  # users, create-admin, demo-users
    from dashboard.report.cli import add_parser as add_report_parser

    add_report_parser(sub, cmd_report)
    from dashboard.forecast.cli import add_parser as add_forecast_parser

    add_forecast_parser(sub, cmd_forecast)
    from dashboard.report.send import add_parser as add_send_parser

    add_send_parser(sub, cmd_send_reports)
    from dashboard.inventory.cli import add_parsers as add_inventory_parsers

    add_inventory_parsers(sub, cmd_inventory, cmd_stock)  # inventory, stock receive|adjust|...
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
