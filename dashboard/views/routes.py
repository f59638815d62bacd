"""The saved-view form posts (`POST /views/save`, `POST /views/restore`) and the 404 status of
`/views?id=N` for an id the user may not see.

Like the app's other forms: the request gate refuses anonymous and cross-site posts, and each
form's CSRF token is checked here. Problems are a short page with words and a way back.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import flask
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from dashboard import services
from dashboard.auth import db
from dashboard.auth.audit import record_event
from dashboard.auth.guard import shell_page
from dashboard.auth.permissions import current_account, require_signed_in
from dashboard.views import store

SAVE_ACTION = "/views/save"
RESTORE_ACTION = "/views/restore"
RENAME_ACTION = "/views/rename"
DELETE_ACTION = "/views/delete"
PROBLEM_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · ToyPulse</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"></head>
<body class="bg-light"><main class="container py-5">
<h1 class="h4" id="views-problem-title">{title}</h1>
<p id="views-problem">{words}</p>
<p><a class="btn btn-primary" href="{back}">Back</a></p>
</main></body></html>
"""


def problem(status: int, title: str, words: str, back: str = "/views") -> flask.Response:
    page = PROBLEM_PAGE.format(title=escape(title), words=escape(words), back=escape(back))
    return flask.Response(page, status=status, mimetype="text/html")


def _checked_form() -> flask.Response | None:
    try:
        validate_csrf(flask.request.form.get("csrf_token"))
    except ValidationError:
        return problem(400, "Nothing was saved",
                       "The form expired or did not come from this site, so nothing was changed.")
    return None


def data_version() -> int | None:
    """The version of the data being shown now (None before any import)."""
    svc = services.current()
    return int(svc.warehouse.version) if svc.has_data() else None


def save_view() -> flask.Response:
    account = require_signed_in()
    if (refused := _checked_form()) is not None:
        return refused
    form = flask.request.form
    query = form.get("query", "")
    try:
        view_id, n = store.save(db.current(), account, form.get("name"), query, data_version(),
                                share=form.get("share"), note=form.get("note", ""))
    except store.ViewProblem as exc:
        back = "/" + ("?" + query.lstrip("?") if query.strip("?") else "")
        return problem(400, "The view was not saved", f"{str(exc).capitalize()}.", back)
    record_event("view_saved", subject=f"view {view_id}", detail=f"version {n}")
    return flask.redirect(f"/views?{urlencode({'id': view_id, 'saved': n})}", code=303)


def restore_view() -> flask.Response:
    account = require_signed_in()
    if (refused := _checked_form()) is not None:
        return refused
    form = flask.request.form
    try:
        n = store.restore(db.current(), account, form.get("view_id"), form.get("version"),
                          data_version())
    except store.ViewNotFound:
        return problem(404, "View not found",
                       "There is no such view, or it is not shared with you.")
    except store.ViewForbidden as exc:
        return problem(403, "Not your view", f"{str(exc).capitalize()}. Save it under your own "
                       "name to keep a copy.")
    view_id = int(form.get("view_id"))
    record_event("view_restored", subject=f"view {view_id}",
                 detail=f"version {form.get('version')} as version {n}")
    return flask.redirect(f"/views?{urlencode({'id': view_id, 'saved': n})}", code=303)


def _owner_change(change, event: str):
    """Rename or delete, for the owner only; problems in words, nothing half-done."""
    account = require_signed_in()
    if (refused := _checked_form()) is not None:
        return refused
    form = flask.request.form
    try:
        done = change(db.current(), account, form.get("view_id"))
    except store.ViewNotFound:
        return problem(404, "View not found",
                       "There is no such view, or it is not shared with you.")
    except store.ViewForbidden as exc:
        return problem(403, "Not your view", f"{str(exc).capitalize()}.")
    except store.ViewProblem as exc:
        return problem(400, "Nothing was changed", f"{str(exc).capitalize()}.",
                       f"/views?id={int(form.get('view_id'))}")
    record_event(event, subject=f"view {form.get('view_id')}", detail=done)
    return done


def rename_view() -> flask.Response:
    name = flask.request.form.get("name")
    done = _owner_change(lambda d, a, i: store.rename(d, a, i, name).name, "view_renamed")
    if isinstance(done, flask.Response):
        return done
    return flask.redirect(f"/views?{urlencode({'id': flask.request.form['view_id']})}",
                          code=303)


def delete_view() -> flask.Response:
    done = _owner_change(store.delete, "view_deleted")
    return done if isinstance(done, flask.Response) else flask.redirect("/views", code=303)


def unseen_view_status():
    """GET /views?id=N of a view this user may not see: the page (which says "not found")
    with status 404, as for any other missing page."""
    request = flask.request
    if request.method != "GET" or request.path.rstrip("/") != "/views":
        return None
    account = current_account()
    if account is None or "id" not in request.args:
        return None
    try:
        store.get(db.current(), account, request.args.get("id"))
    except store.ViewNotFound:
        return shell_page(404)
    return None


def register(server: flask.Flask) -> None:
    server.add_url_rule(SAVE_ACTION, "views_save", save_view, methods=["POST"])
    server.add_url_rule(RESTORE_ACTION, "views_restore", restore_view, methods=["POST"])
    server.add_url_rule(RENAME_ACTION, "views_rename", rename_view, methods=["POST"])
    server.add_url_rule(DELETE_ACTION, "views_delete", delete_view, methods=["POST"])
    server.before_request(unseen_view_status)
