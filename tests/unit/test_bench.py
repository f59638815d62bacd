"""The benchmark keeps working: a small run end to end (timings are printed, never asserted)."""

from __future__ import annotations

from dashboard.bench import report
from dashboard.bench.pages import filter_queries, pages_table
from dashboard.bench.reports import report_table
from dashboard.bench.run import run, table
from dashboard.report.registry import PAGES


def test_small_benchmark_runs_and_both_ways_agree(tmp_path):
    results = run(rows=30_000, workdir=tmp_path)  # every scripted state
    assert results.problems == []  # ToyPulse and the pandas way give the same numbers
    assert results.states >= 40
    counts = {len(results.uncached_ms), len(results.cached_ms), len(results.usual_ms)}
    assert counts == {results.states}
    assert all(size > 1000 for size in results.response_bytes)  # every chart came back
    text = table(results)
    print(text)
    assert "filter change, uncached, median (ms)" in text
    assert all(t["page_report"] > 0 and t["csv"] > 0 for t in results.reports.values())
    reports_text = report_table(results.rows, results.reports)
    assert "| page_report (median) |" in reports_text
    assert "| page_report + PDF (Chromium, one run) |" in reports_text
    # every registered page but the story over every state; the forecast only over kept views,
    # and none are kept here (the run computes none ahead), so it is skipped with the reason
    timed = set(PAGES) - {"story", "forecast"}
    assert set(results.pages) == timed
    states = len(filter_queries("any toy"))
    assert all(len(ms) == states and min(ms) > 0
               for by_viewer in results.pages.values() for ms in by_viewer.values())
    pages_text = pages_table(results.rows, results.pages)
    assert all(f"| {page} |" in pages_text for page in timed)
    assert "Not timed here: forecast (no forecast is kept for this data version" in pages_text
    doc = tmp_path / "PERFORMANCE.md"
    report.write(doc, results.rows, text)
    report.write(doc, results.rows, text)  # a second run replaces its section
    assert doc.read_text().count("<!-- bench 30000 -->") == 1


def test_without_the_usual_way_the_served_numbers_are_still_checked(tmp_path, monkeypatch):
    """--no-usual (for sizes whose pandas frame does not fit): no usual way, no page tables,
    the table says "not run", and a served number that differs from the build still fails."""
    from dashboard.bench import run as bench_run

    results = run(rows=20_000, workdir=tmp_path, max_states=4, usual=False)
    assert results.problems == [] and results.usual_ms == [] and not results.pages
    assert len(results.uncached_ms) == 4
    text = table(results)
    assert "| filter change, uncached, median (ms) |" in text and "| not run |" in text
    real = bench_run.check_response
    monkeypatch.setattr(bench_run, "check_response",
                        lambda content, scan, *a: real(content.replace(b"Plush", b"Plusj"),
                                                       scan, *a))
    broken = run(rows=20_000, workdir=tmp_path, max_states=4, reuse=True, usual=False)
    assert broken.problems


def test_import_benchmark_table_at_a_tiny_size(tmp_path):
    from dashboard.bench.imports import bench_file, import_table, run_imports

    runs = run_imports(rows=2_000, workdir=tmp_path)
    assert [r.way for r in runs] == ["toypulse", "pandas", "duckdb"]
    path = bench_file(2_000, tmp_path, reuse=True)
    lines = len(path.read_text(encoding="utf-8").splitlines()) - 1  # counted independently
    assert lines == 2_000
    assert all(r.rows == lines for r in runs)  # every reader read every line
    assert all(r.peak_mb > 10 and r.seconds > 0 for r in runs)
    text = import_table(2_000, path.stat().st_size, runs)
    assert "| ToyPulse import" in text and "| pandas read_csv" in text and "DuckDB" in text
    doc = tmp_path / "PERFORMANCE.md"
    report.write(doc, "import 2000", text)
    report.write(doc, "import 2000", text)
    assert doc.read_text().count("<!-- bench import 2000 -->") == 1
