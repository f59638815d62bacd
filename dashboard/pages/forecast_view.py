"""The Forecast page's numbers and figure for one view, pure of Flask and Dash.

The page (forecast.py) and its page-data twin (forecast_report.py, so the CLI and the exports)
both call `compute`. The fitted series come from forecast.ahead (kept per data version and
scope); this module only picks the member, cuts the horizon and writes the words.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

from dashboard.figures import theme
from dashboard.figures.forecast_chart import forecast_chart
from dashboard.figures.formats import Numbers
from dashboard.forecast import ahead, jobs
from dashboard.forecast.compute import label, levels, series_count, shown_path, store_labels
from dashboard.forecast.spec import TOTAL, ForecastSpec, from_query
from dashboard.queries.filters import Scope, describe
from dashboard.queries.options import domain
from dashboard.queries.registry import METRICS, currency_symbol
from dashboard.warehouse.calendar import read_festivals

BY_WORDS = {"total": "total", "category": "categories", "region": "regions",
            "store": "stores", "product": "toys"}
UNIT = {"month": ("month", "months"), "week": ("week", "weeks")}
ACCURACY_COLUMNS = ["Series", "Model", "Model MASE", "Model sMAPE", "Seasonal naive MASE",
                    "Seasonal naive sMAPE", "Verdict"]
METHOD_NOTE = ("Model: exponential smoothing (statsmodels' ETSModel) chosen per series by AICc "
               "among additive-error specifications (trend none, additive or damped; "
               "seasonality none, additive or multiplicative, only with two full years of "
               "data); bands are 80% and 95% prediction intervals. Accuracy: a rolling-origin "
               "backtest, refitting at 3 origins and forecasting the next periods each time, "
               "scored with MASE (below 1 beats last year's same period on the training data) "
               "and sMAPE, next to seasonal naive (each period = the same period a year "
               "before). Where the model did not beat seasonal naive, the seasonal-naive "
               "forecast is shown.")
FESTIVAL_NOTE = ("Festivals are not inputs of the model (ETSModel takes none): they enter only "
                 "through the yearly pattern, and those in the forecast window are shaded.")


def _visible_spec(spec: ForecastSpec, dom) -> tuple[ForecastSpec, int]:
    """The spec with only filter values the viewer can see (for words and links), and how many
    were dropped (counted, never named: they still match nothing in the query)."""
    kept, unseen = [], 0
    for name, members in spec.values:
        inside = tuple(m for m in members if m in dom.members.get(name, ()))
        unseen += len(members) - len(inside)
        if inside:
            kept.append((name, inside))
    return replace(spec, values=tuple(kept)), unseen


def _fmt(value, digits: int, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def verdict(name: str, item: dict, grain: str) -> str:
    if item["status"] != "ok":
        return f"No forecast for {name}: {item['reason']}."
    bt = item["backtest"]
    held = f"the last {bt['held_out']} {UNIT[grain][1]}"
    pick = "MASE" if None not in (bt["model"]["mase"], bt["baseline"]["mase"]) else "sMAPE"
    key = pick.lower()
    digits, suffix = (2, "") if pick == "MASE" else (1, "%")
    scores = (f"{pick} {_fmt(bt['model'][key], digits, suffix)} against "
              f"{_fmt(bt['baseline'][key], digits, suffix)}")
    method = item["model"]["method"]
    if bt["model_wins"]:
        return (f"{name}: the model ({method}) beat seasonal naive in the backtest on {held} "
                f"({scores}), so its forecast is shown.")
    return (f"{name}: the model ({method}) did not beat seasonal naive in the backtest on "
            f"{held} ({scores}), so the seasonal-naive forecast is shown instead.")


def accuracy_rows(result: dict) -> list[list]:
    rows = []
    for key, item in result["series"].items():
        name = label(result, key)
        if item["status"] != "ok":
            rows.append([name, "–", None, None, None, None, "Not enough history"])
            continue
        bt = item["backtest"]
        rows.append([name, item["model"]["method"], bt["model"]["mase"], bt["model"]["smape"],
                     bt["baseline"]["mase"], bt["baseline"]["smape"],
                     "Model beats seasonal naive" if bt["model_wins"] else
                     "Seasonal naive is better: it is shown"])
    return rows


def levels_note(result: dict, horizon: int, numbers: Numbers, kind: str) -> str | None:
    check = levels(result, horizon)
    if check is None or not result["members_total"]:
        return None
    words = BY_WORDS[result["by"]]
    unit = UNIT[result["grain"]][1]
    if not check["complete"]:
        return (f"Levels: only the {len(result['members'])} biggest of "
                f"{result['members_total']} {words} are forecast, or some have no forecast, "
                f"so they do not add up to the total.")
    if "reconciled" in result["series"][TOTAL]:
        base = levels(result, horizon, reconciled=False)
        return (f"Levels: reconciled. The {words}' forecasts add up to the total's, "
                f"{numbers.exact(check['total'], kind)} over the next {horizon} {unit}. Each "
                f"series' own forecast summed to {numbers.exact(base['members_sum'], kind)} "
                f"against the total's {numbers.exact(base['total'], kind)} "
                f"({base['gap_pct']:+.1f}%); OLS reconciliation moved every forecast to the "
                "nearest ones that add up (bands moved with them). The backtest scores the "
                "forecasts before reconciliation.")
    return (f"Levels: the {words}' forecasts add up to {numbers.exact(check['members_sum'], kind)}"
            f" over the next {horizon} {unit}; the total's own forecast is "
            f"{numbers.exact(check['total'], kind)} ({check['gap_pct']:+.1f}%). They are not "
            "reconciled (only categories and regions are): each series has its own model.")


def _festivals(future: list[str], grain: str) -> list[tuple[dt.date, dt.date, str]]:
    if not future:
        return []
    first = dt.date.fromisoformat(future[0])
    last = dt.date.fromisoformat(future[-1]) + dt.timedelta(days=31 if grain == "month" else 6)
    out = []
    for row in read_festivals().itertuples(index=False):
        start, end = row.start.date(), row.end.date()
        if end >= first and start <= last:
            out.append((max(start, first), min(end, last), str(row.festival)))
    return out


MEMBER_FIELD = {"category": "categories", "region": "regions", "product": "products"}
POLL_MS = 1500  # how often a page (or story scene) whose view is being fitted asks if it is ready
RETRY_SECONDS = 60  # a failed background fit is tried again on a request after this long


def pending_words(job: dict) -> str:
    """What the page says while a view is being fitted in the background."""
    if job.get("error"):
        return (f"The forecast for this view could not be fitted ({job['error']}). Reload the "
                "page in a minute to try again.")
    count, done = job["series"], job["done"]
    elapsed = max(time.time() - job["started"], 0)
    if done == 0 and elapsed >= job["estimate"]:  # overrun before the first series is done
        progress = (f"0 of {count} done after {elapsed:.0f} s: taking longer than the "
                    f"{job['estimate']:.0f} s expected, the machine may be busy")
    else:
        left = remaining_estimate(job["estimate"], elapsed, done, count)
        progress = (f"about {elapsed + left:.0f} s in all, {done} of {count} done, about "
                    f"{left:.0f} s left")
    return (f"Fitting {count} series for this view ({progress}). The forecast appears here "
            "when it is ready; the other views stay usable meanwhile.")


def remaining_estimate(estimate: float, elapsed: float, done: int, count: int) -> float:
    """Seconds still to go: once some series are done, at the pace seen so far on this
    machine now (a busy machine fits slower than the kept view's pace promised); before that,
    what is left of the first estimate (0 once it is overrun)."""
    if done > 0:
        return elapsed / done * max(count - done, 0)
    return max(estimate - elapsed, 0.0)


def _pending(warehouse, scope: Scope, dom, spec: ForecastSpec, seen, notes: list[str]) -> dict:
    """The page's view of a fit not kept yet: its background job started (or running)."""
    job = jobs.status(warehouse, scope, spec)
    if job is None or (job.get("error") and time.time() - job["started"] > RETRY_SECONDS):
        job = jobs.start(warehouse, scope, spec, series_count(warehouse, scope, dom, spec))
    words = pending_words(job)
    names = store_labels(warehouse, scope) if spec.by == "store" else {}
    known = names if spec.by == "store" else dom.members.get(MEMBER_FIELD.get(spec.by), ())
    if spec.member != TOTAL and spec.member not in known:  # checked before it is echoed
        notes.append("The member in the link is not among the series you can see; showing "
                     "the total.")
        spec = replace(spec, member=TOTAL)
        seen = replace(seen, member=TOTAL)
    members = [TOTAL, *([spec.member] if spec.member != TOTAL else [])]
    return {
        "spec": spec, "seen": seen, "notes": notes, "empty": False, "member": spec.member,
        "members": members, "labels": {m: names.get(m, m) for m in members},
        "member_label": names.get(spec.member, spec.member), "result": None,
        "figure": theme.empty("Fitting the forecast…"), "path": None, "future": [],
        "festivals": [], "verdict": words, "levels": None, "accuracy": [],
        "filters": describe(seen.filter(dom), scope),
        "title": f"{METRICS[spec.measure].label} forecast, "
                 f"{names.get(spec.member, spec.member)}, next {spec.horizon} "
                 f"{UNIT[spec.grain][1]}",
        "data_version": int(warehouse.version), "pending": job,
    }


def compute(warehouse, scope: Scope, query: dict, wait: bool = True) -> dict:
    """Everything the page and the report show for this URL query, as this scope sees it.

    `wait=False` (the page): a view not fitted yet is started in the background and the
    result says so (`pending`: the job) instead of blocking the worker while it fits."""
    dom = domain(warehouse, scope)
    spec = from_query(query)
    seen, unseen = _visible_spec(spec, dom)
    notes = list(spec.notes)
    if unseen:
        notes.append(f"{unseen} filter value{'s' if unseen > 1 else ''} in the link "
                     f"{'are' if unseen > 1 else 'is'} not in the data you can see; no sales "
                     f"match {'them' if unseen > 1 else 'it'}.")
    result = ahead.kept(warehouse, scope, spec)
    if result is None and not wait and ahead.result_file(warehouse, scope, spec) is not None:
        return _pending(warehouse, scope, dom, spec, seen, notes)
    if result is None:
        result = ahead.result(warehouse, scope, spec, dom)
    member = spec.member
    if member not in result["series"]:
        notes.append("The member in the link is not among the series you can see; showing "
                     "the total.")
        member = TOTAL
    spec = replace(spec, member=member)
    seen = replace(seen, member=member)
    if result["by"] != "total" and result["members_total"] > len(result["members"]):
        notes.append(f"Only the {len(result['members'])} biggest of {result['members_total']} "
                     f"{BY_WORDS[result['by']]} by {spec.measure} are forecast.")
    numbers = Numbers(currency_symbol(warehouse.catalog().meta))
    kind = METRICS[spec.measure].kind
    item = result["series"][member]
    path = shown_path(item)
    horizon = spec.horizon
    cut = None if path is None else {k: (v[:horizon] if isinstance(v, list) else v)
                                     for k, v in path.items()}
    future = result["future"][:horizon]
    festivals = _festivals(future, spec.grain) if cut else []
    empty = not any(any(v for v in s["history"]) for s in result["series"].values())
    if empty:
        notes.append("No sales match these filters, so there is nothing to forecast.")
    figure = forecast_chart(result["periods"], item["history"], future, cut, kind,
                            numbers.axis(spec.measure), numbers, festivals, spec.season)
    flt = seen.filter(dom)
    return {
        "spec": spec, "seen": seen, "notes": notes, "empty": empty, "member": member,
        "members": [TOTAL, *result["members"]], "result": result, "figure": figure,
        "member_label": label(result, member),
        "labels": {m: label(result, m) for m in [TOTAL, *result["members"]]},
        "path": cut, "future": future, "festivals": festivals,
        "verdict": verdict(label(result, member), item, spec.grain),
        "levels": levels_note(result, horizon, numbers, kind),
        "accuracy": accuracy_rows(result),
        "filters": describe(flt, scope),
        "title": f"{METRICS[spec.measure].label} forecast, {label(result, member)}, next "
                 f"{horizon} {UNIT[spec.grain][1]}",
        "data_version": int(warehouse.version), "pending": None,
    }
