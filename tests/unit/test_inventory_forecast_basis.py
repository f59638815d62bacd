"""The stock plan's demand basis: a store forecast split over its items by each item's share of
the store's units in the last 8 weeks (shares from pandas over the raw sales), days of cover
from that demand, and rows without a store forecast on the 8-week mean, each row saying which."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard.inventory import demand, forecast_basis, policy, snapshot, status
from dashboard.queries.filters import Scope


def _window_units(sample_dir, store: str) -> pd.Series:
    sales = pd.read_parquet(sample_dir / "sales")
    sales["date"] = pd.to_datetime(sales["date"])
    end = sales["date"].max()
    window = sales[(sales["date"] > end - pd.Timedelta(days=56)) & (sales["store_id"] == store)]
    return window.groupby("product_id")["units"].sum().astype(float)


def test_store_forecast_split_by_recent_share(warehouse, sample_dir):
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    north = sorted(stores.loc[stores["region"] == "North", "store_id"])
    forecast_store, plain_store = north[0], north[1]
    scope = Scope(("North",))
    end = dt.date.fromisoformat(warehouse.catalog().meta["max_date"])
    rates = demand.demand(warehouse, scope, end)
    got = forecast_basis.apply(rates, {forecast_store: (12.5, "ETS(A,N,N)")}).set_index(
        ["store_id", "product_id"])
    units = _window_units(sample_dir, forecast_store)
    want = 12.5 * units / units.sum()
    mine = got.loc[forecast_store]
    np.testing.assert_allclose(mine.loc[want.index, "daily_mean"], want, rtol=1e-9)
    assert set(mine["basis"]) == {"Forecast (ETS(A,N,N)), store × item share"}
    other = got.loc[plain_store]
    plain = _window_units(sample_dir, plain_store) / 56
    np.testing.assert_allclose(other.loc[plain.index, "daily_mean"], plain, rtol=1e-9)
    assert set(other["basis"]) == {forecast_basis.RECENT}
    # days of cover and reorder point follow the forecast demand
    snap = snapshot.read(warehouse, scope)
    s = policy.Settings()
    st = status.compute(snap, forecast_basis.apply(rates, {forecast_store: (12.5, "x")}), [],
                        end, s, dt.date.today())
    items = st.items[st.items["store_id"] == forecast_store].set_index("product_id")
    sold = items.loc[items.index.intersection(want.index)]
    assert len(sold) > 10
    np.testing.assert_allclose(sold["reorder_point"], want[sold.index] * s.lead_days
                               + s.z * sold["daily_std"] * s.lead_days ** 0.5, rtol=1e-9)
    selling = sold[want[sold.index] > 0]  # no demand: no days of cover (policy)
    cover = selling["on_hand"].clip(lower=0) / want[selling.index]
    np.testing.assert_allclose(selling["days_cover"], cover, rtol=1e-9)
    assert sold.loc[want[sold.index] <= 0, "days_cover"].isna().all()


def test_no_kept_forecast_means_every_row_on_the_8_week_mean(warehouse):
    assert forecast_basis.store_forecasts(warehouse, 28) is None  # the tests never fit one
    rates = pd.DataFrame({"store_id": ["a"], "product_id": ["p"], "daily_mean": [2.0],
                          "units": [112.0]})
    out = forecast_basis.apply(rates, None)
    assert out["basis"].tolist() == [forecast_basis.RECENT]
    assert out["daily_mean"].tolist() == pytest.approx([2.0])
