"""The refresh check: a tick with no new version costs no warehouse query and changes nothing;
a new version changes the page's store and its "Data as of" line."""

from __future__ import annotations

import pytest
from dash import no_update

from dashboard.components import data_version
from dashboard.warehouse.build import build_version, parquet_sources
from dashboard.warehouse.store import Warehouse


def _no_queries(*_args, **_kwargs):
    raise AssertionError("the version check ran a warehouse query")


def test_an_unchanged_version_runs_no_query_and_updates_nothing(request_ctx, monkeypatch):
    shown = data_version.current_version()  # what the shell put on the page
    assert shown["version"] >= 1 and shown["as_of"]
    monkeypatch.setattr(Warehouse, "cursor", _no_queries)
    monkeypatch.setattr(Warehouse, "catalog", _no_queries)
    assert data_version.poll_version(7, shown) == (no_update, no_update)


def test_a_new_version_reaches_the_store_and_the_line(request_ctx, empty_warehouse, sample_dir):
    assert data_version.current_version() is None
    assert data_version.as_of_text(None) == ""
    build_version(empty_warehouse, parquet_sources(sample_dir), info={"source": "test"})
    now, text = data_version.poll_version(1, None)
    assert now["version"] == 1
    assert text.startswith("Data as of ") and text.endswith("UTC (version 1)")
    assert data_version.poll_version(2, now) == (no_update, no_update)


@pytest.mark.parametrize("value, seconds", [("5", 5.0), ("0", 0.0), ("-3", 0.0)])
def test_refresh_setting(monkeypatch, value, seconds):
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", value)
    assert data_version.refresh_seconds() == seconds
