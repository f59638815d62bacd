"""Views not fitted yet are fitted in the background (forecast/jobs.py): the page gets a
"Fitting N series" answer at once, two requests start one job, a dead job is started again, a
failed one says why, and the finished result equals pandas. Stores are shown by name."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pandas as pd
import pytest

from dashboard.forecast import ahead, jobs
from dashboard.forecast.compute import compute
from dashboard.forecast.spec import TOTAL, from_query
from dashboard.pages import forecast_report, forecast_view
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain

NORTH = Scope(("North",))


@pytest.fixture
def started(monkeypatch):
    """The background process is not spawned: the commands are recorded instead."""
    commands = []
    monkeypatch.setattr(jobs.subprocess, "Popen", lambda command, **_: commands.append(command))
    return commands


def _fresh_query(toy: str) -> dict:
    """A view nobody has fitted: monthly units of one toy, for the North."""
    return {"measure": "units", "toy": toy}


def test_page_does_not_wait_and_the_job_finishes(warehouse, raw, started):
    north = raw[raw["region"] == "North"]
    toy = north["product_name"].value_counts().index[0]
    query = _fresh_query(toy)
    spec = from_query(query)
    assert ahead.kept(warehouse, NORTH, spec) is None
    began = time.perf_counter()
    out = forecast_view.compute(warehouse, NORTH, query, wait=False)
    assert time.perf_counter() - began < 5  # no model was fitted in this request
    assert out["pending"] is not None and out["result"] is None
    assert out["verdict"].startswith("Fitting 1 series for this view (about ")
    assert len(started) == 1 and started[0][-2:] == ["--fit",
                                                     str(jobs.job_file(warehouse, NORTH, spec))]
    again = forecast_view.compute(warehouse, NORTH, query, wait=False)  # another worker asks
    assert again["pending"] is not None and len(started) == 1  # one job, not two
    assert jobs.run(warehouse, jobs.job_file(warehouse, NORTH, spec)) == 0  # what the job does
    assert jobs.status(warehouse, NORTH, spec) is None
    done = forecast_view.compute(warehouse, NORTH, query, wait=False)
    assert done["pending"] is None
    rows = north[north["product_name"] == toy]
    want = rows.groupby(rows["date"].dt.to_period("M").dt.start_time)["units"].sum()
    history = done["result"]["series"][TOTAL]["history"]
    by_month = {p.date().isoformat(): float(v) for p, v in want.items()}
    assert history == pytest.approx([by_month.get(p, 0.0) for p in done["result"]["periods"]],
                                    rel=1e-9)
    assert done["result"]["fit"]["series"] == 1


def test_print_page_and_csv_of_a_view_not_kept_do_not_fit_inline(warehouse, raw, started,
                                                                   client_as):
    """/print/forecast and the chart's CSV start the background job (one for both) and say
    so, as the page does; nothing is fitted inside the request."""
    north = raw[raw["region"] == "North"]
    toy = north["product_name"].value_counts().index[2]
    spec = from_query(_fresh_query(toy))
    assert ahead.kept(warehouse, NORTH, spec) is None and jobs.status(warehouse, NORTH, spec) \
        is None
    manager = client_as("manager")  # the North manager
    query = urlencode(_fresh_query(toy))
    began = time.perf_counter()
    printed = manager.get(f"/print/forecast?{query}")
    table = manager.get(f"/export/forecast/forecast.csv?{query}")
    assert time.perf_counter() - began < 10  # no model was fitted in these requests
    page = printed.get_data(as_text=True)
    assert printed.status_code == 200 and "Fitting 1 series for this view" in page
    assert table.status_code == 200
    assert table.get_data(as_text=True).splitlines()[1:] == []  # no forecast rows yet
    assert len(started) == 1 and started[0][-1] == str(jobs.job_file(warehouse, NORTH, spec))
    jobs.job_file(warehouse, NORTH, spec).unlink()


def test_a_story_scene_of_a_view_not_kept_is_fitted_in_the_background(
        app, accounts, client_as, warehouse, raw, started):
    """A saved story's forecast scene: checking it in the builder, presenting it and printing
    it start the background job (one per scope) and say "Fitting"; the fitting scene is not
    cached, so once the job is done the presenter shows the forecast and stops polling."""
    from dashboard.auth import db
    from dashboard.story import saved
    from dashboard.views import store
    from tests import dash_payloads as dp
    from tests.auth_helpers import account as account_of

    north = raw[raw["region"] == "North"]
    toy = north["product_name"].value_counts().index[3]
    spec = from_query(_fresh_query(toy))
    query = urlencode(_fresh_query(toy))
    began = time.perf_counter()
    story = saved.check({"title": "Forecast", "scenes": [
        {"page": "forecast", "chart": "forecast", "query": query}]}, warehouse,
        Scope.everything())  # the analyst's check: a job for every region's view
    story_id = store.save_story(app.server.extensions[db.EXTENSION],
                                account_of(app, accounts["analyst"]), f"fc-{toy}",
                                saved.dumps(story), 1, share="manager")[0]
    manager = client_as("manager")

    def presented() -> dict:
        return {props.get("id"): props for _t, props in dp.components(
            dp.routed_page(manager, "/story", f"?story={story_id}"))}

    shown = presented()
    printed = manager.get(f"/print/story?story={story_id}").get_data(as_text=True)
    assert time.perf_counter() - began < 10  # no model was fitted in these requests
    said = json.dumps(shown["story-notes"]["children"])
    assert "Fitting 1 series for this view" in said and "Fitting 1 series" in printed
    assert shown["story-poll"]["disabled"] is False
    north_job = str(jobs.job_file(warehouse, NORTH, spec))
    assert [c[-1] for c in started] == [str(jobs.job_file(warehouse, Scope.everything(),
                                                          spec)), north_job]
    assert jobs.run(warehouse, jobs.job_file(warehouse, NORTH, spec)) == 0
    ready = presented()
    assert ready["story-poll"]["disabled"] is True
    traces = ready["story-graph"]["figure"]["data"]
    history = next(t for t in traces if t.get("name") == "Actual")
    rows = north[north["product_name"] == toy]
    assert sum(v for v in history["y"] if v is not None) == pytest.approx(
        float(rows["units"].sum()), rel=1e-9)
    jobs.job_file(warehouse, Scope.everything(), spec).unlink()


def test_time_left_follows_the_pace_seen_and_an_overrun_is_said(monkeypatch):
    """A busy machine fits slower than the kept view's pace promised: once series are done,
    the time left is the pace seen so far; an estimate overrun before any is done is said."""
    now = 1_000_000.0
    monkeypatch.setattr(forecast_view.time, "time", lambda: now)
    job = {"series": 10, "done": 2, "estimate": 15.0, "started": now - 40, "error": None}
    words = forecast_view.pending_words(job)  # 20 s per series seen: 8 left -> 160 s
    assert "about 200 s in all, 2 of 10 done, about 160 s left" in words
    fresh = forecast_view.pending_words({**job, "done": 0, "started": now - 5})
    assert "about 15 s in all, 0 of 10 done, about 10 s left" in fresh
    late = forecast_view.pending_words({**job, "done": 0, "started": now - 30})
    assert "0 of 10 done after 30 s: taking longer than the 15 s expected" in late
    assert "s left" not in late


def test_dead_job_is_started_again_and_a_failure_is_said(warehouse, raw, started):
    toy = raw["product_name"].value_counts().index[1]
    spec = from_query(_fresh_query(toy))
    path = jobs.job_file(warehouse, NORTH, spec)
    job = jobs.start(warehouse, NORTH, spec, 1)
    assert len(started) == 1
    path.write_text(json.dumps({**job, "started": time.time() - jobs.STALE_SECONDS - 1}))
    jobs.start(warehouse, NORTH, spec, 1)
    assert len(started) == 2  # the old one is taken for dead
    path.write_text(json.dumps({**job, "error": "MemoryError: out of memory"}))
    out = forecast_view.compute(warehouse, NORTH, _fresh_query(toy), wait=False)
    assert "could not be fitted (MemoryError: out of memory)" in out["verdict"]
    assert len(started) == 2  # a fresh failure is not retried on every poll
    path.unlink()


def test_forged_member_is_not_echoed_while_fitting(warehouse, started):
    query = {"by": "region", "member": "South", "category": "Dolls", "grain": "week"}
    out = forecast_view.compute(warehouse, NORTH, query, wait=False)
    assert out["pending"] is not None
    assert out["members"] == [TOTAL] and out["member"] == TOTAL
    assert "South" not in json.dumps([out["title"], out["verdict"], out["filters"],
                                      out["members"], out["seen"].to_query()])
    jobs.job_file(warehouse, NORTH, from_query(query)).unlink()


def test_stores_are_named_by_name(warehouse, sample_dir):
    """Series stay keyed by store id; the page, report and CLI show the store's name."""
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    names = dict(zip(stores["store_id"].astype(str), stores["name"].astype(str), strict=True))
    spec = from_query({"by": "store"})
    result = compute(warehouse, NORTH, domain(warehouse, NORTH), spec, max_members=2)
    assert len(result["members"]) == 2
    north = set(stores.loc[stores["region"] == "North", "store_id"].astype(str))
    assert set(result["members"]) <= north
    assert result["labels"] == {m: names[m] for m in result["members"]}
    rows = forecast_view.accuracy_rows(result)
    assert [r[0] for r in rows] == [TOTAL, *sorted(names[m] for m in result["members"])]
    table = forecast_report.series_table({"result": result, "spec": spec})
    assert [(e["series"], e["key"]) for e in table[1:]] == [
        (names[m], m) for m in result["members"]]
