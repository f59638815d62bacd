"""The Forecast page's machine-readable twin: `page_report(warehouse, scope, query) -> dict`.

Pure of Flask, like every page report (docs/ARCHITECTURE.md): `dashboard report --page
forecast`, the exports, the print page and `dashboard forecast` all read it. Besides the
contract's keys it carries `accuracy` (the backtest table) and `series` (each series' shown
forecast and both methods' backtest errors), which the CLI writes out.

A request (the print page, a chart's CSV) never fits inline: `report_for_request` starts the
view's background job like the page does and says "Fitting N series" until it is kept; the
command line waits for the fit.
"""

from __future__ import annotations

from dashboard.forecast.compute import label, shown_path
from dashboard.pages import forecast_view
from dashboard.pages.overview_view import query_dict
from dashboard.queries.filters import Scope
from dashboard.report.tables import marks


def series_table(out: dict) -> list[dict]:
    """Per series: status, method shown, the forecast over the horizon and backtest errors."""
    result, horizon = out["result"], out["spec"].horizon
    if result is None:  # still fitting in the background
        return []
    rows = []
    for name, item in result["series"].items():
        path = shown_path(item)
        entry = {"series": label(result, name), "key": name, "status": item["status"],
                 "reason": item.get("reason"),
                 "shown": None if path is None else item["shown"],
                 "method": None if path is None else path["method"],
                 "backtest": item.get("backtest"), "forecast": []}
        if path is not None:
            entry["forecast"] = [
                {"period": p, "mean": path["mean"][i],
                 **{k: path[k][i] for k in ("lo80", "hi80", "lo95", "hi95")}}
                for i, p in enumerate(result["future"][:horizon])]
        rows.append(entry)
    return rows


def report(warehouse, scope: Scope, query: str, wait: bool = True) -> tuple[dict, dict]:
    out = forecast_view.compute(warehouse, scope, query_dict(query), wait=wait)
    narrative = [out["verdict"], *([out["levels"]] if out["levels"] else []),
                 forecast_view.METHOD_NOTE, forecast_view.FESTIVAL_NOTE]
    return {
        "page": "forecast", "title": "Forecast", "data_version": out["data_version"],
        "filters": out["filters"], "query": "?" + out["seen"].to_query(),
        "notes": out["notes"], "tiles": [],
        "charts": [{"id": "forecast", "title": out["title"], "figure": out["figure"],
                    "columns": ["Series", "Period", out["spec"].measure.capitalize()],
                    "rows": [] if out["empty"] else
                    [row for row in marks(out["figure"]) if row[0]]}],  # not the joiner
        "narrative": narrative,
        "accuracy": {"columns": forecast_view.ACCURACY_COLUMNS, "rows": out["accuracy"]},
        "series": series_table(out),
        # started in the background, not kept yet: what the page says meanwhile (else None)
        "fitting": None if out["pending"] is None else out["verdict"],
    }, out


def page_report(warehouse, scope: Scope, query: str) -> dict:
    """The Forecast for `query` (its URL query string) as `scope` sees it."""
    return report(warehouse, scope, query)[0]


def background_report(warehouse, scope: Scope, query: str) -> dict:
    """The report for a web request (a story scene, the print page, a chart's CSV): a view not
    kept yet is fitted in the background (as on the page), so a request never holds a worker
    for a model fit; `fitting` says so."""
    return report(warehouse, scope, query, wait=False)[0]


def report_for_request(svc, scope: Scope, query: str) -> dict:
    return background_report(svc.warehouse, scope, query)
