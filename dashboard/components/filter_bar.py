"""The filter bar: date range and one multi-select per dimension, ids under `ov-f-`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from dashboard.components.view_state import ViewState
from dashboard.queries.filters import LABELS
from dashboard.queries.options import Domain

DIMENSION_OF_FIELD = {
    "age_groups": "age_group", "genders": "gender", "channels": "channel",
    "subcategories": "subcategory",
}
FIELDS = ("regions", "seasons", "festivals", "categories", "subcategories", "products",
          "age_groups", "genders", "channels")


def control_id(field: str) -> str:
    return f"ov-f-{field}"


def empty_text(field: str, unavailable: bool, own_regions: tuple[str, ...] | None) -> str:
    """What an empty control says: "All", except for a user limited to some regions, whose
    empty Region control covers only theirs (it read "All" to a North manager)."""
    if unavailable:
        return "Not in this data"
    if field == "regions" and own_regions is not None:
        return f"All yours: {', '.join(sorted(own_regions))}"
    return "All"


def filter_bar(domain: Domain, state: ViewState, hidden: tuple[str, ...] = (),
               own_regions: tuple[str, ...] | None = None) -> dbc.Card:
    """`hidden`: fields (or "dates") a page cannot apply; their controls stay (callbacks read
    them) but are not shown. The Forecast page hides dates, seasons and festivals.
    `own_regions`: the regions of a user limited to some (None: every region)."""
    controls = [
        dbc.Col(
            [
                dbc.Label("Dates", html_for="ov-dates", className="small text-muted mb-1"),
                dcc.DatePickerRange(
                    id="ov-dates", start_date=state.filter.start, end_date=state.filter.end,
                    min_date_allowed=domain.min_date, max_date_allowed=domain.max_date,
                    display_format="D MMM YYYY", first_day_of_week=1, updatemode="bothdates",
                    className="w-100",
                ),
            ],
            xs=12, md=6, xl=4, className="d-none" if "dates" in hidden else "",
        )
    ]
    for field in FIELDS:
        unavailable = DIMENSION_OF_FIELD.get(field) in domain.unavailable
        controls.append(
            dbc.Col(
                [
                    dbc.Label(LABELS[field], html_for=control_id(field),
                              className="small text-muted mb-1"),
                    dcc.Dropdown(
                        id=control_id(field), options=list(domain.members[field]),
                        value=list(getattr(state.filter, field)), multi=True,
                        placeholder=empty_text(field, unavailable, own_regions),
                        disabled=unavailable, clearable=True,
                    ),
                ],
                xs=6, md=3, xl=2,
                className="d-none" if unavailable or field in hidden else "",
            )
        )
    return dbc.Card(dbc.CardBody(dbc.Row(controls, className="g-2")), className="mb-3")
