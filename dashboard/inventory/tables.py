"""The app database's stock tables: every movement recorded in the app, and one lock row per item.

Movements are only ever inserted (who, when, what), so two people changing the same item never
overwrite each other; `stock_items` is the row a movement locks first, so the checks that read
the stock (a write-off above stock, a count) see every earlier movement of that item.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.auth.db import metadata

KINDS = ("receive", "adjust", "transfer_out", "transfer_in", "write_off")

stock_movements = sa.Table(
    "stock_movements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("day", sa.Date, nullable=False),  # when it happened (never in the future)
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("store_id", sa.String(64), nullable=False),
    sa.Column("product_id", sa.String(64), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False),  # signed: + into the store, - out of it
    sa.Column("batch", sa.String(64), nullable=False, default=""),
    sa.Column("expiry", sa.Date),
    sa.Column("reason", sa.String(32), nullable=False, default=""),
    sa.Column("other_store", sa.String(64), nullable=False, default=""),  # transfers
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("note", sa.String(200), nullable=False, default=""),
)
sa.Index("stock_movements_item", stock_movements.c.store_id, stock_movements.c.product_id)

stock_items = sa.Table(
    "stock_items", metadata,
    sa.Column("store_id", sa.String(64), primary_key=True),
    sa.Column("product_id", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False, default=0),
)
