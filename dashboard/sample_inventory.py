"""The sample retailer's stock snapshot (inventory.parquet beside the generated sales), so the
Inventory page has something true to show: each store's stock of every toy it sold in the last
8 weeks is a seeded number of days of that demand (some at zero, some far too many), a few toys
it did not sell sit on the shelf, and Arts & Crafts and Baby & Toddler toys come in dated batches
(paints, wipes), a few of them expiring soon or already expired.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.warehouse.parquet_files import write_dated_parquet

DATED_CATEGORIES = ("Arts & Crafts", "Baby & Toddler")
_STREAM = 4242  # this module's own random stream, apart from sample.py's


def snapshot(folder: Path, seed: int = 7, today: dt.date | None = None) -> pd.DataFrame:
    """The snapshot for the sales under `folder` (sales/*.parquet, products.parquet)."""
    today = today or dt.date.today()
    con = duckdb.connect()
    try:
        end = con.execute("SELECT max(date)::DATE FROM read_parquet(?)",
                          [str(folder / "sales" / "*.parquet")]).fetchall()[0][0]
        sold = con.execute(
            "SELECT store_id, product_id, sum(units) AS units FROM read_parquet(?) "
            "WHERE date::DATE > ? GROUP BY 1, 2 ORDER BY 1, 2",
            [str(folder / "sales" / "*.parquet"), end - dt.timedelta(days=56)]).df()
        products = con.execute("SELECT product_id, category FROM read_parquet(?) ORDER BY 1",
                               [str(folder / "products.parquet")]).df()
        stores = con.execute("SELECT store_id FROM read_parquet(?) ORDER BY 1",
                             [str(folder / "stores.parquet")]).df()
    finally:
        con.close()
    rng = np.random.default_rng([seed, _STREAM])
    rate = sold["units"].to_numpy(float) / 56
    cover = rng.choice([0, 3, 10, 25, 45, 90, 200], size=len(sold),
                       p=[0.06, 0.12, 0.2, 0.27, 0.2, 0.1, 0.05])
    qty = np.round(rate * cover * rng.uniform(0.8, 1.2, len(sold)))
    frame = pd.DataFrame({"store_id": sold["store_id"], "product_id": sold["product_id"],
                          "stock_on_hand": qty})
    idle = pd.DataFrame({  # toys a store stocks but did not sell in 8 weeks: dead stock
        "store_id": stores["store_id"].to_numpy().repeat(2),
        "product_id": rng.choice(products["product_id"], size=2 * len(stores)),
        "stock_on_hand": rng.integers(2, 15, size=2 * len(stores)).astype(float)})
    idle = idle.merge(frame[["store_id", "product_id"]], how="left", indicator=True)
    idle = idle[idle["_merge"] == "left_only"].drop(columns="_merge").drop_duplicates(
        ["store_id", "product_id"])
    frame = pd.concat([frame, idle], ignore_index=True)
    frame["batch"], frame["expiry"] = "", pd.NaT
    dated = frame["product_id"].isin(
        products.loc[products["category"].isin(DATED_CATEGORIES), "product_id"])
    batches = []
    for row in frame[dated & (frame["stock_on_hand"] >= 2)].itertuples(index=False):
        first = int(row.stock_on_hand // 2)
        for i, units in enumerate((first, row.stock_on_hand - first)):
            days = int(rng.choice([-5, 10, 25, 90, 200, 400], p=[.05, .1, .1, .25, .25, .25]))
            batches.append((row.store_id, row.product_id, float(units),
                            f"{row.store_id}-{row.product_id}-{i + 1}",
                            today + dt.timedelta(days=days)))
    batched = pd.DataFrame(batches, columns=["store_id", "product_id", "stock_on_hand",
                                             "batch", "expiry"])
    frame = pd.concat([frame[~(dated & (frame["stock_on_hand"] >= 2))], batched],
                      ignore_index=True)
    frame.insert(0, "as_of", end)
    frame["expiry"] = pd.to_datetime(frame["expiry"])
    return frame.sort_values(["store_id", "product_id", "batch"]).reset_index(drop=True)


def write(folder: Path, seed: int = 7, today: dt.date | None = None) -> int:
    """inventory.parquet under `folder`; returns its rows."""
    frame = snapshot(Path(folder), seed, today)
    write_dated_parquet(frame, Path(folder) / "inventory.parquet")
    return len(frame)
