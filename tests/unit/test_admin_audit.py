"""The Admin page's audit log: pages of 50, newest first, filtered by action and by text (a
bound LIKE pattern: '%' and '_' are plain characters), with repeated entries shown as counts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.auth import audit, db
from tests import dash_payloads as dp

TAG = "audit-page-test"


def rows_of(table: dict) -> list[list[str]]:
    """The cell texts of the rendered table, row by row (header excluded)."""
    body = next(props for kind, props in dp.components(table) if kind == "Tbody")
    return [[cell["props"]["children"] for cell in row["props"]["children"]]
            for row in body["children"]]


def show(client, changed: str, page: int = 0, **values):
    base = {"adm-version.data": 0, "adm-audit-action.value": None, "adm-audit-text.value": None,
            "adm-audit-page.data": page}
    base.update(values)
    dep = dp.dependency(client, "adm-audit.children")
    response = dp.post(client, dp.payload(dep, base, [changed]))
    assert response.status_code == 200, response.get_data(as_text=True)
    out = dp.outputs(response)
    return (rows_of(out["adm-audit.children"]), out["adm-audit-page.data"],
            out["adm-audit-summary.children"], out["adm-audit-newer.disabled"],
            out["adm-audit-older.disabled"])


def test_the_audit_log_pages_and_filters(app, client_as):
    database = app.server.extensions[db.EXTENSION]
    with database.begin() as conn:
        for i in range(130):
            audit.record(conn, "import", "tests", f"{TAG}-{i:03d}.csv", f"version {i}")
        audit.record(conn, "rollback", "tests", f"{TAG}-rollback", "to version 3")
    admin = client_as("admin")

    rows, page, summary, newer_off, older_off = show(admin, "adm-audit-text.value",
                                                     **{"adm-audit-text.value": TAG})
    assert summary == "Entries 1–50 of 131" and page == 0 and newer_off and not older_off
    assert [r[3] for r in rows[:2]] == [f"{TAG}-rollback", f"{TAG}-129.csv"]  # newest first
    rows, page, summary, _, older_off = show(admin, "adm-audit-older.n_clicks", page=1,
                                             **{"adm-audit-text.value": TAG})
    assert page == 2 and summary == "Entries 101–131 of 131" and older_off
    assert [r[3] for r in rows] == [f"{TAG}-{i:03d}.csv" for i in range(30, -1, -1)]

    rows, _, summary, _, _ = show(admin, "adm-audit-action.value",
                                  **{"adm-audit-text.value": TAG,
                                     "adm-audit-action.value": "rollback"})
    assert summary == "Entries 1–1 of 1" and rows[0][2] == "rollback"
    rows, _, summary, _, _ = show(admin, "adm-audit-text.value",
                                  **{"adm-audit-text.value": f"{TAG}-1%"})
    assert summary == "No entries match" and rows == []  # '%' is a character, not a wildcard
    rows, _, summary, _, _ = show(admin, "adm-audit-text.value",
                                  **{"adm-audit-text.value": f"{TAG}-12"})
    assert summary == "Entries 1–10 of 10"  # 120..129


def test_repeats_are_shown_as_a_count(app, client_as):
    database = app.server.extensions[db.EXTENSION]
    with database.begin() as conn:
        for _ in range(7):
            audit.record_repeated(conn, "sign_in_failed", f"{TAG}-ghost", "wrong password",
                                  "192.0.2.9", dt.timedelta(minutes=15))
        rows = conn.execute(sa.select(db.audit_log).where(
            db.audit_log.c.subject == f"{TAG}-ghost")).all()
    assert [r.times for r in rows] == [7]
    shown, *_ = show(client_as("admin"), "adm-audit-text.value",
                     **{"adm-audit-text.value": f"{TAG}-ghost"})
    assert len(shown) == 1 and shown[0][6].startswith("7 (last ")
