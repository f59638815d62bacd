"""Filters that narrow each other (with counts), natural member order, date checks and Reset
(issue 9 items 1, 4 and 6). Expected members and counts come from pandas over the raw sample
lines (tests/reference.py), never from the app's own queries."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from dashboard.auth import login
from dashboard.components import view_state
from dashboard.components.filter_bar import FIELDS
from dashboard.queries.dimensions import child_of, natural
from dashboard.queries.filters import Filter, Scope, describe
from dashboard.queries.narrowing import members_with_data
from dashboard.queries.options import domain
from dashboard.warehouse.store import Warehouse
from tests import auth_helpers, reference

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def filters_page(app):
    return importlib.import_module("dashboard.pages.overview_filters")


@pytest.fixture
def warehouse(warehouse_dir):
    wh = Warehouse(warehouse_dir)
    yield wh
    wh.close()


def test_age_groups_sort_by_age_and_unknown_last():
    assert natural("age_group", ["13+", "Unknown", "3-5", "0-2", "9-12", "6-8"]) == [
        "0-2", "3-5", "6-8", "9-12", "13+", "Unknown"]
    assert natural("season", ["Summer", "Autumn", "Winter", "Spring"]) == [
        "Winter", "Spring", "Summer", "Autumn"]
    assert natural("category", ["plush", "Dolls", "Unknown", "Action"]) == [
        "Action", "Dolls", "plush", "Unknown"]
    assert [child_of(c) for c in ("region", "state", "city", "category", "subcategory")] == [
        "state", "city", "store_id", "subcategory", "product_name"]


def test_the_filter_bar_offers_age_groups_in_age_order(warehouse, raw):
    members = domain(warehouse, Scope.everything()).members["age_groups"]
    present = set(raw["age_group"])
    assert list(members) == [a for a in ("0-2", "3-5", "6-8", "9-12", "13+", "Unknown")
                             if a in present]


def _expected(raw, field: str, scope=None, **values) -> dict[str, int]:
    """Lines per member of `field` under every filter but its own, by pandas."""
    others = {k: v for k, v in values.items() if k != field}
    rows = reference.select(raw, START, END, scope, **others)
    return rows.groupby(reference.COLUMNS[field]).size().to_dict()


@pytest.mark.parametrize("chosen", [
    {"categories": ("Dolls",)},
    {"categories": ("Dolls",), "seasons": ("Summer",)},
    {"seasons": ("Summer",), "festivals": ("Christmas",)},
    {"regions": ("North",), "age_groups": ("3-5",), "channels": ("Online",)},
])
def test_each_filter_offers_only_members_with_data_under_the_others(warehouse, raw, chosen):
    got = members_with_data(warehouse, Filter(START, END, **chosen), Scope.everything())
    for field in FIELDS:
        expected = _expected(raw, field, **chosen)
        assert dict(got[field]) == expected, field
        assert [m for m, _ in got[field]] == natural(reference.COLUMNS[field], expected)
    if "categories" in chosen:  # Dolls no longer offers robots
        dolls_types = set(raw.loc[raw["category"] == "Dolls", "subcategory"])
        assert {m for m, _ in got["subcategories"]} <= dolls_types
    if chosen.get("seasons") == ("Summer",):
        summer = reference.select(raw, START, END, seasons=("Summer",))
        assert {m for m, _ in got["festivals"]} == set(summer["festival"])


def test_options_stay_inside_the_scope(warehouse, raw):
    scope = Scope(("North",))
    got = members_with_data(warehouse, Filter(START, END), scope)
    assert [m for m, _ in got["regions"]] == ["North"]
    expected = _expected(raw, "products", scope=("North",))
    assert dict(got["products"]) == expected


def test_a_chosen_member_without_data_is_kept_and_said(filters_page):
    available = {"categories": [("Dolls", 1200), ("Plush", 3)]}
    values = [["Robots"] if f == "categories" else None for f in FIELDS]
    options = dict(zip(FIELDS, filters_page.options_for(available, values), strict=True))
    assert options["categories"] == [
        {"label": "Dolls (1,200)", "value": "Dolls"}, {"label": "Plush (3)", "value": "Plush"},
        {"label": "Robots (no sales with the other filters)", "value": "Robots"}]
    assert options["regions"] == []


def test_the_options_callback_uses_the_managers_scope(app, accounts, filters_page, raw):
    with app.server.test_request_context("/"):
        login.sign_in(auth_helpers.account(app, accounts["manager"]))
        out = filters_page.narrow_options(START.isoformat(), END.isoformat(),
                                          *[None] * len(FIELDS))
    options = dict(zip(FIELDS, out, strict=True))
    assert [o["value"] for o in options["regions"]] == ["North"]
    north = reference.select(raw, START, END, ("North",))
    assert {o["value"] for o in options["products"]} == set(north["product_name"])
    everywhere = set(raw["product_name"]) - set(north["product_name"])
    assert not any(o["value"] in everywhere for o in options["products"])


@pytest.fixture
def data_domain(warehouse):
    return domain(warehouse, Scope.everything())


def test_dates_outside_the_data_are_clamped_and_said(data_domain):
    early = (data_domain.min_date - dt.timedelta(days=400)).isoformat()
    late = (data_domain.max_date + dt.timedelta(days=30)).isoformat()
    flt = view_state.make_filter(early, late, data_domain)
    assert (flt.start, flt.end) == (data_domain.min_date, data_domain.max_date)
    notes = view_state.date_notes(early, late, data_domain)
    assert len(notes) == 2 and all("was moved to" in n for n in notes)
    assert f"{data_domain.min_date.day} {data_domain.min_date:%b %Y}" in notes[0]


def test_an_impossible_date_is_refused_with_words(data_domain):
    notes = view_state.date_notes("2025-02-31", None, data_domain)
    assert notes == ["The start date '2025-02-31' is not a real date, so the default range is "
                     "used for it."]
    flt = view_state.make_filter("2025-02-31", None, data_domain)
    assert (flt.start, flt.end) == data_domain.default_range()
    assert view_state.date_notes(*(d.isoformat() for d in data_domain.default_range()),
                                 data_domain) == []


def _find(component, ident):
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, ident)
            if found is not None:
                return found
    return None


def test_a_url_with_outside_dates_shows_the_note_on_the_page(request_ctx, data_domain):
    page = importlib.import_module("dashboard.pages.overview")
    early = (data_domain.min_date - dt.timedelta(days=10)).isoformat()
    note = _find(page.layout(start=early), "ov-date-note")
    assert note is not None and "was moved to" in note.children
    assert _find(page.layout(), "ov-date-note").children == ""


def test_reset_puts_the_chart_options_back(filters_page):
    assert filters_page.reset_options(1) == ("revenue", "category", 5, "next")


def test_summary_never_names_a_region_outside_the_viewers_scope():
    """A shared link with South, opened by a North manager, shows nothing of South: the
    sentence above the page must not say South either."""
    start, end = dt.date(2025, 10, 1), dt.date(2025, 12, 31)
    north = Scope(("North",))
    south = Filter(start=start, end=end, regions=("South",), categories=("Dolls",))
    assert describe(south, north).startswith("None of your regions (1 region outside")
    assert "South" not in describe(south, north)
    both = Filter(start=start, end=end, regions=("North", "South"))
    assert describe(both, north).startswith("North (and 1 region outside your regions)")
    assert describe(both, Scope.everything()).startswith("North and South")
