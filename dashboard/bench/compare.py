"""Both ways' numbers in one comparable shape, and the check that they agree."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.bench.states import State
from dashboard.queries import overview as m


def _key(k) -> str:
    parts = k if isinstance(k, tuple) else (k,)
    return "|".join(p.date().isoformat() if isinstance(p, pd.Timestamp)
                    else p.isoformat() if hasattr(p, "isoformat") else str(p) for p in parts)


def normalise(numbers: dict) -> dict:
    """JSON-friendly: dict keys as 'a|b' strings, numpy scalars as floats, zeros dropped."""
    out = {}
    for name, value in numbers.items():
        if isinstance(value, dict):
            out[name] = {_key(k): float(v) for k, v in value.items() if float(v) != 0.0}
        elif isinstance(value, list):  # ranked pairs: group order may differ, rank order may not
            out[name] = sorted(([str(a), str(b)] for a, b in value), key=lambda pair: pair[0])
        else:
            out[name] = float(value)
    return out


def from_scan(scan: m.OverviewScan, state: State) -> dict:
    """ToyPulse's numbers for a state, from the same scan the Overview callback renders."""
    kpis = m.kpis(scan)
    frames = scan.frames
    measure = state.measure
    trend = m.monthly_sales_trend(scan, state.trend_by)
    top = m.top_toys_by_age(scan)
    contrib = m.regional_contribution(scan)
    out = {
        "revenue": kpis["revenue"]["value"], "units": kpis["units"]["value"],
        "cost": frames["month_region"]["cost"].sum(), "orders": kpis["orders"]["value"],
        "previous_revenue": kpis["revenue"]["previous"],
        "previous_orders": kpis["orders"]["previous"],
        "year_ago_revenue": kpis["revenue"]["year_ago"],
        "year_ago_orders": kpis["orders"]["year_ago"],
        "trend": {(pd.Timestamp(r.month), r.series): getattr(r, measure)
                  for r in trend.itertuples()},
        "heatmap": {(r.region, pd.Timestamp(r.month)): getattr(r, measure)
                    for r in frames["month_region"].itertuples()},
        "category": dict(zip(frames["subcategory"]["category"], frames["subcategory"]["revenue"],
                             strict=True)),
        "subcategory": dict(zip(frames["subcategory"]["subcategory"],
                                frames["subcategory"]["revenue"], strict=True)),
        "age": dict(zip(frames["age"]["age_group"], frames["age"]["revenue"], strict=True)),
        "gender": dict(zip(frames["gender"]["gender"], frames["gender"]["revenue"],
                           strict=True)),
        "region_previous": dict(zip(contrib["region"], contrib["previous_revenue"],
                                    strict=True)),
        "top": list(zip(top["age_group"], top["product_name"], strict=True)),
    }
    category = m.category_bars(scan)
    out["category"] = dict(zip(category["category"], category["revenue"], strict=True))
    if state.highlight:
        out["highlight_category"] = dict(zip(category["category"], category["hl_revenue"],
                                             strict=True))
    return out


def mismatches(ours: dict, theirs: dict, rel: float = 1e-6) -> list[str]:
    """What differs between two normalised summaries (DuckDB sums floats in another order)."""
    problems = []
    for name in sorted(set(ours) | set(theirs)):
        a, b = ours.get(name), theirs.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                x, y = a.get(key, 0.0), b.get(key, 0.0)
                if not math.isclose(x, y, rel_tol=rel, abs_tol=1e-6):
                    problems.append(f"{name}[{key}]: {x} vs {y}")
        elif isinstance(a, float) and isinstance(b, float):
            if not math.isclose(a, b, rel_tol=rel, abs_tol=1e-6):
                problems.append(f"{name}: {a} vs {b}")
        elif a != b:
            problems.append(f"{name}: {a!r} vs {b!r}")
    return problems
