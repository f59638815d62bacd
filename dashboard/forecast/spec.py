"""What one forecast view asks for (measure, grain, by, member, horizon, filters), checked.

A URL or the CLI can carry anything: every value is checked against a fixed list, and what was
changed is said in a note. Season and festival filters cut the calendar, which a forecast
cannot do, so they are dropped with a note; the history is always the data's whole span.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.components.view_state import URL_KEYS, as_values
from dashboard.queries.filters import Filter
from dashboard.queries.options import Domain

MEASURES = ("revenue", "units")
GRAINS = {"month": 12, "week": 52}  # grain -> season length (periods in a year)
# by -> the sales column its members come from (a fixed registry: the only names in SQL)
BY = {"total": None, "category": "category", "region": "region", "store": "store_id",
      "product": "product_name"}
HORIZON = (3, 18)
DEFAULT_HORIZON = {"month": 6, "week": 12}
TOTAL = "Total"
CALENDAR_FILTERS = ("seasons", "festivals")
DIMENSION_KEYS = {key: name for key, name in URL_KEYS.items() if name not in CALENDAR_FILTERS}


@dataclass(frozen=True)
class ForecastSpec:
    measure: str = "revenue"
    grain: str = "month"
    by: str = "total"
    member: str = TOTAL
    horizon: int = 6
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (filter field, members), sorted
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def season(self) -> int:
        return GRAINS[self.grain]

    def filter(self, domain: Domain) -> Filter:
        """The whole history under this spec's dimension filters."""
        return Filter(start=domain.min_date, end=domain.max_date, **dict(self.values))

    def key(self) -> tuple:
        """What the series depend on (the chart's member and the horizon are chosen later)."""
        return (self.measure, self.grain, self.by, self.values)

    def to_query(self) -> str:
        from urllib.parse import urlencode

        pairs = [("measure", self.measure), ("grain", self.grain), ("by", self.by),
                 ("horizon", str(self.horizon))]
        if self.member != TOTAL:
            pairs.append(("member", self.member))
        back = {name: key for key, name in DIMENSION_KEYS.items()}
        for name, members in self.values:
            pairs.extend((back[name], m) for m in members)
        return urlencode(pairs)


def _pick(value, allowed, default, label: str, notes: list[str]):
    if value is None or value == "":
        return default
    if isinstance(value, str) and value in allowed:
        return value
    notes.append(f"{label} {str(value)[:40]!r} is not one of {', '.join(allowed)}; "
                 f"showing {default}.")
    return default


def _horizon(value, default: int, notes: list[str]) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value))
    except ValueError:
        notes.append(f"Horizon {str(value)[:20]!r} is not a whole number; showing {default}.")
        return default
    low, high = HORIZON
    if not low <= number <= high:
        clamped = min(max(number, low), high)
        notes.append(f"Horizon {number} is outside {low}–{high} periods; showing {clamped}.")
        return clamped
    return number


def from_query(query: dict, domain: Domain | None = None) -> ForecastSpec:
    """The checked spec of a URL query (a dict: one value a string, repeats a list)."""
    notes: list[str] = []
    measure = _pick(query.get("measure"), MEASURES, "revenue", "Measure", notes)
    grain = _pick(query.get("grain"), tuple(GRAINS), "month", "Grain", notes)
    by = _pick(query.get("by"), tuple(BY), "total", "Breakdown", notes)
    horizon = _horizon(query.get("horizon"), DEFAULT_HORIZON[grain], notes)
    member = query.get("member") if isinstance(query.get("member"), str) else TOTAL
    if by == "total":
        member = TOTAL
    values = []
    for key, name in DIMENSION_KEYS.items():
        try:
            members = as_values(query.get(key))
        except TypeError:
            members = ()
        if members:
            values.append((name, tuple(sorted(set(members)))))
    if any(query.get(k) for k, n in URL_KEYS.items() if n in CALENDAR_FILTERS):
        notes.append("Season and festival filters do not apply to forecasts (they cut the "
                     "calendar); the whole history is used.")
    return ForecastSpec(measure, grain, by, member or TOTAL, horizon,
                        tuple(sorted(values)), tuple(notes))
