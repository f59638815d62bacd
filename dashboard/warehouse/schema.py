"""The one list of warehouse tables and columns, and the dimensions users filter on.

`sales_fact` is the canonical sales table with the dimension attributes the dashboard filters and
groups on copied in (region, category, season, ...), sorted by date so that DuckDB's zone maps skip
whole row groups for a date range. Rollups pre-aggregate it by month.
"""

from __future__ import annotations

CANONICAL_TABLES: dict[str, tuple[str, ...]] = {
    "sales": (
        "sale_id", "order_id", "date", "store_id", "product_id", "customer_id", "employee_id",
        "channel", "units", "unit_price", "discount", "revenue", "cost",
        "customer_gender", "customer_age_group",
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

# Columns of the monthly rollups; the product rollup adds product_name.
ROLLUP_DIMENSIONS = (
    "month", "season", "festival", "region", "category", "subcategory",
    "age_group", "gender", "channel",
)
MEASURES = ("revenue", "units", "cost", "lines")

# Columns that may be missing in an imported source: value shown when they are.
UNKNOWN = "Unknown"
OPTIONAL_DIMENSIONS = ("age_group", "gender", "channel", "subcategory")
