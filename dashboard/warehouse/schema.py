"""The one list of warehouse tables and columns, and the dimensions users filter on.

`sales_fact` is the canonical sales table with the dimension attributes the dashboard filters and
groups on copied in (region, category, season, ...), sorted by date so that DuckDB's zone maps skip
whole row groups for a date range. Rollups pre-aggregate it by month.
"""

from __future__ import annotations

from dataclasses import dataclass

CANONICAL_TABLES: dict[str, tuple[str, ...]] = {
    "sales": (
        "sale_id", "order_id", "date", "store_id", "product_id", "customer_id", "employee_id",
        "channel", "units", "unit_price", "discount", "revenue", "cost",
        "customer_gender", "customer_age_group",
        "festival",  # optional: overrides the calendar's festival (a file from one promotion)
        "profit",  # optional: a file's own profit (cost = revenue - profit if it lacks cost)
        # optional line attributes a flat export carries; each wins over the lookup tables
        "ship_date", "ship_mode", "customer_name", "segment", "country", "region", "state",
        "city", "postal_code", "product_name", "category", "subcategory", "returned",
    ),
    "products": (
        "product_id", "name", "category", "subcategory", "target_age_group", "brand",
        "unit_cost", "unit_price",
    ),
    "stores": (
        "store_id", "name", "city", "state", "region", "location_type", "latitude", "longitude",
        "open_date",
    ),
    "customers": ("customer_id", "gender", "age_group", "home_store_id", "city"),
    "employees": ("employee_id", "name", "store_id", "monthly_target"),
}

# Filterable dimensions of sales_fact: filter field -> column.
FILTER_COLUMNS: dict[str, str] = {
    "regions": "region",
    "seasons": "season",
    "festivals": "festival",
    "categories": "category",
    "subcategories": "subcategory",
    "products": "product_name",
    "age_groups": "age_group",
    "genders": "gender",
    "channels": "channel",
}

# Columns that hold one value for every line of an order (so order counts roll up exactly).
ORDER_LEVEL_COLUMNS = ("region", "season", "festival", "channel", "age_group", "gender")

# Every rollup keeps the date attributes users filter on; its grain adds `month` or `date`.
TIME_COLUMNS = ("month", "season", "festival")
PRODUCT_COLUMNS = ("product_name", "category", "subcategory")  # a toy has one of each


@dataclass(frozen=True)
class Rollup:
    """A pre-aggregated copy of sales_fact (or orders_fact) at a coarser grain.

    Queries take the smallest rollup whose dimensions cover what they filter, group and
    highlight on (queries/sources.py), so a chart of 8 regions reads hundreds of rows, not
    millions. `day` rollups answer the edge days of a range that cuts a month.
    """

    name: str
    source: str  # "sales" or "orders"
    dims: tuple[str, ...]
    grain: str  # "month" or "day"
    orders: bool = False  # also distinct orders and the last order date (order-level dims)

    @property
    def columns(self) -> tuple[str, ...]:
        grain = ("date",) if self.grain == "day" else ()
        return grain + TIME_COLUMNS + self.dims


def _family(name: str, source: str, dims: tuple[str, ...], day: bool,
            orders: bool = False) -> tuple[Rollup, ...]:
    month = Rollup(f"{name}_month", source, dims, "month", orders)
    return (month, Rollup(f"{name}_day", source, dims, "day")) if day else (month,)


_ALL = ("region", "category", "subcategory", "age_group", "gender", "channel")
ROLLUPS: tuple[Rollup, ...] = (
    *_family("r_all", "sales", _ALL, day=False),
    *_family("r_no_type", "sales", ("region", "category", "age_group", "gender", "channel"),
             day=True),
    *_family("r_type", "sales", ("region", "category", "subcategory"), day=True),
    *_family("r_category", "sales", ("region", "category"), day=True),
    *_family("r_people", "sales", ("region", "age_group", "gender", "channel"), day=True),
    *_family("r_toy", "sales", ("region", *PRODUCT_COLUMNS, "age_group", "gender", "channel"),
             day=False),
    *_family("r_toy_age", "sales", ("region", *PRODUCT_COLUMNS, "age_group"), day=False),
    *_family("r_toy_age_all_regions", "sales", (*PRODUCT_COLUMNS, "age_group"), day=False),
    # Drill-down by place (region > state > city > store) and category; a store has one city.
    *_family("r_geo", "sales", ("region", "state", "city", "store_id", "category"), day=True),
    # Team page: sales per employee (a store's employee: region from the sale's store).
    *_family("r_employee", "sales", ("region", "employee_id", "category", "channel"), day=False),
    # Customers page: one row per customer and month with its distinct orders (every column is
    # order-level, so orders add up across months), for cohorts, RFM and new/returning/loyal.
    # `customer_key` is a dense integer per customer id (table customer_keys; NULL for lines with
    # no customer id), so grouping by customer is an integer hash, not a string one; likewise
    # `segment_key` (table segment_keys, numbered in name order, so max(key) = max(name)).
    *_family("r_customer", "sales", ("region", "customer_key", "segment", "segment_key",
                                     "age_group", "gender", "channel"), day=False, orders=True),
    *_family("o_people", "orders", ("region", "age_group", "gender", "channel"), day=True),
    *_family("o_all", "orders", ("region", "age_group", "gender", "channel", "category_mask"),
             day=False),
    # Profit and loss page: margin by discount, and orders by ship mode, days to ship, weekday.
    *_family("r_discount", "sales", ("region", "category", "channel", "discount"), day=False),
    *_family("o_ship", "orders", ("region", "channel", "ship_mode", "ship_days", "weekday"),
             day=False),
)

# The Customers page's history: r_customer_month per customer and PARTITION (the filterable
# order-level columns) and month, with the partition's first month and the next month it ordered
# in. For any month boundary W, the rows `month < W AND (next_month IS NULL OR next_month >= W)`
# are one per partition that ordered before W, carrying its first month and its last order day
# before W: all "before the period" needs, without aggregating every older customer-month row.
# Exact for filters on PARTITION columns only (queries/customers.py falls back otherwise).
CUSTOMER_HISTORY = "r_customer_history"
CUSTOMER_HISTORY_PARTITION = ("customer_key", "region", "age_group", "gender", "channel")

# The Customers page's running totals (queries/customer_cumulative.py): per customer, segment
# key (0: no customer id, or no segment) and region, once over every region (`every_region`,
# region '') and once per region, for every month from the first it ordered in to the last month
# of data (`month_ix` = year*12+month-1): its revenue, orders and lines up to and including that
# month, its first month (`first_ix`), its last order day so far (`last_day`, days since 1970)
# and `mask`, bit i set if it ordered in month (meta customer_cumulative_origin) + i. Built only
# where the months fit a BIGINT's 63 bits; the meta key is absent otherwise.
# Beside it, the days of a month a range cuts: CUSTOMER_DAY, one row per customer, segment,
# region (and every region) and day with its revenue, lines and orders (exact where an order
# has one date: meta order_rollup_exact; the fact table answers otherwise).
CUSTOMER_CUMULATIVE = "r_customer_cumulative"
CUSTOMER_DAY = "r_customer_day"
# Read only on DuckDB (the server backends keep the GROUP BY), so not copied to a server.
DUCKDB_ONLY = (CUSTOMER_CUMULATIVE, CUSTOMER_DAY)
CUMULATIVE_MONTHS = 63

# Raw tables answer whatever no rollup covers.
FACT_TABLES = {"sales": "sales_fact", "orders": "orders_fact"}
FACT_DIMS = {
    "sales": (*_ALL, "product_name", "state", "city", "store_id"),
    "orders": ("region", "age_group", "gender", "channel", "category_mask", "ship_mode",
               "ship_days", "weekday", "store_id"),
}

# Line attributes of `sales` and where sales_fact looks them up when a line lacks its own:
# column -> (lookup table, its column, the sales key joining it).
LINE_LOOKUPS: dict[str, tuple[str, str, str]] = {
    "region": ("stores", "region", "store_id"),
    "state": ("stores", "state", "store_id"),
    "city": ("stores", "city", "store_id"),
    "product_name": ("products", "name", "product_id"),
    "category": ("products", "category", "product_id"),
    "subcategory": ("products", "subcategory", "product_id"),
}
LINE_ONLY = ("ship_mode", "segment", "country", "postal_code", "customer_name", "returned")

# Columns that may be missing in an imported source: value shown when they are.
UNKNOWN = "Unknown"
OPTIONAL_DIMENSIONS = ("age_group", "gender", "channel", "subcategory")
