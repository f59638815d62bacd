"""The profit and loss page's numbers (page_report, the page's own code path) against pandas over
the raw sample rows and over a generated flat export with profit: every chart, the tiles, the
scope (a North manager's page is pandas over North's rows; a forged region gets nothing), and
data without cost, ship dates, stores or channels hiding those parts with the reason."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.pages import profit_report, profit_view
from dashboard.pages.profit_view import BANDS, LOSERS_SHOWN, WEEKDAYS
from dashboard.queries.filters import Scope
from dashboard.warehouse import store
from dashboard.warehouse.build import build_version, parquet_sources
from dashboard.warehouse.store import Warehouse
from tests import reference as ref
from tests.flat_export import reference as flat_reference
from tests.flat_export import write_flat_export

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
EVERYONE = Scope.everything()
NORTH = Scope(("North",))


@pytest.fixture(scope="module")
def lines(raw, sample_dir) -> pd.DataFrame:
    """Raw sample lines with their store's state and name, profit and days to ship."""
    stores = pd.read_parquet(sample_dir / "stores.parquet")[["store_id", "state", "name"]]
    df = raw.merge(stores.astype(str).rename(columns={"name": "store_name"}), on="store_id",
                   how="left")
    df["profit"] = df["revenue"] - df["cost"]
    df["ship_days"] = (pd.to_datetime(df["ship_date"]) - df["date"]).dt.days
    return df


def _chart(report: dict, chart_id: str) -> dict:
    found = [c for c in report["charts"] if c["id"] == chart_id]
    assert found, f"{chart_id} not in the report"
    return found[0]


def _rows(report: dict, chart_id: str) -> list[tuple[str, float]]:
    return [(member, value) for _, member, value in _chart(report, chart_id)["rows"]]


def _ranked(sums: pd.Series) -> list[tuple[str, float]]:
    """Largest first, ties by name: the page's stated order."""
    return sorted(((str(k), float(v)) for k, v in sums.items()), key=lambda kv: (-kv[1], kv[0]))


def _same(got: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [m for m, _ in got] == [m for m, _ in expected]
    for (member, value), (_, want) in zip(got, expected, strict=True):
        assert value == pytest.approx(want, rel=1e-9, abs=1e-6), member


def _losers(rows: pd.DataFrame, column: str) -> list[tuple[str, float]]:
    loss = -rows.groupby(column)["profit"].sum()
    return _ranked(loss[loss > 0])[:LOSERS_SHOWN]


def _margin(rows: pd.DataFrame) -> float:
    return rows["profit"].sum() / rows["revenue"].sum()


# --- the sample retailer --------------------------------------------------------------------


@pytest.fixture(scope="module")
def year(lines):
    return ref.select(lines, *YEAR)


@pytest.fixture(scope="module")
def analyst(warehouse):
    return profit_report.page_report(warehouse, EVERYONE, "")


def test_tiles_match_pandas(analyst, year):
    tiles = {t["id"]: t["value"] for t in analyst["tiles"]}
    assert tiles["revenue"] == pytest.approx(year["revenue"].sum())
    assert tiles["profit"] == pytest.approx(year["profit"].sum())
    assert tiles["margin_pct"] == pytest.approx(_margin(year))
    orders = year.groupby("order_id").agg(mode=("ship_mode", "first"), days=("ship_days", "max"))
    shipped = orders[orders["mode"] != "In store"]
    assert tiles["late_share"] == pytest.approx((shipped["days"] > 4).mean())


def test_profit_by_category_toy_type_and_toy(warehouse, analyst, year):
    _same(_rows(analyst, "pl-prod"), _ranked(year.groupby("category")["profit"].sum()))
    top = _rows(analyst, "pl-prod")[0][0]
    drilled = profit_report.page_report(warehouse, EVERYONE, f"prod={top}")
    inside = year[year["category"] == top]
    _same(_rows(drilled, "pl-prod"), _ranked(inside.groupby("subcategory")["profit"].sum()))
    assert _chart(drilled, "pl-prod")["title"] == f"Gross profit by toy type in {top}"
    sub = _rows(drilled, "pl-prod")[-1][0]
    toys = profit_report.page_report(warehouse, EVERYONE, f"prod={top}&prod={sub}")
    inside = inside[inside["subcategory"] == sub]
    _same(_rows(toys, "pl-prod"), _ranked(inside.groupby("product_name")["profit"].sum()))


def test_profit_by_region_state_city_store_and_the_map(warehouse, analyst, year):
    _same(_rows(analyst, "pl-geo"), _ranked(year.groupby("region")["profit"].sum()))
    west = profit_report.page_report(warehouse, EVERYONE, "geo=West")
    rows = year[year["region"] == "West"]
    _same(_rows(west, "pl-geo"), _ranked(rows.groupby("state")["profit"].sum()))
    state = _rows(west, "pl-geo")[0][0]
    city = profit_report.page_report(warehouse, EVERYONE, f"geo=West&geo={state}")
    rows = rows[rows["state"] == state]
    _same(_rows(city, "pl-geo"), _ranked(rows.groupby("city")["profit"].sum()))
    margins = year.groupby("state")[["profit", "revenue"]].sum()
    expected = (margins["profit"] / margins["revenue"]).to_dict()
    got = dict(_rows(analyst, "pl-map"))
    assert got.keys() == expected.keys()
    for name, value in got.items():
        assert value == pytest.approx(expected[name])
    figure = _chart(analyst, "pl-map")["figure"]
    assert figure["data"][0]["type"] == "choropleth"
    assert figure["data"][0]["locationmode"] == "USA-states"


def test_losers_lose_what_pandas_says(analyst, year):
    _same(_rows(analyst, "pl-loss-toys"), _losers(year, "product_name"))
    _same(_rows(analyst, "pl-loss-types"), _losers(year, "subcategory"))
    _same(_rows(analyst, "pl-loss-states"), _losers(year, "state"))
    _same(_rows(analyst, "pl-loss-stores"), _losers(year, "store_name"))
    assert _rows(analyst, "pl-loss-toys"), "the sample has loss-making toys"


def test_margin_by_discount_band_and_channel(analyst, year):
    bounds = [upper for upper, _ in BANDS]
    band = np.searchsorted(np.array(bounds), year["discount"].to_numpy() - 1e-9, side="left")
    by_band = year.assign(band=band).groupby("band")[["profit", "revenue"]].sum()
    expected = [(BANDS[i][1], row.profit / row.revenue) for i, row in by_band.iterrows()]
    _same(_rows(analyst, "pl-discount"), expected)
    deep = dict(expected)
    assert deep["41–50%"] < 0 < deep["No discount"]  # where discounts start losing money
    by_channel = year.groupby("channel")[["profit", "revenue"]].sum()
    order = year.groupby("channel")["revenue"].sum()
    expected = [(m, by_channel.loc[m, "profit"] / by_channel.loc[m, "revenue"])
                for m, _ in _ranked(order)]
    _same(_rows(analyst, "pl-channel"), expected)


def _orders(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.groupby("order_id").agg(region=("region", "first"), mode=("ship_mode", "first"),
                                        days=("ship_days", "max"), date=("date", "first"))


def test_shipping_days_late_and_weekdays(warehouse, year):
    report = profit_report.page_report(warehouse, EVERYONE, "promise=2")
    orders = _orders(year)
    shipped = orders[orders["mode"] != "In store"]
    mean = shipped.groupby(["mode", "region"])["days"].mean()
    got = {(mode, region): days for mode, region, days in _chart(report, "pl-ship")["rows"]
           if days is not None}
    assert got.keys() == set(mean.index)
    for key, days in got.items():
        assert days == pytest.approx(mean[key], abs=0.005)  # shown to two decimals
    late = shipped.assign(late=shipped["days"] > 2).groupby("mode")["late"].mean()
    expected = sorted(late.items(), key=lambda kv: (-kv[1], kv[0]))
    _same(_rows(report, "pl-late"), expected)
    assert _chart(report, "pl-late")["title"] == "Late shipments (promise: 2 days)"
    weekday = orders["date"].dt.day_of_week.value_counts().reindex(range(7), fill_value=0)
    _same(_rows(report, "pl-weekday"), list(zip(WEEKDAYS, weekday.astype(float), strict=True)))
    assert "promise=2" in report["query"]


def test_filters_reach_every_part(warehouse, lines):
    report = profit_report.page_report(
        warehouse, EVERYONE, "start=2024-03-10&end=2024-08-20&category=Plush&channel=Online")
    rows = ref.select(lines, dt.date(2024, 3, 10), dt.date(2024, 8, 20), categories=["Plush"],
                      channels=["Online"])
    _same(_rows(report, "pl-geo"), _ranked(rows.groupby("region")["profit"].sum()))
    _same(_rows(report, "pl-loss-toys"), _losers(rows, "product_name"))
    weekday = _orders(rows)["date"].dt.day_of_week.value_counts().reindex(range(7), fill_value=0)
    _same(_rows(report, "pl-weekday"), list(zip(WEEKDAYS, weekday.astype(float), strict=True)))
    toy = rows["product_name"].iloc[0]  # a toy filter: orders counted from the raw lines
    report = profit_report.page_report(
        warehouse, EVERYONE, f"start=2024-03-10&end=2024-08-20&toy={toy}")
    rows = ref.select(lines, dt.date(2024, 3, 10), dt.date(2024, 8, 20), products=[toy])
    weekday = _orders(rows)["date"].dt.day_of_week.value_counts().reindex(range(7), fill_value=0)
    _same(_rows(report, "pl-weekday"), list(zip(WEEKDAYS, weekday.astype(float), strict=True)))


# --- scope ----------------------------------------------------------------------------------


def test_north_manager_sees_pandas_over_north_rows_only(warehouse, lines):
    report = profit_report.page_report(warehouse, NORTH, "")
    north = ref.select(lines, *YEAR, scope=("North",))
    tiles = {t["id"]: t["value"] for t in report["tiles"]}
    assert tiles["revenue"] == pytest.approx(north["revenue"].sum())
    assert tiles["profit"] == pytest.approx(north["profit"].sum())
    _same(_rows(report, "pl-prod"), _ranked(north.groupby("category")["profit"].sum()))
    # A manager of one region starts inside it: the places are North's states.
    _same(_rows(report, "pl-geo"), _ranked(north.groupby("state")["profit"].sum()))
    _same(_rows(report, "pl-loss-toys"), _losers(north, "product_name"))
    weekday = _orders(north)["date"].dt.day_of_week.value_counts().reindex(range(7),
                                                                            fill_value=0)
    _same(_rows(report, "pl-weekday"), list(zip(WEEKDAYS, weekday.astype(float), strict=True)))
    seen = {str(member) for chart in report["charts"] for _, member, _ in chart["rows"]}
    assert not seen & (set(lines["region"]) - {"North"})
    assert not seen & set(lines.loc[lines["region"] != "North", "state"])


def test_forged_region_gets_nothing(warehouse):
    report = profit_report.page_report(warehouse, NORTH, "region=South")
    assert report["tiles"] == []
    assert all(chart["rows"] == [] for chart in report["charts"])
    assert profit_report.EMPTY_NOTE in report["notes"]
    assert "South" not in report["filters"] and "South" not in report["query"]
    drilled = profit_report.page_report(warehouse, NORTH, "geo=South")
    assert any("drill-down step" in note for note in drilled["notes"])
    assert "South" not in {m for _, m, _ in _chart(drilled, "pl-geo")["rows"]}


def test_bad_promise_falls_back_to_the_default():
    for value in ("x", "-3", "999", "", None, "2.5"):
        assert profit_view.as_promise(value) == profit_view.DEFAULT_PROMISE
    assert profit_view.as_promise(" 7 ") == 7


# --- data that cannot support a part ----------------------------------------------------------


def test_no_cost_hides_profit_with_the_reason(sample_dir, tmp_path, lines):
    root = tmp_path / "warehouse"
    build_version(root, parquet_sources(sample_dir), info={"source": "no cost"},
                  unavailable=("cost",))
    wh = Warehouse(root)
    try:
        report = profit_report.page_report(wh, EVERYONE, "")
    finally:
        wh.close()
    assert profit_view.NO_COST_NOTE in report["notes"]
    ids = {c["id"] for c in report["charts"]}
    assert not ids & set(profit_view.NEEDS_COST)
    assert [t["id"] for t in report["tiles"]] == ["revenue", "late_share"]
    year = ref.select(lines, *YEAR)
    _same(_rows(report, "pl-prod"), _ranked(year.groupby("category")["revenue"].sum()))
    assert _chart(report, "pl-prod")["title"] == "Revenue by category"


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profit-flat")
    path = write_flat_export(folder / "superstore.csv")
    root = folder / "warehouse"
    assert main(["--warehouse", str(root), "import", str(path)]) == 0
    assert store.current_version(root) is not None
    wh = Warehouse(root)
    yield flat_reference(path), wh
    wh.close()


def test_flat_export_with_profit(flat):
    frame, wh = flat
    report = profit_report.page_report(wh, EVERYONE, "start=2024-01-01&end=2025-12-31")
    frame = frame.assign(date=pd.to_datetime(frame["Order Date"], format="%m/%d/%Y"),
                         ship=pd.to_datetime(frame["Ship Date"], format="%m/%d/%Y"))
    _same(_rows(report, "pl-prod"), _ranked(frame.groupby("Category")["Profit"].sum()))
    _same(_rows(report, "pl-geo"), _ranked(frame.groupby("Region")["Profit"].sum()))
    by_state = frame.groupby("State")[["Profit", "Sales"]].sum()
    got = dict(_rows(report, "pl-map"))
    assert got.keys() == set(by_state.index)
    for name, value in got.items():
        assert value == pytest.approx(by_state.loc[name, "Profit"] / by_state.loc[name, "Sales"])
    loss = -frame.groupby("Sub-Category")["Profit"].sum()
    _same(_rows(report, "pl-loss-types"), _ranked(loss[loss > 0])[:LOSERS_SHOWN])
    # This file gives each line its own ship mode: an order takes its lines' greatest (by name),
    # and an order whose lines name different regions counts once in each.
    orders = frame.assign(days=(frame["ship"] - frame["date"]).dt.days).groupby(
        ["Order ID", "Region"]).agg(mode=("Ship Mode", "max"), days=("days", "max"))
    late = orders.assign(late=orders["days"] > 4).groupby("mode")["late"].mean()
    _same(_rows(report, "pl-late"), sorted(late.items(), key=lambda kv: (-kv[1], kv[0])))
    # No stores and no channel in a flat export: those parts are hidden, with the reason.
    ids = {c["id"] for c in report["charts"]}
    assert "pl-loss-stores" not in ids and "pl-channel" not in ids
    assert profit_view.NO_STORES_NOTE in report["notes"]
    assert profit_view.NO_CHANNEL_NOTE in report["notes"]
    assert not math.isnan(report["tiles"][0]["value"])


# --- the app's routes ---------------------------------------------------------------------------


def test_page_csv_and_print_routes_are_scoped(app, accounts, lines):
    from tests import auth_helpers

    north = auth_helpers.client_for(app, accounts["manager"])
    assert north.get("/profit").status_code == 200
    assert north.get("/assets/topojson/usa_110m.json").status_code == 200
    response = north.get("/export/profit/pl-geo.csv?region=South")
    assert response.status_code == 200 and "South" not in response.get_data(as_text=True)
    table = north.get("/export/profit/pl-geo.csv").get_data(as_text=True).splitlines()
    assert table[0] == "Series,State,Gross profit"
    expected = ref.select(lines, *YEAR, scope=("North",)).groupby("state")["profit"].sum()
    got = {row.split(",")[1]: float(row.split(",")[2]) for row in table[1:]}
    assert got.keys() == set(expected.index)
    for state, value in got.items():
        assert value == pytest.approx(expected[state])
    printed = north.get("/print/profit")
    assert printed.status_code == 200 and "Profit and loss" in printed.get_data(as_text=True)
