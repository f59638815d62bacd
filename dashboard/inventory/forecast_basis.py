"""Forecast demand for the stock plan, where the data version has it: each store's weekly units
forecast (the Forecast page's model or seasonal naive, whichever won its backtest) over the next
`days`, split over the store's items by each item's share of the store's units in the last 8
weeks (top-down: one forecast per store, not per item, so it is cheap and kept per version).

Only a forecast already kept for the version is used (`dashboard inventory --ahead`, started
after each load, fits it); until then, and for stores with too little history, rows use the
8-week mean and the page says so per row ("demand basis"). The store series is the same whoever
views it: the forecast kept for everyone is read and only the viewer's stores are used.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.forecast.ahead import kept
from dashboard.forecast.compute import shown_path
from dashboard.forecast.demand import ALL_STORES
from dashboard.forecast.spec import TOTAL, ForecastSpec
from dashboard.queries.filters import Scope

DESCRIPTION = ("Demand basis: where the data version has a kept store forecast (weekly units, "
               "the Forecast page's model or seasonal naive, whichever won its backtest), an "
               "item's daily demand is its store's forecast daily units over the next order "
               "cover days times the item's share of the store's units over the last 8 weeks; "
               "otherwise the 8-week mean. Safety stock always uses the 8-week standard "
               "deviation of daily units.")
STORE_SPEC = ForecastSpec("units", "week", "store")
RECENT = "8-week mean"


def forecast_label(method: str) -> str:
    return f"Forecast ({method}), store × item share"


def store_forecasts(warehouse, days: int) -> dict[str, tuple[float, str]] | None:
    """store_id -> (forecast daily units over the next `days`, method); None: none kept."""
    result = kept(warehouse, Scope.everything(), STORE_SPEC, ALL_STORES)
    if result is None:
        return None
    weeks = max(math.ceil(days / 7), 1)
    out = {}
    for store, item in result["series"].items():
        path = shown_path(item) if store != TOTAL else None
        if path is not None:
            out[str(store)] = (max(sum(path["mean"][:weeks]) / (7 * weeks), 0.0),
                               str(path["method"]))
    return out


def apply(rates: pd.DataFrame, forecasts: dict[str, tuple[float, str]] | None) -> pd.DataFrame:
    """`rates` with `daily_mean` from the store forecast × the item's share of its store's
    window units where the store has a forecast, `recent_mean` the 8-week mean, and `basis`."""
    out = rates.copy()
    out["recent_mean"] = out["daily_mean"].astype(float)
    out["basis"] = RECENT
    if not forecasts or out.empty:
        return out
    units = out["units"].astype(float)
    store_units = units.groupby(out["store_id"]).transform("sum")
    daily = out["store_id"].map({s: v for s, (v, _) in forecasts.items()})
    method = out["store_id"].map({s: m for s, (_, m) in forecasts.items()})
    use = daily.notna() & (store_units > 0)
    out.loc[use, "daily_mean"] = daily[use] * units[use] / store_units[use]
    out.loc[use, "basis"] = method[use].map(forecast_label)
    return out
