"""The benchmark keeps working: a small run end to end (timings are printed, never asserted)."""

from __future__ import annotations

from dashboard.bench import report
from dashboard.bench.run import run, table


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
    doc = tmp_path / "PERFORMANCE.md"
    report.write(doc, results.rows, text)
    report.write(doc, results.rows, text)  # a second run replaces its section
    assert doc.read_text().count("<!-- bench 30000 -->") == 1
