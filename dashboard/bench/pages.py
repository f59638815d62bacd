"""`dashboard bench`'s "pages" table: every registered page's page_report per filter change.

A page's callbacks and its `page_report` share one code path (docs/ARCHITECTURE.md), so timing
page_report over the scripted filter states measures what a filter change costs each page,
without a browser. Each page is warmed once, then every state runs once, uncached, for an analyst
(every region) and a manager of one region; the table gives the median and p95 per page.
"""

from __future__ import annotations

import functools
import inspect
import statistics
import time
from urllib.parse import urlencode

import numpy as np

from dashboard.bench.states import State, scripted_states
from dashboard.components.view_state import URL_KEYS
from dashboard.queries.filters import Scope
from dashboard.report.registry import PAGES, page_function

FILTER_KEYS = {field: key for key, field in URL_KEYS.items()}  # Filter field -> URL key
SKIPPED = {"story": "a presentation of other pages' charts, timed through them"}
# Pages timed over their kept views instead of the filter states (a state would fit a model).
KEPT_ONLY = {"forecast": "a filter state not computed ahead is fitted in the background "
                         "(forecast/jobs.py), so only the views kept for this data version "
                         "(computed ahead after each load) are timed"}
NOT_KEPT = ("no forecast is kept for this data version yet (`dashboard forecast --ahead` "
            "fits the default views), and timing a filter state would fit a model per state")


def kept_forecast_queries(warehouse, scope: Scope) -> list[str]:
    """The computed-ahead Forecast views kept for this scope, as page queries."""
    from dashboard.forecast.ahead import AHEAD, kept

    return [spec.to_query() for spec in AHEAD if kept(warehouse, scope, spec) is not None]


def state_query(state: State) -> str:
    """The URL query string a page receives for one scripted state (filters and dates only)."""
    pairs: list[tuple[str, str]] = []
    if state.start and state.end:
        pairs += [("start", state.start), ("end", state.end)]
    for field, values in state.filters.items():
        pairs += [(FILTER_KEYS[field], value) for value in values]
    return urlencode(pairs)


def filter_queries(toy: str) -> list[str]:
    """The distinct filter states of the scripted session as query strings."""
    seen: dict[str, None] = {}
    for state in scripted_states(toy):
        seen.setdefault(state_query(state), None)
    return list(seen)


def time_page(warehouse, scope: Scope, page: str, queries: list[str]) -> list[float]:
    """Milliseconds of page_report for each query, after one warm-up run. A page that reads the
    app database (Inventory's movements) gets one opened once, as a served app holds one per
    process; opening it per call would time table checks no request makes."""
    page_report = page_function(page)
    if "database" in inspect.signature(page_report).parameters:
        from dashboard.auth.commands import open_db

        page_report = functools.partial(page_report, database=open_db())
    page_report(warehouse, scope, queries[0])
    times = []
    for query in queries:
        started = time.perf_counter()
        page_report(warehouse, scope, query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(warehouse, toy: str, region: str) -> dict[str, dict[str, list[float]]]:
    """page -> viewer -> milliseconds per filter state (per kept view for KEPT_ONLY pages;
    such a page with nothing kept for a viewer is left out, and the table says why)."""
    queries = filter_queries(toy)
    viewers = {"analyst (every region)": Scope.everything(),
               f"manager ({region})": Scope((region,))}
    out = {}
    for page in PAGES:
        if page in SKIPPED:
            continue
        if page in KEPT_ONLY:
            kept = {viewer: kept_forecast_queries(warehouse, scope)
                    for viewer, scope in viewers.items()}
            if all(kept.values()):
                out[page] = {viewer: time_page(warehouse, scope, page, kept[viewer])
                             for viewer, scope in viewers.items()}
            continue
        out[page] = {viewer: time_page(warehouse, scope, page, queries)
                     for viewer, scope in viewers.items()}
    return out


def pages_table(rows: int, timings: dict[str, dict[str, list[float]]]) -> str:
    """Markdown: one row per page, median and p95 per viewer."""
    plain = {page: t for page, t in timings.items() if page not in KEPT_ONLY} or timings
    viewers = list(next(iter(plain.values()))) if plain else []
    states = len(next(iter(next(iter(plain.values())).values()))) if plain else 0
    lines = [f"#### Pages: page_report per filter change at {rows:,} order lines, "
             f"{states} filter states, uncached", "",
             f"| page | {' | '.join(f'{v}: median / p95 (ms)' for v in viewers)} |",
             f"| --- |{' --- |' * len(viewers)}"]
    for page, by_viewer in timings.items():
        cells = [f"{statistics.median(ms):,.1f} / {float(np.percentile(ms, 95)):,.1f}"
                 for ms in by_viewer.values()]
        lines.append(f"| {page} | {' | '.join(cells)} |")
    lines += [f"\nNot timed here: {page} ({why})." for page, why in SKIPPED.items()
              if page in PAGES]
    for page, why in KEPT_ONLY.items():
        if page not in PAGES:
            continue
        if page in timings:
            views = len(next(iter(timings[page].values())))
            lines.append(f"\n{page}: timed over its {views} kept views, not the filter states "
                         f"({why}).")
        else:
            lines.append(f"\nNot timed here: {page} ({NOT_KEPT}).")
    return "\n".join(lines) + "\n"
