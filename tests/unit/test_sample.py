"""The sample retailer: reproducible, exact, referentially sound, and visibly structured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import sample
from dashboard.sample import AGE_GROUPS, REGIONS, dimension_tables, generate, sales_chunks

ROWS = 80_000
ORDER_COLUMNS = ["date", "store_id", "customer_id", "employee_id", "channel",
                 "customer_gender", "customer_age_group", "ship_date", "ship_mode", "segment"]


@pytest.fixture(scope="module")
def dims() -> dict[str, pd.DataFrame]:
    return dimension_tables()


@pytest.fixture(scope="module")
def sales(dims) -> pd.DataFrame:
    return pd.concat(sales_chunks(ROWS, dims=dims), ignore_index=True)


@pytest.fixture(scope="module")
def enriched(sales, dims) -> pd.DataFrame:
    """Sales with product category and store region, for the structure tests."""
    products = dims["products"].set_index("product_id")
    stores = dims["stores"].set_index("store_id")
    return sales.assign(
        category=sales["product_id"].astype(str).map(products["category"]),
        region=sales["store_id"].astype(str).map(stores["region"]),
        year=sales["date"].dt.year,
        month=sales["date"].dt.month,
    )


def _all(rows: int, **kwargs) -> pd.DataFrame:
    return pd.concat(sales_chunks(rows, **kwargs), ignore_index=True)


def _assert_same_frames(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """assert_frame_equal, but categoricals compared by dtype and codes (far faster)."""
    assert list(left.columns) == list(right.columns)
    for column in left.columns:
        a, b = left[column], right[column]
        if isinstance(a.dtype, pd.CategoricalDtype):
            assert a.dtype == b.dtype
            a, b = a.cat.codes, b.cat.codes
        pd.testing.assert_series_equal(a, b)


# --- reproducibility and size ----------------------------------------------------------------


def test_same_seed_gives_identical_dimensions_and_sales(dims, sales):
    again = dimension_tables()
    for name, frame in dims.items():
        pd.testing.assert_frame_equal(frame, again[name])
    _assert_same_frames(sales, _all(ROWS))


def test_different_seed_gives_different_data(dims, sales):
    other_dims = dimension_tables(seed=8)
    assert not other_dims["products"]["name"].equals(dims["products"]["name"])
    other = _all(ROWS, seed=8)
    assert len(other) == ROWS
    assert not np.array_equal(other["product_id"].astype(str), sales["product_id"].astype(str))
    assert other["revenue"].sum() != pytest.approx(sales["revenue"].sum(), rel=1e-9)


def test_chunking_does_not_change_rows_and_never_splits_an_order(sales):
    chunks = list(sales_chunks(ROWS, chunk_rows=7_000))
    assert len(chunks) > 10
    assert all(len(c) <= 7_000 for c in chunks)
    _assert_same_frames(pd.concat(chunks, ignore_index=True), sales)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before["order_id"].iat[-1] < after["order_id"].iat[0]


@pytest.mark.parametrize("rows", [0, 1, 5, 12_345])
def test_row_count_is_exact(rows):
    chunks = list(sales_chunks(rows, chunk_rows=1_000))
    assert sum(len(chunk) for chunk in chunks) == rows
    if rows:
        assert chunks[-1]["sale_id"].iat[-1] == rows


def test_many_blocks_keep_ids_unique_and_in_date_order():
    rows = 2 * sample._BLOCK_LINES + 1_234  # spans several generation blocks
    frame = _all(rows, chunk_rows=300_000)
    assert len(frame) == rows
    rechunked = _all(rows, chunk_rows=70_001)
    for column in ("order_id", "product_id", "store_id", "revenue"):
        assert np.array_equal(frame[column].to_numpy(), rechunked[column].to_numpy())
    assert np.array_equal(frame["sale_id"].to_numpy(), np.arange(1, rows + 1))
    assert frame["order_id"].is_monotonic_increasing
    assert frame["date"].is_monotonic_increasing
    assert frame["order_id"].iat[0] == 1
    assert np.all(np.diff(frame["order_id"].to_numpy()) <= 1)  # no gaps either


# --- integrity ---------------------------------------------------------------------------------


def test_ids_sorted_and_dates_follow_orders(sales):
    assert np.array_equal(sales["sale_id"].to_numpy(), np.arange(1, ROWS + 1))
    assert sales["sale_id"].dtype == np.int64 and sales["order_id"].dtype == np.int64
    assert sales["order_id"].is_monotonic_increasing
    assert sales["date"].is_monotonic_increasing
    assert sales["date"].dtype == "datetime64[ns]"
    assert (sales["date"] == sales["date"].dt.normalize()).all()
    assert sales["date"].min() >= pd.Timestamp(sample.DEFAULT_START)
    assert sales["date"].max() <= pd.Timestamp(sample.DEFAULT_END)


def test_every_key_exists_and_employee_works_at_the_store(sales, dims):
    for column, table in [("product_id", "products"), ("store_id", "stores"),
                          ("customer_id", "customers"), ("employee_id", "employees")]:
        assert set(sales[column].astype(str)) <= set(dims[table][column])
    employee_store = dims["employees"].set_index("employee_id")["store_id"]
    assert (sales["employee_id"].astype(str).map(employee_store)
            == sales["store_id"].astype(str)).all()
    stores = dims["stores"]
    assert set(dims["customers"]["home_store_id"]) <= set(stores["store_id"])
    assert set(dims["employees"]["store_id"]) == set(stores["store_id"])


def test_no_sales_before_a_store_opens(sales, dims):
    opened = pd.to_datetime(dims["stores"].set_index("store_id")["open_date"])
    assert (sales["date"] >= sales["store_id"].astype(str).map(opened)).all()


def test_order_attributes_are_shared_by_all_lines(sales):
    per_order = sales.groupby("order_id", observed=True)
    assert (per_order[ORDER_COLUMNS].nunique() == 1).all().all()
    sizes = per_order.size()
    assert sizes.between(1, 5).all()
    assert 2.0 < sizes.mean() < 2.5


def test_customer_attributes_copied_or_unknown(sales, dims):
    customers = dims["customers"].set_index("customer_id")
    cid = sales["customer_id"].astype(str)
    gender, age = sales["customer_gender"].astype(str), sales["customer_age_group"].astype(str)
    unknown = age == "Unknown"
    assert (gender[unknown] == "Unknown").all()
    assert (gender[~unknown] == cid[~unknown].map(customers["gender"])).all()
    assert (age[~unknown] == cid[~unknown].map(customers["age_group"])).all()
    assert 0.02 < unknown.mean() < 0.06


def test_money_columns_follow_the_formulas(sales, dims):
    products = dims["products"].set_index("product_id")
    pid = sales["product_id"].astype(str)
    assert np.array_equal(sales["unit_price"], pid.map(products["unit_price"]))
    units, price, discount = sales["units"], sales["unit_price"], sales["discount"]
    assert sales["units"].dtype == np.int32
    assert np.allclose(sales["revenue"], np.round(units * price * (1 - discount), 2), atol=1e-9)
    assert np.allclose(sales["cost"], np.round(units * pid.map(products["unit_cost"]), 2),
                       atol=1e-9)
    assert set(discount.unique()) <= set(sample.ALL_DISCOUNTS)
    assert (units != 0).all()
    assert 0.008 < (units < 0).mean() < 0.025  # returns
    assert units.between(1, 3).sum() / (units > 0).sum() > 0.9


# --- dimension tables --------------------------------------------------------------------------


def test_products_catalogue(dims):
    products = dims["products"]
    assert len(products) >= 220
    assert products["product_id"].is_unique and products["name"].is_unique
    assert products["product_id"].str.fullmatch(r"P\d{4}").all()
    assert products["category"].nunique() >= 12
    assert products.groupby("category")["subcategory"].nunique().between(2, 4).all()
    assert set(products["target_age_group"]) <= set(AGE_GROUPS)
    assert products["unit_price"].between(4.99, 149.99).all()
    ratio = products["unit_cost"] / products["unit_price"]
    loss_line = products["subcategory"] == sample.LOSS_SUBCATEGORY
    assert loss_line.sum() == sample.PRODUCTS_PER_SUBCATEGORY
    assert ratio[~loss_line].between(0.345, 0.655).all()
    assert ratio[loss_line].between(0.795, 0.925).all()
    assert (products["unit_price"].round(2) == products["unit_price"]).all()


def test_stores_customers_employees(dims):
    stores, customers, employees = dims["stores"], dims["customers"], dims["employees"]
    assert len(stores) >= 40 and stores["store_id"].str.fullmatch(r"S\d{3}").all()
    per_region = stores["region"].value_counts()
    assert set(per_region.index) == set(REGIONS) and (per_region >= 3).all()
    assert set(stores["location_type"]) <= set(sample.LOCATION_TYPES)
    assert stores["latitude"].between(24, 50).all() and stores["longitude"].between(-126, -66).all()
    assert 45_000 <= len(customers) <= 55_000 and customers["customer_id"].is_unique
    assert set(customers["gender"]) == {"Female", "Male", "Unknown"}
    assert set(customers["age_group"]) == set(AGE_GROUPS)
    assert 350 <= len(employees) <= 450 and employees["employee_id"].is_unique
    assert (employees["monthly_target"] > 0).all()


# --- structure visible in charts ---------------------------------------------------------------


def test_q4_peak_over_q2(enriched):
    by_month = enriched.groupby(["year", "month"])["revenue"].sum()
    for year in (2023, 2024, 2025):
        months = by_month.loc[year]
        assert months.loc[[11, 12]].min() > months.loc[[4, 5, 6]].max()
        assert months.loc[[10, 11, 12]].sum() > 1.5 * months.loc[[4, 5, 6]].sum()


def test_growth_and_a_declining_region(enriched):
    by_year = enriched.groupby("year")["revenue"].sum()
    assert by_year[2025] > 1.15 * by_year[2023]
    central = enriched[enriched["region"] == "Central"].groupby("year")["revenue"].sum()
    assert central[2025] < central[2023]
    shares = enriched.groupby("region")["revenue"].sum() / enriched["revenue"].sum()
    assert shares.max() > 2 * shares.min()  # regions differ in size


def test_weekends_sell_more(sales):
    daily = sales.groupby("date").size()
    weekday = daily.index.day_of_week
    assert daily[weekday >= 5].mean() > 1.2 * daily[weekday <= 3].mean()


def test_online_share_about_a_quarter_and_growing(enriched):
    online = enriched["channel"].astype(str) == "Online"
    assert 0.18 < online.mean() < 0.33
    by_year = online.groupby(enriched["year"]).mean()
    assert by_year[2025] > by_year[2023] + 0.05


def test_age_and_gender_affinities(enriched):
    age = enriched["customer_age_group"].astype(str)
    plush = enriched["category"] == "Plush"
    assert plush[age == "0-2"].mean() > 3 * plush[age == "9-12"].mean()
    gender = enriched["customer_gender"].astype(str)
    dolls = enriched["category"] == "Dolls"
    assert dolls[gender == "Female"].mean() > 1.3 * dolls[gender == "Male"].mean()


def test_festival_and_season_category_spikes(enriched):
    costumes = enriched["category"] == "Costumes & Role Play"
    october = enriched["month"] == 10
    assert costumes[october].mean() > 1.5 * costumes[~october].mean()
    outdoor = enriched["category"] == "Outdoor"
    summer = enriched["month"].isin([6, 7])
    winter = enriched["month"].isin([12, 1, 2])
    assert outdoor[summer].mean() > 2 * outdoor[winter].mean()


def test_black_friday_days_are_the_busiest(sales):
    daily = sales.groupby("date").size()
    black_friday = pd.Timestamp("2024-11-29")
    november = daily[(daily.index.month == 11) & (daily.index.year == 2024)]
    assert daily[black_friday] > 2 * november.median()


# --- profit and loss: shipping, segments, loss makers -----------------------------------------


def test_online_orders_ship_by_mode_and_store_sales_are_handed_over(sales):
    days = (sales["ship_date"] - sales["date"]).dt.days
    mode = sales["ship_mode"].astype(str)
    online = sales["channel"].astype(str) == "Online"
    assert (mode[~online] == sample.IN_STORE).all() and (days[~online] == 0).all()
    assert set(mode[online]) == set(sample.SHIP_MODES)
    for name, (low, high) in zip(sample.SHIP_MODES, sample.SHIP_DAYS, strict=True):
        usual = days[online & (mode == name)]
        assert usual.min() == low
        assert usual.quantile(0.9) <= high  # most orders ship in the mode's usual days
        assert usual.max() <= high + sample.LATE_DAYS[1]
    late = (days > 4)[online].mean()
    assert 0.02 < late < 0.15  # against a 4-day promise a few orders are late


def test_every_line_of_a_customer_has_the_customer_segment(sales):
    per_customer = sales.groupby("customer_id", observed=True)["segment"].nunique()
    assert (per_customer == 1).all()
    shares = sales["segment"].astype(str).value_counts(normalize=True)
    assert set(shares.index) == set(sample.SEGMENTS)
    assert shares["Consumer"] > shares["Corporate"] > shares["Home Office"] > 0.1


def test_deep_discounts_only_on_low_margin_toys_and_they_lose_money(sales, dims):
    products = dims["products"].set_index("product_id")
    pid = sales["product_id"].astype(str)
    ratio = pid.map(products["unit_cost"] / products["unit_price"])
    deep = sales["discount"] >= min(sample.DEEP_DISCOUNTS)
    assert deep.mean() > 0.02
    assert (ratio[deep] >= sample.LOW_MARGIN_RATIO).all()
    profit = sales["revenue"] - sales["cost"]
    assert profit[deep].sum() < 0 < profit[~deep].sum()
    by_sub = profit.groupby(pid.map(products["subcategory"])).sum()
    assert by_sub[sample.LOSS_SUBCATEGORY] < 0
    assert (by_sub.drop(sample.LOSS_SUBCATEGORY) > 0).all()


# --- files -------------------------------------------------------------------------------------


def test_generate_writes_tables_and_parts(tmp_path):
    stale = tmp_path / "sales" / "part-00042.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    counts = generate(tmp_path, 25_000, seed=3)
    assert not stale.exists()
    assert counts["sales"] == 25_000
    for name in ("products", "stores", "customers", "employees"):
        assert pq.read_metadata(tmp_path / f"{name}.parquet").num_rows == counts[name] > 0
    parts = sorted((tmp_path / "sales").glob("part-*.parquet"))
    assert [p.name for p in parts] == ["part-00000.parquet"]
    table = pq.read_table(parts[0])
    assert table.num_rows == 25_000
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("ship_date").type == pa.date32()
    assert pq.read_schema(tmp_path / "stores.parquet").field("open_date").type == pa.date32()
    written = table.to_pandas()
    expected = _all(25_000, seed=3)
    assert np.array_equal(written["revenue"], expected["revenue"])
    assert (pd.to_datetime(written["date"]) == expected["date"]).all()
