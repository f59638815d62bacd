"""Independent answers: plain pandas over the raw generated rows, sharing no code with queries/.

Tests compare the app's figures with these. The calendar is read straight from the CSV files
here too, so a bug in the warehouse calendar would show up as a mismatch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CALENDAR = ROOT / "data" / "calendar"


def raw_lines(sample_dir: Path) -> pd.DataFrame:
    """Sales lines joined with products, stores and the calendar, as an analyst would."""
    sales = pd.read_parquet(sample_dir / "sales")
    products = pd.read_parquet(sample_dir / "products.parquet")
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    df = sales.merge(
        products[["product_id", "name", "category", "subcategory"]], on="product_id", how="left"
    ).merge(stores[["store_id", "region", "city"]], on="store_id", how="left")
    df["date"] = pd.to_datetime(df["date"]).dt.normalize()
    df["month"] = df["date"].dt.to_period("M").dt.to_timestamp()
    seasons = pd.read_csv(CALENDAR / "seasons.csv")
    df["season"] = df["date"].dt.month.map(dict(zip(seasons["month"], seasons["season"],
                                                    strict=True)))
    df["festival"] = "No festival"
    festivals = pd.read_csv(CALENDAR / "festivals.csv", parse_dates=["start", "end"])
    assigned = pd.Series(False, index=df.index)
    for row in festivals.itertuples():  # first row in the file wins
        hit = df["date"].between(row.start, row.end) & ~assigned
        df.loc[hit, "festival"] = row.festival
        assigned |= hit
    df = df.rename(columns={"name": "product_name", "customer_age_group": "age_group",
                            "customer_gender": "gender"})
    for column in df.columns:  # plain strings, whatever dtype the Parquet files chose
        if isinstance(df[column].dtype, pd.CategoricalDtype):
            df[column] = df[column].astype(str)
    return df


COLUMNS = {
    "regions": "region", "seasons": "season", "festivals": "festival",
    "categories": "category", "subcategories": "subcategory", "products": "product_name",
    "age_groups": "age_group", "genders": "gender", "channels": "channel",
}


def select(df: pd.DataFrame, start: dt.date, end: dt.date, scope=None, **values) -> pd.DataFrame:
    mask = df["date"].between(pd.Timestamp(start), pd.Timestamp(end))
    for name, members in values.items():
        if members:
            mask &= df[COLUMNS[name]].isin(members)
    if scope is not None:
        mask &= df["region"].isin(scope)
    return df[mask]


def totals(rows: pd.DataFrame) -> dict[str, float]:
    revenue, cost, orders = rows["revenue"].sum(), rows["cost"].sum(), rows["order_id"].nunique()
    return {
        "revenue": revenue,
        "units": rows["units"].sum(),
        "orders": orders,
        "aov": revenue / orders if orders else None,
        "margin_pct": (revenue - cost) / revenue if revenue else None,
    }


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def year_ago(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    def back(d: dt.date) -> dt.date:
        return d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else d.replace(
            year=d.year - 1, day=28)
    return back(start), back(end)
