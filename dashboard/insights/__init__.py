"""Insights: short sentences computed from the data under a scene's filters and the viewer's scope.

Each kind is a function `(Context, **options) -> Insight` in its own module; it reads only the
query layer (dashboard/queries), so every number it states is one the query layer returns, and
builds its sentence from the structured result it also hands back. KINDS names them for stories.
"""

from __future__ import annotations

from dashboard.insights import (
    bestsellers,
    concentration,
    drivers,
    regional,
    seasonal,
    trend,
    unusual,
)
from dashboard.insights.base import Context, Insight, context

KINDS = {
    "trend": trend.trend,
    "seasonal": seasonal.seasonal_peak,
    "drivers": drivers.drivers,
    "concentration": concentration.concentration,
    "unusual": unusual.unusual_change,
    "bestsellers": bestsellers.bestsellers,
    "regional": regional.regional_gaps,
}


def run(kind: str, ctx: Context, **options) -> Insight:
    """One insight by its kind name (a story scene lists kinds and options)."""
    if kind not in KINDS:
        raise ValueError(f"unknown insight kind {kind!r} (known: {', '.join(KINDS)})")
    return KINDS[kind](ctx, **options)


__all__ = ["KINDS", "Context", "Insight", "context", "run"]
