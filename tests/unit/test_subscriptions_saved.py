"""Subscriptions to a saved view or story by id, mailed through a real local SMTP server
(aiosmtpd): a rename keeps the mails coming; unsharing or deleting the view stops them with the
reason, which the send-reports run and the subscriptions page both state. An app database made
before `saved_id` existed gains the column and keeps its rows."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.auth import db, users
from dashboard.queries.filters import Scope
from dashboard.report import send, subscriptions
from dashboard.story import saved
from dashboard.views import store
from tests.unit import test_send_reports as sr
from tests.unit.test_send_reports import NOW, named, needs_pdf_tools, pdf_text

smtp_server, places = sr.smtp_server, sr.places  # the real local SMTP server, the stores

YEAR = "start=2025-01-01&end=2025-12-31"


@pytest.fixture
def appdb(tmp_path):
    """An analyst who saves views and a North manager who subscribes to them."""
    database = db.AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    for name, role, regions in (("s-analyst", "analyst", ()),
                                ("s-north", "manager", ("North",))):
        users.create(database, name, "Correct-Horse-Battery-9", role, regions, name.upper())
        users.set_email(database, name, f"{name}@shop.test")
    return database


def who(database, name):
    return users.by_username(database, name)


def north_sends(outcomes):
    return [o for o in outcomes if o.username == "s-north" and o.subscription.saved_id]


@needs_pdf_tools
def test_rename_keeps_and_unshare_or_delete_stops_with_a_reason(appdb, warehouse, smtp_server,
                                                                places, tmp_path):
    inbox, settings = smtp_server()
    analyst, north = who(appdb, "s-analyst"), who(appdb, "s-north")
    view_id, _ = store.save(appdb, analyst, "Year by region", "?" + YEAR, 1, share="manager")
    sub = subscriptions.subscribe_saved(appdb, north, view_id, cadence="daily")
    assert (sub.saved_id, sub.name, sub.page, sub.story) == (view_id, "Year by region", "", "")
    store.rename(appdb, analyst, view_id, "Sales 2025, all regions")

    first = north_sends(send.send_reports(appdb, warehouse, settings, now=NOW))
    assert [o.status for o in first] == ["sent"]
    (rcpts, mail), = [m for m in inbox.mails if m[0] == ["s-north@shop.test"]]
    assert mail["Subject"] == "ToyPulse: Year by region (2026-03-04)"
    text = pdf_text(next(mail.iter_attachments()).get_content(), tmp_path)
    assert "Sales 2025, all regions" in text  # the renamed view, by its id
    others = places[places["region"] != "North"]
    assert named(text, set(others["region"]) | set(others["state"])) == set()
    assert named(text, set(places[places["region"] == "North"]["state"]))
    view, stopped = subscriptions.shown(appdb, subscriptions.for_user(appdb, north.id)[0], north)
    assert (view.name, stopped) == ("Sales 2025, all regions", None)

    store.save(appdb, analyst, "Sales 2025, all regions", "?" + YEAR, 1, share=None)
    later = NOW + dt.timedelta(days=1)  # (--now: last_sent_at is the real clock's time)
    unshared = north_sends(send.send_reports(appdb, warehouse, settings, now=later, force=True))
    assert [(o.status, o.detail) for o in unshared] == [(
        "skipped", f"stopped: saved view #{view_id} is no longer shared with you, so no more "
                   "mails are sent")]
    assert len(inbox.mails) == 1  # nothing more arrived

    store.delete(appdb, analyst, view_id)
    gone = north_sends(send.send_reports(appdb, warehouse, settings, now=later, force=True))
    assert gone[0].detail == (f"stopped: saved view #{view_id} was deleted, so no more mails "
                              "are sent")
    view, stopped = subscriptions.shown(appdb, subscriptions.for_user(appdb, north.id)[0], north)
    assert view is None and stopped == (f"saved view #{view_id} was deleted, so no more mails "
                                        "are sent")
    assert len(inbox.mails) == 1


@needs_pdf_tools
def test_a_subscribed_story_mails_the_managers_scope(appdb, warehouse, smtp_server, places,
                                                     tmp_path):
    inbox, settings = smtp_server()
    analyst, north = who(appdb, "s-analyst"), who(appdb, "s-north")
    story = saved.check({"title": "Launch", "scenes": [
        {"page": "overview", "chart": "contrib", "query": YEAR}]}, warehouse,
        Scope.everything())
    story_id, _ = store.save_story(appdb, analyst, "Launch story", saved.dumps(story), 1,
                                   share="all")
    subscriptions.subscribe_saved(appdb, north, story_id)
    outcomes = north_sends(send.send_reports(appdb, warehouse, settings, now=NOW))
    assert [o.status for o in outcomes] == ["sent"]
    mail = inbox.mails[-1][1]
    body = mail.get_body(("plain",)).get_content()
    assert "Launch" in body and "Regions: North" in body
    text = pdf_text(next(mail.iter_attachments()).get_content(), tmp_path)
    others = places[places["region"] != "North"]
    assert named(text, set(others["region"]) | set(others["state"])) == set()
    assert named(body, set(others["region"])) == set()


def test_one_may_not_subscribe_to_a_view_one_cannot_see(appdb):
    analyst, north = who(appdb, "s-analyst"), who(appdb, "s-north")
    private_id, _ = store.save(appdb, analyst, "Private", "?" + YEAR, 1)
    with pytest.raises(subscriptions.SubscriptionError, match="not shared with you"):
        subscriptions.subscribe_saved(appdb, north, private_id)
    with pytest.raises(subscriptions.SubscriptionError, match="not shared with you"):
        subscriptions.subscribe_saved(appdb, north, "12; DROP TABLE")
    assert subscriptions.for_user(appdb, north.id) == []


def test_an_older_database_gains_saved_id_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    database = db.AppDB(url)
    users.create(database, "old", "Correct-Horse-Battery-9", "manager", ("North",), "Old")
    old = who(database, "old")
    subscriptions.create(database, old.id, "Weekly 2025", page="overview", view=YEAR,
                         cadence="weekly", active=True)
    with database.begin() as conn:  # the table as the version before saved_id made it
        conn.execute(sa.text("ALTER TABLE subscriptions DROP COLUMN saved_id"))
    database.dispose()
    database = db.AppDB(url)
    assert "saved_id" in {c["name"] for c in sa.inspect(database.engine)
                          .get_columns("subscriptions")}
    kept, = subscriptions.for_user(database, old.id)
    assert (kept.name, kept.page, kept.view, kept.saved_id, kept.active) == (
        "Weekly 2025", "overview", YEAR, None, True)
    assert kept.items == [("overview", YEAR)]
    database.dispose()
