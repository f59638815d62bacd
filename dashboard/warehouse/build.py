"""Build one complete warehouse version from canonical tables (Parquet files or DataFrames).

The build writes a new DuckDB file next to the served one and publishes it only when every table
and rollup is in place and the caller's `keep` step has stored the version's other files (see
store.py for the marker and the one switch), so a failed or killed build changes nothing users
see, and what it leaves is removed by the next load.
With DASHBOARD_WAREHOUSE_URL set, the finished file is then copied to that server and published
there the same way (warehouse/backends/).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import crashpoints
from dashboard.warehouse import backends, stock_demand, store
from dashboard.warehouse.calendar import build_calendar
from dashboard.warehouse.schema import (
    CANONICAL_TABLES,
    CUMULATIVE_MONTHS,
    CUSTOMER_CUMULATIVE,
    CUSTOMER_DAY,
    CUSTOMER_HISTORY,
    CUSTOMER_HISTORY_PARTITION,
    FACT_TABLES,
    FILTER_COLUMNS,
    LINE_LOOKUPS,
    LINE_ONLY,
    ROLLUPS,
    UNKNOWN,
    Rollup,
)

# The sales lines with their customer's integer key (the customer rollup is built from these).
CUSTOMER_LINES = ("(SELECT f.*, k.customer_key, sk.segment_key FROM sales_fact f "
                  "LEFT JOIN customer_keys k ON k.customer_id = f.customer_id "
                  "LEFT JOIN segment_keys sk ON sk.segment = f.segment)")
# Bits in a BIGINT category mask (bit 63 is the sign bit, left alone).
MAX_MASK_CATEGORIES = 62


@dataclass(frozen=True)
class BuildResult:
    version: int
    rows: int
    seconds: float
    path: Path
    abandoned: list[dict] = field(default_factory=list)  # killed loads' versions removed


def parquet_sources(folder: Path) -> dict[str, str]:
    """Canonical tables written as Parquet (as `dashboard generate` does): table -> glob."""
    sources = {t: str(folder / f"{t}.parquet") for t in CANONICAL_TABLES if t != "sales"}
    sources["sales"] = str(folder / "sales" / "*.parquet")
    if (folder / "inventory.parquet").exists():  # stock snapshot (sample_inventory, imports)
        sources["inventory"] = str(folder / "inventory.parquet")
    return sources


INVENTORY = {"as_of": "DATE", "store_id": "VARCHAR", "product_id": "VARCHAR",
             "stock_on_hand": "DOUBLE", "batch": "VARCHAR", "expiry": "DATE"}


def _create_inventory(con: duckdb.DuckDBPyConnection, source: object) -> int:
    """Stock on hand per store, product (and batch) from a snapshot; ids as text, a missing
    snapshot date is the last sales day. An empty table when the source has no snapshot."""
    typed = ", ".join(f"{c} {t}" for c, t in INVENTORY.items())
    con.execute(f"CREATE TABLE inventory ({typed})")
    if source is None:
        return 0
    if isinstance(source, pd.DataFrame):
        con.register("_inv", source)
    else:
        con.read_parquet(source).create_view("_inv")
    have = {d[0] for d in con.execute("SELECT * FROM _inv LIMIT 0").description}
    last = "(SELECT max(date) FROM sales_fact)"
    parts = []
    for column, kind in INVENTORY.items():
        value = f"CAST({column} AS {kind})" if column in have else f"NULL::{kind}"
        if column == "as_of":
            value = f"coalesce({value}, {last})"
        if column == "batch":
            value = f"coalesce({value}, '')"
        if column in ("store_id", "product_id"):  # 1.0 from a float column is store 1
            value = (f"regexp_replace(trim(CAST({column} AS VARCHAR)), '\\.0+$', '')"
                     if column in have else value)
        parts.append(value)
    con.execute(f"INSERT INTO inventory SELECT {', '.join(parts)} FROM _inv "
                "WHERE store_id IS NOT NULL AND product_id IS NOT NULL")
    return con.execute("SELECT count(*) FROM inventory").fetchall()[0][0]


def _create_dimensions(con: duckdb.DuckDBPyConnection, sources: dict[str, object]) -> None:
    for table in ("products", "stores", "customers", "employees"):
        source = sources.get(table)
        columns = ", ".join(CANONICAL_TABLES[table])
        if source is None:
            typed = ", ".join(f"{c} VARCHAR" for c in CANONICAL_TABLES[table])
            con.execute(f"CREATE TABLE {table} ({typed})")
        elif isinstance(source, pd.DataFrame):
            con.register("_src", source)
            con.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM _src")
            con.unregister("_src")
        else:
            con.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM read_parquet(?)", [source])


def _create_sales_fact(con: duckdb.DuckDBPyConnection, sales_source: object) -> None:
    if isinstance(sales_source, pd.DataFrame):
        con.register("sales_src", sales_source)
    else:
        con.read_parquet(sales_source).create_view("sales_src")
    lo, hi = con.execute("SELECT min(date)::DATE, max(date)::DATE FROM sales_src").fetchall()[0]
    if lo is None:
        raise ValueError("the sales table has no rows")
    con.register("_calendar", build_calendar(lo, hi))
    con.execute("CREATE TABLE calendar AS SELECT * FROM _calendar ORDER BY date")
    columns = {d[0] for d in con.execute("SELECT * FROM sales_src LIMIT 0").description}
    # A source may name the festival of its rows (a file from one promotion); else the calendar.
    festival = ("coalesce(nullif(nullif(trim(s.festival::VARCHAR), ''), 'Unknown'), c.festival)"
                if "festival" in columns else "c.festival")
    line = {name: _line_attribute(columns, name) for name in (*LINE_LOOKUPS, *LINE_ONLY)}
    profit = ("coalesce(s.profit, s.revenue - s.cost)" if "profit" in columns
              else "s.revenue - s.cost")
    ship_date = "s.ship_date::DATE" if "ship_date" in columns else "NULL::DATE"
    con.execute(
        f"""
        CREATE TABLE sales_fact AS
        SELECT s.sale_id, s.order_id, s.date::DATE AS date, c.month, c.season,
               {festival} AS festival,
               s.store_id, {line["region"]} AS region, {line["state"]} AS state,
               {line["city"]} AS city, {line["country"]} AS country,
               {line["postal_code"]} AS postal_code,
               s.product_id, {line["product_name"]} AS product_name,
               {line["category"]} AS category, {line["subcategory"]} AS subcategory,
               s.customer_id, {line["customer_name"]} AS customer_name,
               {line["segment"]} AS segment, s.employee_id,
               coalesce(s.channel, 'Unknown') AS channel,
               s.units, s.unit_price, s.discount, s.revenue, s.cost, {profit} AS profit,
               {ship_date} AS ship_date, {line["ship_mode"]} AS ship_mode,
               {line["returned"]} AS returned,
               coalesce(s.customer_age_group, 'Unknown') AS age_group,
               coalesce(s.customer_gender, 'Unknown') AS gender
        FROM sales_src s
        JOIN calendar c ON c.date = s.date::DATE
        LEFT JOIN products p ON p.product_id = s.product_id
        LEFT JOIN stores st ON st.store_id = s.store_id
        ORDER BY s.date, s.order_id
        """
    )
    con.execute(
        """
        CREATE VIEW sales AS
        SELECT sale_id, order_id, date, store_id, product_id, customer_id, employee_id, channel,
               units, unit_price, discount, revenue, cost,
               gender AS customer_gender, age_group AS customer_age_group, festival, profit,
               ship_date, ship_mode, customer_name, segment, country, region, state, city,
               postal_code, product_name, category, subcategory, returned
        FROM sales_fact
        """
    )


def _line_attribute(columns: set[str], name: str) -> str:
    """SQL for one line attribute: the line's own value, else the lookup table's, else Unknown.

    Names come from the schema (never from a file), so they are safe to place in the SQL.
    """
    parts = []
    if name in columns:
        parts.append(f"nullif(nullif(trim(s.{name}::VARCHAR), ''), 'Unknown')")
    if name in LINE_LOOKUPS:
        table, column, _ = LINE_LOOKUPS[name]
        parts.append(f"{'st' if table == 'stores' else 'p'}.{column}")
    return f"coalesce({', '.join([*parts, repr(UNKNOWN)])})"


def _create_orders(con: duckdb.DuckDBPyConnection) -> None:
    """One row per order with the sets of its categories and toy types as bit masks, so that
    "orders that contain any of these categories" is exact and can be summed from a rollup, and
    "...any of these toy types" is a count over orders rather than a distinct count over lines.
    An order's ship mode and days to ship are its lines' (if they differ: the greatest), and its
    weekday (ISO, Monday 1) that of its date, for the shipping part of the profit page."""
    con.execute(
        """
        CREATE TABLE categories AS
        SELECT category, (row_number() OVER (ORDER BY category) - 1)::INTEGER AS idx
        FROM (SELECT DISTINCT category FROM sales_fact)
        """
    )
    con.execute(
        """
        CREATE TABLE toy_types AS
        SELECT category, subcategory,
               (row_number() OVER (ORDER BY category, subcategory) - 1)::INTEGER AS idx
        FROM (SELECT DISTINCT category, subcategory FROM sales_fact)
        """
    )
    n_categories = con.execute("SELECT count(*) FROM categories").fetchall()[0][0]
    n_types = con.execute("SELECT count(*) FROM toy_types").fetchall()[0][0]
    mask = "bit_or(1::BIGINT << k.idx)" if n_categories <= MAX_MASK_CATEGORIES else "NULL"
    type_mask = "bit_or(1::BIGINT << t.idx)" if n_types <= MAX_MASK_CATEGORIES else "NULL"
    con.execute(
        f"""
        CREATE TABLE orders_fact AS
        SELECT f.order_id, f.date, f.month, f.season, f.festival, f.region, f.store_id,
               f.channel, f.age_group, f.gender, {mask}::BIGINT AS category_mask,
               {type_mask}::BIGINT AS toy_type_mask, max(f.ship_mode) AS ship_mode,
               max(date_diff('day', f.date, f.ship_date))::INTEGER AS ship_days,
               isodow(f.date)::INTEGER AS weekday
        FROM sales_fact f JOIN categories k USING (category)
             JOIN toy_types t USING (category, subcategory)
        GROUP BY f.order_id, f.date, f.month, f.season, f.festival, f.region, f.store_id,
                 f.channel, f.age_group, f.gender, isodow(f.date)
        ORDER BY f.date
        """
    )


def _rollup_source(rollup: Rollup, built: dict[Rollup, int]) -> tuple[str, bool]:
    """Build from the smallest finished rollup that covers this one (else the fact table)."""
    if rollup.orders:  # distinct orders are counted from the lines themselves
        return CUSTOMER_LINES, False
    covering = [(rows, other.name) for other, rows in built.items()
                if other.source == rollup.source and other.grain == rollup.grain
                and set(rollup.dims) <= set(other.dims)]
    if covering:
        return min(covering)[1], True
    return FACT_TABLES[rollup.source], False


def _create_customer_keys(con: duckdb.DuckDBPyConnection) -> None:
    """A dense integer per customer id; none for lines with no id (NULL, or Unknown where an
    import found the cell empty), which the Customers page counts as walk-ins."""
    con.execute(
        "CREATE TABLE customer_keys AS SELECT customer_id, "
        "(row_number() OVER (ORDER BY customer_id))::INTEGER AS customer_key "
        "FROM (SELECT DISTINCT customer_id FROM sales_fact WHERE customer_id IS NOT NULL "
        "AND CAST(customer_id AS VARCHAR) <> ?)", [UNKNOWN])
    con.execute(
        "CREATE TABLE segment_keys AS SELECT segment, "
        "(row_number() OVER (ORDER BY segment))::SMALLINT AS segment_key "
        "FROM (SELECT DISTINCT segment FROM sales_fact WHERE segment IS NOT NULL)")


def _create_customer_history(con: duckdb.DuckDBPyConnection) -> None:
    """schema.CUSTOMER_HISTORY from r_customer_month (see there), sorted by month so a query
    for the months before W skips the rest."""
    part = ", ".join(CUSTOMER_HISTORY_PARTITION)
    con.execute(
        f"""
        CREATE TABLE {CUSTOMER_HISTORY} AS
        SELECT {part}, month, last_date,
               min(month) OVER w AS first_month, lead(month) OVER w AS next_month
        FROM (SELECT {part}, month, max(last_date) AS last_date FROM r_customer_month
              GROUP BY ALL)
        WINDOW w AS (PARTITION BY {part} ORDER BY month)
        ORDER BY month
        """
    )


def _create_customer_cumulative(con: duckdb.DuckDBPyConnection) -> int | None:
    """schema.CUSTOMER_CUMULATIVE from r_customer_month and CUSTOMER_DAY from the lines;
    returns the month index of the masks' bit 0, or None (neither built) when the data spans
    more months than a mask holds."""
    first, last = con.execute(
        "SELECT min(year(month) * 12 + month(month) - 1), "
        "max(year(month) * 12 + month(month) - 1) FROM r_customer_month").fetchall()[0]
    if first is None or last - first >= CUMULATIVE_MONTHS:
        return None
    con.execute(
        f"""
        CREATE TABLE {CUSTOMER_CUMULATIVE} AS
        WITH by_region AS (
            SELECT coalesce(customer_key, 0) AS customer_key,
                   coalesce(segment_key, 0) AS segment_key, coalesce(region, '') AS region,
                   CAST(year(month) * 12 + month(month) - 1 AS INTEGER) AS month_ix,
                   sum(revenue) AS revenue, sum(orders)::BIGINT AS orders,
                   sum(lines)::BIGINT AS lines, max(last_date) AS last_date
            FROM r_customer_month GROUP BY ALL),
        monthly AS (
            SELECT true AS every_region, '' AS region, customer_key, segment_key, month_ix,
                   sum(revenue) AS revenue, sum(orders)::BIGINT AS orders,
                   sum(lines)::BIGINT AS lines, max(last_date) AS last_date
            FROM by_region GROUP BY customer_key, segment_key, month_ix
            UNION ALL
            SELECT false, region, customer_key, segment_key, month_ix, revenue, orders, lines,
                   last_date FROM by_region),
        running AS (
            SELECT every_region, region, customer_key, segment_key, month_ix,
                   CAST(last_date - DATE '1970-01-01' AS INTEGER) AS last_day,
                   sum(revenue) OVER w AS revenue,
                   CAST(sum(orders) OVER w AS BIGINT) AS orders,
                   CAST(sum(lines) OVER w AS BIGINT) AS lines,
                   bit_or(CAST(1 AS BIGINT) << CAST(month_ix - ? AS INTEGER)) OVER w AS mask
            FROM monthly
            WINDOW w AS (PARTITION BY every_region, region, customer_key, segment_key
                         ORDER BY month_ix ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
        every_month AS (
            SELECT every_region, region, customer_key, segment_key, first_ix,
                   CAST(unnest(range(first_ix, ? + 1)) AS INTEGER) AS month_ix
            FROM (SELECT every_region, region, customer_key, segment_key,
                         min(month_ix) AS first_ix FROM monthly GROUP BY ALL))
        SELECT e.every_region, e.region, e.customer_key, e.segment_key, e.month_ix, r.revenue,
               r.orders, r.lines, e.first_ix, r.last_day, r.mask
        FROM every_month e ASOF JOIN running r
             ON e.every_region = r.every_region AND e.region = r.region
            AND e.customer_key = r.customer_key AND e.segment_key = r.segment_key
            AND e.month_ix >= r.month_ix
        ORDER BY e.month_ix, e.every_region, e.region
        """, [first, last])
    con.execute(
        f"""
        CREATE TABLE {CUSTOMER_DAY} AS
        WITH by_region AS (
            SELECT coalesce(customer_key, 0) AS customer_key,
                   coalesce(segment_key, 0) AS segment_key, coalesce(region, '') AS region,
                   date, sum(revenue) AS revenue, count(*)::BIGINT AS lines,
                   count(DISTINCT order_id)::BIGINT AS orders
            FROM {CUSTOMER_LINES} AS sold GROUP BY ALL)
        SELECT every_region, region, customer_key, segment_key, date,
               CAST(year(date) * 12 + month(date) - 1 AS INTEGER) AS month_ix,
               CAST(date - DATE '1970-01-01' AS INTEGER) AS day, revenue, lines, orders
        FROM (SELECT true AS every_region, '' AS region, customer_key, segment_key, date,
                     sum(revenue) AS revenue, sum(lines)::BIGINT AS lines,
                     sum(orders)::BIGINT AS orders
              FROM by_region GROUP BY customer_key, segment_key, date
              UNION ALL
              SELECT false, region, customer_key, segment_key, date, revenue, lines, orders
              FROM by_region)
        ORDER BY date, every_region, region
        """)
    return int(first)


def _create_rollups(con: duckdb.DuckDBPyConnection) -> int | None:
    """Every rollup; returns the Customers running totals' mask origin (or None)."""
    _create_customer_keys(con)
    con.execute(
        "CREATE TABLE rollups (name VARCHAR, source VARCHAR, grain VARCHAR, dims VARCHAR[], "
        "row_count BIGINT)"
    )
    built: dict[Rollup, int] = {}
    for rollup in ROLLUPS:
        table, from_rollup = _rollup_source(rollup, built)
        if rollup.source == "sales":
            measures = ("sum(revenue) AS revenue, sum(units)::BIGINT AS units, "
                        "sum(cost) AS cost, " + ("sum(lines)" if from_rollup else "count(*)")
                        + "::BIGINT AS lines")
            if rollup.orders:
                measures += (", count(DISTINCT order_id)::BIGINT AS orders, "
                             "max(date) AS last_date")
        else:
            measures = ("sum(orders)" if from_rollup else "count(*)") + "::BIGINT AS orders"
        columns = ", ".join(rollup.columns)
        order = "date" if rollup.grain == "day" else "month"
        con.execute(
            f"CREATE TABLE {rollup.name} AS SELECT {columns}, {measures} FROM {table} "
            f"GROUP BY ALL ORDER BY {order}"
        )
        rows = con.execute(f"SELECT count(*) FROM {rollup.name}").fetchall()[0][0]
        con.execute("INSERT INTO rollups VALUES (?, ?, ?, ?, ?)",
                    [rollup.name, rollup.source, rollup.grain, list(rollup.dims), rows])
        built[rollup] = rows
    _create_customer_history(con)
    return _create_customer_cumulative(con)


def _create_members(con: duckdb.DuckDBPyConnection) -> None:
    """Which members each filter offers, per region, so the filter bar of a user limited to
    some regions lists only what exists there (a tiny table, read on every page load)."""
    parts = [
        f"SELECT DISTINCT region, ? AS field, {column}::VARCHAR AS member FROM sales_fact"
        for column in FILTER_COLUMNS.values()
    ]
    con.execute(f"CREATE TABLE members AS {' UNION ALL '.join(parts)} ORDER BY field, member",
                list(FILTER_COLUMNS))


def order_rollup_exact(con: duckdb.DuckDBPyConnection) -> bool:
    """Order rollups are exact only if every order has one date, region, channel, customer...

    and the category mask fits; otherwise queries count distinct orders in the raw rows.
    """
    one_row_per_order, masked = con.execute(
        "SELECT count(*) = count(DISTINCT order_id), count(category_mask) = count(*) "
        "FROM orders_fact"
    ).fetchall()[0]
    return bool(one_row_per_order and masked)


def toy_type_masks(con: duckdb.DuckDBPyConnection) -> bool:
    """Every order has a toy-type mask (at most 62 category/toy-type pairs)."""
    return bool(con.execute(
        "SELECT count(toy_type_mask) = count(*) FROM orders_fact").fetchall()[0][0])


def _write_meta(con: duckdb.DuckDBPyConnection, info: dict, unavailable: tuple[str, ...]) -> None:
    rows = con.execute("SELECT count(*), min(date), max(date) FROM sales_fact").fetchall()[0]
    meta = {
        "order_rollup_exact": order_rollup_exact(con),
        "toy_type_masks": toy_type_masks(con),
        # The Customers page's fast path (segment_keys, r_customer_history) is there.
        "customer_segments": [r[0] for r in con.execute(
            "SELECT segment FROM segment_keys ORDER BY segment_key").fetchall()],
        **info,
        "rows": rows[0],
        "min_date": rows[1].isoformat(),
        "max_date": rows[2].isoformat(),
        "unavailable": list(unavailable),
        "currency": str(info.get("currency") or "USD"),  # ISO code of every amount
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
    )


def build_version(
    root: Path,
    sources: dict[str, object],
    info: dict | None = None,
    unavailable: tuple[str, ...] = (),
    memory_limit: str = "8GB",
    keep: Callable[[int, int], None] | None = None,
    note: dict | None = None,
    on_abandoned: Callable[[list[dict]], None] | None = None,
) -> BuildResult:
    """Build and publish a new version from canonical `sources` (table -> Parquet glob or frame).

    `unavailable` names dimensions the source lacks (e.g. age_group), so pages can say why they
    hide a chart. `keep(version, rows)` runs after the build and before the switch, to store the
    version's own files durably; if it raises, nothing is published. `note` goes into the
    version's marker, and `on_abandoned` gets the notes of killed loads this one cleaned up.
    Raises LoadInProgressError if another load is running.
    """
    started = time.perf_counter()
    with store.load_lock(root):
        abandoned = store.recover(root)
        if abandoned and on_abandoned is not None:
            on_abandoned(abandoned)
        version, building = store.new_version_path(root, note)
        try:
            rows = _build(building, sources, {"version": version, **(info or {})}, unavailable,
                          memory_limit)
            if keep is not None:
                keep(version, rows)
            crashpoints.reached("publishing")
        except BaseException:
            gone = store.recover(root)  # this version's files and marker go; CURRENT stays
            if on_abandoned is not None:
                with contextlib.suppress(Exception):  # never hide why the build failed
                    on_abandoned(gone)
            raise
        store.publish(root, version, building)
        # A server warehouse (DASHBOARD_WAREHOUSE_URL) gets a copy of the finished build.
        backends.publish(store.version_file(root, version))
    _forecast_ahead(root)
    elapsed = time.perf_counter() - started
    return BuildResult(version, rows, elapsed, store.version_file(root, version), abandoned)


def _forecast_ahead(root: Path) -> None:
    """Start fitting the Forecast page's default views (forecast/ahead.py); a load never fails
    for want of them."""
    from dashboard.forecast import ahead
    from dashboard.inventory import ahead as inventory_ahead

    with contextlib.suppress(OSError):
        ahead.after_load(root)
    with contextlib.suppress(OSError):
        inventory_ahead.after_load(root)  # the stock plan's store forecast


def _build(building: Path, sources: dict[str, object], info: dict,
           unavailable: tuple[str, ...], memory_limit: str) -> int:
    """Every table, rollup and the meta of one version into `building`; returns the sales rows."""
    con = duckdb.connect(str(building), config={"memory_limit": memory_limit})
    try:
        con.execute("SET temp_directory = ?", [str(building) + ".tmp"])
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        _create_dimensions(con, sources)
        _create_sales_fact(con, sources["sales"])
        crashpoints.reached("building")
        _create_orders(con)
        mask_origin = _create_rollups(con)
        _create_members(con)
        inventory_rows = _create_inventory(con, sources.get("inventory"))
        extra = {} if mask_origin is None else {"customer_cumulative_origin": mask_origin}
        _write_meta(con, {**info, **extra, "inventory_rows": inventory_rows,
                          "stock_demand_rows": stock_demand.create(con)}, unavailable)
        rows = con.execute("SELECT count(*) FROM sales_fact").fetchall()[0][0]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return rows
