"""Report subscriptions: who gets which report (a page view, the default story, or a saved view
or story by id) by mail, how often.

The one place that reads and changes the `subscriptions` table; the /subscriptions page and
`dashboard send-reports` both call these functions. A subscription holds no scope: the report is
made at send time within the subscriber's scope of that moment (scope_for_account). A saved
view is held by id, so renaming it keeps the subscription; one deleted, or no longer shared with
the subscriber, stops the mails and `stopped` says why (the page shows it, send-reports logs it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.auth import db
from dashboard.report.registry import PAGES
from dashboard.views import store

CADENCES = ("daily", "weekly")
DEFAULT_NAME = "Daily sales report"
DEFAULT_PAGE = "overview"
STORIES = ("default",)  # the shipped story; saved stories are subscribed to by id
MAX_VIEW = 2000


class SubscriptionError(ValueError):
    """A subscription that cannot be made or changed; the message says why."""


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: int
    name: str
    page: str
    story: str
    view: str
    cadence: str
    active: bool
    is_default: bool
    last_sent_at: dt.datetime | None
    saved_id: int | None = None

    @property
    def items(self) -> list[tuple[str, str]]:
        """What export.reports renders: a story is its page 'story' at the view's query (a
        saved view is rendered by views/reports.py instead: see `saved`)."""
        if self.saved_id is not None:
            return [("saved", str(self.saved_id))]
        return [("story", self.view)] if self.story else [(self.page, self.view)]

    @property
    def what(self) -> str:
        if self.saved_id is not None:
            return f"saved view #{self.saved_id}"
        base = f"story {self.story!r}" if self.story else f"page {self.page}"
        return f"{base}{' at ' + self.view if self.view else ''}"


class Stopped(LookupError):
    """A subscription to a saved view that can no longer be sent; the message says why."""


def saved(database: db.AppDB, subscription: Subscription, account) -> store.SavedView:
    """The saved view or story a subscription points to, as its subscriber may see it now;
    Stopped says why not (deleted, or no longer shared with them)."""
    try:
        return store.get(database, account, subscription.saved_id)
    except store.ViewNotFound:
        if store.exists(database, subscription.saved_id):
            raise Stopped(f"saved view #{subscription.saved_id} is no longer shared with "
                          "you, so no more mails are sent") from None
        raise Stopped(f"saved view #{subscription.saved_id} was deleted, so no more mails "
                      "are sent") from None


def _row(row) -> Subscription:
    sent = db.as_utc(row.last_sent_at) if row.last_sent_at else None
    return Subscription(row.id, row.user_id, row.name, row.page, row.story, row.view,
                        row.cadence, bool(row.active), bool(row.is_default), sent,
                        row.saved_id)


def _check(name: str, page: str, story: str, view: str, cadence: str,
           saved_id: int | None = None) -> tuple[str, ...]:
    name = " ".join((name or "").split())[:128]  # no newline reaches the mail's subject
    if not name:
        raise SubscriptionError("give the subscription a name")
    if cadence not in CADENCES:
        raise SubscriptionError(f"cadence must be daily or weekly (got {cadence!r})")
    if saved_id is not None:
        if page or story or view:
            raise SubscriptionError("a saved view brings its own page and query")
        return name, page, story, view, cadence
    if bool(page) == bool(story):
        raise SubscriptionError("a subscription is either a page or a story")
    if page and (page not in PAGES or page == "story"):
        raise SubscriptionError(f"no page {page!r}")
    if story and story not in STORIES:
        raise SubscriptionError(f"no story {story!r}: only the default story ships")
    view = (view or "").strip()
    view = view.partition("?")[2] if "?" in view else view  # a pasted page address: its query
    if len(view) > MAX_VIEW or any(ord(c) < 32 for c in view):
        raise SubscriptionError("the view is not a page query string")
    return name, page, story, view, cadence


def create(database: db.AppDB, user_id: int, name: str, *, page: str = "", story: str = "",
           view: str = "", cadence: str = "daily", active: bool = False,
           is_default: bool = False, saved_id: int | None = None) -> Subscription:
    name, page, story, view, cadence = _check(name, page, story, view, cadence, saved_id)
    with database.begin() as conn:
        new_id = conn.execute(sa.insert(db.subscriptions).values(
            user_id=user_id, name=name, page=page, story=story, view=view, cadence=cadence,
            saved_id=saved_id,
            active=active, is_default=is_default, created_at=db.now())).inserted_primary_key[0]
        return _row(conn.execute(sa.select(db.subscriptions).where(
            db.subscriptions.c.id == new_id)).one())


def shown(database: db.AppDB, subscription: Subscription, account):
    """(saved view, None) of a subscription to one it may still see, else (None, the reason
    its mails stopped); (None, None) for a page or the default story."""
    if subscription.saved_id is None:
        return None, None
    try:
        return saved(database, subscription, account), None
    except Stopped as exc:
        return None, str(exc)


def subscribe_saved(database: db.AppDB, account, saved_id, name: str = "",
                    cadence: str = "daily") -> Subscription:
    """Subscribe `account` to a saved view or story it may see, by id (named after it unless
    a name is given)."""
    try:
        view = store.get(database, account, saved_id)
    except store.ViewNotFound as exc:
        raise SubscriptionError("no such saved view, or it is not shared with you") from exc
    return create(database, account.id, name or view.name, cadence=cadence, active=True,
                  saved_id=view.id)


def for_user(database: db.AppDB, user_id: int) -> list[Subscription]:
    with database.begin() as conn:
        rows = conn.execute(sa.select(db.subscriptions).where(
            db.subscriptions.c.user_id == user_id).order_by(db.subscriptions.c.id)).all()
    return [_row(r) for r in rows]


def all_active(database: db.AppDB) -> list[Subscription]:
    with database.begin() as conn:
        rows = conn.execute(sa.select(db.subscriptions).where(
            db.subscriptions.c.active.is_(True)).order_by(db.subscriptions.c.id)).all()
    return [_row(r) for r in rows]


def set_active(database: db.AppDB, user_id: int, subscription_id: int,
               active: bool) -> Subscription:
    """Switch one of this user's subscriptions on or off (another user's is 'not found')."""
    table = db.subscriptions
    mine = (table.c.id == subscription_id, table.c.user_id == user_id)
    with database.begin() as conn:
        done = conn.execute(sa.update(table).where(*mine).values(active=active)).rowcount
        if not done:
            raise SubscriptionError("no such subscription")
        return _row(conn.execute(sa.select(table).where(*mine)).one())


def delete(database: db.AppDB, user_id: int, subscription_id: int) -> None:
    table = db.subscriptions
    with database.begin() as conn:
        done = conn.execute(sa.delete(table).where(
            table.c.id == subscription_id, table.c.user_id == user_id)).rowcount
    if not done:
        raise SubscriptionError("no such subscription")


def mark_sent(database: db.AppDB, subscription_id: int, at: dt.datetime) -> None:
    with database.begin() as conn:
        conn.execute(sa.update(db.subscriptions).where(
            db.subscriptions.c.id == subscription_id).values(last_sent_at=at))


def ensure_default(database: db.AppDB, account) -> None:
    """This account's default subscription, when it is a manager's and has none yet."""
    if account.role == "manager" and not any(
            s.is_default for s in for_user(database, account.id)):
        try:
            create(database, account.id, DEFAULT_NAME, page=DEFAULT_PAGE, cadence="daily",
                   is_default=True)
        except sa.exc.IntegrityError:  # another worker made it first: there is one
            pass


def ensure_defaults(database: db.AppDB) -> int:
    """Every manager account has the default "Daily sales report" (off until they switch it
    on); returns how many were added. Idempotent, so any entry point may call it."""
    users, table = db.users, db.subscriptions
    has_default = sa.select(table.c.id).where(table.c.user_id == users.c.id,
                                              table.c.is_default.is_(True)).exists()
    with database.begin() as conn:
        missing = conn.execute(sa.select(users.c.id).where(
            users.c.role == "manager", ~has_default)).scalars().all()
    added = 0
    for user_id in missing:
        try:
            create(database, user_id, DEFAULT_NAME, page=DEFAULT_PAGE, cadence="daily",
                   is_default=True)
            added += 1
        except sa.exc.IntegrityError:  # another process made it first
            pass
    return added


def period(cadence: str, at: dt.datetime) -> tuple[int, int]:
    """The mailing period `at` falls in (UTC): its day, or its ISO week (Monday to Sunday)."""
    at = db.as_utc(at).astimezone(dt.UTC)
    if cadence == "weekly":
        year, week, _ = at.isocalendar()
        return year, week
    return at.year, at.timetuple().tm_yday


def is_due(subscription: Subscription, now: dt.datetime) -> bool:
    """Active and not yet mailed in the current day (daily) or ISO week (weekly), so a cron
    that runs every hour mails each report once a period, and a missed run is made up later."""
    if not subscription.active:
        return False
    last = subscription.last_sent_at
    return last is None or period(subscription.cadence, last) < period(subscription.cadence, now)
