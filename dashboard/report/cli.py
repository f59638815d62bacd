"""`dashboard report --as USER --page NAME [--view QUERY] --format F --out FILE`.

The scope comes from the user's account in the app database through scope_for_account, the one
entry point the web app uses too; nothing on the command line can widen it (`--view` is a page
query string like the browser's, checked the same way). Problems are one clear line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dashboard import config
from dashboard.report.export import FORMATS


class ReportProblem(Exception):
    """Something the user can fix: said in one line, exit code 2."""


def add_parser(sub, func) -> None:
    sp = sub.add_parser("report", help="a page (or story, saved view) for a user as "
                                       "JSON, CSV zip, PNG or PDF, within their scope")
    sp.add_argument("--as", dest="user", required=True, metavar="USER",
                    help="the user whose scope (regions) the report is made within")
    what = sp.add_mutually_exclusive_group()
    what.add_argument("--page", default=None, help="a page (default: overview)")
    what.add_argument("--story", default=None,
                      help="a story by name: default (the shipped story) or a saved story "
                           "the user may see (OWNER/NAME when several share the name)")
    what.add_argument("--saved", default=None,
                      help="a saved view by name (its latest version): the user's own, or one "
                           "shared with them (OWNER/NAME when several share the name)")
    sp.add_argument("--view", default="", metavar="QUERY",
                    help="the page's URL query string, e.g. 'region=North&start=2025-01-01'")
    sp.add_argument("--format", choices=FORMATS, required=True)
    sp.add_argument("--out", required=True, help="file to write")
    sp.set_defaults(func=func)


def account_for(username: str):
    """The active account of this user name in the app database."""
    from dashboard.auth import db, users

    try:
        name = users.normalize_username(username)
    except users.UserError as exc:
        raise ReportProblem(str(exc)) from exc
    account = users.by_username(db.AppDB(config.app_db_url()), name)
    if account is None:
        raise ReportProblem(f"no user {name!r} in the app database ({config.app_db_url()})")
    if not account.active:
        raise ReportProblem(f"user {name!r} is inactive")
    return account


def account_scope(username: str):
    """The scope of an active account, through scope_for_account."""
    from dashboard.auth.scope import scope_for_account
    from dashboard.queries.filters import ScopeError

    account = account_for(username)
    try:
        scope = scope_for_account(account)
        if scope.regions is not None and not scope.regions:
            raise ScopeError("no region is assigned to this user")
        if scope.stores is not None and not scope.stores:
            raise ScopeError("no store is assigned to this user")
    except ScopeError as exc:
        raise ReportProblem(f"user {account.username!r} may see no data: {exc}") from exc
    return scope


def saved_view(name: str, username: str, view_query: str, kind: str = "view"):
    """The saved view (or, kind "story", saved story) of this name that this user may open."""
    from dashboard.auth import db
    from dashboard.views import store

    if view_query:
        what = "saved view" if kind == "view" else "saved story"
        raise ReportProblem(f"--view goes with --page: a {what} brings its own query")
    try:
        view = store.by_name(db.AppDB(config.app_db_url()), account_for(username), name, kind)
    except (store.ViewNotFound, store.ViewProblem) as exc:
        raise ReportProblem(str(exc)) from exc
    return view


def items(args) -> list[tuple[str, str]]:
    """What to render, as (page, query) pairs, when it is a page or the default story (a saved
    view or saved story is rendered by views/reports.py: see `saved_thing`)."""
    from dashboard.report.registry import PAGES

    if args.story == "default":
        return [("story", args.view)]
    page = args.page or "overview"
    if page not in PAGES:
        raise ReportProblem(f"no page {page!r}: choose one of {', '.join(sorted(PAGES))}")
    return [(page, args.view)]


def saved_thing(args):
    """The saved view (--saved) or saved story (--story NAME other than default), or None."""
    if args.saved:
        return saved_view(args.saved, args.user, args.view)
    if args.story and args.story != "default":
        return saved_view(args.story, args.user, args.view, kind="story")
    return None


def run(args) -> int:
    from dashboard.report import chromium, export
    from dashboard.views.reports import saved_report
    from dashboard.warehouse.backends import open_warehouse
    from dashboard.warehouse.store import NoWarehouseError

    try:
        out = Path(args.out)
        if out.is_dir():
            raise ReportProblem(f"{str(out)!r} is a folder: give a file name")
        if not out.parent.is_dir():
            raise ReportProblem(f"folder {str(out.parent)!r} does not exist")
        thing = saved_thing(args)
        wanted = [] if thing else items(args)
        scope = account_scope(args.user)
        started = time.perf_counter()
        warehouse = open_warehouse(Path(args.warehouse))
        try:
            if thing:  # the note inside says which view or story, which version
                found = [saved_report(warehouse, scope, thing)]
            else:
                found = export.reports(warehouse, scope, wanted)
            export.write(found, args.format, out)
        finally:
            warehouse.close()
    except ReportProblem as exc:
        print(f"dashboard report: {exc}", file=sys.stderr)
        return 2
    except NoWarehouseError:
        print("dashboard report: no data has been imported yet", file=sys.stderr)
        return 2
    except (chromium.BrowserMissing, RuntimeError, OSError) as exc:
        print(f"dashboard report: {exc}", file=sys.stderr)
        return 2
    shown = f"“{thing.name}”" if thing else ", ".join(p for p, _ in wanted)
    print(f"wrote {args.format} of {shown} for {args.user} to "
          f"{out} ({out.stat().st_size:,} bytes, {time.perf_counter() - started:.1f} s)")
    return 0
