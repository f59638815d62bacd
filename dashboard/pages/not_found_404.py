"""The page Dash shows for a path no page has (Dash looks it up by this module's name)."""

from __future__ import annotations

import dash

from dashboard.components.errors import not_found_view

dash.register_page(__name__, path="/404", name="Not found", title="Not found · ToyPulse",
                   layout=not_found_view, hidden=True)
