"""The filter bar in a drawer on phones, inline on wider screens, with a count of active filters.

One set of controls for every width (Dash ids must be unique): Bootstrap's responsive
offcanvas (`offcanvas-md`) is a fixed side drawer below 768 px and an ordinary block above,
so the same filter bar sits inline on a desktop and slides in on a phone. The drawer opens
from a "Filters (N active)" button placed after the KPIs; N updates as filters change.
"""

from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, callback, clientside_callback, html

from dashboard import services
from dashboard.auth.scope import scope_for_request
from dashboard.components.filter_bar import FIELDS, control_id, filter_bar
from dashboard.components.view_state import ViewState
from dashboard.queries.options import Domain

DRAWER = "ov-filters"
OPEN = "ov-filters-open"
CLOSE = "ov-filters-close"
DONE = "ov-filters-done"
CLASSES = "offcanvas-md offcanvas-start filter-drawer"


def button_label(count: int) -> str:
    return f"Filters ({count} active)"


def active_count(start, end, values: list, default: tuple[dt.date, dt.date],
                 whole: tuple[dt.date, dt.date] | None = None) -> int:
    """Filters that narrow the view: each dimension with a choice, and dates off the default
    (dates spanning the `whole` data narrow nothing: the Forecast page's hidden range)."""
    chosen = sum(1 for value in values if value)
    try:
        dates = (dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10]))
    except ValueError:
        dates = None
    return chosen + (dates != tuple(default) and (whole is None or dates != tuple(whole)))


def state_count(state: ViewState, domain: Domain) -> int:
    values = [getattr(state.filter, field) for field in FIELDS]
    return active_count(state.filter.start.isoformat(), state.filter.end.isoformat(), values,
                        domain.default_range(), (domain.min_date, domain.max_date))


def open_button(domain: Domain, state: ViewState) -> html.Button:
    """Shown below 768 px only (the drawer is inline above)."""
    return html.Button(
        button_label(state_count(domain=domain, state=state)), id=OPEN, type="button",
        className="btn btn-primary d-md-none filter-drawer-open",
        **{"aria-controls": DRAWER, "aria-expanded": "false"},
    )


def filter_drawer(domain: Domain, state: ViewState, hidden: tuple[str, ...] = ()) -> html.Div:
    """The filter bar, wrapped: a drawer with a header and a Done button on phones."""
    return html.Div(
        [
            html.Div(
                [html.H2("Filters", className="h5 offcanvas-title", id=f"{DRAWER}-title"),
                 html.Button(type="button", id=CLOSE, className="btn-close",
                             **{"aria-label": "Close filters"})],
                className="offcanvas-header",
            ),
            html.Div(
                [filter_bar(domain, state, hidden, scope_for_request().regions),
                 html.Button("Show results", id=DONE, type="button",
                             className="btn btn-primary w-100 d-md-none")],
                className="offcanvas-body flex-column",
            ),
        ],
        id=DRAWER, className=CLASSES, role="region", tabIndex=-1,
        **{"aria-labelledby": f"{DRAWER}-title"},
    )


@callback(
    Output(OPEN, "children"),
    Input("ov-dates", "start_date"),
    Input("ov-dates", "end_date"),
    *[Input(control_id(f), "value") for f in FIELDS],
    prevent_initial_call=True,
)
def update_count(start, end, *values):
    domain = services.current().domain(scope_for_request())
    return button_label(active_count(start, end, list(values), domain.default_range(),
                                     (domain.min_date, domain.max_date)))


# Open and close by class (no server round trip); focus moves into the drawer and back.
clientside_callback(
    """
    function(open, close, done, classes) {
        const ctx = window.dash_clientside.callback_context;
        const id = ctx.triggered.length ? ctx.triggered[0].prop_id.split('.')[0] : '';
        const base = (classes || '').replace(/\\s*\\bshow\\b/g, '');
        const opening = id === 'ov-filters-open';
        const focus = opening ? 'ov-filters-close' : 'ov-filters-open';
        setTimeout(() => {
            const el = document.getElementById(focus);
            if (el) { el.focus(); }
        }, 50);
        return opening ? [base + ' show', 'true'] : [base, 'false'];
    }
    """,
    Output(DRAWER, "className"),
    Output(OPEN, "aria-expanded"),
    Input(OPEN, "n_clicks"),
    Input(CLOSE, "n_clicks"),
    Input(DONE, "n_clicks"),
    State(DRAWER, "className"),
    prevent_initial_call=True,
)
