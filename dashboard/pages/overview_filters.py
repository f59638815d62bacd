"""Overview callbacks around the filter bar: options that narrow each other (with counts), what
happened to the dates, and Reset for the chart options.

Kept apart from overview.py, whose callbacks draw the charts: these never delay a redraw.
"""

from __future__ import annotations

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from dashboard import services
from dashboard.auth.scope import scope_for_request
from dashboard.components import view_state
from dashboard.components.data_version import VERSION_INPUT
from dashboard.components.filter_bar import FIELDS, control_id
from dashboard.queries.filters import ScopeError
from dashboard.queries.narrowing import members_with_data
from dashboard.warehouse.store import NoWarehouseError


def options_for(available: dict[str, list[tuple[str, int]]], values: list) -> list[list[dict]]:
    """Dropdown options per field: members with data under the other filters, with their line
    counts; a member already chosen that has none is kept (so it can be removed) and says so."""
    out = []
    for field, chosen in zip(FIELDS, values, strict=True):
        members = available.get(field, [])
        options = [{"label": f"{member} ({lines:,})", "value": member}
                   for member, lines in members]
        offered = {member for member, _ in members}
        options += [{"label": f"{member} (no sales with the other filters)", "value": member}
                    for member in view_state.as_values(chosen) if member not in offered]
        out.append(options)
    return out


@callback(
    *[Output(control_id(f), "options") for f in FIELDS],
    Input("ov-dates", "start_date"),
    Input("ov-dates", "end_date"),
    *[Input(control_id(f), "value") for f in FIELDS],
    VERSION_INPUT,  # a new data version may bring new members
)
def narrow_options(start, end, *inputs):
    """Options of every filter under the others, within the user's scope (cached per scope)."""
    values = inputs[:len(FIELDS)]
    svc = services.current()
    try:
        scope = scope_for_request()
        domain = svc.domain(scope)
        flt = view_state.make_filter(start, end, domain,
                                     **dict(zip(FIELDS, values, strict=True)))
    except (ScopeError, NoWarehouseError, TypeError, ValueError):
        raise PreventUpdate from None
    available = svc.cached("filter-options", scope, (flt,),
                           lambda: members_with_data(svc.warehouse, flt, scope))
    return options_for(available, list(values))


@callback(
    Output("ov-date-note", "children"),
    Input("ov-dates", "start_date"),
    Input("ov-dates", "end_date"),
    prevent_initial_call=True,
)
def note_dates(start, end):
    """Say when a typed date was not a date, or fell outside the data and was moved."""
    try:
        domain = services.current().domain(scope_for_request())
    except (ScopeError, NoWarehouseError):
        raise PreventUpdate from None
    return " ".join(view_state.date_notes(start, end, domain))


@callback(
    Output("ov-measure", "value"),
    Output("ov-trend-by", "value"),
    Output("ov-top-n", "value"),
    Output("ov-places", "value"),
    Input("ov-reset", "n_clicks"),
    prevent_initial_call=True,
)
def reset_options(n_clicks):
    """Reset puts the chart options back too, not only the filters."""
    if not n_clicks:
        raise PreventUpdate
    return tuple(view_state.default_option(name)
                 for name in ("measure", "trend_by", "top_n", "places"))
