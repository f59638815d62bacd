"""`dashboard send-reports`: a real local SMTP server (aiosmtpd) receives what is sent; each PDF
is read back with pdftotext and checked against the sample's own store table (North's mail
names North's states and no other region; the analyst's names every region)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
from dataclasses import replace
from email import message_from_bytes
from email import policy as email_policy

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from dashboard import cli
from dashboard.auth import db, users
from dashboard.report import mailer, send, subscriptions

needs_pdf_tools = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext")),
    reason="needs Debian's chromium and poppler-utils (python3 tasks.py test installs them)")
YEAR = "start=2025-01-01&end=2025-12-31"
NOW = dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)  # a Wednesday


class Inbox:
    """An aiosmtpd handler that keeps every mail, or refuses every mail when `refuse` is set,
    or refuses the recipients in `unknown` (550) like a server that has no such mailbox."""

    def __init__(self, refuse: str = "", unknown: tuple[str, ...] = ()):
        self.refuse, self.unknown = refuse, unknown
        self.mails: list[tuple[list[str], object]] = []

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        if self.refuse:
            return self.refuse
        mail = message_from_bytes(envelope.content, policy=email_policy.default)
        self.mails.append((list(envelope.rcpt_tos), mail))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """start(refuse="") -> (Inbox, SmtpSettings) of a real SMTP server on a free local port."""
    started = []

    def start(refuse: str = "", unknown: tuple[str, ...] = ()):
        inbox = Inbox(refuse, unknown)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings = mailer.SmtpSettings("127.0.0.1", controller.port, "", "",
                                       "ToyPulse <reports@toypulse.test>", starttls=False)
        return inbox, settings

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def appdb(tmp_path):
    """A fresh app database: a North manager, an analyst, an inactive manager and a manager
    with no email address, each with an email (but the last) and switched-on subscriptions."""
    database = db.AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    for name, role, regions in (("m-north", "manager", ("North",)), ("m-analyst", "analyst", ()),
                                ("m-gone", "manager", ("South",)),
                                ("m-nomail", "manager", ("West",))):
        users.create(database, name, "Correct-Horse-Battery-9", role, regions, name.upper())
        if name != "m-nomail":
            users.set_email(database, name, f"{name}@shop.test")
    assert subscriptions.ensure_defaults(database) == 3  # the managers; the analyst adds one
    assert subscriptions.ensure_defaults(database) == 0
    for name in ("m-north", "m-gone", "m-nomail"):
        account = users.by_username(database, name)
        default, = subscriptions.for_user(database, account.id)
        assert (default.name, default.active, default.cadence) == ("Daily sales report", False,
                                                                   "daily")
        subscriptions.set_active(database, account.id, default.id, True)
    analyst = users.by_username(database, "m-analyst")
    subscriptions.create(database, analyst.id, "Weekly overview 2025", page="overview",
                         view=YEAR, cadence="weekly", active=True)
    users.set_active(database, "m-gone", False)
    return database


@pytest.fixture(scope="module")
def places(sample_dir) -> pd.DataFrame:
    return pd.read_parquet(sample_dir / "stores.parquet")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / f"mail-{len(data)}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def named(text: str, names) -> set[str]:
    return {n for n in names if re.search(rf"\b{re.escape(n)}\b", text)}


def by_user(outcomes) -> dict[str, tuple[str, str]]:
    return {o.username: (o.status, o.detail) for o in outcomes}


def sent_at(database, username: str) -> list:
    account = users.by_username(database, username)
    return [s.last_sent_at for s in subscriptions.for_user(database, account.id)]


@needs_pdf_tools
def test_each_subscriber_gets_their_own_scope(appdb, warehouse, smtp_server, places, tmp_path):
    inbox, settings = smtp_server()
    outcomes = send.send_reports(appdb, warehouse, settings, now=NOW)
    result = by_user(outcomes)
    assert result["m-north"][0] == "sent" and result["m-analyst"][0] == "sent"
    assert result["m-gone"] == ("skipped", "the user is inactive")
    assert result["m-nomail"][0] == "skipped" and "no email address" in result["m-nomail"][1]
    recipients = sorted(rcpt for rcpts, _ in inbox.mails for rcpt in rcpts)
    assert recipients == ["m-analyst@shop.test", "m-north@shop.test"]  # nobody else got mail

    mails = {rcpts[0]: mail for rcpts, mail in inbox.mails}
    north = mails["m-north@shop.test"]
    assert north["Subject"] == "ToyPulse: Daily sales report (2026-03-04)"
    assert north["From"] == "ToyPulse <reports@toypulse.test>"
    attachment, = list(north.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "toypulse-daily-sales-report-2026-03-04.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")

    north_places = places[places["region"] == "North"]
    others = places[places["region"] != "North"]
    other_names = set(others["region"]) | set(others["state"])
    text = pdf_text(pdf, tmp_path)
    assert named(text, north_places["state"].unique()) == set(north_places["state"])
    assert named(text, other_names) == set()
    assert named(north.get_body(("plain",)).get_content(), other_names) == set()
    assert "Regions: North" in north.get_body(("plain",)).get_content()

    analyst = mails["m-analyst@shop.test"]
    assert analyst["Subject"] == "ToyPulse: Weekly overview 2025 (2026-03-04)"
    text = pdf_text(next(analyst.iter_attachments()).get_content(), tmp_path)
    assert named(text, set(places["region"])) == set(places["region"])  # every region

    assert sent_at(appdb, "m-north")[0] is not None
    assert sent_at(appdb, "m-gone") == [None] and sent_at(appdb, "m-nomail") == [None]
    # Sent today: a second run the same day mails nothing, and renders nothing.
    later = send.send_reports(appdb, warehouse, settings, now=NOW + dt.timedelta(hours=3))
    assert {o.username for o in later if o.status == "sent"} == set()
    assert len(inbox.mails) == 2


def test_due_per_day_and_iso_week():
    sub = subscriptions.Subscription(1, 1, "r", "overview", "", "", "daily", True, False, None)
    monday = dt.datetime(2026, 3, 2, 23, 59, tzinfo=dt.UTC)
    assert subscriptions.is_due(sub, monday)  # never sent
    sent = replace(sub, last_sent_at=monday)
    assert not subscriptions.is_due(sent, monday + dt.timedelta(seconds=30))  # still Monday
    assert subscriptions.is_due(sent, monday + dt.timedelta(minutes=1))  # the next UTC day
    assert not subscriptions.is_due(sent, monday)
    weekly = replace(sent, cadence="weekly")
    assert not subscriptions.is_due(weekly, dt.datetime(2026, 3, 8, 23, 0, tzinfo=dt.UTC))  # Sun
    assert subscriptions.is_due(weekly, dt.datetime(2026, 3, 9, 0, 0, tzinfo=dt.UTC))  # Monday
    off = replace(sub, active=False)
    assert not subscriptions.is_due(off, monday)


def test_not_due_and_inactive_get_nothing(appdb, warehouse, smtp_server):
    inbox, settings = smtp_server()
    for name in ("m-north", "m-analyst"):  # both already mailed in this period
        account = users.by_username(appdb, name)
        for sub in subscriptions.for_user(appdb, account.id):
            subscriptions.mark_sent(appdb, sub.id, NOW - dt.timedelta(hours=1))
    outcomes = send.send_reports(appdb, warehouse, settings, now=NOW)
    assert sorted(o.username for o in outcomes) == ["m-gone", "m-nomail"]
    assert {o.status for o in outcomes} == {"skipped"}
    assert inbox.mails == []
    north = users.by_username(appdb, "m-north")
    default, = subscriptions.for_user(appdb, north.id)
    subscriptions.set_active(appdb, north.id, default.id, False)  # switched off: never sent
    outcomes = send.send_reports(appdb, warehouse, settings, now=NOW, force=True)
    assert "m-north" not in {o.username for o in outcomes}
    with pytest.raises(subscriptions.SubscriptionError):  # another user's subscription
        subscriptions.set_active(appdb, users.by_username(appdb, "m-analyst").id, default.id,
                                 True)


@needs_pdf_tools
def test_refusing_server_leaves_last_sent_at(appdb, warehouse, smtp_server):
    inbox, settings = smtp_server(refuse="554 5.7.1 Message rejected")
    analyst = users.by_username(appdb, "m-analyst")
    before = sent_at(appdb, "m-north") + sent_at(appdb, "m-analyst")
    subscriptions.set_active(appdb, analyst.id, subscriptions.for_user(appdb, analyst.id)[0].id,
                             False)  # one render is enough to see the refusal
    outcomes = send.send_reports(appdb, warehouse, settings, now=NOW)
    result = by_user(outcomes)
    assert result["m-north"][0] == "failed" and "554" in result["m-north"][1]
    assert inbox.mails == []
    assert sent_at(appdb, "m-north") + sent_at(appdb, "m-analyst") == before == [None, None]
    # ... and a server that is not there at all fails the same way, for every subscriber.
    gone = mailer.SmtpSettings("127.0.0.1", free_port(), "", "", settings.sender, False)
    assert by_user(send.send_reports(appdb, warehouse, gone, now=NOW))["m-north"][0] == "failed"
    assert sent_at(appdb, "m-north") == [None]


@needs_pdf_tools
def test_one_refused_recipient_does_not_stop_the_others(appdb, warehouse, smtp_server):
    inbox, settings = smtp_server(unknown=("m-north@shop.test",))
    result = by_user(send.send_reports(appdb, warehouse, settings, now=NOW))
    assert result["m-north"][0] == "failed" and "550" in result["m-north"][1]
    assert result["m-analyst"][0] == "sent"
    assert [rcpts for rcpts, _ in inbox.mails] == [["m-analyst@shop.test"]]
    assert sent_at(appdb, "m-north") == [None]
    assert sent_at(appdb, "m-analyst")[0] is not None


def test_command_line_exit_codes(appdb, warehouse_dir, smtp_server, monkeypatch, capsys,
                                 tmp_path):
    monkeypatch.setenv("DASHBOARD_APP_DB_URL", appdb.url)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))  # the run's lock file goes here
    monkeypatch.delenv("DASHBOARD_SMTP_HOST", raising=False)
    assert cli.main(["--warehouse", str(warehouse_dir), "send-reports"]) == 2
    assert "DASHBOARD_SMTP_HOST" in capsys.readouterr().err
    inbox, settings = smtp_server()
    monkeypatch.setenv("DASHBOARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DASHBOARD_SMTP_PORT", str(settings.port))
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", "not an address")
    assert cli.main(["--warehouse", str(warehouse_dir), "send-reports"]) == 2
    assert "DASHBOARD_SMTP_FROM" in capsys.readouterr().err
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", settings.sender)
    monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "1")  # aiosmtpd here offers no STARTTLS
    for name in ("m-north", "m-analyst"):
        account = users.by_username(appdb, name)
        for sub in subscriptions.for_user(appdb, account.id):
            subscriptions.set_active(appdb, account.id, sub.id, name == "m-north")
    assert cli.main(["--warehouse", str(warehouse_dir), "send-reports"]) == 1
    out = capsys.readouterr()
    assert "refusing to send in clear" in out.err and "1 failed" in out.out
    assert inbox.mails == [] and sent_at(appdb, "m-north") == [None]
    monkeypatch.setenv("DASHBOARD_SMTP_STARTTLS", "0")  # a local relay: plain is allowed
    assert cli.main(["--warehouse", str(warehouse_dir), "send-reports"]) == 0
    out = capsys.readouterr()
    assert "sent 'Daily sales report'" in out.out and "1 sent, 2 skipped, 0 failed" in out.out
    assert "is inactive" in out.err and "no email address" in out.err
    assert [rcpts for rcpts, _ in inbox.mails] == [["m-north@shop.test"]]
    assert cli.main(["--warehouse", str(warehouse_dir), "send-reports"]) == 0  # not due again
    assert "0 sent" in capsys.readouterr().out and len(inbox.mails) == 1


def test_overlapping_runs_send_once(tmp_path):
    with send.one_run(tmp_path / "send-reports.lock"):
        with pytest.raises(send.AlreadyRunning), send.one_run(tmp_path / "send-reports.lock"):
            pass
    with send.one_run(tmp_path / "send-reports.lock"):  # free again once the first is done
        pass


def test_email_addresses_are_checked(appdb, monkeypatch, capsys):
    for bad in ("north", "a@b", "x@y.test\nBcc: all@evil.test", "a,b@c.test", "<a@b.test>"):
        with pytest.raises(users.UserError):
            users.set_email(appdb, "m-north", bad)
    assert users.by_username(appdb, "m-north").email == "m-north@shop.test"  # unchanged
    assert users.set_email(appdb, "m-north", "").email == ""
    monkeypatch.setenv("DASHBOARD_APP_DB_URL", appdb.url)
    assert cli.main(["users", "set-email", "m-north", "n@shop.test"]) == 0
    assert users.by_username(appdb, "m-north").email == "n@shop.test"
    assert "<n@shop.test>" in capsys.readouterr().out
    assert cli.main(["users", "set-email", "m-north", "n@shop"]) == 2
    assert "not an email address" in capsys.readouterr().err


def test_story_mail_text_is_the_subscribers_scope(appdb, warehouse, places):
    """The mail's text carries the story's narrative, computed within North for North."""
    north = users.by_username(appdb, "m-north")
    story = subscriptions.create(appdb, north.id, "Weekly story", story="default",
                                 cadence="weekly", active=True)
    scope = send.scope_of(north)
    found = send.export.reports(warehouse, scope, story.items)
    text = send.body(north, story, found, scope, NOW)
    others = places[places["region"] != "North"]
    assert named(text, set(others["region"]) | set(others["state"])) == set()
    assert "Regions: North" in text and text.count("  - Scene ") >= 6
    assert named(text, set(places[places["region"] == "North"]["state"]))  # speaks of North
