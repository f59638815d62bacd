"""One forecast view's numbers: each series' history, backtest, model and seasonal-naive
forecasts up to the longest horizon (the page cuts them to the chosen one), which of the two
is shown, and whether the levels add up. Plain lists and floats, so the result caches as JSON.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from dashboard.forecast import backtest, model
from dashboard.forecast.reconcile import reconcile
from dashboard.forecast.series import Series, load
from dashboard.forecast.spec import HORIZON, TOTAL, ForecastSpec
from dashboard.queries.filters import Scope
from dashboard.queries.options import Domain
from dashboard.queries.sources import add_months

RECONCILED = ("category", "region")  # breakdowns whose complete levels are reconciled
MAX_MEMBERS = 20  # members forecast per breakdown: the biggest by the measure over the history


def future_periods(grain: str, last: dt.date, count: int) -> list[dt.date]:
    if grain == "month":
        return [add_months(last, i + 1) for i in range(count)]
    return [last + dt.timedelta(days=7 * (i + 1)) for i in range(count)]


def _path(forecast: model.Forecast) -> dict:
    out = {"method": forecast.method, "mean": [float(v) for v in forecast.mean]}
    out.update({k: [float(v) for v in band] for k, band in forecast.bands.items()})
    return out


def one_series(y: np.ndarray, season: int, grain: str) -> dict:
    """History, and either the reason there is no forecast or both forecasts and the backtest."""
    out: dict = {"history": [float(v) for v in y]}
    reason = backtest.too_short(y, season, grain)
    if reason:
        return {**out, "status": "short", "reason": reason}
    scored = backtest.run(y, season, grain)
    horizon = HORIZON[1]
    fitted = _path(model.ets_forecast(y, season, horizon))
    baseline = _path(model.seasonal_naive(y, season, horizon))
    return {**out, "status": "ok", "reason": None, "model": fitted, "baseline": baseline,
            "shown": "model" if scored.model_wins else "baseline",
            "backtest": {"model": vars(scored.model), "baseline": vars(scored.baseline),
                         "held_out": scored.held_out, "model_wins": scored.model_wins}}


def chosen_members(series: Series, max_members: int) -> tuple[list[str], int]:
    """The biggest `max_members` members by the measure over the history, and how many
    there are in all."""
    members = [m for m in series.values if m != TOTAL]
    ranked = sorted(members, key=lambda m: -float(series.values[m].sum()))
    return ranked[:max_members], len(members)


def series_count(warehouse, scope: Scope, domain: Domain, spec: ForecastSpec,
                 max_members: int = MAX_MEMBERS) -> int:
    """How many series a view fits (the total and its chosen members): one cheap query."""
    chosen, _ = chosen_members(load(warehouse, scope, domain, spec), max_members)
    return 1 + len(chosen)


def compute(warehouse, scope: Scope, domain: Domain, spec: ForecastSpec,
            max_members: int = MAX_MEMBERS, progress=None) -> dict:
    """`progress(done)` is told after each series is fitted (the background job's count)."""
    started = time.perf_counter()
    series: Series = load(warehouse, scope, domain, spec)
    chosen, count = chosen_members(series, max_members)
    labels = store_labels(warehouse, scope) if spec.by == "store" else {}
    kept = sorted(chosen, key=lambda m: (labels.get(m, m), m))
    out = {
        "measure": spec.measure, "grain": spec.grain, "by": spec.by,
        "periods": [p.isoformat() for p in series.periods],
        "future": [p.isoformat() for p in future_periods(
            spec.grain, series.periods[-1], HORIZON[1])] if series.periods else [],
        "members_total": count, "members": kept,
        "labels": {m: labels[m] for m in kept if m in labels},  # series key -> name shown
        "series": {},
    }
    for done, name in enumerate([TOTAL, *kept], start=1):
        out["series"][name] = one_series(series.values[name], spec.season, spec.grain)
        if progress is not None:
            progress(done)
    check = levels(out, HORIZON[1], reconciled=False)
    if spec.by in RECONCILED and check is not None and check["complete"]:
        names = [TOTAL, *kept]
        fixed = reconcile([shown_path(out["series"][n], reconciled=False) for n in names])
        for name, path in zip(names, fixed, strict=True):
            out["series"][name]["reconciled"] = path
    seconds = time.perf_counter() - started
    out["fit"] = {"seconds": seconds, "series": len(kept) + 1,
                  "seconds_per_series": seconds / (len(kept) + 1)}
    return out


def store_labels(warehouse, scope: Scope) -> dict[str, str]:
    """store_id -> the store's name as the Overview shows it (its id added when two share
    one); series stay keyed by id (links, inventory demand), only their labels are names."""
    from dashboard.queries.profit import store_names

    return store_names(warehouse, scope)


def label(result: dict, name: str) -> str:
    """The name a series is shown by (a store's name; anything else as it is)."""
    return result.get("labels", {}).get(name, name)


def shown_path(item: dict, reconciled: bool = True) -> dict | None:
    """The forecast the page shows for a series: the model's, or the baseline's when the
    model did not beat it in the backtest; reconciled when its level was (reconcile.py)."""
    if item.get("status") != "ok":
        return None
    if reconciled and "reconciled" in item:
        return item["reconciled"]
    return item["model"] if item["shown"] == "model" else item["baseline"]


def levels(result: dict, horizon: int, reconciled: bool = True) -> dict | None:
    """Do the members' shown forecasts add up to the total's over the horizon? None for the
    total view. `complete` says whether every member was forecast (none cut, none short);
    `reconciled=False` compares the base forecasts (each series' own)."""
    if result["by"] == "total":
        return None
    total = shown_path(result["series"][TOTAL], reconciled)
    parts = [shown_path(result["series"][m], reconciled) for m in result["members"]]
    complete = (total is not None and all(p is not None for p in parts)
                and len(result["members"]) == result["members_total"])
    if not complete:
        return {"complete": False}
    members_sum = float(sum(sum(p["mean"][:horizon]) for p in parts))
    total_sum = float(sum(total["mean"][:horizon]))
    gap = members_sum - total_sum
    return {"complete": True, "members_sum": members_sum, "total": total_sum, "gap": gap,
            "gap_pct": gap / total_sum * 100 if total_sum else None}
