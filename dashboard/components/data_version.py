"""Near-real-time refresh: every open page learns of a new data version within a few seconds.

The shell carries a store holding the version the page was drawn from and a timer. On each tick
the browser asks only "which version is current?", which reads the `CURRENT` file (or the
server's one-row switch) and runs no warehouse query; the answer changes the store only when the
version changed, and the pages' data callbacks, which take the store as an input, recompute then
and only then. "Data as of ..." under the top bar names the version and when it was built.
"""

from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import config
from dashboard.warehouse.store import NoWarehouseError

STORE_ID = "data-version"
VERSION_INPUT = Input(STORE_ID, "data")  # pages' data callbacks add this input


def served_version() -> int | None:
    """The number of the served version (a file read, or the server's one-row switch)."""
    from dashboard import services

    try:
        return int(services.current().warehouse.version)
    except NoWarehouseError:
        return None


def current_version() -> dict | None:
    """{"version", "as_of"} of the served warehouse, or None with nothing loaded."""
    from dashboard import services

    if served_version() is None:
        return None
    warehouse = services.current().warehouse
    built = str(warehouse.catalog().meta.get("built_at") or "")  # read once per version
    return {"version": int(warehouse.version), "as_of": built}


def as_of_text(current: dict | None) -> str:
    """'Data as of 3 Dec 2026, 14:20 UTC (version 4)'; empty with nothing loaded."""
    if not current:
        return ""
    when = ""
    try:
        built = dt.datetime.fromisoformat(current["as_of"]).astimezone(dt.UTC)
        when = f" as of {built:%-d %b %Y, %H:%M} UTC"
    except (TypeError, ValueError):
        pass
    return f"Data{when} (version {current['version']})"


def refresh_seconds() -> float:
    return max(0.0, float(config.get("refresh_seconds")))


def version_bar(current: dict | None) -> html.Div:
    """The store, the timer (off when the setting is 0) and the "Data as of" line."""
    seconds = refresh_seconds()
    return html.Div([
        dcc.Store(id=STORE_ID, data=current),
        dcc.Interval(id="data-version-tick", interval=int(max(seconds, 1) * 1000),
                     disabled=seconds == 0),
        html.Span(as_of_text(current), id="data-as-of"),
    ], className="small text-muted text-end px-3 mb-1")


@callback(
    Output(STORE_ID, "data"),
    Output("data-as-of", "children"),
    Input("data-version-tick", "n_intervals"),
    State(STORE_ID, "data"),
    prevent_initial_call=True,
)
def poll_version(_tick, shown):
    """Change the store only when the served version is not the one on the page."""
    if served_version() == (shown or {}).get("version"):
        return no_update, no_update
    now = current_version()
    return now, as_of_text(now)
