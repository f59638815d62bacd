"""The daily inventory digest: a store manager's "Inventory alerts" subscription is mailed by
`dashboard send-reports` as a PDF made within their store (a real local SMTP server; the PDF
read back with pdftotext names their store and no other)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.auth import db, users
from dashboard.report import send, subscriptions
from tests.unit.test_send_reports import (  # noqa: F401 - smtp_server is a fixture
    named,
    needs_pdf_tools,
    pdf_text,
    smtp_server,
)

NOW = dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)


@needs_pdf_tools
def test_store_managers_inventory_digest_holds_their_store_only(warehouse, sample_dir,
                                                                smtp_server, tmp_path):  # noqa: F811
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    mine = stores[stores["region"] == "North"].sort_values("store_id").iloc[0]
    database = db.AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    account = users.create(database, "sm-north", "Correct-Horse-Battery-9", "store_manager",
                           stores=[mine["store_id"]])
    users.set_email(database, "sm-north", "sm-north@shop.test")
    subscriptions.create(database, account.id, "Inventory digest", page="inventory",
                         cadence="daily", active=True)
    inbox, settings = smtp_server()
    outcomes = send.send_reports(database, warehouse, settings, now=NOW)
    assert [(o.username, o.status) for o in outcomes] == [("sm-north", "sent")]
    (rcpts, mail), = inbox.mails
    assert rcpts == ["sm-north@shop.test"]
    body = mail.get_body(("plain",)).get_content()
    assert f"Regions: stores {mine['store_id']}" in body and "Stockout:" in body
    text = pdf_text(next(mail.iter_attachments()).get_content(), tmp_path)
    others = stores[stores["store_id"] != mine["store_id"]]
    # the printed table wraps names over lines: store ids are the one-word check
    assert named(text, stores["store_id"]) == {mine["store_id"]}
    assert all(word in text for word in mine["name"].split())
    assert named(text.replace("\n", " "), others["name"]) == set()
    assert named(body, others["name"]) == set() and named(body, others["store_id"]) == set()
