"""Server warehouses: versioned, atomic publishing; bound values; one query source per dialect.

PostgreSQL runs as a real server (Debian's package, started by the `postgres_url` fixture);
ClickHouse as its real engine in-process (chdb). The Overview's figures on each backend are
checked against pandas in test_queries.py (the `any_warehouse` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid

import duckdb
import psycopg
import pytest

from dashboard.queries import overview as m
from dashboard.queries.filters import Filter, Scope
from dashboard.warehouse import backends, store
from dashboard.warehouse.backends import clickhouse, dialect, postgres
from dashboard.warehouse.backends.server import NoServerWarehouseError
from dashboard.warehouse.build import build_version, parquet_sources


def tiny_build(path, marker: str, rows: int = 10):
    """A small DuckDB file shaped like a build: meta, a list column, a date-sorted table."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('marker', ?)", [json.dumps(marker)])
    con.execute("CREATE TABLE rollups (name VARCHAR, dims VARCHAR[], row_count BIGINT)")
    con.execute("INSERT INTO rollups VALUES ('r', ['region', 'age group'], 3)")
    con.execute("CREATE TABLE sales_fact AS SELECT DATE '2025-01-01' + i::INTEGER AS date, "
                "i::DOUBLE / 3 AS revenue, CASE WHEN i % 2 = 0 THEN '' ELSE 'x,\"y' END AS note, "
                "NULL::VARCHAR AS empty FROM range(?) t(i)", [rows])
    con.close()
    return path


def marker(reader) -> str:
    with reader.cursor() as cur:
        return json.loads(cur.execute("SELECT value FROM meta WHERE key = ?",
                                      ["marker"]).fetchall()[0][0])


@pytest.fixture
def pg_db(postgres_url):
    """A new, empty database on the session's PostgreSQL server."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return postgres_url.rsplit("/", 1)[0] + "/" + name


ALONE = "TOYPULSE_TEST_ALONE"


def ran_in_own_process(request) -> bool:
    """chdb serves one data folder per process, so a test that needs a fresh folder runs again,
    alone, in a new interpreter; True here means that run passed and this one may return."""
    if os.environ.get(ALONE) == request.node.nodeid:
        return False
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        env={**os.environ, ALONE: request.node.nodeid}, capture_output=True, text=True,
        cwd=request.config.rootpath)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return True


@pytest.fixture
def ch_url(tmp_path):
    return f"chdb://{tmp_path / 'chdb'}"


@pytest.fixture(params=["postgres", "clickhouse"])
def server_url(request):
    return request.getfixturevalue("pg_db" if request.param == "postgres" else "ch_url")


def test_url_picks_the_backend_and_refuses_unknown_ones(tmp_path):
    assert backends.kind("") == "duckdb"
    assert backends.kind("postgresql://u@h:5432/db") == "postgres"
    assert backends.kind("chdb:///srv/ch") == "clickhouse"
    assert isinstance(backends.open_warehouse(tmp_path, ""), store.Warehouse)
    with pytest.raises(ValueError, match="not supported"):
        backends.kind("mysql://u@h/db")
    with pytest.raises(ValueError, match="absolute"):
        clickhouse.data_folder("chdb://relative/folder")


def test_values_become_named_placeholders_in_text_order():
    sql = ("SELECT ? AS a, x FROM t WHERE d BETWEEN ? AND ? AND r IN (?, ?) "
           "QUALIFY row_number() OVER (ORDER BY x) <= ?")
    pg = dialect.translate(sql, "postgres", "v0001")
    assert pg.names == ("p0", "p1", "p2", "p3", "p4", "p5")
    assert "%(p0)s" in pg.sql and "%(p5)s" in pg.sql and "?" not in pg.sql
    assert "v0001.t" in pg.sql
    kinds = ("String", "Date", "Date", "String", "String", "Int64")
    ch = dialect.translate(sql, "clickhouse", "v0002", kinds)
    assert "{p5: Int64}" in ch.sql and "{p1: DATE}" in ch.sql and "v0002.t" in ch.sql
    assert dialect.param_kind(dt.date(2025, 1, 1)) == "Date"
    assert dialect.param_kind(True) == "Bool"
    with pytest.raises(ValueError, match="placeholders"):
        dialect.bind(pg, [1, 2])


def test_translation_is_cached_per_statement():
    dialect.translate.cache_clear()
    for _ in range(3):
        dialect.translate("SELECT count(*) FROM sales_fact WHERE date > ?", "postgres", "v0001")
    assert dialect.translate.cache_info().hits == 2


def test_publish_is_versioned_and_readers_keep_their_version(server_url, tmp_path, request):
    if server_url.startswith("chdb:") and ran_in_own_process(request):
        return
    reader = backends.open_warehouse(tmp_path, server_url)
    try:
        with pytest.raises(NoServerWarehouseError, match="no data loaded"):
            _ = reader.version
        assert backends.publish(tiny_build(tmp_path / "a.duckdb", "first"), server_url) == 1
        assert reader.version == 1 and marker(reader) == "first"
        with reader.cursor() as cur:  # a request in flight while a new version lands
            assert backends.publish(tiny_build(tmp_path / "b.duckdb", "second", rows=20),
                                    server_url) == 2
            rows = cur.execute("SELECT count(*) FROM sales_fact").fetchall()[0][0]
            assert rows == 10  # the whole request reads the version it started with
        assert reader.version == 2 and marker(reader) == "second"
        with reader.cursor() as cur:
            got = cur.execute("SELECT dims, row_count FROM rollups").fetchall()
            assert [list(got[0][0]), got[0][1]] == [["region", "age group"], 3]
            notes = cur.execute("SELECT note, empty FROM sales_fact ORDER BY date "
                                "LIMIT 2").fetchall()
            assert [tuple(r) for r in notes] == [("", None), ('x,"y', None)]
    finally:
        reader.close()


def test_postgres_killed_load_leaves_the_served_version(pg_db, tmp_path, monkeypatch):
    backends.publish(tiny_build(tmp_path / "a.duckdb", "first"), pg_db)
    real_copy, copied = postgres._copy_table, []

    def dies_on_second_table(src, dst, schema, table):
        if copied:
            raise KeyboardInterrupt("killed mid-load")
        copied.append(table)
        return real_copy(src, dst, schema, table)

    monkeypatch.setattr(postgres, "_copy_table", dies_on_second_table)
    with pytest.raises(KeyboardInterrupt):
        backends.publish(tiny_build(tmp_path / "b.duckdb", "second"), pg_db)
    reader = backends.open_warehouse(tmp_path, pg_db)
    try:
        assert reader.version == 1 and marker(reader) == "first"
    finally:
        reader.close()
    with psycopg.connect(pg_db) as conn:  # one transaction: nothing of the new schema is left
        schemas = [r[0] for r in conn.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE 'v%' ORDER BY 1").fetchall()]
    assert schemas == ["v0001"]


def test_clickhouse_killed_load_is_never_served_and_is_cleaned(ch_url, tmp_path, monkeypatch,
                                                               request):
    if ran_in_own_process(request):
        return
    backends.publish(tiny_build(tmp_path / "a.duckdb", "first"), ch_url)
    real_copy, copied = clickhouse._copy_table, []

    def dies_on_second_table(src, engine, database, table, tmp):
        if copied:
            raise KeyboardInterrupt("killed mid-load")
        copied.append(table)
        return real_copy(src, engine, database, table, tmp)

    monkeypatch.setattr(clickhouse, "_copy_table", dies_on_second_table)
    with pytest.raises(KeyboardInterrupt):
        backends.publish(tiny_build(tmp_path / "b.duckdb", "second"), ch_url)
    monkeypatch.setattr(clickhouse, "_copy_table", real_copy)
    reader = backends.open_warehouse(tmp_path, ch_url)
    try:
        assert reader.version == 1 and marker(reader) == "first"
        assert backends.publish(tiny_build(tmp_path / "c.duckdb", "third"), ch_url) == 2
        assert reader.version == 2 and marker(reader) == "third"
        databases = clickhouse._databases(reader._engine)
        assert sorted(databases) == ["v0001", "v0002"]  # the half-loaded one was dropped
    finally:
        reader.close()


def test_hostile_filter_values_are_bound_not_pasted(any_warehouse):
    evil = "North'); DROP TABLE meta; --"
    flt = Filter(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), regions=(evil,))
    scan = m.run_overview(any_warehouse, flt, Scope((evil, "North")))
    assert scan.is_empty and m.kpis(scan)["revenue"]["value"] == 0
    assert any_warehouse.catalog().meta["rows"] > 0  # meta is still there


def test_an_import_publishes_to_the_configured_server(pg_db, tmp_path, monkeypatch):
    from dashboard import sample

    sample.generate(tmp_path / "src", rows=3000, seed=5)
    monkeypatch.setenv("DASHBOARD_WAREHOUSE_URL", pg_db)
    result = build_version(tmp_path / "wh", parquet_sources(tmp_path / "src"),
                           info={"source": "sample"})
    reader = backends.open_warehouse(tmp_path / "wh")
    try:
        assert isinstance(reader, postgres.PostgresWarehouse)
        assert reader.version == 1
        assert reader.catalog().meta["rows"] == result.rows == 3000
        local = store.Warehouse(tmp_path / "wh")
        flt = Filter(start=dt.date(2024, 2, 10), end=dt.date(2025, 5, 20))
        served, built = (m.kpis(m.run_overview(w, flt, Scope(("North",))))
                         for w in (reader, local))
        assert served["revenue"]["value"] > 0
        assert {k: v["value"] for k, v in served.items()} == pytest.approx(
            {k: v["value"] for k, v in built.items()})
        local.close()
    finally:
        reader.close()


def test_rollback_refuses_while_a_server_serves(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("DASHBOARD_WAREHOUSE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["--warehouse", str(tmp_path), "rollback", "1"]) == 1
    assert "server warehouse" in capsys.readouterr().err


def test_old_server_versions_are_dropped_past_the_kept_count(server_url, tmp_path, request,
                                                              monkeypatch):
    if server_url.startswith("chdb:") and ran_in_own_process(request):
        return
    monkeypatch.setenv("DASHBOARD_SERVER_KEEP_VERSIONS", "2")
    reader = backends.open_warehouse(tmp_path, server_url)
    try:
        for i, name in enumerate(("one", "two", "three", "four"), start=1):
            assert backends.publish(tiny_build(tmp_path / f"{name}.duckdb", name),
                                    server_url) == i
        assert reader.version == 4 and marker(reader) == "four"
        assert _server_versions(server_url) == [3, 4]  # v0001 and v0002 are gone
    finally:
        reader.close()
    monkeypatch.setenv("DASHBOARD_SERVER_KEEP_VERSIONS", "0")  # below 2 still keeps two
    assert backends.publish(tiny_build(tmp_path / "five.duckdb", "five"), server_url) == 5
    assert _server_versions(server_url) == [4, 5]


def _server_versions(url: str) -> list[int]:
    """The version schemas (PostgreSQL) or databases (ClickHouse) on the server, by name."""
    if url.startswith("chdb:"):
        from dashboard.warehouse.backends.clickhouse import Engine, _databases

        engine = Engine(url)
        try:
            return sorted(int(n[1:]) for n in _databases(engine))
        finally:
            engine.close()
    import psycopg

    from dashboard.warehouse.backends.postgres import psycopg_url

    with psycopg.connect(psycopg_url(url)) as conn:
        return sorted(int(r[0][1:]) for r in conn.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name ~ '^v[0-9]{4}$'").fetchall())
