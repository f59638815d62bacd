"""The audit log: who did what, when (sign-ins, failed sign-ins, role and region changes, imports).

Other features record their own events with `record_event`, e.g. the import page:
`record_event("import", subject="sales.csv", detail="version 7, 120,000 rows")`.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.auth import db

ACTIONS = (
    "sign_in", "sign_in_failed", "sign_in_locked", "sign_out", "user_created", "role_changed",
    "regions_changed", "user_deactivated", "user_reactivated", "password_reset", "import",
    "rollback",
)


def record(conn, action: str, actor: str | None = None, subject: str | None = None,
           detail: str = "", address: str | None = None) -> None:
    """Add one entry inside the caller's transaction (so it commits with the change it logs)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(sa.insert(db.audit_log).values(
        at=db.now(), actor=actor, action=action, subject=subject, detail=detail[:2000],
        address=address))


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
