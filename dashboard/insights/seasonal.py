"""Seasonal peak: the calendar month that sells most against the average month.

Needs twelve whole months in view (fewer cannot show a season). Over several years each
calendar month is the mean of its years; "the monthly average" is the mean of those twelve.
Two months whose ratios read the same (one decimal) are a tie.
"""

from __future__ import annotations

import datetime as dt

from dashboard.insights.base import Context, Insight, join, money, monthly, small_note, whole_months


def seasonal_peak(ctx: Context) -> Insight:
    months = whole_months(ctx)
    if len(months) < 12:
        return Insight("seasonal", f"{len(months)} whole months are in view; a seasonal peak "
                       "needs at least 12, so none is stated.", {"months": len(months)},
                       notable=False)
    frame = monthly(ctx, months[0], months[-1])
    revenue = dict(zip(frame["month"], frame["revenue"], strict=True))
    per_month: dict[int, list[float]] = {}
    for m in months:
        per_month.setdefault(m.month, []).append(revenue.get(m, 0.0))
    means = {month: sum(v) / len(v) for month, v in per_month.items()}
    average = sum(means.values()) / len(means)
    units = float(frame["units"].sum())
    if not average:
        return Insight("seasonal", "No sales in view, so no seasonal peak is stated.",
                       {"months": len(months)}, notable=False)
    ratios = {month: mean / average for month, mean in means.items()}
    top = max(ratios.values())
    peaks = sorted(m for m, r in ratios.items() if f"{r:.1f}" == f"{top:.1f}")
    low = min(ratios.values())
    lows = sorted(m for m, r in ratios.items() if f"{r:.1f}" == f"{low:.1f}")
    names = [dt.date(2000, m, 1).strftime("%B") for m in peaks]
    low_names = [dt.date(2000, m, 1).strftime("%B") for m in lows]
    years = sorted({m.year for m in months})
    over = f" of {years[0]}–{years[-1]} on average" if len(months) > 12 else ""
    data = {"peak_months": peaks, "peak_ratio": top, "peak_revenue": means[peaks[0]],
            "average": average, "low_months": lows, "low_ratio": low, "months": len(months),
            "ratios": ratios, "units": units}
    if len(peaks) > 1:
        head = (f"{join(names)} tie as the peak months{over}: each {top:.1f}x the monthly "
                f"average ({money(ctx, average)})")
    else:
        head = (f"{names[0]} is the peak month{over}: {top:.1f}x the monthly average "
                f"({money(ctx, means[peaks[0]])} against {money(ctx, average)})")
    tail = (f"; {join(low_names)} {'tie as' if len(lows) > 1 else 'is'} the quietest at "
            f"{low:.1f}x.")
    return Insight("seasonal", head + tail + small_note(units), data)

