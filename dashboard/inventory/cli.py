"""`dashboard inventory --as USER [--alerts] --format json|csv --out FILE` and
`dashboard stock receive|adjust|transfer|write-off --as USER ...`.

The scope comes from the account through scope_for_account (report/cli.py account_scope), as in
`dashboard report`; a movement is checked and recorded by the same code as the page's form, with
its audit entry (actor: the user). Problems are one line on stderr and exit code 2.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from dashboard.csv_safe import SafeWriter

KINDS = {"receive": "receive", "adjust": "adjust", "transfer": "transfer",
         "write-off": "write_off"}


def add_parsers(sub, inventory_func, stock_func) -> None:
    sp = sub.add_parser("inventory", help="stock on hand (or the alerts list) for a user, within "
                                          "their stores or regions, as JSON or CSV")
    sp.add_argument("--as", dest="user", metavar="USER", help="required unless --ahead")
    sp.add_argument("--ahead", action="store_true",
                    help="fit the store forecast the stock plan's demand uses, for this data "
                         "version (run after each load); nothing else")
    sp.add_argument("--alerts", action="store_true", help="the alerts list instead of every item")
    sp.add_argument("--view", default="", metavar="QUERY",
                    help="the page's query, e.g. 'store=S008&alert=low&sort=cover'")
    sp.add_argument("--format", choices=("json", "csv"), help="required unless --ahead")
    sp.add_argument("--out", help="file to write (required unless --ahead)")
    sp.set_defaults(func=inventory_func)
    sp = sub.add_parser("stock", help="record a stock movement (audited like the page's form)")
    kinds = sp.add_subparsers(dest="stock_command", required=True)
    for name in KINDS:
        k = kinds.add_parser(name, help={"receive": "goods received",
                                         "adjust": "a count: set to the counted quantity",
                                         "transfer": "move stock to another store",
                                         "write-off": "expired or damaged stock"}[name])
        k.add_argument("--as", dest="user", required=True, metavar="USER")
        k.add_argument("--store", required=True)
        k.add_argument("--product", required=True)
        k.add_argument("--qty", required=True, help="units (adjust: the counted quantity)")
        k.add_argument("--date", default="", help="YYYY-MM-DD (default today)")
        k.add_argument("--batch", default="")
        if name == "receive":
            k.add_argument("--expiry", default="", help="YYYY-MM-DD of the batch")
        if name == "write-off":
            k.add_argument("--reason", required=True, choices=("expired", "damaged"))
        if name == "transfer":
            k.add_argument("--to-store", dest="to_store", required=True)
        k.set_defaults(func=stock_func, kind=KINDS[name])


ITEM_FIELDS = ["store_id", "store_name", "region", "product_id", "product_name", "category",
               "on_hand", "daily_mean", "basis", "days_cover", "reorder_point", "order_qty", "abc",
               "xyz", "alerts"]


def _items(status) -> list[dict]:
    out = []
    for row in status.items[ITEM_FIELDS].to_dict("records"):
        row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        row["alerts"] = list(row["alerts"])
        out.append(row)
    return out


def run_ahead(args) -> int:
    """Fit and keep the version's store forecast (forecast/ahead.py keeps it as a file)."""
    import time

    from dashboard.forecast.demand import expected_daily_units
    from dashboard.queries.filters import Scope
    from dashboard.warehouse.store import NoWarehouseError, Warehouse

    warehouse = Warehouse(Path(args.warehouse))
    try:
        started = time.perf_counter()
        version = warehouse.version
        stores = expected_daily_units(warehouse, Scope.everything(), 28)["stores"]
    except NoWarehouseError:
        print("dashboard inventory: no data has been imported yet", file=sys.stderr)
        return 2
    finally:
        warehouse.close()
    print(f"kept the store forecast of {len(stores):,} store(s) for version {version} in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def run_inventory(args) -> int:
    from dashboard.inventory import query
    from dashboard.pages import inventory_report
    from dashboard.report.cli import ReportProblem, account_scope
    from dashboard.warehouse.backends import open_warehouse
    from dashboard.warehouse.store import NoWarehouseError

    if args.ahead:
        return run_ahead(args)
    missing = [f for f, v in (("--as", args.user), ("--format", args.format),
                              ("--out", args.out)) if not v]
    if missing:
        print(f"dashboard inventory: {', '.join(missing)} required (or --ahead)",
              file=sys.stderr)
        return 2
    try:
        out = Path(args.out)
        if not out.parent.is_dir():
            raise ReportProblem(f"folder {str(out.parent)!r} does not exist")
        scope = account_scope(args.user)
        warehouse = open_warehouse(Path(args.warehouse))
        try:
            report, status = inventory_report.build(warehouse, scope, query.parse(args.view))
        finally:
            warehouse.close()
    except ReportProblem as exc:
        print(f"dashboard inventory: {exc}", file=sys.stderr)
        return 2
    except NoWarehouseError:
        print("dashboard inventory: no data has been imported yet", file=sys.stderr)
        return 2
    rows = report["charts"][1]["rows"]
    if args.format == "json":
        body = {k: report[k] for k in ("data_version", "filters", "notes", "tiles", "narrative")}
        body["alerts" if args.alerts else "items"] = (
            [dict(zip(query.COLUMNS, r, strict=True)) for r in rows] if args.alerts
            else _items(status))
        out.write_text(json.dumps(body, indent=1, default=str), encoding="utf-8")
    else:
        text = io.StringIO()
        writer = SafeWriter(text)
        if args.alerts:
            writer.writerow(query.COLUMNS)
            writer.writerows(rows)
        else:
            writer.writerow(ITEM_FIELDS)
            writer.writerows([[r[f] if f != "alerts" else " ".join(r[f]) for f in ITEM_FIELDS]
                              for r in _items(status)])
        out.write_text(text.getvalue(), encoding="utf-8")
    count = len(rows) if args.alerts else len(status.items)
    print(f"wrote {count:,} {'alerts' if args.alerts else 'items'} for {args.user} to {out}")
    return 0


def run_stock(args) -> int:
    from dashboard.auth import db
    from dashboard.inventory import movements
    from dashboard.report.cli import ReportProblem, account_for, account_scope
    from dashboard.warehouse.backends import open_warehouse
    from dashboard.warehouse.store import NoWarehouseError

    try:
        scope = account_scope(args.user)
        account = account_for(args.user)
        warehouse = open_warehouse(Path(args.warehouse))
        try:
            place = movements.place_for(warehouse, scope)
        finally:
            warehouse.close()
        from dashboard import config

        form = {k: getattr(args, k, "") for k in ("store", "product", "qty", "date", "batch",
                                                  "expiry", "reason", "to_store")}
        done = movements.record(db.AppDB(config.app_db_url()), place, account.username,
                                args.kind, form, address="cli")
    except (ReportProblem, movements.StockError) as exc:
        print(f"dashboard stock: {exc}; nothing changed", file=sys.stderr)
        return 2
    except NoWarehouseError:
        print("dashboard stock: no data has been imported yet", file=sys.stderr)
        return 2
    print(f"recorded {args.stock_command} #{done.id}: store {done.store} product {done.product} "
          f"{done.qty:+d}, on hand now {done.on_hand:,.0f}")
    return 0
