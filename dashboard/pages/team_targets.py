"""Monthly targets an admin sets on the Team page (`POST /team/targets`), in the app database.

A target set here replaces the data's `employees.monthly_target` for that employee until it is
cleared. Like the app's other forms: the request gate refuses anonymous and cross-site posts,
the account must be an admin, the CSRF token is checked, the value is checked before anything
is stored (a clear message, nothing half-changed) and every change is audited.
"""

from __future__ import annotations

import math
from html import escape

import flask
import sqlalchemy as sa
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from dashboard import config
from dashboard.auth import audit, db
from dashboard.auth.permissions import require_admin

ACTION = "/team/targets"
MAX_TARGET = 1e12

employee_targets = sa.Table(
    "employee_targets", db.metadata,
    sa.Column("employee_id", sa.String(64), primary_key=True),
    sa.Column("monthly_target", sa.Float, nullable=False),
    sa.Column("set_by", sa.String(64), nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)

PROBLEM_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Target not saved · ToyPulse</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"></head>
<body class="bg-light"><main class="container py-5">
<h1 class="h4" id="team-target-problem-title">The target was not saved</h1>
<p id="team-target-problem">{words}</p>
<p><a class="btn btn-primary" href="/team">Back to the Team page</a></p>
</main></body></html>
"""


class TargetProblem(ValueError):
    """A target form value that cannot be stored (the message says what and where)."""


def parse(employee_id, value) -> tuple[str, float | None]:
    """(employee id, monthly target or None to clear) from the form, or TargetProblem."""
    employee = (employee_id or "").strip()
    if not employee or len(employee) > 64:
        raise TargetProblem("Choose an employee (the employee field was empty or too long).")
    raw = (value or "").strip().replace(",", "")
    if raw == "":
        return employee, None
    try:
        amount = float(raw)
    except ValueError:
        raise TargetProblem(f"The monthly target {raw[:40]!r} for {employee} is not a number."
                            ) from None
    if not math.isfinite(amount) or amount < 0 or amount > MAX_TARGET:
        raise TargetProblem(f"The monthly target for {employee} must be a number from 0 to "
                            f"{MAX_TARGET:,.0f} (got {raw[:40]}).")
    return employee, amount


def stored(database: db.AppDB | None = None) -> dict[str, float]:
    """employee id -> monthly target set on the page (the request's app database, else the
    configured one, as the CLI uses; an app database that cannot be opened has none)."""
    if database is None:
        if flask.has_app_context() and db.EXTENSION in flask.current_app.extensions:
            database = db.current()
        else:
            try:
                database = db.AppDB(config.app_db_url())
            except sa.exc.SQLAlchemyError:
                return {}
    with database.begin() as conn:
        rows = conn.execute(sa.select(employee_targets.c.employee_id,
                                      employee_targets.c.monthly_target)).fetchall()
    return {str(emp): float(amount) for emp, amount in rows}


def save(database: db.AppDB, actor: str, employee: str, amount: float | None,
         known: set[str]) -> str:
    """Store (or clear) one target and its audit entry in one transaction; the audit detail."""
    if employee not in known:
        raise TargetProblem(f"There is no employee {employee!r} in the data you can see.")
    table = employee_targets
    with database.begin_write() as conn:
        before = conn.execute(sa.select(table.c.monthly_target)
                              .where(table.c.employee_id == employee)).scalar()
        conn.execute(sa.delete(table).where(table.c.employee_id == employee))
        if amount is not None:
            conn.execute(sa.insert(table).values(employee_id=employee, monthly_target=amount,
                                                 set_by=actor, set_at=db.now()))
        was = "the data's" if before is None else f"{before:,.2f}"
        detail = (f"monthly target of {employee}: {was} -> "
                  f"{'the data' if amount is None else f'{amount:,.2f}'}")
        audit.record(conn, "target_set", actor, employee, detail,
                     flask.request.remote_addr if flask.has_request_context() else None)
    return detail


def set_target() -> flask.Response:
    admin = require_admin()
    try:
        validate_csrf(flask.request.form.get("csrf_token"))
    except ValidationError:
        return _problem("The form expired or did not come from this site, so nothing was "
                        "changed.")
    from dashboard import services
    from dashboard.auth.scope import scope_for_request
    from dashboard.queries import team

    try:
        employee, amount = parse(flask.request.form.get("employee_id"),
                                 flask.request.form.get("monthly_target"))
        known = set(team.people(services.current().warehouse, scope_for_request())
                    ["employee_id"].astype(str))
        save(db.current(), admin.username, employee, amount, known)
    except TargetProblem as problem:
        return _problem(str(problem))
    return flask.redirect("/team?target=saved", code=303)


def _problem(words: str) -> flask.Response:
    return flask.Response(PROBLEM_PAGE.format(words=escape(words)), status=400,
                          mimetype="text/html")


def register(server: flask.Flask) -> None:
    server.add_url_rule(ACTION, "team_set_target", set_target, methods=["POST"])
