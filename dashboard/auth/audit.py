"""The audit log: who did what, when (sign-ins, failed sign-ins, role and region changes, imports).

Other features record their own events with `record_event`, e.g. the import page:
`record_event("import", subject="sales.csv", detail="version 7, 120,000 rows")`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.auth import db

ACTIONS = (
    "sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "user_created", "role_changed",
    "regions_changed", "user_deactivated", "user_reactivated", "password_reset", "import",
    "rollback", "email_changed", "report_mailed", "report_mail_failed",
    "view_saved", "view_restored", "view_renamed", "view_deleted", "target_set",
    "stores_changed", "stock_receive",
    "stock_adjust", "stock_transfer", "stock_write_off", "purchase_order",
)


def record(conn, action: str, actor: str | None = None, subject: str | None = None,
           detail: str = "", address: str | None = None) -> None:
    """Add one entry inside the caller's transaction (so it commits with the change it logs)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(sa.insert(db.audit_log).values(
        at=db.now(), actor=actor, action=action, subject=subject, detail=detail[:2000],
        address=address, times=1))


def record_repeated(conn, action: str, subject: str | None, detail: str, address: str | None,
                    window: dt.timedelta) -> None:
    """Like `record`, but a repeat of the same entry within `window` adds one to its count (so a
    flood of failed or locked sign-ins is one row, not a row per attempt)."""
    table, at = db.audit_log, db.now()
    detail = detail[:2000]
    same = [table.c.action == action, table.c.detail == detail, table.c.at > at - window,
            table.c.subject.is_(None) if subject is None else table.c.subject == subject,
            table.c.address.is_(None) if address is None else table.c.address == address]
    entry = conn.execute(sa.select(table.c.id).where(*same)
                         .order_by(table.c.id.desc()).limit(1)).scalar()
    if entry is None:
        record(conn, action, None, subject, detail, address)
    else:
        conn.execute(sa.update(table).where(table.c.id == entry).values(
            times=table.c.times + 1, last_at=at))


def record_event(action: str, subject: str | None = None, detail: str = "") -> None:
    """Record an event by the signed-in user of the current request."""
    import flask

    from dashboard.auth.permissions import current_account

    account = current_account()
    with db.current().begin() as conn:
        record(conn, action, account.username if account else None, subject, detail,
               flask.request.remote_addr if flask.has_request_context() else None)


def recent(database: db.AppDB, limit: int = 50, action: str | None = None) -> list[dict]:
    query = sa.select(db.audit_log).order_by(db.audit_log.c.id.desc()).limit(limit)
    if action is not None:
        query = query.where(db.audit_log.c.action == action)
    with database.begin() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def search(database: db.AppDB, action: str | None = None, text: str | None = None,
           page: int = 0, per_page: int = 50) -> tuple[list[dict], int]:
    """One page of entries, newest first, and how many match. `text` is looked for (as a bound
    LIKE pattern) in who, whom, detail and address."""
    table = db.audit_log
    conditions = []
    if action:
        conditions.append(table.c.action == action)
    if text and text.strip():
        escaped = text.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(sa.or_(*(column.ilike(pattern, escape="\\") for column in (
            table.c.actor, table.c.subject, table.c.detail, table.c.address))))
    query = sa.select(table).where(*conditions).order_by(table.c.id.desc())
    with database.begin() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table)
                             .where(*conditions)).scalar_one()
        rows = conn.execute(query.offset(max(page, 0) * per_page).limit(per_page))
        return [dict(row._mapping) for row in rows], total
