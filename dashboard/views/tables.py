"""The saved-view tables, in the app database next to users and the audit log.

Versions are only ever inserted: a restore is a new version, so the history is never rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.auth.db import metadata

saved_views = sa.Table(
    "saved_views", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    # None: private; a role name: that role (admins too); "all": every signed-in user.
    sa.Column("shared_role", sa.String(16), nullable=True),
    sa.Column("page", sa.String(32), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("owner", "name", name="uq_saved_views_owner_name"),
)

saved_view_versions = sa.Table(
    "saved_view_versions", metadata,
    sa.Column("view_id", sa.Integer, sa.ForeignKey("saved_views.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("query", sa.Text, nullable=False),  # filters, highlight, drill ("?region=North")
    sa.Column("options", sa.Text, nullable=False),  # chart options as JSON ({"top": "10"})
    sa.Column("data_version", sa.Integer, nullable=True),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.String(200), nullable=False, default=""),
)
