"""Maven Toys' real export, imported through the CLI: the Inventory's stock on hand per store and
product equals its inventory.csv (pandas over the raw file), and a store manager of one store
sees exactly that store's rows."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from dashboard import config
from dashboard.auth.db import AppDB
from dashboard.cli import main
from dashboard.inventory import status
from dashboard.queries.filters import Scope
from dashboard.warehouse.store import Warehouse

# shared/ beside the repository (a checkout) or beside the worktrees' folder (a worktree)
MAVEN = next((p for p in (config.ROOT.parent / "shared" / "datasets" / "maven-toys.zip",
                          config.ROOT.parent.parent / "shared" / "datasets" / "maven-toys.zip")
              if p.exists()), config.ROOT.parent / "shared" / "datasets" / "maven-toys.zip")


def _raw(name: str) -> pd.DataFrame:
    with zipfile.ZipFile(MAVEN) as archive:
        member = next(m for m in archive.namelist() if m.endswith(name) and "Dictionary" not in m)
        return pd.read_csv(io.BytesIO(archive.read(member)))


@pytest.fixture(scope="module")
def maven(tmp_path_factory):
    if not MAVEN.exists():
        pytest.skip(f"the Maven Toys export is not at {MAVEN}")
    root = tmp_path_factory.mktemp("maven-inventory") / "warehouse"
    assert main(["--warehouse", str(root), "import", str(MAVEN)]) == 0
    wh = Warehouse(root)
    yield wh
    wh.close()


@pytest.fixture
def fresh_db(tmp_path):
    database = AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    yield database
    database.dispose()


def test_stock_on_hand_equals_inventory_csv(maven, fresh_db):
    raw = _raw("inventory.csv")
    want = raw.groupby(["Store_ID", "Product_ID"])["Stock_On_Hand"].sum()
    want.index = pd.MultiIndex.from_tuples([(str(s), str(p)) for s, p in want.index])
    st = status.for_viewer(maven, fresh_db, Scope.everything())
    got = st.items.set_index(["store_id", "product_id"])["on_hand"]
    assert len(want) == len(raw) > 1000
    pd.testing.assert_series_equal(got.reindex(want.index), want.astype(float),
                                   check_names=False)
    assert (got.drop(want.index) == 0).all()  # sold in the last 8 weeks, none in stock
    assert st.as_of == maven.catalog().meta["max_date"] or str(st.as_of) == \
        maven.catalog().meta["max_date"]


def test_a_store_manager_sees_one_maven_store(maven, fresh_db):
    raw = _raw("inventory.csv")
    store = str(sorted(raw["Store_ID"].unique())[3])
    st = status.for_viewer(maven, fresh_db, Scope(None, (store,)))
    assert set(st.items["store_id"]) == {store}
    mine = raw[raw["Store_ID"].astype(str) == store]
    assert st.items["on_hand"].sum() == pytest.approx(mine["Stock_On_Hand"].sum())
