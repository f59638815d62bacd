"""Shared fixtures: one seeded sample retailer, generated and loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import reference

SAMPLE_ROWS = int(os.environ.get("TOYPULSE_TEST_ROWS", "150000"))


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    from dashboard import sample

    folder = tmp_path_factory.mktemp("sample")
    sample.generate(folder, rows=SAMPLE_ROWS, seed=11)
    return folder


@pytest.fixture(scope="session")
def warehouse_dir(sample_dir, tmp_path_factory) -> Path:
    from dashboard.warehouse.build import build_version, parquet_sources

    root = tmp_path_factory.mktemp("warehouse")
    build_version(root, parquet_sources(sample_dir), info={"source": "test sample"})
    return root


@pytest.fixture(scope="session")
def warehouse(warehouse_dir):
    from dashboard.warehouse.store import Warehouse

    wh = Warehouse(warehouse_dir)
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def raw(sample_dir):
    return reference.raw_lines(sample_dir)


@pytest.fixture(scope="session")
def app(warehouse_dir):
    """One Dash app for the session (Dash registers page callbacks once per process)."""
    from dashboard.app import create_app

    return create_app(warehouse_dir)


@pytest.fixture
def request_ctx(app):
    with app.server.test_request_context("/"):
        yield app
