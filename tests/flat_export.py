"""A generated flat export in the shape of a public retailer's order lines (Superstore-like):
one row per order line with order/ship dates, ship mode, customer, segment, geography, product
and amounts. It has the shapes that used to go wrong: a Region column with no stores table,
renamed products, product ids reused across categories, exact duplicate lines, a currency
symbol, profit but no cost, and a few empty Region cells. `reference` reads it back with
pandas alone, as the independent check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HEADER = ["Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name",
          "Segment", "Country", "Region", "State", "City", "Postal Code", "Product ID",
          "Category", "Sub-Category", "Product Name", "Sales", "Quantity", "Discount", "Profit"]
GEO = [("West", "California", "Los Angeles", "90036"), ("West", "Washington", "Seattle", "98103"),
       ("East", "New York", "New York City", "10024"), ("East", "Massachusetts", "Boston",
                                                         "02134"),
       ("Central", "Texas", "Houston", "77095"), ("Central", "Illinois", "Chicago", "60610"),
       ("South", "Florida", "Miami", "33142"), ("South", "Georgia", "Atlanta", "30318")]
PRODUCTS = [  # id, category, sub-category, name
    ("TOY-1001", "Plush", "Bears", "Cuddly Bear"), ("TOY-1002", "Plush", "Bunnies", "Soft Bunny"),
    ("TOY-2001", "Building Sets", "Bricks", "Brick Tower 500"),
    ("TOY-2002", "Building Sets", "Magnets", "Magnet Tiles"),
    ("TOY-3001", "Games", "Board Games", "Castle Quest"),
    ("TOY-3002", "Games", "Puzzles", "Puzzle 1000"),
    ("TOY-4001", "Art & Crafts", "Paints", "Finger Paints"),
    ("TOY-4002", "Art & Crafts", "Crayons", "Crayons 64"),
]
RENAMED = {"TOY-1001": "Cuddly Bear (2024 edition)", "TOY-3002": "Puzzle 1000 Deluxe"}
REUSED = {"TOY-2002": ("Games", "Puzzles", "Magnet Maze")}  # the same id in another category
SEGMENTS = ["Consumer", "Corporate", "Home Office"]
SHIP_MODES = ["Standard Class", "Second Class", "First Class", "Same Day"]


def make_rows(n_orders: int = 900, seed: int = 3, duplicates: int = 12,
              empty_regions: int = 3) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for o in range(n_orders):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 540)))
        ship = day + pd.Timedelta(days=int(rng.integers(0, 6)))
        region, state, city, postal = GEO[int(rng.integers(0, len(GEO)))]
        customer = int(rng.integers(0, 120))
        for _ in range(int(rng.integers(1, 4))):
            pid, category, sub, name = PRODUCTS[int(rng.integers(0, len(PRODUCTS)))]
            if pid in RENAMED and day >= pd.Timestamp("2025-01-01"):
                name = RENAMED[pid]
            if pid in REUSED and rng.random() < 0.3:
                category, sub, name = REUSED[pid]
            quantity = int(rng.integers(1, 8))
            discount = float(rng.choice([0, 0, 0.1, 0.2, 0.45]))
            sales = round(quantity * float(rng.uniform(2, 400)) * (1 - discount), 2)
            profit = round(sales * float(rng.uniform(-0.3, 0.4)), 4)
            rows.append([f"US-{2024 + o % 2}-{100000 + o}", f"{day.month}/{day.day}/{day.year}",
                         f"{ship.month}/{ship.day}/{ship.year}",
                         SHIP_MODES[int(rng.integers(0, 4))], f"CU-{customer:04d}",
                         f"Customer {customer}", SEGMENTS[customer % 3], "United States",
                         region, state, city, postal, pid, category, sub, name,
                         f"€{sales:,.2f}", str(quantity), f"{discount:g}", f"{profit:.4f}"])
    for i in rng.choice(len(rows), size=empty_regions, replace=False):
        rows[int(i)][HEADER.index("Region")] = ""
    for i in rng.choice(len(rows), size=duplicates, replace=False):
        rows.insert(int(i) + 1, list(rows[int(i)]))  # the same line twice, as exported
    return rows


def _quote(value: str) -> str:
    return f'"{value}"' if "," in value else value


def write_flat_export(path: Path, row_id: bool = False, **kwargs) -> Path:
    rows = make_rows(**kwargs)
    header = (["Row ID"] if row_id else []) + HEADER
    lines = [",".join(header)]
    for i, row in enumerate(rows, start=1):
        lines.append(",".join(_quote(v) for v in ([str(i)] if row_id else []) + row))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reference(path: Path, drop_duplicates: bool = False) -> pd.DataFrame:
    """The file read by pandas alone: amounts as numbers, cost = sales - profit."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if drop_duplicates:
        raw = raw.drop_duplicates()
    frame = raw.copy()
    frame["Sales"] = frame["Sales"].str.replace("€", "").str.replace(",", "").astype(float)
    frame["Quantity"] = frame["Quantity"].astype(int)
    frame["Profit"] = frame["Profit"].astype(float)
    frame["Cost"] = frame["Sales"] - frame["Profit"]
    frame["Month"] = (pd.to_datetime(frame["Order Date"], format="%m/%d/%Y")
                      .dt.to_period("M").dt.to_timestamp().dt.date)
    frame["Region"] = frame["Region"].replace("", "Unknown")
    return frame
