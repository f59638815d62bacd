"""The usual way, for comparison: one pandas DataFrame in memory, masks and groupby per chart.

This is how Dash tutorials build such a dashboard: read everything at start-up, and in each
callback filter the frame with boolean masks and group it once per chart. It computes the same
numbers as ToyPulse's Overview so the benchmark can check that both agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard.bench.states import State
from dashboard.warehouse.calendar import build_calendar

COLUMN_OF = {
    "regions": "region", "seasons": "season", "festivals": "festival", "categories": "category",
    "subcategories": "subcategory", "products": "product_name", "age_groups": "age_group",
    "genders": "gender", "channels": "channel",
}


def _lookup(keys: pd.Series, table: pd.DataFrame, key: str, value: str) -> pd.Categorical:
    """table[value] for each key, as a categorical (a plain join would copy strings 50M times)."""
    keys = keys.astype("category")
    mapping = dict(zip(table[key].astype(str), table[value].astype(str), strict=True))
    labels = pd.Index(sorted(set(mapping.values())))
    per_category = labels.get_indexer([mapping.get(k, "Unknown") for k in
                                       keys.cat.categories.astype(str)])
    return pd.Categorical.from_codes(per_category[keys.cat.codes.to_numpy()], categories=labels)


def load_frame(sample_dir: Path) -> pd.DataFrame:
    """Sales with product, store and calendar attributes: one wide frame, strings as categories
    (what anyone holding 50 million rows in pandas must do to fit in memory)."""
    df = pd.read_parquet(sample_dir / "sales", columns=[
        "order_id", "date", "store_id", "product_id", "channel", "units", "revenue", "cost",
        "customer_gender", "customer_age_group"])
    products = pd.read_parquet(sample_dir / "products.parquet")
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    for column, source in (("product_name", "name"), ("category", "category"),
                           ("subcategory", "subcategory")):
        df[column] = _lookup(df["product_id"], products, "product_id", source)
    df["region"] = _lookup(df["store_id"], stores, "store_id", "region")
    df["date"] = pd.to_datetime(df["date"])
    calendar = build_calendar(df["date"].min().date(), df["date"].max().date())
    calendar["date"] = pd.to_datetime(calendar["date"])
    df["month"] = df["date"].dt.to_period("M").dt.to_timestamp()
    for column in ("season", "festival"):
        df[column] = _lookup(df["date"], calendar, "date", column)
    for column in ("channel", "customer_gender", "customer_age_group"):
        df[column] = df[column].astype("category")
    return df.drop(columns=["store_id", "product_id"]).rename(
        columns={"customer_age_group": "age_group", "customer_gender": "gender"})


def _mask(df: pd.DataFrame, state: State, start: str, end: str) -> pd.Series:
    mask = (df["date"] >= pd.Timestamp(start)) & (df["date"] <= pd.Timestamp(end))
    for name, values in state.page_filters().items():
        if values:
            mask &= df[COLUMN_OF[name]].isin(values)
    return mask


def _shift(day: str, days: int = 0, years: int = 0) -> str:
    d = dt.date.fromisoformat(day)
    if years:
        try:
            d = d.replace(year=d.year + years)
        except ValueError:
            d = d.replace(year=d.year + years, day=28)
    return (d + dt.timedelta(days=days)).isoformat()


def compute(df: pd.DataFrame, state: State) -> dict:
    """Every number the Overview shows for `state`, the pandas way."""
    rows = df[_mask(df, state, state.start, state.end)]
    span = (dt.date.fromisoformat(state.end) - dt.date.fromisoformat(state.start)).days + 1
    prev = df[_mask(df, state, _shift(state.start, -span), _shift(state.start, -1))]
    year_ago = df[_mask(df, state, _shift(state.start, years=-1), _shift(state.end, years=-1))]
    measure = state.measure
    out = {
        "revenue": rows["revenue"].sum(), "units": float(rows["units"].sum()),
        "cost": rows["cost"].sum(), "orders": float(rows["order_id"].nunique()),
        "previous_revenue": prev["revenue"].sum(), "previous_orders": float(
            prev["order_id"].nunique()),
        "year_ago_revenue": year_ago["revenue"].sum(),
        "year_ago_orders": float(year_ago["order_id"].nunique()),
        "trend": rows.groupby(["month", state.trend_by])[measure].sum().to_dict(),
        "heatmap": rows.groupby(["region", "month"])[measure].sum().to_dict(),
        "category": rows.groupby("category")["revenue"].sum().to_dict(),
        "subcategory": rows.groupby("subcategory")["revenue"].sum().to_dict(),
        "age": rows.groupby("age_group")["revenue"].sum().to_dict(),
        "gender": rows.groupby("gender")["revenue"].sum().to_dict(),
        "region_previous": prev.groupby("region")["revenue"].sum().to_dict(),
    }
    by_toy = rows.groupby(["age_group", "product_name"], as_index=False)[measure].sum()
    by_toy = by_toy.sort_values(["age_group", measure, "product_name"],
                                ascending=[True, False, True])
    rank = by_toy.groupby("age_group").cumcount() + 1
    keep = rank <= state.top_n
    if state.highlight and state.highlight["column"] == "product_name":
        keep |= by_toy["product_name"] == state.highlight["value"]  # shown with its rank
    top = by_toy[keep]
    out["top"] = list(zip(top["age_group"], top["product_name"], strict=True))
    if state.highlight:
        column, value = state.highlight["column"], state.highlight["value"]
        lit = rows[rows[column] == value]
        out["highlight_category"] = lit.groupby("category")["revenue"].sum().to_dict()
    return out
