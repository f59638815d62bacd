"""`dashboard forecast --as USER --measure revenue|units [--by ...] --horizon N [--backtest]
--format json|csv --out FILE`, and `dashboard forecast --ahead` (what a load starts).

The scope comes from the user's account through the same scope_for_account as `dashboard
report`; `--view` is the page's query string for filters, checked as the page checks it.
Problems are one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dashboard.forecast.spec import BY, GRAINS, HORIZON, MEASURES

FORECAST_COLUMNS = ["series", "period", "shown", "method", "mean", "lo80", "hi80", "lo95",
                    "hi95"]
BACKTEST_COLUMNS = ["series", "status", "shown", "model_mase", "model_smape", "naive_mase",
                    "naive_smape", "held_out", "model_wins", "reason"]


def _horizon(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not HORIZON[0] <= number <= HORIZON[1]:
        raise argparse.ArgumentTypeError(f"{number} is outside {HORIZON[0]}–{HORIZON[1]}")
    return number


def add_parser(sub, func) -> None:
    sp = sub.add_parser("forecast", help="a user's demand forecast (with its backtest) as "
                                         "JSON or CSV, within their scope")
    sp.add_argument("--as", dest="user", default=None, metavar="USER",
                    help="the user whose scope (regions) the forecast is made within")
    sp.add_argument("--measure", choices=MEASURES, default="revenue")
    sp.add_argument("--by", choices=tuple(BY), default="total")
    sp.add_argument("--grain", choices=tuple(GRAINS), default="month")
    sp.add_argument("--member", default=None, help="the series the page's chart would show")
    sp.add_argument("--horizon", type=_horizon, default=None,
                    help=f"periods ahead, {HORIZON[0]}–{HORIZON[1]} (default 6 months, 12 weeks)")
    sp.add_argument("--backtest", action="store_true",
                    help="CSV: the backtest table (MASE, sMAPE of the model and seasonal naive "
                         "per series) instead of the forecasts; JSON always holds both")
    sp.add_argument("--view", default="", metavar="QUERY",
                    help="filters as the page's URL query, e.g. 'region=North&category=Dolls'")
    sp.add_argument("--format", choices=("json", "csv"), default=None)
    sp.add_argument("--out", default=None, help="file to write")
    sp.add_argument("--ahead", action="store_true",
                    help="instead: fit the default views of the current data version for "
                         "everyone and each region (a load starts this in the background)")
    sp.add_argument("--fit", default=None, metavar="JOBFILE",
                    help=argparse.SUPPRESS)  # the page's background fit (forecast/jobs.py)
    sp.set_defaults(func=func)


def _query(args) -> str:
    from urllib.parse import urlencode

    pairs = [("measure", args.measure), ("by", args.by), ("grain", args.grain)]
    if args.horizon is not None:
        pairs.append(("horizon", str(args.horizon)))
    if args.member:
        pairs.append(("member", args.member))
    extra = args.view.lstrip("?")
    return urlencode(pairs) + (f"&{extra}" if extra else "")


def _write(report: dict, args, out: Path) -> None:
    from dashboard.csv_safe import SafeWriter

    if args.format == "json":
        body = {key: report[key] for key in ("page", "data_version", "filters", "query",
                                             "notes", "narrative", "accuracy", "series")}
        out.write_text(json.dumps(body, indent=2), encoding="utf-8")
        return
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = SafeWriter(handle)
        if args.backtest:
            writer.writerow(BACKTEST_COLUMNS)
            for s in report["series"]:
                bt = s["backtest"] or {"model": {}, "baseline": {}}
                writer.writerow([s["series"], s["status"], s["shown"], bt["model"].get("mase"),
                                 bt["model"].get("smape"), bt["baseline"].get("mase"),
                                 bt["baseline"].get("smape"), bt.get("held_out"),
                                 bt.get("model_wins"), s["reason"]])
            return
        writer.writerow(FORECAST_COLUMNS)
        for s in report["series"]:
            for row in s["forecast"]:
                writer.writerow([s["series"], row["period"], s["shown"], s["method"],
                                 *(row[k] for k in FORECAST_COLUMNS[4:])])


def _ahead(args) -> int:
    from dashboard.forecast.ahead import compute_ahead
    from dashboard.warehouse.backends import open_warehouse

    warehouse = open_warehouse(Path(args.warehouse))
    try:
        done = compute_ahead(warehouse)
    finally:
        warehouse.close()
    print(f"forecast ahead: {done['views']} views for data version in {done['seconds']:.1f} s")
    return 0


def _fit(args) -> int:
    from dashboard.forecast import jobs
    from dashboard.warehouse.backends import open_warehouse

    warehouse = open_warehouse(Path(args.warehouse))
    try:
        return jobs.run(warehouse, Path(args.fit))
    finally:
        warehouse.close()


def run(args) -> int:
    from dashboard.pages.forecast_report import page_report
    from dashboard.report.cli import ReportProblem, account_scope
    from dashboard.warehouse.backends import open_warehouse
    from dashboard.warehouse.store import NoWarehouseError

    try:
        if args.ahead:
            return _ahead(args)
        if args.fit:
            return _fit(args)
        missing = [flag for flag, value in (("--as", args.user), ("--format", args.format),
                                            ("--out", args.out)) if not value]
        if missing:
            raise ReportProblem(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                                "required (or --ahead)")
        out = Path(args.out)
        if out.is_dir():
            raise ReportProblem(f"{str(out)!r} is a folder: give a file name")
        if not out.parent.is_dir():
            raise ReportProblem(f"folder {str(out.parent)!r} does not exist")
        scope = account_scope(args.user)
        started = time.perf_counter()
        warehouse = open_warehouse(Path(args.warehouse))
        try:
            report = page_report(warehouse, scope, _query(args))
        finally:
            warehouse.close()
        _write(report, args, out)
    except ReportProblem as exc:
        print(f"dashboard forecast: {exc}", file=sys.stderr)
        return 2
    except NoWarehouseError:
        print("dashboard forecast: no data has been imported yet", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"dashboard forecast: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.format} forecast ({len(report['series'])} series) for {args.user} to "
          f"{out} ({time.perf_counter() - started:.1f} s)")
    return 0
