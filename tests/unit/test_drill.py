"""Drill-down: callbacks called directly against the sample, figures checked with pandas over
the raw rows; paths from the URL or a forged store are kept only inside the user's scope."""

from __future__ import annotations

import datetime as dt
import html
import importlib
from urllib.parse import parse_qs

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate

from dashboard.components import view_state
from dashboard.components.filter_bar import FIELDS
from dashboard.queries import drill
from dashboard.queries.filters import Filter, Scope
from tests import auth_helpers
from tests import reference as ref

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
PREVIOUS = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture
def page(app):
    return importlib.import_module("dashboard.pages.overview")


@pytest.fixture(scope="module")
def lines(raw, sample_dir):
    """Raw lines with each store's state and name, joined here (not by the app)."""
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state", "name"]]
    return raw.merge(stores.rename(columns={"name": "store_name"}), on="store_id", how="left")


@pytest.fixture
def manager_ctx(app, accounts):
    """A request signed in as the North manager."""
    from dashboard.auth import login

    with app.server.test_request_context("/"):
        login.sign_in(auth_helpers.account(app, accounts["manager"]))
        yield app


def by_id(layout) -> dict:
    """Components with a plain string id (breadcrumb buttons have dict ids)."""
    return {node.id: node for node in layout._traverse()
            if isinstance(getattr(node, "id", None), str)}


def figures(page, drill_data, start="2025-01-01", end="2025-12-31", hl=None, **values):
    out = page.update_overview(start, end, *[values.get(f) for f in FIELDS], hl, "category",
                               "revenue", 5, drill_data)
    graphs = dict(zip(page.GRAPHS, out[3:3 + len(page.GRAPHS)], strict=True))
    query, crumbs, titles = out[3 + len(page.GRAPHS)], out[-4], out[-3:]
    return {k: go.Figure(v) for k, v in graphs.items()}, query, crumbs, titles


def shares(fig) -> dict[str, float]:
    """Member -> share of revenue, read from the contribution figure's first trace."""
    trace = fig.data[0]
    return {m: x for (_col, m), x in zip(trace.customdata, trace.x, strict=True)}


def expected_shares(rows: pd.DataFrame, column: str) -> dict[str, float]:
    sums = rows.groupby(column)["revenue"].sum()
    return (sums / sums.sum()).to_dict()


def crumb_text(crumbs) -> str:
    nodes = [node for part in crumbs for node in (part, *part._traverse())]
    return " ".join(n.children for n in nodes if isinstance(getattr(n, "children", None), str))


def test_region_drills_to_states_cities_and_stores(page, request_ctx, lines):
    year = ref.select(lines, *YEAR)
    north = year[year["region"] == "North"]
    figs, query, crumbs, titles = figures(page, {"geo": ["North"], "prod": []})
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(north, "state"))
    # What a click carries: the level's column, so the next click drills into a state.
    assert {c[0] for trace in figs["contrib"].data for c in trace.customdata} == {"state"}
    assert {cell[0] for row in figs["heatmap"].data[0].customdata for cell in row} == {"state"}
    assert set(figs["heatmap"].data[0].y) == set(north["state"])
    assert titles[0] == "Contribution % by state in North"
    assert "geo=North" in query
    assert "All regions" in crumb_text(crumbs)

    state = north.groupby("state")["revenue"].sum().idxmax()
    in_state = north[north["state"] == state]
    figs, query, _, titles = figures(page, {"geo": ["North", state], "prod": []})
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(in_state, "city"))
    assert titles[1] == f"Demand by month, by city in North › {state}"

    city = in_state.groupby("city")["revenue"].sum().idxmax()
    in_city = in_state[in_state["city"] == city]
    figs, _, _, titles = figures(page, {"geo": ["North", state, city], "prod": []})
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(in_city, "store_name"))
    assert titles[0].startswith("Contribution % by store in North")
    # The heat map's cells are the stores' monthly revenue.
    heat = figs["heatmap"].data[0]
    store = heat.y[0]
    monthly = in_city[in_city["store_name"] == store].groupby("month")["revenue"].sum()
    assert list(heat.z[0]) == pytest.approx(monthly.tolist())

    # A store's level is its categories: its shares of revenue and of the change, by category.
    store_id = str(in_city.loc[in_city["store_name"] == store, "store_id"].iloc[0])
    figs, query, crumbs, titles = figures(page, {"geo": ["North", state, city, store_id],
                                                 "prod": []})
    at_store = in_city[in_city["store_id"].astype(str) == store_id]
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(at_store, "category"))
    assert {c[0] for trace in figs["contrib"].data for c in trace.customdata} == {"category"}
    # "vs prev." is the same number of days just before: 365 days back from 1 Jan 2025.
    before = ref.select(lines, dt.date(2024, 1, 2), dt.date(2024, 12, 31))
    before = before[before["store_id"].astype(str) == store_id].groupby("category")["revenue"]
    change = at_store.groupby("category")["revenue"].sum().sub(before.sum(), fill_value=0)
    total_change = change.sum()  # lost categories (sold only before) count in the total
    change = change[at_store.groupby("category")["revenue"].sum().index]
    shown_change = {m: x for (_c, m), x in zip(figs["contrib"].data[1].customdata,
                                               figs["contrib"].data[1].x, strict=True)}
    # Share of the change: each change over the size of the total change, signs kept.
    assert shown_change == pytest.approx((change / abs(total_change)).to_dict())
    assert titles[0] == f"Contribution % by category in North › {state} › {city} › {store}"
    geo = parse_qs(query.lstrip("?"))["geo"]
    assert geo == ["North", state, city, store_id] or geo == ["/".join(
        ["North", state, city, store_id])]  # the URL keeps the store level
    assert store in crumb_text(crumbs) and store_id not in crumb_text(crumbs).split()


def test_category_drills_to_toy_types_then_toys(page, request_ctx, lines):
    year = ref.select(lines, *YEAR)
    dolls = year[year["category"] == "Dolls"]
    figs, query, crumbs, titles = figures(page, {"geo": [], "prod": ["Dolls"]})
    bar = figs["category"].data[0]
    assert dict(zip(bar.y, bar.x, strict=True)) == pytest.approx(
        dolls.groupby("subcategory")["revenue"].sum().to_dict())
    assert titles[2] == "Revenue by toy type in Dolls" and "prod=Dolls" in query
    kind = dolls.groupby("subcategory")["revenue"].sum().idxmax()
    figs, *_ = figures(page, {"geo": [], "prod": ["Dolls", kind]})
    bar = figs["category"].data[0]
    assert dict(zip(bar.y, bar.x, strict=True)) == pytest.approx(
        dolls[dolls["subcategory"] == kind].groupby("product_name")["revenue"].sum().to_dict())


def test_drill_keeps_the_filters(page, request_ctx, lines):
    q4 = ref.select(lines, dt.date(2025, 10, 1), dt.date(2025, 12, 31), categories=("Plush",))
    figs, *_ = figures(page, {"geo": ["West"], "prod": []}, start="2025-10-01",
                       end="2025-12-31", categories=["Plush"])
    assert shares(figs["contrib"]) == pytest.approx(
        expected_shares(q4[q4["region"] == "West"], "state"))


def test_unknown_or_filtered_out_steps_are_dropped_with_a_note(page, request_ctx):
    figs, query, crumbs, titles = figures(page, {"geo": ["North", "Atlantis"], "prod": ["Nope"]})
    assert "geo=North" in query and "Atlantis" not in query and "prod" not in query
    assert drill.DROPPED_NOTE in crumb_text(crumbs)
    # A region outside the region filter is not drilled into either.
    _, query, crumbs, _ = figures(page, {"geo": ["North"], "prod": []}, regions=["South"])
    assert "geo=" not in query and drill.DROPPED_NOTE in crumb_text(crumbs)
    for forged in ({"geo": "North"}, {"geo": [["North"]]}, "geo", {"geo": [1]}):
        _, query, _, _ = figures(page, forged)
        assert "geo=" not in query


def test_url_keeps_the_level(page, request_ctx):
    svc = page.services.current()
    domain = svc.domain(page.scope_for_request())
    state = view_state.ViewState(filter=view_state.make_filter(None, None, domain),
                                 geo=("North", "Nuevo León"), prod=("Dolls",))
    query = view_state.to_query(state, domain)
    assert "geo=North&geo=Nuevo+Le%C3%B3n" in query and "prod=Dolls" in query
    from urllib.parse import parse_qs

    parsed = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(query[1:]).items()}
    assert view_state.from_query(parsed, domain) == state
    layout = page.layout(**parsed)
    found = by_id(layout)
    assert found["ov-drill"].data["prod"] == ["Dolls"]
    assert found["ov-title-category"].children == "Revenue by toy type in Dolls"


def test_clicks_drill_breadcrumbs_go_up(page):
    at_top = {"geo": [], "prod": []}
    bar = {"points": [{"customdata": ["region", "North"], "y": "North"}]}
    assert page.drill_target(at_top, "ov-contrib", bar) == ("geo", ("North",))
    assert page.drill_target(at_top, "ov-heatmap", bar) == ("geo", ("North",))
    # A click on a member of another level, another chart, or the last level does not drill.
    assert page.drill_target({"geo": ["North"]}, "ov-contrib", bar) is None
    assert page.drill_target(at_top, "ov-top", bar) is None
    in_city = {"geo": ["North", "A", "B"]}
    store = {"points": [{"customdata": ["store_id", "B Mall"]}]}
    assert page.drill_target(in_city, "ov-contrib", store) == ("geo", ("North", "A", "B", "B Mall"))
    deepest = {"geo": ["North", "A", "B", "7"]}
    category = {"points": [{"customdata": ["category", "Dolls"]}]}
    assert page.drill_target(deepest, "ov-contrib", category) is None  # a store's last level
    toy_type = {"points": [{"customdata": ["subcategory", "Fashion Dolls"]}]}
    assert page.drill_target({"prod": ["Dolls"]}, "ov-category", toy_type) == (
        "prod", ("Dolls", "Fashion Dolls"))
    assert page.drill_target(at_top, "ov-contrib", {"points": [{"customdata": "x"}]}) is None
    assert page.go_up({"geo": ["North", "A"], "prod": ["Dolls"]}, "geo", 0) == {
        "geo": [], "prod": ["Dolls"]}
    assert page.go_up({"geo": ["North", "A"]}, "geo", 1)["geo"] == ["North"]
    with pytest.raises(PreventUpdate):
        page.go_up(at_top, "sql", 0)


def test_manager_lands_on_their_region_by_state(page, manager_ctx, lines):
    layout = page.layout()
    found = by_id(layout)
    assert found["ov-drill"].data == {"geo": ["North"], "prod": []}
    assert found["ov-title-contrib"].children == "Contribution % by state in North"
    assert "Your regions" in crumb_text(found["ov-crumbs"].children)
    north = ref.select(lines, *YEAR, regions=("North",))
    figs, *_ = figures(page, found["ov-drill"].data)
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(north, "state"))


def test_manager_compares_every_store_of_their_region_then_opens_one(page, manager_ctx,
                                                                      lines):
    """"Which of my stores underperforms, and in what": Stores compares all the region's
    stores (share of revenue and of the change, monthly demand); a click opens that store's
    categories."""
    north = ref.select(lines, *YEAR, regions=("North",))
    out = page.update_overview("2025-01-01", "2025-12-31", *[None] * len(FIELDS), None,
                               "category", "revenue", 5, {"geo": ["North"], "prod": []},
                               "stores")
    graphs = dict(zip(page.GRAPHS, out[3:3 + len(page.GRAPHS)], strict=True))
    contrib, heat = go.Figure(graphs["contrib"]), go.Figure(graphs["heatmap"])
    assert shares(contrib) == pytest.approx(expected_shares(north, "store_name"))
    assert len(shares(contrib)) == north["store_id"].nunique()
    assert set(heat.data[0].y) == set(north["store_name"])
    assert out[-3] == "Contribution % by store in North"
    assert "places=stores" in out[3 + len(page.GRAPHS)]
    # The weakest store by growth, as pandas finds it, is the one a click opens.
    before = ref.select(lines, dt.date(2024, 1, 2), dt.date(2024, 12, 31), regions=("North",))
    growth = (north.groupby("store_name")["revenue"].sum()
              .sub(before.groupby("store_name")["revenue"].sum(), fill_value=0))
    weakest = growth[north["store_name"].unique()].idxmin()
    click = {"points": [{"customdata": ["store_id", weakest]}]}
    assert page.store_target({"geo": ["North"]}, "ov-contrib", click) == weakest
    assert page.store_target({"geo": ["North"]}, "ov-top", click) is None
    found = page.drill_members(page.current_view(), "geo")
    store_id = drill.store_step(weakest, found)
    row = north[north["store_name"] == weakest].iloc[0]
    assert drill.store_path(store_id, found) == ("North", row["state"], row["city"],
                                                 str(row["store_id"]))


def test_manager_cannot_drill_outside_their_region(page, manager_ctx, lines):
    south = ref.select(lines, *YEAR, regions=("South",))
    south_names = set(south["state"]) | set(south["city"]) | set(south["store_name"])
    north = ref.select(lines, *YEAR, regions=("North",))
    south_names -= set(north["state"]) | set(north["city"]) | set(north["store_name"])
    state = south["state"].iloc[0]
    for forged in (["South"], ["South", state], ["North", state]):
        figs, query, crumbs, _ = figures(page, {"geo": forged, "prod": []})
        shown = set(shares(figs["contrib"])) | set(figs["heatmap"].data[0].y)
        assert shown and not shown & south_names
        assert "South" not in query and drill.DROPPED_NOTE in crumb_text(crumbs)


def test_level_query_is_scoped_even_for_a_forged_path(warehouse):
    """Below validation, the query itself: the scope's region condition finds no South rows."""
    flt = Filter(*YEAR)
    forged = drill.level_data(warehouse, flt, Scope(("North",)), "geo", ("South",), PREVIOUS)
    assert forged.frame.empty
    allowed = drill.level_data(warehouse, flt, Scope(("North",)), "geo", ("North",), PREVIOUS)
    assert not allowed.frame.empty
    found = drill.members(warehouse, Scope(("North",)), "geo", *YEAR)
    assert {p[0] for p in found.paths} == {"North"}


def test_levels_agree_on_every_backend(any_warehouse, lines):
    """The drill SQL runs on DuckDB, PostgreSQL and ClickHouse with the same answer as pandas
    (a range cutting months, so day rollups answer the edge days)."""
    start, end = dt.date(2025, 2, 10), dt.date(2025, 5, 20)
    flt = Filter(start, end)
    north = ref.select(lines, start, end, regions=("North",))
    level = drill.level_data(any_warehouse, flt, Scope.everything(), "geo", ("North",),
                             (dt.date(2024, 11, 1), dt.date(2025, 2, 9)))
    got = level.frame[level.frame["period"] == "current"].groupby("member")["revenue"].sum()
    assert got.to_dict() == pytest.approx(north.groupby("state")["revenue"].sum().to_dict())
    found = drill.members(any_warehouse, Scope(("North",)), "geo", *YEAR)
    assert {p[1] for p in found.paths if len(p) == 2} == set(
        ref.select(lines, *YEAR, regions=("North",))["state"])
    assert set(found.store_names.values()) >= set(north["store_name"])


def test_drill_path_narrows_every_tile_and_chart(page, manager_ctx, lines):
    """A manager who opens their weakest store sees that store's KPIs, trend and Top toys, not
    the region's: pandas over the store's own rows."""
    from dashboard.pages import overview_view

    north = ref.select(lines, *YEAR, regions=("North",))
    store_id = str(north.groupby("store_id")["revenue"].sum().idxmin())
    at_store = north[north["store_id"].astype(str) == store_id]
    row = at_store.iloc[0]
    path = ["North", row["state"], row["city"], store_id]
    state, dropped = page.state_from_inputs("2025-01-01", "2025-12-31", [None] * len(FIELDS),
                                            None, "category", "revenue", 5,
                                            {"geo": path, "prod": []})
    assert not dropped and list(state.geo) == path
    view = page.current_view()
    out = overview_view.compute(view, state)
    assert out["kpis"]["revenue"]["value"] == pytest.approx(at_store["revenue"].sum())
    assert out["kpis"]["units"]["value"] == pytest.approx(at_store["units"].sum())
    trend = go.Figure(out["trend"])
    shown = sum(y for trace in trend.data if trace.y is not None for y in trace.y
                if y is not None)
    assert shown == pytest.approx(at_store["revenue"].sum())
    toys = {html.unescape(str(t)) for trace in go.Figure(out["top"]).data
            for t in (trace.y if trace.y is not None else ())}
    assert toys and toys <= set(at_store["product_name"])
    assert row["store_name"] in overview_view.focus_sentence(view, state)


def test_category_path_narrows_the_regional_charts(page, request_ctx, lines):
    year = ref.select(lines, *YEAR)
    dolls = year[year["category"] == "Dolls"]
    figs, *_ = figures(page, {"geo": [], "prod": ["Dolls"]})
    assert shares(figs["contrib"]) == pytest.approx(expected_shares(dolls, "region"))
    heat = figs["heatmap"].data[0]
    biggest_first = dolls.groupby("region")["revenue"].sum().sort_values(ascending=False)
    assert list(heat.y) == biggest_first.index.tolist()  # the contribution chart's order
    region = heat.y[0]
    monthly = dolls[dolls["region"] == region].groupby("month")["revenue"].sum()
    assert list(heat.z[0]) == pytest.approx(monthly.tolist())
