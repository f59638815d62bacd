"""`dashboard send-reports [--now]`: mail every due subscription its PDF, made for that user.

Run by cron (README, "Reports by mail"). Each subscriber's report is rendered within the scope
scope_for_account gives their account at send time (the one entry point the web app uses), so a
North manager's mail holds only North. Subscribers are independent: a failure (rendering, SMTP)
is reported and the run goes on; last_sent_at moves only when the SMTP server took the mail.
Inactive users, users with no email address and managers with no region get nothing, nor does a
subscription whose saved view was deleted or unshared (skipped, with that reason).
Exit codes: 0 all sent (or nothing due), 1 some failed, 2 nothing could be tried (no SMTP
settings, no data, another run still holding the lock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import smtplib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth import audit, db, users
from dashboard.auth.scope import scope_for_account
from dashboard.queries.filters import Scope, ScopeError
from dashboard.report import chromium, export, mailer, subscriptions
from dashboard.report.subscriptions import Subscription
from dashboard.warehouse.store import NoWarehouseError

ACTOR = "send-reports"


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | skipped | failed
    subscription: Subscription
    username: str
    detail: str

    def line(self) -> str:
        return (f"{self.status} {self.subscription.name!r} (#{self.subscription.id}) for "
                f"{self.username or 'user #' + str(self.subscription.user_id)}: {self.detail}")


class Skip(Exception):
    """This subscriber gets nothing this time, for the reason given (not a failure)."""


def add_parser(sub, func) -> None:
    sp = sub.add_parser("send-reports", help="mail each due report subscription its PDF "
                                             "(run by cron; see README 'Reports by mail')")
    sp.add_argument("--now", action="store_true",
                    help="send every active subscription now, due or not")
    sp.set_defaults(func=func)


def scope_of(account: users.Account | None) -> Scope:
    if account is None:
        raise Skip("the user no longer exists")
    if not account.active:
        raise Skip("the user is inactive")
    try:
        scope = scope_for_account(account)
    except ScopeError as exc:
        raise Skip(f"the user may see no data ({exc})") from exc
    if scope.regions is not None and not scope.regions:
        raise Skip("no region is assigned to this manager")
    if scope.stores is not None and not scope.stores:
        raise Skip("no store is assigned to this store manager")
    if not account.email:
        raise Skip("no email address (set one: dashboard users set-email USER ADDRESS)")
    return scope


def render(warehouse, scope: Scope, subscription: Subscription,
           view=None) -> tuple[bytes, list[dict]]:
    """The subscription's PDF within `scope` (`view`: the saved view it points to)."""
    from dashboard.views.reports import saved_report

    found = ([saved_report(warehouse, scope, view)] if view is not None else
             export.reports(warehouse, scope, subscription.items))
    with tempfile.TemporaryDirectory(prefix="toypulse-mail-") as folder:
        out = Path(folder) / "report.pdf"
        export.write(found, "pdf", out)
        return out.read_bytes(), found


def body(account: users.Account, subscription: Subscription, found: list[dict],
         scope: Scope, at: dt.datetime) -> str:
    regions = ("stores " + ", ".join(sorted(scope.stores)) if scope.stores is not None else
               "all regions" if scope.regions is None else ", ".join(sorted(scope.regions)))
    lines = [f"Hello {account.label},", "",
             f"Your {subscription.cadence} ToyPulse report \"{subscription.name}\" is attached "
             "as a PDF.", "", f"Regions: {regions}"]
    for report in found:
        lines += ["", f"{report['title']}: {report['filters']}"]
        lines += [f"  {tile['label']}: {tile['text']}" for tile in report.get("tiles", [])]
        lines += [f"  - {sentence}" for sentence in report.get("narrative", [])]
    lines += ["", f"Data version {found[0]['data_version']}, made {at:%Y-%m-%d %H:%M} UTC.",
              "Switch this mail off in ToyPulse under Reports by mail (/subscriptions)."]
    return "\n".join(lines) + "\n"


def _filename(subscription: Subscription, at: dt.datetime) -> str:
    return f"toypulse-{export._slug(subscription.name)}-{at:%Y-%m-%d}.pdf"


def _reason(exc: Exception) -> str:
    """One line for the log: what went wrong, without a traceback (SMTP answers keep their code)."""
    kind = "SMTP" if isinstance(exc, smtplib.SMTPException) else (
        "PDF" if isinstance(exc, chromium.BrowserMissing) else type(exc).__name__)
    return " ".join(f"{kind}: {exc}".split())[:300]


def send_one(database, warehouse, settings, subscription: Subscription, rendered: dict,
             at: dt.datetime) -> Outcome:
    account = users.get(database, subscription.user_id)
    name = account.username if account else ""
    try:
        scope = scope_of(account)
    except Skip as exc:
        return Outcome("skipped", subscription, name, str(exc))
    view = None
    if subscription.saved_id is not None:
        try:
            view = subscriptions.saved(database, subscription, account)
        except subscriptions.Stopped as exc:
            return Outcome("skipped", subscription, name, f"stopped: {exc}")
    key = (scope.key(), tuple(subscription.items),  # one render per scope and report per run
           view.latest.n if view else None)
    try:
        if key not in rendered:
            rendered[key] = render(warehouse, scope, subscription, view)
        pdf, found = rendered[key]
        mail = mailer.message(settings, account.email,
                              f"ToyPulse: {subscription.name} ({at:%Y-%m-%d})",
                              body(account, subscription, found, scope, at), pdf,
                              _filename(subscription, at))
        mailer.send(settings, mail)
    except NoWarehouseError:
        raise  # nothing can be sent to anyone: the run stops (exit code 2)
    except Exception as exc:  # one subscriber's failure, whatever it is, must not stop the others
        detail = _reason(exc)
        with database.begin() as conn:
            audit.record(conn, "report_mail_failed", ACTOR, name,
                         f"{subscription.name} to {account.email}: {detail}")
        return Outcome("failed", subscription, name, detail)
    subscriptions.mark_sent(database, subscription.id, db.now())
    with database.begin() as conn:
        audit.record(conn, "report_mailed", ACTOR, name,
                     f"{subscription.name} ({subscription.what}) to {account.email}")
    return Outcome("sent", subscription, name, f"to {account.email}, {len(pdf):,} bytes of PDF")


def send_reports(database, warehouse, settings, now: dt.datetime | None = None,
                 force: bool = False,
                 report: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Mail every active subscription that is due at `now` (all active ones when `force`)."""
    now = now or db.now()
    subscriptions.ensure_defaults(database)
    rendered: dict = {}
    outcomes = []
    for subscription in subscriptions.all_active(database):
        if not force and not subscriptions.is_due(subscription, now):
            continue
        outcome = send_one(database, warehouse, settings, subscription, rendered, now)
        outcomes.append(outcome)
        if report:
            report(outcome)
    return outcomes


class AlreadyRunning(RuntimeError):
    """Another send-reports holds the lock (a slow run overlapping the next cron start)."""


@contextlib.contextmanager
def one_run(lock_path: Path):
    """One run at a time on this machine, so overlapping cron starts never mail twice."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning("another send-reports is still running; nothing sent by "
                                 "this one") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(args) -> int:
    from dashboard import config
    from dashboard.warehouse.backends import open_warehouse

    try:
        settings = mailer.SmtpSettings.from_config()
    except mailer.MailNotConfigured as exc:
        print(f"dashboard send-reports: {exc}", file=sys.stderr)
        return 2

    def show(outcome: Outcome) -> None:
        print(outcome.line(), file=sys.stdout if outcome.status == "sent" else sys.stderr)

    database = db.AppDB(config.app_db_url())
    try:
        with one_run(Path(config.get("data_dir")) / "send-reports.lock"):
            warehouse = open_warehouse(Path(args.warehouse))
            try:
                outcomes = send_reports(database, warehouse, settings, force=args.now,
                                        report=show)
            finally:
                warehouse.close()
    except AlreadyRunning as exc:
        print(f"dashboard send-reports: {exc}", file=sys.stderr)
        return 2
    except NoWarehouseError:
        print("dashboard send-reports: no data has been imported yet; nothing sent",
              file=sys.stderr)
        return 2
    counts = {s: sum(o.status == s for o in outcomes) for s in ("sent", "skipped", "failed")}
    print(f"send-reports: {counts['sent']} sent, {counts['skipped']} skipped, "
          f"{counts['failed']} failed")
    return 1 if counts["failed"] else 0
