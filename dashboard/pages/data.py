"""Data: upload exports, confirm the column mapping, run the import in the background, read the
quality report, and roll back to an earlier version.

Uploads go to a plain Flask route (data_routes.py) that redirects back here with ?job=<id>.
The import runs as a separate process writing the job's status.json, which an Interval polls,
so the app stays usable. Every callback starts with require_admin().
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import config, services
from dashboard.auth.audit import record_event
from dashboard.auth.permissions import is_admin, require_admin
from dashboard.components.empty_state import sample_form
from dashboard.components.errors import forbidden_view
from dashboard.components.quality_report import quality_report
from dashboard.ingest import jobs
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fields import BY_KEY, FIELDS, IGNORE, ROLES
from dashboard.ingest.history import history, rollback
from dashboard.ingest.mapping import FLAT_ROLES, Mapping, TableMapping, validate
from dashboard.ingest.uploads import last_mapping_path, proposal

NO_FIELD = "-"
POLL_MS = 600


def _root():
    return services.current().warehouse.root


def _field_options(role: str) -> list[dict]:
    roles = {role, *FLAT_ROLES.get(role, ())}
    options = [{"label": "(not used)", "value": NO_FIELD}]
    options += [{"label": f.key, "value": f.key} for f in FIELDS if f.role in roles]
    return options


def upload_card(error: str | None) -> dbc.Card:
    limit = config.get_float("import_max_mb")
    return dbc.Card(dbc.CardBody([
        html.H2("1 · Upload files", className="h6"),
        html.Div(f"CSV, TSV, Excel (.xlsx, .xls; every sheet) or a .zip of them; related files "
                 f"together (sales, products, stores…). Up to {limit:,.0f} MB in total.",
                 className="small text-muted mb-2"),
        # Dash has no file <input>: a plain form in a frame posts the files as multipart (the
        # browser streams them), and its answer reloads this page with ?job=<id>.
        html.Iframe(src="/data/upload-form", id="data-upload-frame", title="Upload files",
                    style={"width": "100%", "height": "5.5rem", "border": "0"}),
        dbc.Alert(error, color="danger", className="mt-2 mb-0 small", id="data-upload-error")
        if error else None,
    ]), className="mb-3")


CONSTANT_IDS = {"sales.store_id"}  # the one id a whole file may share (one store's export)
SMALL_TABLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {"fontSize": "0.8rem", "textAlign": "left", "fontFamily": "inherit",
                   "whiteSpace": "normal", "height": "auto"},
    "style_header": {"fontWeight": "600"},
    "css": [{"selector": ".Select-menu-outer", "rule": "display: block !important"}],
}


def constant_rows(mapping: dict) -> list[dict]:
    """Fields each file lacks, where a constant may stand in (one store, one channel...)."""
    rows = []
    for table in mapping["tables"]:
        if table["role"] not in ROLES:
            continue
        mapped = set(table["columns"].values())
        for f in FIELDS:
            if f.role != table["role"] or f.key in mapped:
                continue
            if f.kind == "id" and f.key not in CONSTANT_IDS:
                continue
            rows.append({"source": table["source"], "field": f.key, "label": f.label,
                         "constant": table.get("constants", {}).get(f.key, "")})
    return rows


def policy_rows(mapping: dict) -> list[dict]:
    """Every mapped field with what happens to its empty cells."""
    keys = sorted({key for t in mapping["tables"] if t["role"] in ROLES
                   for key in t["columns"].values() if key})
    rows = []
    for key in keys:
        policy = mapping.get("missing", {}).get(key) or BY_KEY[key].missing
        fill = policy[5:] if policy.startswith("fill:") else ""
        rows.append({"field": key, "policy": "fill" if fill or policy == "fill:" else policy,
                     "fill": fill})
    return rows


def missing_required(mapping: dict) -> list[str]:
    """What a sales file lacks that an import cannot do without, in words."""
    out = []
    for table in mapping["tables"]:
        if table["role"] != "sales":
            continue
        has = {*table["columns"].values(), *table.get("constants", {})}
        if "sales.date" not in has:
            out.append(f"{table['source']} has no column for the sale date")
        if not has & {"sales.units", "sales.revenue"}:
            out.append(f"{table['source']} has no column for units or revenue")
    return out


def required_question(mapping: dict):
    """Asked up front (not folded away): without these fields nothing can be imported."""
    lacking = missing_required(mapping)
    if not lacking:
        return None
    return dbc.Alert([
        html.Strong("A required field is missing. "), "; ".join(lacking), ". ",
        "Map the column in the table above, or, if one value holds for every row (a file of "
        "one day's sales), enter it under “Fields the files lack” below (e.g. a date like "
        "2023-11-12).",
    ], color="warning", className="small py-2", id="data-required")


def extras_block(mapping: dict):
    """Constants and empty-cell policies, folded away unless a required field is missing."""
    return dbc.Accordion(dbc.AccordionItem(html.Div([
        html.H3("Fields the files lack", className="h6"),
        html.P("Give a value that holds for every row (e.g. a file from one store or one "
               "channel), or leave it empty: the field is then unavailable and the pages say so.",
               className="small text-muted"),
        dash_table.DataTable(
            id="data-constants", data=constant_rows(mapping),
            columns=[{"id": "source", "name": "File"}, {"id": "label", "name": "Field"},
                     {"id": "constant", "name": "Value for every row", "editable": True}],
            editable=False, page_size=6, **SMALL_TABLE),
        html.H3("Empty cells", className="h6 mt-3"),
        html.P("What to do with a row whose value is missing: drop the row (it is listed in the "
               "rejected rows), mark it Unknown, or fill in a value.",
               className="small text-muted"),
        dash_table.DataTable(
            id="data-policies", data=policy_rows(mapping),
            columns=[{"id": "field", "name": "Field"},
                     {"id": "policy", "name": "When empty", "presentation": "dropdown",
                      "editable": True},
                     {"id": "fill", "name": "Fill with", "editable": True}],
            dropdown={"policy": {"options": [
                {"label": "drop the row", "value": "drop"},
                {"label": "mark Unknown", "value": "unknown"},
                {"label": "fill with…", "value": "fill"}], "clearable": False}},
            editable=False, page_size=6, **SMALL_TABLE),
    ]), title="Fields the files lack, and empty cells", item_id="extras"),
        start_collapsed=not missing_required(mapping), active_item="extras"
        if missing_required(mapping) else None,
        className="mb-3", id="data-extras")


CURRENCIES = ("USD", "EUR", "GBP", "MXN", "CAD", "AUD", "INR", "JPY")


def options_block(mapping: dict):
    """Duplicate lines and currency: the two choices that change totals, asked up front."""
    currency = mapping.get("currency", "auto")
    options = [{"label": "read from the file (else USD)", "value": "auto"}]
    options += [{"label": c, "value": c} for c in sorted({*CURRENCIES, currency} - {"auto"})]
    return html.Div([
        dbc.Checkbox(id="data-drop-duplicates", value=mapping.get("duplicates") == "drop",
                     label="Drop exact duplicate lines (files with no line id; by default "
                           "identical lines are kept as separate sales and flagged)",
                     className="small"),
        html.Div([
            html.Label("Currency of the amounts", htmlFor="data-currency",
                       className="small me-2"),
            dcc.Dropdown(id="data-currency", value=currency, options=options,
                         clearable=False, style={"width": "16rem"}),
        ], className="d-flex align-items-center flex-wrap mt-1"),
    ], className="mb-2", id="data-options")


def mapping_card(job_id: str, prop: dict) -> dbc.Card:
    mapping = prop["mapping"]
    blocks = []
    for i, table in enumerate(mapping["tables"]):
        rows = [{"column": c, "sample": prop["samples"][table["source"]].get(c, ""),
                 "field": table["columns"].get(c) or NO_FIELD} for c in table["header"]]
        blocks.append(html.Div([
            html.Div([
                html.Strong(table["source"]),
                html.Span(f"{prop['rows'][table['source']]:,} rows", className="text-muted"),
                html.Span("used as", className="ms-auto small"),
                dcc.Dropdown(id={"type": "data-role", "index": i}, value=table["role"],
                             options=[*ROLES, IGNORE], clearable=False,
                             style={"width": "9rem"}),
            ], className="d-flex align-items-center gap-2 flex-wrap mb-1"),
            dash_table.DataTable(
                id={"type": "data-columns", "index": i}, data=rows,
                columns=[{"id": "column", "name": "Column"},
                         {"id": "sample", "name": "Sample values"},
                         {"id": "field", "name": "Maps to", "presentation": "dropdown",
                          "editable": True}],
                dropdown={"field": {"options": _field_options(table["role"]),
                                    "clearable": False}},
                editable=False, **SMALL_TABLE,
                style_cell_conditional=[
                    {"if": {"column_id": "sample"}, "maxWidth": "12rem", "color": "#6b7280",
                     "wordBreak": "break-word"},
                    {"if": {"column_id": "column"}, "wordBreak": "break-all"},
                    {"if": {"column_id": "field"}, "minWidth": "9.5rem", "width": "40%"},
                ],
            ),
        ], className="mb-3", id=f"data-table-{i}"))
    joins = [html.Li(f"{j['from']} · {j['from_column']} → {j['to']} · {j['to_column']}")
             for j in mapping["joins"]] or [html.Li("none (a single file)")]
    return dbc.Card(dbc.CardBody([
        html.H2("2 · Confirm the mapping", className="h6"),
        html.P("ToyPulse proposed a field for each column from its name and contents. Correct "
               "any that are wrong; set a column to “(not used)” to leave it out.",
               className="small text-muted"),
        *blocks,
        html.Div([html.Strong("Joins ", className="small"), html.Ul(joins, className="small")]),
        required_question(mapping),
        extras_block(mapping),
        html.Div([
            html.Span("Dates like 03/01/19 mean ", className="small me-2"),
            dbc.RadioItems(id="data-date-order", inline=True, value=mapping["date_order"],
                           options=[{"label": "decide from the data", "value": "auto"},
                                    {"label": "day first (3 Jan)", "value": "day_first"},
                                    {"label": "month first (1 Mar)", "value": "month_first"}],
                           className="small"),
        ], className="d-flex flex-wrap align-items-center mb-2"),
        options_block(mapping),
        dbc.Button("Preview import", id="data-import", color="primary", size="sm"),
        html.Span(" Nothing is written until you confirm the preview.",
                  className="small text-muted"),
        html.Div(id="data-mapping-error", className="mt-2"),
    ]), className="mb-3", id="data-mapping-card")


def status_view(job_id: str, status: dict):
    """Progress while running; the report (or the problem) when finished."""
    state = status.get("state")
    if state in (None, "uploaded"):
        return None
    if state == "running":
        percent = float(status.get("percent") or 0)
        return html.Div([
            html.Div(f"{status.get('stage', '')}: {status.get('message', '')} · "
                     f"{int(status.get('rows_read') or 0):,} rows read",
                     className="small mb-1", id="data-progress-text"),
            dbc.Progress(value=percent, label=f"{percent:.0f}%", striped=True, animated=True,
                         id="data-progress"),
            html.Div("You can keep using the dashboard; the current data is served until the "
                     "new version is complete.", className="small text-muted mt-1"),
        ])
    if state == "previewed":
        return preview_view(status.get("preview") or {})
    href = f"/data/jobs/{job_id}/rejected.csv"
    if state == "done":
        return html.Div([
            dbc.Alert([f"Imported: version {status.get('version')} is now live. ",
                       html.A("Open the Overview", href="/", id="data-open-overview",
                              className="alert-link")],
                      color="success", className="py-2", id="data-done"),
            quality_report(status["report"], href),
        ])
    error = (status.get("error") or {}).get("text", "the import failed")
    report = status.get("report")
    return html.Div([
        dbc.Alert([html.Strong("Import refused. "), error, html.Br(),
                   "Nothing was changed: the data being served is as it was."],
                  color="danger", className="py-2", id="data-failed"),
        quality_report(report, href) if report else None,
    ])


def preview_view(preview: dict):
    """What the import would do, with the button that does it (nothing is written before)."""
    refused = preview.get("refused")
    if refused:
        return html.Div([
            dbc.Alert([html.Strong("The import would be refused. "), refused.get("text", ""),
                       html.Br(), "Nothing was written. Change the mapping or the file and "
                       "preview again."], color="danger", className="py-2",
                      id="data-preview-refused"),
            decimal_question(refused),
        ], id="data-preview")
    return dbc.Card(dbc.CardBody([
        html.H2("3 · Check the preview", className="h6"),
        dbc.Alert([html.Strong("Preview: nothing has been written yet. "),
                   "Confirming imports exactly this; to change it, edit the mapping above and "
                   "preview again."], color="info", className="py-2"),
        quality_report(preview["report"], None, preview=True),
        dbc.Button("Confirm import", id="data-confirm", color="success", size="sm",
                   className="mt-2"),
    ]), id="data-preview")


def decimal_question(refused: dict):
    """The values could be read two ways: ask which, with the value read both ways."""
    if refused.get("kind") != "DecimalMarkAmbiguous" or not refused.get("column"):
        return None
    column, value = refused["column"], refused.get("value") or ""
    comma = value.replace(".", "").replace(",", ".")
    point = value.replace(",", "")
    return html.Div([
        html.Div([html.Strong(f"Which decimal mark does “{column}” use? "),
                  f"“{value}” could mean either."], className="small mb-1"),
        dbc.RadioItems(
            id={"type": "data-decimal", "column": column}, value=None, className="small",
            options=[{"label": f"decimal comma (1.234,50): {value} is {comma}", "value": ","},
                     {"label": f"decimal point (1,234.50): {value} is {point}", "value": "."}]),
        html.Div("Then press “Preview import” again.", className="small text-muted"),
    ], className="border rounded p-2 mb-2", id="data-decimal-question")


def history_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H2("Versions", className="h6"),
        html.Div(history_table(), id="data-history"),
        html.Div(id="data-rollback-note"),
    ]), className="mb-3")


def history_table():
    entries = history(_root())
    if not entries:  # the empty start: the other way in, besides an upload
        return html.Div([
            html.P("No data loaded yet. Upload your files on the left, or load the sample toy "
                   "retailer to look around first.", className="small text-muted",
                   id="data-no-versions"),
            sample_form("btn btn-sm btn-outline-primary"),
        ])
    rows = []
    for e in entries:
        files = [html.Div(f"{f['name']} · {f['size'] / 1e6:,.1f} MB",
                          title=f"sha256 {f['sha256']}") for f in e["files"]]
        files = files or e["note"].replace("`", "")  # the note is written for a terminal
        action = (dbc.Badge("serving", color="success") if e["current"] else
                  dbc.Button("Roll back to this", size="sm", color="secondary", outline=True,
                             id={"type": "data-rollback", "version": e["version"]}))
        rejected = ("" if e["rows_rejected"] is None else
                    html.A(f"{e['rows_rejected']:,}",
                           href=f"/data/versions/{e['version']}/rejected.csv")
                    if e["rows_rejected"] else "0")
        rows.append(html.Tr([
            html.Td(e["version"]), html.Td(e["imported_at"].replace("T", " ")[:16] or "–"),
            html.Td(e["user"] or "–"), html.Td(files, className="text-break"),
            html.Td("" if e["rows"] is None else f"{e['rows']:,}"), html.Td(rejected),
            html.Td(action)]))
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in (
        "Version", "When", "Who", "Files", "Sales rows", "Rejected", "")])),
        html.Tbody(rows)], size="sm", hover=True, responsive=True, className="small",
        id="data-history-table")


def layout(job: str | None = None, error: str | None = None, **_):
    if not is_admin():
        return forbidden_view()  # the gate already answered 403; this is what the page shows
    require_admin()
    folder = jobs.job_folder(_root(), job) if job else None
    status = jobs.read_status(folder) if folder else {}
    prop = (proposal(folder) if folder and status.get("state") in ("uploaded", "previewed")
            else None)
    running = status.get("state") == "running"
    return html.Div([
        dcc.Store(id="data-job", data=job if folder else None),
        dcc.Interval(id="data-poll", interval=POLL_MS, disabled=not running),
        html.H1("Data", className="h5 mb-3"),
        dbc.Row([
            dbc.Col([
                upload_card(error),
                mapping_card(job, prop) if prop else None,
                html.Div(status_view(job, status) if folder else None, id="data-status",
                         className="mb-3"),
            ], xs=12, xl=7),
            dbc.Col(history_card(), xs=12, xl=5),
        ]),
    ])


dash.register_page(__name__, path="/data", name="Data", title="Data · ToyPulse", order=50,
                   layout=layout, admin_only=True)


def _text(value, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def constants_from_inputs(rows) -> dict[str, dict[str, str]]:
    """source -> {field: constant} from the edited table; unknown fields are left out."""
    out: dict[str, dict[str, str]] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        source, key, value = row.get("source"), row.get("field"), _text(row.get("constant"))
        if isinstance(source, str) and key in BY_KEY and value:
            out.setdefault(source, {})[key] = value
    return out


def policies_from_inputs(rows) -> dict[str, str]:
    """field -> drop | unknown | fill:<value> from the edited table."""
    out = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or row.get("field") not in BY_KEY:
            continue
        policy = row.get("policy")
        if policy in ("drop", "unknown"):
            out[row["field"]] = policy
        elif policy == "fill":
            out[row["field"]] = "fill:" + _text(row.get("fill"))
    return out


def mapping_from_inputs(prop: dict, roles: list, tables: list, date_order,
                        constants=None, policies=None, drop=None, currency=None) -> Mapping:
    """The user's corrections applied to the proposal (inputs are checked, never trusted)."""
    base = Mapping.from_dict(prop["mapping"])
    if len(roles) != len(base.tables) or len(tables) != len(base.tables):
        raise PreventUpdate
    given = constants_from_inputs(constants)
    out = []
    for tm, role, rows in zip(base.tables, roles, tables, strict=True):
        columns = {c: "" for c in tm.header}
        for row in rows or []:
            column, key = row.get("column"), row.get("field")
            if column in columns and isinstance(key, str):
                columns[column] = "" if key == NO_FIELD else key
        allowed = {str(role), *FLAT_ROLES.get(str(role), ())}
        table_constants = {k: v for k, v in given.get(tm.source, {}).items()
                           if BY_KEY[k].role in allowed and k not in columns.values()}
        out.append(TableMapping(tm.source, str(role), columns,
                                table_constants if constants is not None else tm.constants,
                                tm.header))
    order = date_order if date_order in ("auto", "day_first", "month_first") else "auto"
    missing = {**base.missing, **policies_from_inputs(policies)}
    chosen = currency if isinstance(currency, str) and (
        currency == "auto" or currency in CURRENCIES or currency == base.currency) else (
        base.currency)
    return Mapping(out, order, missing, chosen,
                   bool(drop) if isinstance(drop, bool) else base.drop_duplicates)


@callback(
    Output("data-mapping-error", "children"),
    Output("data-status", "children", allow_duplicate=True),
    Output("data-poll", "disabled", allow_duplicate=True),
    Input("data-import", "n_clicks"),
    State({"type": "data-role", "index": ALL}, "value"),
    State({"type": "data-columns", "index": ALL}, "data"),
    State("data-date-order", "value"),
    State("data-constants", "data"),
    State("data-policies", "data"),
    State("data-job", "data"),
    State("data-drop-duplicates", "value"),
    State("data-currency", "value"),
    State({"type": "data-decimal", "column": ALL}, "value"),
    State({"type": "data-decimal", "column": ALL}, "id"),
    prevent_initial_call=True,
)
def start_import(n_clicks, roles, tables, date_order, constants, policies, job_id,
                 drop=None, currency=None, marks=(), mark_ids=()):
    """Preview the import with the confirmed mapping (a background process; nothing written)."""
    admin = require_admin()
    folder = jobs.job_folder(_root(), job_id)
    prop = proposal(folder) if folder else None
    if not n_clicks or prop is None or jobs.read_status(folder).get("state") == "running":
        raise PreventUpdate
    mapping = mapping_from_inputs(prop, roles, tables, date_order, constants, policies, drop,
                                  currency)
    mapping.decimal_marks = decimal_marks_from_inputs(folder, marks, mark_ids)
    try:
        validate(mapping, _headers_only(prop))
    except ImportProblem as exc:
        return dbc.Alert(str(exc), color="warning", className="small py-2"), dash.no_update, True
    mapping.save(folder / "mapping.json")
    jobs.start(folder, _root(), admin.username, preview=True)
    return None, status_view(job_id, jobs.read_status(folder)), False


@callback(
    Output("data-status", "children", allow_duplicate=True),
    Output("data-poll", "disabled", allow_duplicate=True),
    Output("data-mapping-card", "style"),
    Input("data-confirm", "n_clicks"),
    State("data-job", "data"),
    prevent_initial_call=True,
)
def confirm_import(n_clicks, job_id):
    """Import exactly what was previewed (the mapping saved with the preview)."""
    admin = require_admin()
    folder = jobs.job_folder(_root(), job_id)
    if not n_clicks or folder is None:
        raise PreventUpdate
    status = jobs.read_status(folder)
    if status.get("state") != "previewed" or (status.get("preview") or {}).get("refused"):
        raise PreventUpdate
    mapping = Mapping.load(folder / "mapping.json")
    mapping.save(last_mapping_path(_root()))  # proposed again next time
    jobs.start(folder, _root(), admin.username)
    record_event("import", subject=", ".join(t.source for t in mapping.tables),
                 detail=f"web import started (job {job_id})")
    return status_view(job_id, jobs.read_status(folder)), False, {"display": "none"}


def decimal_marks_from_inputs(folder, marks, mark_ids) -> dict[str, str]:
    """Marks answered before (kept with the job's last preview) plus the one just answered."""
    try:
        out = dict(Mapping.load(folder / "mapping.json").decimal_marks)
    except ImportProblem:
        out = {}
    for mark, ident in zip(marks or [], mark_ids or [], strict=False):
        column = ident.get("column") if isinstance(ident, dict) else None
        if mark in (",", ".") and isinstance(column, str):
            out[column[:200]] = mark
    return out


def _headers_only(prop: dict):
    """Stand-ins for the read tables (validation needs only names and headers)."""
    import numpy as np
    import pandas as pd

    from dashboard.ingest.table import RawTable

    return [RawTable(t["source"], t["source"], pd.DataFrame(columns=t["header"]),
                     np.zeros(0, dtype=np.int64)) for t in prop["mapping"]["tables"]]


@callback(
    Output("data-status", "children"),
    Output("data-poll", "disabled"),
    Output("data-history", "children"),
    Input("data-poll", "n_intervals"),
    State("data-job", "data"),
    prevent_initial_call=True,
)
def poll(_, job_id):
    require_admin()
    folder = jobs.job_folder(_root(), job_id)
    if folder is None:
        return None, True, dash.no_update
    status = jobs.read_status(folder)
    finished = status.get("state") in ("done", "failed", "previewed")
    return status_view(job_id, status), finished, history_table() if finished else dash.no_update


@callback(
    Output("data-history", "children", allow_duplicate=True),
    Output("data-rollback-note", "children"),
    Input({"type": "data-rollback", "version": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def roll_back(clicks):
    admin = require_admin()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    version = trigger.get("version")
    if not isinstance(version, int):
        raise PreventUpdate
    try:
        before = rollback(_root(), version, admin.username)
    except ImportProblem as exc:
        return dash.no_update, dbc.Alert(str(exc), color="warning", className="small py-2")
    record_event("rollback", subject=f"version {version}", detail=f"was version {before}")
    note = dbc.Alert(f"Now serving version {version} (was {before}).", color="info",
                     className="small py-2", id="data-rollback-done")
    return history_table(), note
