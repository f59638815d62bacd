"""The metric registry: what each number the app shows means, how it is computed and written.

One entry per metric (label, SQL aggregate over sales rows, format, unit, good direction and a
one-line definition), so KPI tiles, tooltips, axes and the "?" definitions all say the same
thing. Dimensions (hierarchies, natural orders) live beside it in dimensions.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    sql: str  # aggregate over sales rows (or, for ratios, over other metrics' aggregates)
    kind: str  # format kind: currency, currency_exact, number, pct, points
    unit: str  # "currency" (the dataset's), "units", "orders", "%", "pt"
    up_is_good: bool
    definition: str
    needs: tuple[str, ...] = ()  # source fields without which the metric cannot be shown


_METRICS = (
    Metric("revenue", "Revenue", "sum(revenue)", "currency", "currency", True,
           "Money taken for the order lines in the filters, after discounts, before cost."),
    Metric("units", "Units", "sum(units)", "number", "units", True,
           "Number of toys sold (the sum of each order line's quantity)."),
    Metric("orders", "Orders", "count(DISTINCT order_id)", "number", "orders", True,
           "Distinct orders holding at least one line that matches the filters."),
    Metric("aov", "Avg order value", "sum(revenue) / count(DISTINCT order_id)",
           "currency_exact", "currency", True,
           "Average order value: revenue divided by the number of orders."),
    Metric("cost", "Cost", "sum(cost)", "currency", "currency", False,
           "What the toys sold cost the retailer (units × unit cost).", ("cost",)),
    Metric("profit", "Gross profit", "sum(revenue) - sum(cost)", "currency", "currency", True,
           "Revenue minus the cost of the toys sold.", ("cost",)),
    Metric("margin_pct", "Gross margin", "(sum(revenue) - sum(cost)) / sum(revenue)", "pct",
           "%", True, "Gross profit as a share of revenue.", ("cost",)),
    Metric("share", "Share of total", "sum(revenue) / total", "pct", "%", True,
           "This member's part of the total for the whole chart under the same filters."),
    Metric("change_share", "Share of the change", "(revenue - previous) / |total change|",
           "pct", "%", True, "This member's change in revenue against the previous period, as a "
           "part of the size of the whole change: positive when it grew, negative when it shrank "
           "(the bars add up to +100% when the total grew, -100% when it fell)."),
    Metric("vs_previous", "vs prev.", "(value - previous) / previous", "pct", "%", True,
           "Change against the previous period: the same number of days just before the range."),
    Metric("vs_year_ago", "vs last yr", "(value - year ago) / year ago", "pct", "%", True,
           "Change against the same dates one year earlier."),
)
METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}

# ISO 4217 code -> symbol shown before amounts; other codes are written as "CODE ".
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "MXN": "MX$",
                    "CAD": "CA$", "AUD": "A$", "BRL": "R$", "CNY": "CN¥", "CHF": "CHF "}


def metric(name: str) -> Metric:
    return METRICS[name]


def currency_symbol(meta: dict) -> str:
    """The dataset's currency (warehouse meta `currency`, an ISO code; USD when absent)."""
    code = meta.get("currency") or "USD"
    code = code.strip().upper() if isinstance(code, str) else "USD"
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def missing(metric_name: str, unavailable) -> tuple[str, ...]:
    """Fields the metric needs that this data version lacks (meta `unavailable`)."""
    return tuple(f for f in METRICS[metric_name].needs if f in set(unavailable or ()))


UNAVAILABLE_REASON = {"cost": "no cost or profit data"}


def unavailable_reason(metric_name: str, unavailable) -> str | None:
    """Why a metric cannot be shown for this data ("no cost or profit data"), or None."""
    lacking = missing(metric_name, unavailable)
    return UNAVAILABLE_REASON.get(lacking[0], f"no {lacking[0]} data") if lacking else None
