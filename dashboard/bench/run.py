"""The benchmark: ToyPulse through its real callback endpoint vs the usual pandas way.

`dashboard bench --rows N` generates and loads the sample retailer at N rows, replays the
scripted session against a server with the cache off and on, runs the usual way on the same
rows and states in its own process, checks both give the same numbers, prints one table and
writes it to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dashboard import sample
from dashboard.bench import http, pages, reports
from dashboard.bench.compare import from_scan, mismatches, normalise
from dashboard.bench.states import State, scripted_states
from dashboard.bench.usual_worker import write_states
from dashboard.components.view_state import as_highlight
from dashboard.queries import overview as m
from dashboard.queries.filters import Filter, Scope
from dashboard.warehouse import backends
from dashboard.warehouse.build import build_version, parquet_sources
from dashboard.warehouse.store import Warehouse, current_version, version_file


@dataclass
class Results:
    rows: int
    states: int
    generate_seconds: float | None = None
    load_seconds: float | None = None
    server_ready_seconds: float = 0.0
    first_page_seconds: float = 0.0
    uncached_ms: list[float] = field(default_factory=list)
    cached_ms: list[float] = field(default_factory=list)
    response_bytes: list[int] = field(default_factory=list)
    rss_mb: float = 0.0
    usual_ms: list[float] = field(default_factory=list)
    usual_load_seconds: float = 0.0
    usual_rss_mb: float = 0.0
    browser_ms: float | None = None
    problems: list[str] = field(default_factory=list)
    backend: str = "duckdb"
    publish_seconds: float | None = None  # copying the build to a server warehouse
    reports: dict = field(default_factory=dict)  # viewer -> report_timings (bench/reports.py)
    pages: dict = field(default_factory=dict)  # page -> viewer -> ms per state (bench/pages.py)


def prepare(rows: int, workdir: Path, reuse: bool, results: Results) -> tuple[Path, Path]:
    """Generate and load N rows (timed), or reuse them with the timings measured then."""
    sample_dir, warehouse_dir = workdir / f"sample-{rows}", workdir / f"warehouse-{rows}"
    timings = workdir / f"prepare-{rows}.json"
    if reuse and current_version(warehouse_dir) is not None and timings.exists():
        measured = json.loads(timings.read_text())
        results.generate_seconds, results.load_seconds = measured["generate"], measured["load"]
        return sample_dir, warehouse_dir
    started = time.perf_counter()
    sample.generate(sample_dir, rows=rows)
    results.generate_seconds = time.perf_counter() - started
    build = build_version(warehouse_dir, parquet_sources(sample_dir), info={"source": "bench"})
    results.load_seconds = build.seconds
    timings.write_text(json.dumps({"generate": results.generate_seconds,
                                   "load": results.load_seconds}))
    return sample_dir, warehouse_dir


def _array(value) -> list:
    """Plotly sends numeric arrays as {'dtype', 'bdata'} (base64) or as plain lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def check_response(content: bytes, scan: m.OverviewScan, measure: str,
                   prod: tuple[str, ...] = ()) -> list[str]:
    """The category bars the endpoint sent are the scan's numbers (drilled into a category:
    its toy types, from the scan's toy-type rows; the drill query computed them on its own)."""
    figure = json.loads(content)["response"]["ov-category"]["figure"]
    bars = m.category_bars(scan)
    if len(prod) == 1:
        types = scan.frames["subcategory"]
        rows = types[types["category"] == prod[0]]
        bars = {"category": rows["subcategory"], measure: rows[measure]}
    if scan.is_empty:
        return [] if not figure.get("data") else ["empty state sent bars"]
    trace = figure["data"][0]
    members = [member for _, member in trace["customdata"]]  # y holds the escaped labels
    sent = dict(zip(members, _array(trace["x"]), strict=True))
    want = dict(zip(bars["category"], bars[measure], strict=True))
    return mismatches({"bars": sent}, {"bars": want})


def to_filter(state: State, warehouse: Warehouse) -> Filter:
    from dashboard.queries.options import domain

    start, end = domain(warehouse, Scope.everything()).default_range()
    return Filter(start=dt.date.fromisoformat(state.start) if state.start else start,
                  end=dt.date.fromisoformat(state.end) if state.end else end,
                  **{k: tuple(v) for k, v in state.page_filters().items()})


def replay(server: http.Server, states: list[State]) -> list[tuple[float, bytes]]:
    deps = json.loads(http.get(server, "/_dash-dependencies"))
    callback = http.main_callback(deps)
    out = []
    for state in states:
        seconds, content = http.post_json(server, "/_dash-update-component",
                                          http.payload(callback, state))
        out.append((seconds, content))
    return out


def run_usual(sample_dir: Path, states: list[State], workdir: Path) -> dict:
    states_json, out_json = workdir / "states.json", workdir / "usual.json"
    write_states(states, states_json)
    subprocess.run([sys.executable, "-m", "dashboard.bench.usual_worker", str(sample_dir),
                    str(states_json), str(out_json)], check=True)
    return json.loads(out_json.read_text())


def top_toy(warehouse: Warehouse) -> str:
    with warehouse.cursor() as cur:
        return cur.execute("SELECT product_name FROM r_toy_age_all_regions_month "
                           "GROUP BY 1 ORDER BY sum(revenue) DESC, 1 LIMIT 1").fetchall()[0][0]


def publish_to_server(warehouse_dir: Path, url: str, results: Results):
    """Copy the DuckDB build to the server warehouse (timed); the reader this process checks
    the served numbers with. chdb's data folder belongs to one process (the web server), so
    for chdb this process checks against the DuckDB build the server's copy was made from."""
    results.backend = backends.kind(url)
    started = time.perf_counter()
    backends.publish(version_file(warehouse_dir, current_version(warehouse_dir)), url)
    results.publish_seconds = time.perf_counter() - started
    if results.backend == "clickhouse":
        return Warehouse(warehouse_dir)
    return backends.open_warehouse(warehouse_dir, url)


def run(rows: int, workdir: Path, max_states: int | None = None, reuse: bool = False,
        browser: bool = False, warehouse_url: str = "", usual: bool = True) -> Results:
    """The whole run; `usual=False` leaves out the usual way and the report and pages tables
    (the served numbers are checked against the build either way)."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = Results(rows=rows, states=0)
    sample_dir, warehouse_dir = prepare(rows, workdir, reuse, results)
    served = {"DASHBOARD_WAREHOUSE_URL": warehouse_url}
    warehouse = (publish_to_server(warehouse_dir, warehouse_url, results) if warehouse_url
                 else Warehouse(warehouse_dir))
    states = scripted_states(top_toy(warehouse))[:max_states]
    results.states = len(states)

    account = http.bench_account(workdir)
    server = http.start_server(warehouse_dir, cache=False, account=account, extra_env=served)
    try:
        results.server_ready_seconds = server.ready_seconds
        results.first_page_seconds = http.first_page_seconds(server)
        replay(server, states[:1])  # the page's first load, as a browser would have done
        for state, (seconds, content) in zip(states, replay(server, states), strict=True):
            results.uncached_ms.append(seconds * 1000)
            results.response_bytes.append(len(content))
            scan = m.run_overview(warehouse, to_filter(state, warehouse), Scope.everything(),
                                  as_highlight(state.highlight), state.top_n, state.measure)
            sent = check_response(content, scan, state.measure, state.prod)
            results.problems += [f"{state.label}: {p}" for p in sent]
        if browser:
            from dashboard.bench.browser import filter_change_ms

            results.browser_ms = filter_change_ms(server.url, account)
        results.rss_mb = server.peak_rss_mb()
    finally:
        server.stop()

    server = http.start_server(warehouse_dir, cache=True, account=account, extra_env=served)
    try:
        replay(server, states)
        results.cached_ms = [s * 1000 for s, _ in replay(server, states)]
        results.rss_mb = max(results.rss_mb, server.peak_rss_mb())
    finally:
        server.stop()

    if not usual:
        warehouse.close()
        return results
    usual = run_usual(sample_dir, states, workdir)
    results.usual_load_seconds = usual["load_seconds"]
    results.usual_rss_mb = usual["peak_rss_mb"]
    for state, theirs in zip(states, usual["results"], strict=True):
        results.usual_ms.append(theirs["seconds"] * 1000)
        scan = m.run_overview(warehouse, to_filter(state, warehouse), Scope.everything(),
                              as_highlight(state.highlight), state.top_n, state.measure)
        ours = normalise(from_scan(scan, state))
        results.problems += [f"{state.label}: {p}" for p in mismatches(ours, theirs["numbers"])]
    results.reports = reports.measure(warehouse)
    results.pages = measure_pages(warehouse)
    warehouse.close()
    return results


def measure_pages(warehouse: Warehouse) -> dict:
    """Every registered page's page_report over the scripted filter states."""
    return pages.measure(warehouse, top_toy(warehouse), reports.region_for_manager(warehouse))


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def summary_rows(r: Results) -> list[tuple[str, str, str]]:
    """(metric, ToyPulse, usual way) rows of the table."""
    med, p95 = statistics.median(r.uncached_ms), percentile(r.uncached_ms, 95)
    ran = bool(r.usual_ms)
    umed, up95 = ((statistics.median(r.usual_ms), percentile(r.usual_ms, 95)) if ran
                  else (float("nan"), float("nan")))

    def usual(text: str) -> str:
        return text if ran else "not run"
    rows = [
        ("generate sample (rows/s)",
         f"{r.rows / r.generate_seconds:,.0f} ({r.generate_seconds:.1f} s)", ""),
        ("load into warehouse (rows/s)",
         f"{r.rows / r.load_seconds:,.0f} ({r.load_seconds:.1f} s)",
         usual(f"{r.rows / r.usual_load_seconds:,.0f} ({r.usual_load_seconds:.1f} s)"
               if ran else "")),
    ]
    if r.publish_seconds is not None:
        rows.append((f"copy the build into {BACKEND_NAMES[r.backend]} (rows/s)",
                     f"{r.rows / r.publish_seconds:,.0f} ({r.publish_seconds:.1f} s)", ""))
    rows += [
        ("server up after start (s)", f"{r.server_ready_seconds:.2f}", ""),
        ("first page data ready after start (s)",
         f"{r.server_ready_seconds + r.first_page_seconds:.2f}", ""),
        ("filter change, uncached, median (ms)", f"{med:.1f}", usual(f"{umed:.1f}")),
        ("filter change, uncached, p95 (ms)", f"{p95:.1f}", usual(f"{up95:.1f}")),
        ("filter change, uncached, max (ms)", f"{max(r.uncached_ms):.1f}",
         usual(f"{max(r.usual_ms):.1f}" if ran else "")),
        ("usual way / ToyPulse (median, p95)",
         usual(f"{umed / med:.1f}x, {up95 / p95:.1f}x"), ""),
        ("filter change, cached repeat, median / p95 (ms)",
         f"{statistics.median(r.cached_ms):.1f} / {percentile(r.cached_ms, 95):.1f}", ""),
        ("response bytes per filter change, median / max",
         f"{statistics.median(r.response_bytes):,.0f} / {max(r.response_bytes):,}", ""),
        ("web process peak RSS (MB)", f"{r.rss_mb:,.0f}", usual(f"{r.usual_rss_mb:,.0f}")),
    ]
    if r.browser_ms is not None:
        rows.append(("browser: filter change until every chart redrawn (ms)",
                     f"{r.browser_ms:.0f}", ""))
    rows.append(("numbers agree (states checked)",
                 "yes" if not r.problems else f"NO: {len(r.problems)} mismatches",
                 f"{r.states} states"))
    return rows


BACKEND_NAMES = {"duckdb": "DuckDB files", "postgres": "PostgreSQL",
                 "clickhouse": "ClickHouse (chdb)"}


def section_key(r: Results) -> str:
    """Which section of docs/PERFORMANCE.md a run replaces: row count, and the backend."""
    return str(r.rows) if r.backend == "duckdb" else f"{r.rows} {r.backend}"


def table(r: Results) -> str:
    served = "" if r.backend == "duckdb" else f", warehouse on {BACKEND_NAMES[r.backend]}"
    lines = [f"### {r.rows:,} order lines, {r.states} filter states{served}", "",
             "| measure | ToyPulse | usual way (pandas in memory) |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in summary_rows(r)]
    return "\n".join(lines) + "\n"


def reports_only(rows: int, workdir: Path, reuse: bool) -> tuple[Results, str]:
    """Only the report and pages tables: the sample at N rows (generated or reused), page_report
    and each export timed, and every page's page_report per filter state."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = Results(rows=rows, states=0)
    _sample_dir, warehouse_dir = prepare(rows, workdir, reuse, results)
    warehouse = Warehouse(warehouse_dir)
    try:
        results.reports = reports.measure(warehouse)
        results.pages = measure_pages(warehouse)
    finally:
        warehouse.close()
    return results, (reports.report_table(rows, results.reports) + "\n"
                     + pages.pages_table(rows, results.pages))
