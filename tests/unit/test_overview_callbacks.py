"""The Overview callbacks called as plain functions, inside a request, against the sample data."""

from __future__ import annotations

import datetime as dt
import importlib

import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate

from dashboard.components import view_state
from dashboard.components.filter_bar import FIELDS
from tests import reference as ref


@pytest.fixture
def page(app):
    """The page module, imported once the app exists (register_page needs one)."""
    return importlib.import_module("dashboard.pages.overview")


def call(page, start="2025-01-01", end="2025-12-31", hl=None, trend="category", measure="revenue",
         top=5, **values):
    args = [values.get(f) for f in FIELDS]
    out = page.update_overview(start, end, *args, hl, trend, measure, top)
    summary, empty, kpis, *rest = out
    n_graphs = len(page.GRAPHS)
    figures = {key: go.Figure(fig) for key, fig in zip(page.GRAPHS, rest[:n_graphs],
                                                       strict=True)}  # validates each figure
    query = rest[n_graphs]
    return summary, empty, kpis, figures, query


def test_filters_reach_every_chart(page, request_ctx, raw):
    summary, empty, kpis, figures, query = call(
        page, start="2025-10-01", end="2025-12-31", regions=["North", "West"],
        categories=["Plush"])
    assert summary == "North and West, Q4 2025, Plush"
    assert not empty
    rows = ref.select(raw, dt.date(2025, 10, 1), dt.date(2025, 12, 31),
                      regions=("North", "West"), categories=("Plush",))
    bar = figures["category"].data[0]
    assert list(bar.y) == ["Plush"] and bar.x[0] == pytest.approx(rows["revenue"].sum())
    assert set(figures["heatmap"].data[0].y) == {"North", "West"}
    assert "region=North" in query and "category=Plush" in query and "start=2025-10-01" in query


def test_no_match_shows_the_empty_state(page, request_ctx):
    summary, empty, kpis, figures, _ = call(page, categories=["No such category"])
    assert empty is True and kpis == []
    assert figures["trend"].layout.annotations[0].text == "No sales match these filters"


def test_forged_inputs_are_refused_not_run(page, request_ctx):
    with pytest.raises(PreventUpdate):
        call(page, regions={"$ne": 1})
    with pytest.raises(PreventUpdate):
        call(page, regions=[1, 2])


def test_url_round_trip(page, request_ctx):
    svc = page.services.current()
    domain = svc.domain(page.scope_for_request())
    state = view_state.ViewState(
        filter=view_state.make_filter("2024-03-15", "2024-09-20", domain, regions=["North"],
                                      age_groups=["0-2", "3-5"]),
        highlight=page.Highlight("category", "Plush"), trend_by="region", measure="units",
        top_n=10,
    )
    query = view_state.to_query(state, domain)
    from urllib.parse import parse_qs

    parsed = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query[1:]).items()}
    assert view_state.from_query(parsed, domain) == state
    assert view_state.to_query(view_state.reset(domain), domain) == ""


def test_click_highlights_and_second_click_clears(page):
    click = {"points": [{"customdata": ["category", "Plush"], "y": "Plush"}]}
    member = page.clicked_member(click)
    assert member == {"column": "category", "value": "Plush"}
    assert page.toggle_highlight(None, member) == member
    assert page.toggle_highlight(member, member) is None
    heat = {"points": [{"customdata": "North", "y": "North", "x": "Jan 2025"}]}
    assert page.clicked_member(heat) == {"column": "region", "value": "North"}
    forged = {"points": [{"customdata": ["sql", "' OR 1=1"]}]}
    assert page.clicked_member(forged) is None


def test_filter_to_selection_moves_highlight_into_the_filter(page):
    values = [[] for _ in FIELDS]
    out = page.filter_to_selection(values, page.Highlight("region", "South"))
    assert out[FIELDS.index("regions")] == ["South"]
    assert all(v == [] for i, v in enumerate(out) if i != FIELDS.index("regions"))


def test_layout_reads_the_url(page, request_ctx):
    layout = page.layout(region=["North", "South"], start="2025-02-01", end="2025-02-28",
                         hl="region:North")
    found = {getattr(node, "id", None): node for node in layout._traverse()}
    assert found["ov-f-regions"].value == ["North", "South"]
    assert found["ov-dates"].start_date.isoformat() == "2025-02-01"
    assert found["ov-highlight"].data == {"column": "region", "value": "North"}


def test_no_change_is_shown_against_a_period_before_the_data(page, request_ctx):
    _, empty, kpis, _, _ = call(page, start="2023-01-01", end="2023-03-31")
    text = " ".join(str(getattr(node, "children", "")) for tile in kpis
                    for node in tile._traverse())
    assert not empty
    assert "▲" not in text and "▼" not in text  # the data starts on 2023-01-01
    assert "– vs prev." in text and "– vs last yr" in text
    _, _, kpis, _, _ = call(page, start="2025-01-01", end="2025-03-31")
    text = " ".join(str(getattr(node, "children", "")) for tile in kpis
                    for node in tile._traverse())
    assert "vs prev." in text and ("▲" in text or "▼" in text)
