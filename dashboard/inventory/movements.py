"""Stock movements recorded in the app: receive, count adjustment, transfer and write-off.

Each is checked first (a clear message naming the field, nothing stored), then written in one
transaction that locks the item's `stock_items` row, re-reads its stock, checks it again
(a write-off above stock, a count) and inserts the movement with its audit entry. So two people
adjusting the same item at once both land, and a check never reads a stale stock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.auth import audit, db
from dashboard.inventory.tables import stock_items, stock_movements
from dashboard.queries.filters import Scope

MAX_QTY = 1_000_000
WRITE_OFF_REASONS = ("expired", "damaged")
BATCH = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class StockError(ValueError):
    """A movement that cannot be recorded; the message says what and where, `code` names the
    fixed notice the page shows (a link can pick a notice, never write one)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Place:
    """What the checks need from the warehouse: the stores the user may change, every store,
    the products, the snapshot's stock per item and batch, and its date."""

    my_stores: frozenset[str]
    all_stores: frozenset[str]
    products: frozenset[str]
    snapshot: dict[tuple[str, str], float]  # (store, product) -> units on hand
    batches: dict[tuple[str, str, str], float]  # (store, product, batch) -> units
    as_of: dt.date | None


def place_for(warehouse, scope: Scope) -> Place:
    from dashboard.inventory import snapshot

    snap = snapshot.read(warehouse, scope)
    with warehouse.cursor() as cur:
        every = {r[0] for r in cur.execute(
            "SELECT CAST(store_id AS VARCHAR) FROM stores").fetchall()}
    stock = snap.stock
    items = stock.groupby(["store_id", "product_id"])["stock_on_hand"].sum().to_dict()
    dated = stock[stock["batch"].fillna("") != ""]
    batches = dated.groupby(["store_id", "product_id", "batch"])["stock_on_hand"].sum().to_dict()
    return Place(frozenset(snap.stores["store_id"]), frozenset(every),
                 frozenset(snap.products["product_id"]), items, batches, snap.as_of)


def parse_qty(text, field: str = "quantity", allow_zero: bool = False) -> int:
    raw = str(text if text is not None else "").strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise StockError("qty-format", f"{field}: {raw[:20]!r} is not a whole number")
    value = int(raw)
    if value < 0 or (value == 0 and not allow_zero):
        least = "0 or more" if allow_zero else "above 0"
        raise StockError("qty-range", f"{field}: must be {least} (got {value})")
    if value > MAX_QTY:
        raise StockError("qty-range", f"{field}: {value:,} is more than {MAX_QTY:,}")
    return value


def parse_day(text, today: dt.date, as_of: dt.date | None, field: str = "date") -> dt.date:
    raw = str(text or "").strip()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise StockError("date-format", f"{field}: {raw[:20]!r} is not a date "
                         "(write it as YYYY-MM-DD)") from exc
    if day > today:
        raise StockError("date-future", f"{field}: {day} is in the future (today is {today})")
    if as_of is not None and day < as_of:
        raise StockError("date-before", f"{field}: {day} is before the stock snapshot of {as_of}, "
                         "which already counts it")
    return day


def parse_expiry(text) -> dt.date | None:
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise StockError("expiry-format", f"expiry: {raw[:20]!r} is not a date "
                         "(write it as YYYY-MM-DD)") from exc


def _store(place: Place, store, field: str = "store") -> str:
    store = str(store or "").strip()
    if store not in place.my_stores:
        raise StockError("store", f"{field}: no store {store[:64]!r} among your stores")
    return store


def _product(place: Place, product) -> str:
    product = str(product or "").strip()
    if product not in place.products:
        raise StockError("product", f"product: no product {product[:64]!r} in the data")
    return product


def _batch(text) -> str:
    raw = str(text or "").strip()
    if raw and not BATCH.match(raw):
        raise StockError("batch", "batch: 1-64 letters, digits, '.', '_' or '-'")
    return raw


def _lock(conn, store: str, product: str) -> None:
    """Take the item's row lock (its row made on first use); concurrent writers of the item
    wait here until this transaction ends (SQLite: BEGIN IMMEDIATE already serialises)."""
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)
    conn.execute(insert(stock_items).values(store_id=store, product_id=product, revision=0)
                 .on_conflict_do_nothing())
    conn.execute(sa.update(stock_items).where(
        stock_items.c.store_id == store, stock_items.c.product_id == product)
        .values(revision=stock_items.c.revision + 1))


def _moved(conn, store: str, product: str, as_of: dt.date | None, batch: str | None = None):
    query = sa.select(sa.func.coalesce(sa.func.sum(stock_movements.c.qty), 0)).where(
        stock_movements.c.store_id == store, stock_movements.c.product_id == product)
    if as_of is not None:
        query = query.where(stock_movements.c.day >= as_of)
    if batch is not None:
        query = query.where(stock_movements.c.batch == batch)
    return conn.execute(query).scalar_one()


def on_hand(conn, place: Place, store: str, product: str) -> float:
    return place.snapshot.get((store, product), 0) + _moved(conn, store, product, place.as_of)


def _insert(conn, actor: str, day: dt.date, kind: str, store: str, product: str, qty: int,
            **extra) -> int:
    return conn.execute(sa.insert(stock_movements).values(
        recorded_at=db.now(), day=day, kind=kind, store_id=store, product_id=product, qty=qty,
        actor=actor, batch=extra.get("batch", ""), expiry=extra.get("expiry"),
        reason=extra.get("reason", ""), other_store=extra.get("other_store", ""),
        note=str(extra.get("note", ""))[:200])).inserted_primary_key[0]


@dataclass(frozen=True)
class Recorded:
    id: int
    kind: str
    store: str
    product: str
    qty: int
    on_hand: float  # the item's stock after the movement


def record(database: db.AppDB, place: Place, actor: str, kind: str, form: dict,
           today: dt.date | None = None, address: str | None = None) -> Recorded:
    """Check and record one movement from a form or the command line (all values as text)."""
    today = today or dt.date.today()
    if kind not in ("receive", "adjust", "transfer", "write_off"):
        raise StockError("kind", f"kind: {kind!r} is not receive, adjust, transfer or write_off")
    store = _store(place, form.get("store"))
    product = _product(place, form.get("product"))
    day = parse_day(form.get("date"), today, place.as_of)
    batch = _batch(form.get("batch"))
    if kind == "adjust":
        counted = parse_qty(form.get("qty"), "counted quantity", allow_zero=True)
    else:
        qty = parse_qty(form.get("qty"))
    expiry = parse_expiry(form.get("expiry")) if kind == "receive" else None
    reason = str(form.get("reason") or "").strip()
    if kind == "write_off" and reason not in WRITE_OFF_REASONS:
        raise StockError("reason", f"reason: a write-off is {' or '.join(WRITE_OFF_REASONS)}")
    target = ""
    if kind == "transfer":
        target = str(form.get("to_store") or "").strip()
        if target not in place.all_stores:
            raise StockError("to-store", f"to store: no store {target[:64]!r} in the data")
        if target == store:
            raise StockError("same-store", "to store: a transfer needs two different stores")
    with database.begin_write() as conn:
        for one in sorted({store, target if kind == "transfer" else store}):
            _lock(conn, one, product)  # both ends of a transfer, always in the same order
        stock = on_hand(conn, place, store, product)
        if kind == "receive":
            moved = qty
            mid = _insert(conn, actor, day, "receive", store, product, qty, batch=batch,
                          expiry=expiry)
            detail = f"+{qty}" + (f" batch {batch}" if batch else "")
        elif kind == "adjust":
            moved = int(round(counted - stock))
            mid = _insert(conn, actor, day, "adjust", store, product, moved, reason="count",
                          note=f"counted {counted}")
            detail = f"counted {counted} (was {stock:g}, {moved:+d})"
        else:
            if qty > stock:
                raise StockError("above-stock",
                                 f"quantity: {qty:,} is more than the {stock:,.0f} in stock")
            if kind == "write_off" and batch:
                left = place.batches.get((store, product, batch), 0) + _moved(
                    conn, store, product, place.as_of, batch)
                if qty > left:
                    raise StockError("above-batch", f"quantity: {qty:,} is more than the "
                                     f"{left:,.0f} left in batch {batch}")
            moved = -qty
            if kind == "write_off":
                mid = _insert(conn, actor, day, "write_off", store, product, -qty, batch=batch,
                              reason=reason)
                detail = f"-{qty} {reason}" + (f" batch {batch}" if batch else "")
            else:
                mid = _insert(conn, actor, day, "transfer_out", store, product, -qty,
                              other_store=target, batch=batch)
                _insert(conn, actor, day, "transfer_in", target, product, qty,
                        other_store=store, batch=batch)
                detail = f"{qty} to store {target}"
        audit.record(conn, f"stock_{kind}", actor, f"store {store} product {product}",
                     f"{detail} on {day}", address)
    return Recorded(mid, kind, store, product, moved, stock + moved)


def movements(database: db.AppDB, stores, as_of: dt.date | None) -> list[dict]:
    """Every movement of these stores since the snapshot (newest first)."""
    stores = sorted(set(stores))
    if not stores:
        return []
    query = sa.select(stock_movements).where(stock_movements.c.store_id.in_(stores))
    if as_of is not None:
        query = query.where(stock_movements.c.day >= as_of)
    with database.begin() as conn:
        return [dict(r._mapping) for r in conn.execute(
            query.order_by(stock_movements.c.id.desc()))]
