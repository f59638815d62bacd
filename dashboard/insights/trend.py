"""Current trend and trend change: the latest months against the same months a year earlier,
and the months before them likewise, so the toy trade's seasons do not pass for a trend.

Windows are up to WINDOW whole months (half the months in view when fewer); with one whole
month or none there is no trend to state, and without the year-ago months in the data neither.
A change of the trend is said when the two year-on-year changes differ by at least
CHANGE_POINTS points; otherwise the pace is "about the same".
"""

from __future__ import annotations

from dashboard.insights.base import (
    Context,
    Insight,
    add_months,
    change_words,
    money,
    monthly,
    ratio_change,
    small_note,
    span_name,
    whole_months,
)

WINDOW = 3
CHANGE_POINTS = 2.0


def trend(ctx: Context) -> Insight:
    months = whole_months(ctx)
    if len(months) < 2:
        return Insight("trend", "Only one month or less is in view, so no trend is stated.",
                       {"months": len(months)}, notable=False)
    k = min(WINDOW, len(months) // 2)
    recent = months[-k:]
    earlier = months[-2 * k:-k]
    first_needed = add_months(earlier[0], -12)
    if first_needed < ctx.min_date.replace(day=1) or (
            first_needed == ctx.min_date.replace(day=1) and ctx.min_date.day != 1):
        return Insight("trend", f"The data starts {ctx.min_date:%d %B %Y}, too late to compare "
                       f"{span_name(earlier[0], recent[-1])} with a year earlier, so no trend "
                       "is stated.", {"months": len(months)}, notable=False)
    frame = monthly(ctx, first_needed, recent[-1])
    by_month = dict(zip(frame["month"], frame["revenue"], strict=True))
    units = dict(zip(frame["month"], frame["units"], strict=True))

    def window(ms):
        now = sum(by_month.get(m, 0.0) for m in ms)
        before = sum(by_month.get(add_months(m, -12), 0.0) for m in ms)
        return now, before, ratio_change(now, before)

    r_now, r_before, r_change = window(recent)
    e_now, e_before, e_change = window(earlier)
    data = {
        "recent": (recent[0], recent[-1]), "earlier": (earlier[0], earlier[-1]),
        "recent_revenue": r_now, "recent_year_ago": r_before, "recent_change": r_change,
        "earlier_revenue": e_now, "earlier_year_ago": e_before, "earlier_change": e_change,
        "units": sum(units.get(m, 0.0) for m in recent),
    }
    if r_change is None or e_change is None:
        span = span_name(earlier[0], recent[-1])
        return Insight("trend", f"There were no sales a year before {span}, so no trend is "
                       "stated.", data, notable=False)
    points = round((r_change - e_change) * 100, 1)
    data["change_points"] = points
    head = (f"Revenue in {span_name(recent[0], recent[-1])} was {money(ctx, r_now)}, "
            f"{change_words(r_change)} on a year earlier; in "
            f"{span_name(earlier[0], earlier[-1])} it was {change_words(e_change)}")
    if abs(points) < CHANGE_POINTS:
        tail = (f": about the same pace (the two differ by less than {CHANGE_POINTS:g} "
                "points).")
        data["direction"] = "steady"
    else:
        data["direction"] = "up" if points > 0 else "down"
        word = "improved" if points > 0 else "weakened"
        tail = f": the trend {word} by {abs(points):.1f} points."
    return Insight("trend", head + tail + small_note(data["units"]), data,
                   notable=data["direction"] != "steady")
