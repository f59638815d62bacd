"""POST /data/sample: the empty start's "Load the sample data", an admin-only server action.

Checked like the app's other form posts: the request gate refuses non-admins (the path is under
the admin-only /data) and cross-site posts; here the account is checked again and the form's
CSRF token validated. The sample loads only into an empty warehouse (ingest/sample_load.py),
is audited as an import, and the answer sends the browser to the Overview.
"""

from __future__ import annotations

import flask
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from dashboard.auth.audit import record_event
from dashboard.auth.permissions import require_admin
from dashboard.components.empty_state import SAMPLE_ACTION
from dashboard.ingest.errors import ImportBusy
from dashboard.ingest.sample_load import load_sample_if_empty
from dashboard.services import current

EXPIRED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not loaded · ToyPulse</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"></head>
<body class="bg-light"><main class="container py-5">
<h1 class="h4">The sample was not loaded</h1>
<p>The form expired or did not come from this site, so nothing was changed.</p>
<p><a class="btn btn-primary" href="/">Back to the Overview</a></p>
</main></body></html>
"""


def load_sample() -> flask.Response:
    admin = require_admin()
    try:
        validate_csrf(flask.request.form.get("csrf_token"))
    except ValidationError:
        return flask.Response(EXPIRED_PAGE, status=400, mimetype="text/html")
    services = current()
    try:
        loaded = load_sample_if_empty(services.warehouse.root, admin.username,
                                      has_data=services.has_data)
    except ImportBusy:
        return flask.redirect("/?sample=busy", code=303)
    if loaded.version is not None:
        record_event("import", subject="sample data",
                     detail=f"version {loaded.version}, {loaded.rows:,} rows of the sample "
                            f"retailer, loaded from the empty start in {loaded.seconds:.1f} s")
    return flask.redirect("/", code=303)


def register(server: flask.Flask) -> None:
    server.add_url_rule(SAMPLE_ACTION, "data_load_sample", load_sample, methods=["POST"])
