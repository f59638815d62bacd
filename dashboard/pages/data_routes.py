"""Plain Flask routes of the Data page: upload (streamed to disk, size checked from the
Content-Length before the body is read) and downloads of rejected rows.

dcc.Upload would hold every file in the browser and the server as base64 in memory, so a plain
multipart form posts here instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import flask

from dashboard.auth.guard import allow_large_bodies
from dashboard.auth.permissions import require_admin
from dashboard.ingest import jobs
from dashboard.ingest.history import rejected_csv
from dashboard.ingest.readers import max_bytes
from dashboard.ingest.uploads import prepare
from dashboard.services import current

MAX_FILES = 20
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def _root() -> Path:
    return current().warehouse.root


def _back(**query) -> flask.Response:
    return flask.redirect(f"/data?{urlencode(query)}", code=303)


def upload() -> flask.Response:
    require_admin()
    limit = max_bytes()
    length = flask.request.content_length
    if length is None or length > limit + 64 * 1024:  # multipart framing allowance
        shown = "unknown" if length is None else f"{length / 1e6:,.1f} MB"
        return _back(error=f"The upload ({shown}) is over the import limit of "
                           f"{limit / 1e6:,.1f} MB (DASHBOARD_IMPORT_MAX_MB); it was not read.")
    flask.request.max_content_length = limit + 64 * 1024  # enforced while streaming, too
    files = [f for f in flask.request.files.getlist("files") if f and f.filename]
    if not files:
        return _back(error="Choose at least one file to upload.")
    if len(files) > MAX_FILES:
        return _back(error=f"At most {MAX_FILES} files per import.")
    job_id, folder = jobs.new_job(_root())
    stored = []
    for i, item in enumerate(files):
        name = SAFE_NAME.sub("_", Path(item.filename).name)[:120] or f"file{i}"
        target = f"{i:02d}-{name}"
        item.save(folder / "uploads" / target)  # werkzeug spools big parts to disk, not memory
        stored.append((target, name))
    jobs.record_uploads(folder, stored)
    prepare(folder, _root())
    return _back(job=job_id)


UPLOAD_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/00-bootstrap.min.css">
<style>body{background:transparent;margin:0;padding:2px}</style></head>
<body><form action="/data/upload" method="post" enctype="multipart/form-data" target="_top"
 class="d-flex flex-wrap gap-2 align-items-center" id="upload-form">
<label class="visually-hidden" for="files">Files</label>
<input type="file" name="files" id="files" multiple required class="form-control form-control-sm"
 style="max-width:28rem" accept=".csv,.tsv,.txt,.tab,.xlsx,.xlsm,.xls,.zip">
<button type="submit" id="upload" class="btn btn-primary btn-sm">Upload and propose a mapping
</button></form></body></html>"""


def upload_form() -> flask.Response:
    require_admin()
    return flask.Response(UPLOAD_FORM, mimetype="text/html")


def job_rejected(job_id: str) -> flask.Response:
    require_admin()
    folder = jobs.job_folder(_root(), job_id)
    path = folder / "work" / "rejected.csv" if folder else None
    if path is None or not path.exists():
        flask.abort(404)
    return flask.send_file(path, mimetype="text/csv", as_attachment=True,
                           download_name=f"rejected-{job_id}.csv")


def version_rejected(version: int) -> flask.Response:
    require_admin()
    path = rejected_csv(_root(), version)
    if not path.exists():
        flask.abort(404)
    return flask.send_file(path, mimetype="text/csv", as_attachment=True,
                           download_name=f"rejected-version-{version}.csv")


def register(server: flask.Flask) -> None:
    server.add_url_rule("/data/upload", "data_upload", upload, methods=["POST"])
    allow_large_bodies(server, "data_upload")  # its own limit: DASHBOARD_IMPORT_MAX_MB
    server.add_url_rule("/data/upload-form", "data_upload_form", upload_form)
    server.add_url_rule("/data/jobs/<job_id>/rejected.csv", "data_job_rejected", job_rejected)
    server.add_url_rule("/data/versions/<int:version>/rejected.csv", "data_version_rejected",
                        version_rejected)
