"""The Data page's routes and callbacks, called directly: size limit before reading, job ids
from clients checked, forged mapping payloads coerced, a finished job's report rendered."""

from __future__ import annotations

import contextlib
import io
import json
from urllib.parse import parse_qs, urlparse

import pytest
from dash.exceptions import PreventUpdate

from dashboard.ingest import jobs
from tests import auth_helpers
from tests.ingest_support import PRODUCTS, SALES_HEADER, SALES_ROWS, STORES


@contextlib.contextmanager
def admin_request(app, accounts):
    """A request signed in as an admin, for calling the page's functions directly."""
    from dashboard.auth import login

    with app.server.test_request_context("/data"):
        login.sign_in(auth_helpers.account(app, accounts["admin"]))
        yield


def _jobs(root) -> set[str]:
    folder = jobs.jobs_dir(root)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _post(client, files: dict[str, bytes]):
    data = {"files": [(io.BytesIO(body), name) for name, body in files.items()]}
    return client.post("/data/upload", data=data, content_type="multipart/form-data")


def test_upload_over_the_limit_is_refused_from_content_length(app, warehouse_dir, monkeypatch,
                                                              client_as, accounts):
    monkeypatch.setenv("DASHBOARD_IMPORT_MAX_MB", "0.01")  # about 10 kB
    before = _jobs(warehouse_dir)
    response = _post(client_as("admin"), {"sales.csv": b"x" * 200_000})
    assert response.status_code == 303
    error = parse_qs(urlparse(response.location).query)["error"][0]
    assert "over the import limit" in error and "it was not read" in error
    assert _jobs(warehouse_dir) == before  # nothing stored


def test_upload_proposes_a_mapping_and_the_page_shows_it(app, warehouse_dir, client_as, accounts):
    files = {"sales.csv": (SALES_HEADER + "\n".join(SALES_ROWS)).encode(),
             "products.csv": PRODUCTS.encode(), "stores.csv": STORES.encode()}
    response = _post(client_as("admin"), files)
    job_id = parse_qs(urlparse(response.location).query)["job"][0]
    folder = jobs.job_folder(warehouse_dir, job_id)
    assert jobs.read_status(folder)["state"] == "uploaded"
    proposal = json.loads((folder / "proposal.json").read_text())
    roles = {t["source"]: t["role"] for t in proposal["mapping"]["tables"]}
    assert roles == {"sales.csv": "sales", "products.csv": "products", "stores.csv": "stores"}
    from dashboard.pages import data

    with admin_request(app, accounts):
        page = str(data.layout(job=job_id))
    assert "data-mapping-card" in page and "sales.units" in page


def test_bad_upload_is_reported_with_file_row_column_value(app, warehouse_dir, client_as, accounts):
    response = _post(client_as("admin"), {"sales.csv": b"Sale_ID,Date\n1,2024-01-01,9\n"})
    job_id = parse_qs(urlparse(response.location).query)["job"][0]
    status = jobs.read_status(jobs.job_folder(warehouse_dir, job_id))
    assert status["state"] == "failed"
    assert status["error"]["text"].startswith("file sales.csv, row 2, column '#3 (no header)', "
                                              "value '9'")


@pytest.mark.parametrize("job_id", ["../../etc", "20240101-000000-zzzzzzzz", "", None, 7])
def test_job_ids_from_clients_are_checked(app, job_id, client_as, accounts):
    from werkzeug.exceptions import NotFound

    from dashboard.pages import data, data_routes

    response = client_as("admin").get(f"/data/jobs/{job_id}/rejected.csv")
    assert response.mimetype != "text/csv"  # 404, or the app's page shell for odd paths
    with admin_request(app, accounts):
        with pytest.raises(NotFound):
            data_routes.job_rejected(job_id)
        assert data.poll(1, job_id) == (None, True, data.dash.no_update)
        with pytest.raises(PreventUpdate):
            data.start_import(1, [], [], "auto", None, None, job_id)


def test_forged_mapping_inputs_are_coerced():
    from dashboard.pages.data import mapping_from_inputs

    prop = {"mapping": {"format": "toypulse-mapping/1", "date_order": "auto", "missing": {},
                        "tables": [{"source": "s.csv", "role": "sales", "header": ["A", "B"],
                                    "columns": {"A": "sales.date", "B": "sales.units"},
                                    "constants": {}}]}}
    forged = [{"column": "A", "field": "sales.date"}, {"column": "Z", "field": "sales.revenue"},
              {"column": "B", "field": ["x"]}]
    mapping = mapping_from_inputs(prop, ["sales"], [forged], "DROP TABLE")
    assert mapping.tables[0].columns == {"A": "sales.date", "B": ""}
    assert mapping.date_order == "auto"
    with pytest.raises(PreventUpdate):
        mapping_from_inputs(prop, ["sales", "sales"], [forged], "auto")


def test_report_and_failure_views():
    from dashboard.pages.data import status_view

    report = {"rows_read": 12, "rows_kept": 11, "rows_rejected": 1,
              "tables": [{"name": "s.csv", "role": "sales", "read": 12, "kept": 11,
                          "rejected": 1}],
              "fixed": [{"rule": "trim_whitespace", "count": 3, "what": "spaces"}],
              "rejected": [{"reason": "units: not a number", "count": 1}],
              "flags": [], "notes": ["dates read day-first"]}
    done = str(status_view("j", {"state": "done", "version": 4, "report": report}))
    assert "version 4 is now live" in done and "/data/jobs/j/rejected.csv" in done
    assert "units: not a number" in done and "dates read day-first" in done
    failed = str(status_view("j", {"state": "failed", "error": {"text": "file x.csv: bad"}}))
    assert "file x.csv: bad" in failed and "Nothing was changed" in failed
    running = str(status_view("j", {"state": "running", "stage": "reading", "percent": 40,
                                    "message": "reading sales.csv", "rows_read": 1234}))
    assert "1,234 rows read" in running and "40%" in running


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_only_admins_reach_the_data_page_and_its_routes(client_as, role, warehouse_dir):
    client = client_as(role)
    before = _jobs(warehouse_dir)
    assert client.get("/data").status_code == 403
    assert client.get("/data/upload-form").status_code == 403
    response = _post(client, {"sales.csv": (SALES_HEADER + SALES_ROWS[0]).encode()})
    assert response.status_code == 403
    assert _jobs(warehouse_dir) == before  # nothing stored
