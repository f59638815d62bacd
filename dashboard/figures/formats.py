"""One rule for writing numbers: tiles, tooltips and axes all go through `Numbers`.

Amounts carry the dataset's currency; big numbers shrink to k/M/B with one decimal; shares are
percentages with one decimal; a change that rounds to zero reads "no change", never "▼ -0.0%".
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from dashboard.queries.registry import METRICS


def text(value) -> str:
    """Data or URL text made safe for Plotly, which renders a subset of HTML in every label.

    `<a href=...>` in a toy name must show as those characters, not as a live link: Plotly turns
    the entities back into the characters when it draws the text.
    """
    return html.escape(str(value), quote=False)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Numbers:
    currency: str = "$"

    def short(self, value: float) -> str:
        sign = "-" if value < 0 else ""
        v = abs(value)
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if round(v / limit, 1) >= 1:
                return f"{sign}{v / limit:.1f}{suffix}"
        return f"{sign}{v:,.0f}"

    def value(self, value: float | None, kind: str = "number") -> str:
        """A value as a tile shows it: $1.2M, 34.5k, $41.27, 41.2%."""
        if is_missing(value):
            return "–"
        if kind in ("pct", "points"):
            return f"{value * 100:.1f}%"
        if kind == "currency_exact":
            return f"{'-' if value < 0 else ''}{self.currency}{abs(value):,.2f}"
        short = self.short(value)
        if kind == "currency":
            return f"-{self.currency}{short[1:]}" if short.startswith("-") else \
                f"{self.currency}{short}"
        return short

    def exact(self, value: float | None, kind: str = "number") -> str:
        """A value as a tooltip shows it: whole units, thousands separated."""
        if is_missing(value):
            return "–"
        if kind in ("currency", "currency_exact"):
            return f"{'-' if value < 0 else ''}{self.currency}{abs(value):,.0f}"
        if kind in ("pct", "points"):
            return f"{value * 100:.1f}%"
        return f"{value:,.0f}"

    def metric(self, name: str, value: float | None, exact: bool = False) -> str:
        kind = METRICS[name].kind
        return self.exact(value, kind) if exact else self.value(value, kind)

    @staticmethod
    def change(delta: float | None, points: bool = False) -> tuple[str, int]:
        """("+4.2%", 1) / ("no change", 0) / ("-1.3 pt", -1): the sign after rounding."""
        if is_missing(delta):
            return "–", 0
        shown = round(delta * 100, 1)
        if shown == 0:
            return "no change", 0
        return (f"{shown:+.1f} pt" if points else f"{shown:+.1f}%"), (1 if shown > 0 else -1)

    def unit_label(self, measure: str) -> str:
        """Axis and colour-bar titles name the unit: "Revenue ($)", "Units"."""
        m = METRICS[measure]
        if m.unit == "currency":
            return f"{m.label} ({self.currency.strip()})"
        return m.label if m.unit in ("units", "orders") else f"{m.label} ({m.unit})"

    def axis(self, measure: str, title: bool = True) -> dict:
        """Value-axis settings: currency prefix, k/M ticks, unit in the title."""
        kind = METRICS[measure].kind
        out: dict = {"exponentformat": "B", "separatethousands": True,  # $3,000, not $3000
                     "rangemode": "tozero"}
        if kind in ("pct", "points"):
            out = {"tickformat": ".0%"}
        elif kind.startswith("currency"):
            out["tickprefix"] = self.currency
        if title:
            out["title"] = {"text": self.unit_label(measure), "font": {"size": 11},
                            "standoff": 4}
        return out
