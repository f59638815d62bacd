"""Inventory: the reorder arithmetic against hand calculations, stock on hand and demand against
pandas over the raw sample files, movements (concurrent ones lose nothing, bad input changes
nothing), and the store manager's scope on the report, the routes and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import threading

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.auth import db
from dashboard.cli import main
from dashboard.inventory import demand, movements, policy, status
from dashboard.inventory.tables import stock_movements
from dashboard.pages import inventory_report
from dashboard.queries.filters import Scope
from tests import dash_payloads as dp

TODAY = dt.date.today()


# ---- reorder arithmetic, by hand --------------------------------------------------------------

def test_reorder_point_safety_stock_and_order_by_hand():
    s = policy.Settings(lead_days=7, service_level=0.95, target_days=28, moq=10, pack_size=6)
    # z(95%) = 1.644854; safety = 1.644854 × 1.5 × √7 (2.645751) = 6.52779
    assert s.z == pytest.approx(1.644854, abs=1e-6)
    assert policy.safety_stock(1.5, s) == pytest.approx(6.52779, abs=1e-4)
    # reorder point = 2 × 7 + 6.52779 = 20.52779
    assert policy.reorder_point(2, 1.5, s) == pytest.approx(20.52779, abs=1e-4)
    assert policy.days_of_cover(15, 2) == 7.5
    assert policy.days_of_cover(15, 0) is None
    # on hand 15 ≤ 20.53: need 2 × 28 + 6.53 − 15 = 47.53 → 48 units = 8 packs of 6
    assert policy.order_quantity(15, 2, 1.5, s) == 48
    # on hand 20: need 42.53 → 43 → 8 packs = 48
    assert policy.order_quantity(20, 2, 1.5, s) == 48
    # on hand 21 is above the reorder point: no order
    assert policy.order_quantity(21, 2, 1.5, s) == 0
    # slow seller: need 0.1 × 28 + 1.644854 × 0.3 × √7 (1.30556) − 0 = 4.106 → 5, MOQ 10 → 12
    assert policy.order_quantity(0, 0.1, 0.3, s) == 12
    # no demand: never an order
    assert policy.order_quantity(0, 0, 0, s) == 0
    # 99% service: z = 2.326348, safety = 2.326348 × 1.5 × √7 = 9.23241
    s99 = policy.Settings(service_level=0.99)
    assert policy.safety_stock(1.5, s99) == pytest.approx(9.23241, abs=1e-4)


def test_vectorised_orders_equal_the_one_item_formula():
    s = policy.Settings(moq=7, pack_size=4)
    rng = np.random.default_rng(3)
    on_hand, mean, std = rng.integers(0, 40, 500), rng.uniform(0, 3, 500), rng.uniform(0, 2, 500)
    mean[::7] = 0
    got = policy.order_quantities(on_hand, mean, std, s)
    assert list(got) == [policy.order_quantity(h, m, d, s) for h, m, d in
                         zip(on_hand, mean, std, strict=True)]


def test_abc_and_xyz_thresholds():
    # cumulative share before each item: a 0, b 0.5, c 0.8, d 0.95
    assert policy.abc({"a": 50, "b": 30, "c": 15, "d": 5, "e": 0}) == {
        "a": "A", "b": "A", "c": "B", "d": "C", "e": "C"}
    assert [policy.xyz(v) for v in (0.2, 0.5, 0.99, 1.0, float("nan"), None)] == [
        "X", "Y", "Y", "Z", "Z", "Z"]


def test_alerts_by_hand():
    s = policy.Settings(lead_days=7, excess_days=60, dead_days=30)
    assert policy.stock_alerts(0, 1, 1, 3, s) == ["stockout"]
    assert policy.stock_alerts(5, 1, 0, 3, s) == ["low"]  # 5 ≤ 7
    assert policy.stock_alerts(100, 1, 0, 3, s) == ["excess"]  # 100 days of cover
    assert policy.stock_alerts(4, 0, 0, None, s) == ["dead"]  # no sale in the window
    assert policy.stock_alerts(20, 1, 0, 31, s) == ["dead"]
    assert policy.batch_alerts([-1, 0, 30, 31], s) == ["expired", "expiring", "expiring", ""]


# ---- the numbers against pandas over the raw files ------------------------------------------

@pytest.fixture(scope="module")
def raw_stock(sample_dir):
    return pd.read_parquet(sample_dir / "inventory.parquet")


@pytest.fixture(scope="module")
def stores(sample_dir):
    return pd.read_parquet(sample_dir / "stores.parquet")


@pytest.fixture(scope="module")
def north_store(stores):
    return sorted(stores.loc[stores["region"] == "North", "store_id"])[0]


@pytest.fixture
def fresh_db(tmp_path):
    database = db.AppDB(f"sqlite:///{tmp_path / 'app.db'}")
    yield database
    database.dispose()


def pandas_rates(sample_dir, store_ids) -> pd.DataFrame:
    """Mean and std (ddof 1) of daily units over the last 56 days, zero days included."""
    sales = pd.read_parquet(sample_dir / "sales")
    sales["date"] = pd.to_datetime(sales["date"])
    end = sales["date"].max()
    days = pd.date_range(end - pd.Timedelta(days=55), end)
    window = sales[sales["date"].isin(days) & sales["store_id"].isin(store_ids)]
    daily = window.groupby(["store_id", "product_id", "date"])["units"].sum()
    out = {}
    for (store, product), series in daily.groupby(level=[0, 1]):
        full = series.droplevel([0, 1]).reindex(days, fill_value=0).astype(float)
        out[(store, product)] = (full.mean(), full.std(ddof=1))
    return pd.DataFrame(out, index=["mean", "std"]).T


def test_demand_equals_pandas_over_the_raw_sales(warehouse, sample_dir, north_store):
    scope = Scope(None, (north_store,))
    end = warehouse.catalog().meta["max_date"]
    got = demand.demand(warehouse, scope, dt.date.fromisoformat(end)).set_index(
        ["store_id", "product_id"])
    want = pandas_rates(sample_dir, [north_store])
    assert set(got.index) == set(want.index) and len(want) > 20
    assert set(got.index.get_level_values(0)) == {north_store}
    np.testing.assert_allclose(got.loc[want.index, "daily_mean"], want["mean"], rtol=1e-9)
    np.testing.assert_allclose(got.loc[want.index, "daily_std"], want["std"], rtol=1e-9)


def test_stock_on_hand_and_order_lines_equal_pandas(warehouse, fresh_db, sample_dir, raw_stock,
                                                    north_store):
    st = status.for_viewer(warehouse, fresh_db, Scope(None, (north_store,)), today=TODAY)
    mine = raw_stock[raw_stock["store_id"] == north_store]
    want = mine.groupby("product_id")["stock_on_hand"].sum()
    got = st.items.set_index("product_id")["on_hand"]
    assert set(st.items["store_id"]) == {north_store}
    # every stocked product is there with its stock; items sold but not stocked have 0
    pd.testing.assert_series_equal(got.reindex(want.index), want.astype(float),
                                   check_names=False)
    assert (got.drop(want.index) == 0).all()
    # each suggested order line from the hand formula over pandas' own numbers
    s = st.settings
    rates = pandas_rates(sample_dir, [north_store])
    for row in st.items.itertuples():
        mean, std = rates.loc[(north_store, row.product_id)] if (
            north_store, row.product_id) in rates.index else (0.0, 0.0)
        have = float(want.get(row.product_id, 0))
        rop = mean * s.lead_days + s.z * std * math.sqrt(s.lead_days)
        need = mean * s.target_days + s.z * std * math.sqrt(s.lead_days) - have
        qty = 0 if mean <= 0 or have > rop or need <= 0 else \
            math.ceil(max(math.ceil(need - 1e-9), s.moq) / s.pack_size) * s.pack_size
        assert row.order_qty == qty, row
    # batches expiring within the setting's days, with the snapshot's quantities
    dated = mine[mine["batch"] != ""]
    soon = dated[(pd.to_datetime(dated["expiry"]).dt.date - TODAY).apply(
        lambda d: d.days) <= s.expiry_days]
    alerts = st.alerts()
    listed = alerts[alerts["alert"].isin(["expiring", "expired"])]
    assert sorted(listed["batch"]) == sorted(soon["batch"])


def test_a_regional_manager_sees_their_regions_stores_only(warehouse, fresh_db, stores):
    st = status.for_viewer(warehouse, fresh_db, Scope(("North",)), today=TODAY)
    north = set(stores.loc[stores["region"] == "North", "store_id"])
    assert set(st.items["store_id"]) == north


# ---- movements ----------------------------------------------------------------------------

def _count(database) -> int:
    with database.begin() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(stock_movements)).scalar_one()


def _audits(database) -> int:
    with database.begin() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(db.audit_log)).scalar_one()


def _item(raw_stock, store, plain=True):
    mine = raw_stock[(raw_stock["store_id"] == store) & (raw_stock["stock_on_hand"] >= 5)]
    if plain:
        mine = mine[mine["batch"] == ""]
    row = mine.sort_values("product_id").iloc[0]
    return row["product_id"], float(row["stock_on_hand"])


def test_movements_move_the_stock_and_are_audited(warehouse, fresh_db, raw_stock, north_store,
                                                  stores):
    scope = Scope(None, (north_store,))
    place = movements.place_for(warehouse, scope)
    product, start = _item(raw_stock, north_store)
    other = sorted(set(stores["store_id"]) - {north_store})[0]
    base = {"store": north_store, "product": product}
    movements.record(fresh_db, place, "alice", "receive", {**base, "qty": "10"}, TODAY)
    movements.record(fresh_db, place, "bob", "write_off",
                     {**base, "qty": "2", "reason": "damaged"}, TODAY)
    movements.record(fresh_db, place, "bob", "transfer", {**base, "qty": "3", "to_store": other},
                     TODAY)
    done = movements.record(fresh_db, place, "carol", "adjust", {**base, "qty": "4"}, TODAY)
    assert done.qty == 4 - (start + 10 - 2 - 3) and done.on_hand == 4
    st = status.for_viewer(warehouse, fresh_db, scope, today=TODAY)
    assert st.items.set_index("product_id").loc[product, "on_hand"] == 4
    with fresh_db.begin() as conn:
        rows = conn.execute(sa.select(stock_movements).order_by(stock_movements.c.id)).all()
        logged = conn.execute(sa.select(db.audit_log.c.action, db.audit_log.c.actor)
                              .order_by(db.audit_log.c.id)).all()
    assert [(r.kind, r.qty, r.store_id, r.actor) for r in rows] == [
        ("receive", 10, north_store, "alice"), ("write_off", -2, north_store, "bob"),
        ("transfer_out", -3, north_store, "bob"), ("transfer_in", 3, other, "bob"),
        ("adjust", done.qty, north_store, "carol")]
    assert [tuple(x) for x in logged] == [("stock_receive", "alice"), ("stock_write_off", "bob"),
                                          ("stock_transfer", "bob"), ("stock_adjust", "carol")]


def test_concurrent_receipts_and_write_offs_lose_no_update(warehouse, fresh_db, raw_stock,
                                                           north_store):
    place = movements.place_for(warehouse, Scope(None, (north_store,)))
    product, start = _item(raw_stock, north_store)
    base = {"store": north_store, "product": product}
    barrier = threading.Barrier(16)
    errors = []

    def receive(i):
        barrier.wait()
        try:
            movements.record(fresh_db, place, f"user{i}", "receive", {**base, "qty": "1"}, TODAY)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=receive, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with fresh_db.begin() as conn:
        assert movements.on_hand(conn, place, north_store, product) == start + 16
    # 12 people write off 5 each from start + 16: exactly floor(stock / 5) succeed, never below 0
    stock = start + 16
    barrier = threading.Barrier(12)
    refused = []

    def write_off(i):
        barrier.wait()
        try:
            movements.record(fresh_db, place, f"user{i}", "write_off",
                             {**base, "qty": "5", "reason": "damaged"}, TODAY)
        except movements.StockError as exc:
            refused.append(exc.code)

    threads = [threading.Thread(target=write_off, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = min(12, int(stock // 5))
    assert refused == ["above-stock"] * (12 - done)
    with fresh_db.begin() as conn:
        assert movements.on_hand(conn, place, north_store, product) == stock - 5 * done
    assert _count(fresh_db) == 16 + done


BAD_FORMS = [
    ("receive", {"qty": "-3"}, "qty-range"),
    ("receive", {"qty": "0"}, "qty-range"),
    ("receive", {"qty": "abc"}, "qty-format"),
    ("receive", {"qty": "2.5"}, "qty-format"),
    ("receive", {"qty": ""}, "qty-format"),
    ("adjust", {"qty": "-1"}, "qty-range"),
    ("receive", {"qty": "1", "product": "NO-SUCH"}, "product"),
    ("receive", {"qty": "1", "date": (TODAY + dt.timedelta(days=1)).isoformat()}, "date-future"),
    ("receive", {"qty": "1", "date": "2024-02-30"}, "date-format"),
    ("receive", {"qty": "1", "date": "2001-01-01"}, "date-before"),
    ("receive", {"qty": "1", "expiry": "soon"}, "expiry-format"),
    ("write_off", {"qty": "100000", "reason": "expired"}, "above-stock"),
    ("write_off", {"qty": "1", "reason": "lost"}, "reason"),
    ("transfer", {"qty": "1", "to_store": "NOWHERE"}, "to-store"),
    ("explode", {"qty": "1"}, "kind"),
]


@pytest.mark.parametrize(("kind", "form", "code"), BAD_FORMS,
                         ids=[f"{k}-{c}-{i}" for i, (k, _, c) in enumerate(BAD_FORMS)])
def test_bad_input_is_refused_and_changes_nothing(warehouse, fresh_db, raw_stock, north_store,
                                                  kind, form, code):
    place = movements.place_for(warehouse, Scope(None, (north_store,)))
    product, _ = _item(raw_stock, north_store)
    before = status.for_viewer(warehouse, fresh_db, Scope(None, (north_store,)), today=TODAY)
    with pytest.raises(movements.StockError) as caught:
        movements.record(fresh_db, place, "alice", kind,
                         {"store": north_store, "product": product, **form}, TODAY)
    assert caught.value.code == code
    assert str(caught.value).split(":")[0] in ("quantity", "counted quantity", "product", "date",
                                               "expiry", "reason", "to store", "kind")
    assert _count(fresh_db) == 0 and _audits(fresh_db) == 0
    after = status.for_viewer(warehouse, fresh_db, Scope(None, (north_store,)), today=TODAY)
    pd.testing.assert_frame_equal(before.items, after.items)


def test_another_stores_id_is_refused(warehouse, fresh_db, stores, north_store):
    place = movements.place_for(warehouse, Scope(None, (north_store,)))
    south = sorted(stores.loc[stores["region"] == "South", "store_id"])[0]
    with pytest.raises(movements.StockError) as caught:
        movements.record(fresh_db, place, "alice", "receive",
                         {"store": south, "product": "P0001", "qty": "5"}, TODAY)
    assert caught.value.code == "store" and _count(fresh_db) == 0


def test_writing_off_a_batch_above_what_is_left_is_refused(warehouse, fresh_db, raw_stock,
                                                           north_store):
    place = movements.place_for(warehouse, Scope(None, (north_store,)))
    dated = raw_stock[(raw_stock["store_id"] == north_store) & (raw_stock["batch"] != "")]
    row = dated.sort_values("batch").iloc[0]
    form = {"store": north_store, "product": row["product_id"], "batch": row["batch"],
            "reason": "expired"}
    with pytest.raises(movements.StockError) as caught:
        movements.record(fresh_db, place, "a", "write_off",
                         {**form, "qty": str(int(row["stock_on_hand"]) + 1)}, TODAY)
    assert caught.value.code in ("above-batch", "above-stock")
    movements.record(fresh_db, place, "a", "write_off",
                     {**form, "qty": str(int(row["stock_on_hand"]))}, TODAY)
    st = status.for_viewer(warehouse, fresh_db, Scope(None, (north_store,)), today=TODAY)
    assert row["batch"] not in set(st.batches["batch"])  # none left: off the expiry list


# ---- the store manager's scope on every endpoint --------------------------------------------

@pytest.fixture
def store_client(client_as):
    return client_as("store_manager")


@pytest.fixture(scope="module")
def south(stores):
    row = stores[stores["region"] == "South"].sort_values("store_id").iloc[0]
    return row["store_id"], row["name"]


def _names_outside(stores, north_store) -> list[str]:
    return list(stores.loc[stores["store_id"] != north_store, "name"])


def test_store_managers_report_holds_their_store_only(warehouse, accounts, stores, north_store,
                                                      south):
    assert accounts["store_manager"].stores == (north_store,)
    scope = Scope(None, (north_store,))
    report = inventory_report.page_report(warehouse, scope, "")
    text = json.dumps(report)
    assert {r[2] for r in report["charts"][1]["rows"]} == {north_store}
    assert not any(name in text for name in _names_outside(stores, north_store))
    forged = inventory_report.page_report(warehouse, scope, f"store={south[0]}")
    assert forged["charts"][1]["rows"] == [] and south[1] not in json.dumps(forged)
    assert forged["notes"][0] == "1 store outside your stores: it shows nothing."
    assert forged["notes"][1].startswith("Demand basis: ")  # which demand the rows use


def test_store_manager_routes_never_give_another_store(store_client, stores, north_store, south):
    csv = store_client.get("/inventory/alerts.csv").get_data(as_text=True)
    got = pd.read_csv(io.StringIO(csv), dtype=str)
    assert set(got["Store id"]) == {north_store} and len(got) > 0
    forged = store_client.get(f"/inventory/alerts.csv?store={south[0]}").get_data(as_text=True)
    assert forged.strip().count("\n") == 0 and south[1] not in forged
    for fmt in ("csv", "pdf"):
        assert store_client.get(f"/inventory/po.{fmt}?store={south[0]}").status_code == 404
    po = store_client.get(f"/inventory/po.csv?store={north_store}")
    assert po.status_code == 200
    lines = pd.read_csv(io.StringIO(po.get_data(as_text=True)), dtype={"Store id": str})
    assert set(lines["Store id"]) <= {north_store} and (lines["Quantity"] > 0).all()
    printed = store_client.get(f"/print/inventory?store={south[0]}").get_data(as_text=True)
    assert south[1] not in printed
    exported = store_client.get("/export/inventory/alerts.csv").get_data(as_text=True)
    assert not any(name in exported for name in _names_outside(stores, north_store))
    page = dp.texts(dp.routed_page(store_client, "/inventory", f"?store={south[0]}"))
    assert south[1] not in page and "1 store outside your stores" in page


def test_store_manager_overview_is_their_store_only(store_client, raw, north_store):
    out = dp.outputs(dp.post(store_client, dp.payload(
        dp.dependency(store_client, dp.OVERVIEW), dp.overview_values(),
        ["ov-f-regions.value"])))
    mine = raw[(raw["store_id"] == north_store)
               & raw["date"].between(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))]
    assert dp.category_revenue(out) == pytest.approx(mine["revenue"].sum())
    assert dp.heatmap_regions(out) == {"North"}
    forged = dp.outputs(dp.post(store_client, dp.payload(
        dp.dependency(store_client, dp.OVERVIEW),
        dp.overview_values(**{"ov-f-regions.value": ["South"]}), ["ov-f-regions.value"])))
    assert dp.category_revenue(forged) == 0


def _post_move(client, **form):
    token = dp.sign_out_token(client)  # the session's CSRF token, as the page's forms carry
    return client.post("/inventory/move", data={"csrf_token": token, **form})


def test_the_form_records_refuses_and_checks_its_token(app, store_client, raw_stock, north_store,
                                                       south):
    database = app.server.extensions[db.EXTENSION]
    product, _ = _item(raw_stock, north_store)
    before = _count(database)
    ok = _post_move(store_client, kind="receive", store=north_store, product=product, qty="3")
    assert ok.status_code == 303 and ok.headers["Location"].endswith("notice=done-receive")
    assert _count(database) == before + 1
    for form, notice in (({"store": south[0], "qty": "3"}, "store"),
                         ({"store": north_store, "qty": "-3"}, "qty-range"),
                         ({"store": north_store, "qty": "lots"}, "qty-format")):
        refused = _post_move(store_client, kind="receive", product=product, **form)
        assert refused.headers["Location"].endswith(f"notice={notice}")
    no_token = store_client.post("/inventory/move", data={
        "kind": "receive", "store": north_store, "product": product, "qty": "3"})
    assert no_token.headers["Location"].endswith("notice=expired")
    assert _count(database) == before + 1
    page = dp.texts(dp.routed_page(store_client, "/inventory", "?notice=qty-range"))
    assert "Quantity: must be above 0" in page


def test_command_line_scope_and_movements(app, accounts, tmp_path, warehouse_dir, north_store,
                                          south, stores, raw_stock, capsys):
    login = accounts["store_manager"]
    out = tmp_path / "alerts.json"
    assert main(["--warehouse", str(warehouse_dir), "inventory", "--as", login.username,
                 "--alerts", "--format", "json", "--out", str(out)]) == 0
    body = json.loads(out.read_text())
    assert {a["Store id"] for a in body["alerts"]} == {north_store}
    assert not any(n in out.read_text() for n in _names_outside(stores, north_store))
    product, _ = _item(raw_stock, north_store)
    assert main(["--warehouse", str(warehouse_dir), "stock", "receive", "--as", login.username,
                 "--store", south[0], "--product", product, "--qty", "2"]) == 2
    assert "no store" in capsys.readouterr().err
    assert main(["--warehouse", str(warehouse_dir), "stock", "write-off", "--as",
                 login.username, "--store", north_store, "--product", product, "--qty",
                 "1000000", "--reason", "damaged"]) == 2
    assert "more than the" in capsys.readouterr().err
    assert main(["--warehouse", str(warehouse_dir), "stock", "receive", "--as", login.username,
                 "--store", north_store, "--product", product, "--qty", "2"]) == 0
    database = app.server.extensions[db.EXTENSION]
    with database.begin() as conn:
        last = conn.execute(sa.select(db.audit_log).order_by(db.audit_log.c.id.desc())
                            .limit(1)).first()
    assert (last.action, last.actor, last.address) == ("stock_receive", login.username, "cli")


def test_store_assignments_are_audited_and_only_for_store_managers(fresh_db):
    from dashboard.auth import users
    from dashboard.auth.scope import scope_for_account

    account = users.create(fresh_db, "sm", "a-long-enough-password-1", "store_manager",
                           stores=["S002", " S001 ", "S002"], actor="admin")
    assert account.stores == ("S001", "S002")
    assert scope_for_account(account) == Scope(None, ("S001", "S002"))
    moved = users.set_stores(fresh_db, "sm", ["S003"], actor="admin")
    assert scope_for_account(moved).stores == ("S003",) and \
        moved.session_epoch == account.session_epoch + 1  # old sessions end
    with pytest.raises(users.UserError):
        users.create(fresh_db, "rm", "a-long-enough-password-1", "manager", ("North",),
                     stores=["S001"])
    analyst = users.set_role(fresh_db, "sm", "analyst", actor="admin")
    assert analyst.stores == ()
    with fresh_db.begin() as conn:
        actions = [r.action for r in conn.execute(sa.select(db.audit_log.c.action))]
    assert actions.count("stores_changed") == 2
    none = users.set_role(fresh_db, "sm", "store_manager", actor="admin")
    from dashboard.queries.filters import ScopeError, scope_condition
    with pytest.raises(ScopeError):
        scope_condition(scope_for_account(none))  # no store: fails closed
