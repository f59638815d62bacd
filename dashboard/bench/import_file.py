"""A large flat sales export for the import benchmark, written fast (numpy, in chunks).

The rows have the shape of tests/flat_export.py (Superstore-like order lines: dates M/D/YYYY,
amounts as "€1,234.56", a few empty Region cells and exact duplicate lines), but are built a
column at a time so 10M lines (about 1 GB) take seconds per million instead of minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

HEADER = ["Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name",
          "Segment", "Country", "Region", "State", "City", "Postal Code", "Product ID",
          "Category", "Sub-Category", "Product Name", "Sales", "Quantity", "Discount", "Profit"]
GEO = [("West", "California", "Los Angeles", "90036"), ("West", "Washington", "Seattle", "98103"),
       ("East", "New York", "New York City", "10024"),
       ("East", "Massachusetts", "Boston", "02134"), ("Central", "Texas", "Houston", "77095"),
       ("Central", "Illinois", "Chicago", "60610"), ("South", "Florida", "Miami", "33142"),
       ("South", "Georgia", "Atlanta", "30318")]
PRODUCTS = [("TOY-1001", "Plush", "Bears", "Cuddly Bear"),
            ("TOY-1002", "Plush", "Bunnies", "Soft Bunny"),
            ("TOY-2001", "Building Sets", "Bricks", "Brick Tower 500"),
            ("TOY-2002", "Building Sets", "Magnets", "Magnet Tiles"),
            ("TOY-3001", "Games", "Board Games", "Castle Quest"),
            ("TOY-3002", "Games", "Puzzles", "Puzzle 1000"),
            ("TOY-4001", "Art & Crafts", "Paints", "Finger Paints"),
            ("TOY-4002", "Art & Crafts", "Crayons", "Crayons 64")]
SEGMENTS = ["Consumer", "Corporate", "Home Office"]
SHIP_MODES = ["Standard Class", "Second Class", "First Class", "Same Day"]
CUSTOMERS = 5000
DAYS = 540
CHUNK = 200_000
DUPLICATE_SHARE = 1e-4  # exact copies of the line before
EMPTY_REGION_SHARE = 1e-5


def _dates() -> np.ndarray:
    days = pd.date_range("2024-01-01", periods=DAYS + 6, freq="D")
    return np.array([f"{d.month}/{d.day}/{d.year}" for d in days], dtype=object)


def _chunk(rng: np.random.Generator, n: int, first_order: int,
           dates: np.ndarray) -> tuple[str, int]:
    order = first_order + np.cumsum(rng.random(n) < 0.5)  # about two lines per order
    day = rng.integers(0, DAYS, n)
    ship = day + rng.integers(0, 6, n)
    geo = rng.integers(0, len(GEO), n)
    customer = rng.integers(0, CUSTOMERS, n)
    product = rng.integers(0, len(PRODUCTS), n)
    quantity = rng.integers(1, 8, n)
    discount = rng.choice([0, 0, 0.1, 0.2, 0.45], n)
    sales = np.round(quantity * rng.uniform(2, 400, n) * (1 - discount), 2)
    profit = np.round(sales * rng.uniform(-0.3, 0.4, n), 4)

    def pick(values, index, column=0):
        return np.array([v[column] if isinstance(v, tuple) else v for v in values],
                        dtype=object)[index]

    region = pick(GEO, geo, 0)
    region[rng.random(n) < EMPTY_REGION_SHARE] = ""
    columns = [
        np.char.add("US-", order.astype(str)).astype(object), dates[day], dates[ship],
        pick(SHIP_MODES, rng.integers(0, 4, n)), np.char.add("CU-", customer.astype(str)),
        np.char.add("Customer ", customer.astype(str)), pick(SEGMENTS, customer % 3),
        np.full(n, "United States", dtype=object), region, pick(GEO, geo, 1),
        pick(GEO, geo, 2), pick(GEO, geo, 3), pick(PRODUCTS, product, 0),
        pick(PRODUCTS, product, 1), pick(PRODUCTS, product, 2), pick(PRODUCTS, product, 3),
        np.array([_quote(f"€{s:,.2f}") for s in sales.tolist()], dtype=object),
        quantity.astype(str), np.array([f"{d:g}" for d in discount.tolist()], dtype=object),
        np.array([f"{p:.4f}" for p in profit.tolist()], dtype=object),
    ]
    copy = np.flatnonzero(rng.random(n) < DUPLICATE_SHARE)
    copy = copy[copy > 0]
    arrays = []
    for values in columns:
        values = np.asarray(values, dtype=object)
        values[copy] = values[copy - 1]
        arrays.append(pa.array(values, type=pa.string()))
    lines = pc.binary_join_element_wise(*arrays, ",")
    return "\n".join(lines.to_pylist()) + "\n", int(order[-1]) + 1


def _quote(value: str) -> str:
    return f'"{value}"' if "," in value else value


def write_import_file(path: Path, rows: int, seed: int = 7) -> Path:
    """Write `rows` flat sales lines (plus the header) to `path`, a chunk at a time."""
    rng = np.random.default_rng(seed)
    dates = _dates()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write((",".join(HEADER) + "\n").encode())
        order, done = 100000, 0
        while done < rows:
            n = min(CHUNK, rows - done)
            text, order = _chunk(rng, n, order, dates)
            handle.write(text.encode())
            done += n
    return path


if __name__ == "__main__":  # python -m dashboard.bench.import_file PATH ROWS
    write_import_file(Path(sys.argv[1]), int(sys.argv[2]))
