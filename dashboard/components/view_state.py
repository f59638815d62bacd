"""The whole Overview state (filters, highlight, chart options) to and from the URL query string.

Everything that reaches here came from a browser, so it is coerced and bounded, never trusted:
unknown keys are ignored, bad dates fall back to the default range and dates outside the data
are clamped to it (both said on the page: date_notes), lists are capped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from dashboard.queries.filters import MAX_VALUES, Filter
from dashboard.queries.options import Domain
from dashboard.queries.sources import HIGHLIGHT_COLUMNS, Highlight
from dashboard.warehouse.schema import FILTER_COLUMNS

# URL key -> Filter field
URL_KEYS = {
    "region": "regions", "season": "seasons", "festival": "festivals", "category": "categories",
    "type": "subcategories", "toy": "products", "age": "age_groups", "gender": "genders",
    "channel": "channels",
}
TREND_BY = ("category", "region")
MEASURES = ("revenue", "units")
TOP_N = (3, 5, 10)
PLACES = ("next", "stores")  # contribution and heat map: the level below the path, or its stores


@dataclass(frozen=True)
class ViewState:
    filter: Filter
    highlight: Highlight | None = None
    trend_by: str = "category"
    measure: str = "revenue"
    top_n: int = 5
    geo: tuple[str, ...] = ()  # drill path: region, state, city (queries/drill.py checks it)
    prod: tuple[str, ...] = ()  # drill path: category, toy type
    places: str = "next"  # "stores": compare every store under the place path


def as_values(value) -> tuple[str, ...]:
    """A dropdown value or URL parameter as a tuple of strings (None, str or list)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value[:MAX_VALUES])
    raise TypeError("filter values must be strings")


def as_date(value, fallback: dt.date | None) -> dt.date | None:
    """An ISO date (a time after it is ignored); anything else, 2025-02-31 included, is not."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return fallback
    return fallback


def as_highlight(value) -> Highlight | None:
    """'column:value' (URL) or {'column': ..., 'value': ...} (store) -> Highlight."""
    if isinstance(value, str) and ":" in value:
        column, member = value.split(":", 1)
    elif isinstance(value, dict):
        column, member = value.get("column"), value.get("value")
    else:
        return None
    if column in HIGHLIGHT_COLUMNS and isinstance(member, str):
        return Highlight(column, member)
    return None


def choice(value, allowed: tuple, default):
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if value in allowed else default


def make_filter(start, end, domain: Domain, **values) -> Filter:
    """The filter for these inputs; dates outside the data are clamped to it (date_notes says
    so), a reversed range is put the right way round."""
    default_start, default_end = domain.default_range()
    start_d, end_d = as_date(start, default_start), as_date(end, default_end)
    if end_d < start_d:
        start_d, end_d = end_d, start_d
    start_d = min(max(start_d, domain.min_date), domain.max_date)
    end_d = min(max(end_d, domain.min_date), domain.max_date)
    return Filter(start=start_d, end=end_d,
                  **{name: as_values(values.get(name)) for name in FILTER_COLUMNS})


def _shown(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def date_notes(start, end, domain: Domain) -> list[str]:
    """What happened to the dates a user typed or a URL carried, in words (empty when nothing
    was changed): not a date, outside the data (clamped), or ends before it starts."""
    notes = []
    for label, value in (("start", start), ("end", end)):
        if value in (None, ""):
            continue
        day = as_date(value, None) if isinstance(value, str) else None
        if day is None:
            notes.append(f"The {label} date {str(value)[:40]!r} is not a real date, so the "
                         "default range is used for it.")
        elif day < domain.min_date or day > domain.max_date:
            edge = domain.min_date if day < domain.min_date else domain.max_date
            notes.append(f"The data runs from {_shown(domain.min_date)} to "
                         f"{_shown(domain.max_date)}: the {label} date {_shown(day)} was "
                         f"moved to {_shown(edge)}.")
    first, last = (as_date(v, None) if isinstance(v, str) else None for v in (start, end))
    if first and last and last < first:
        notes.append("The range ended before it started, so its dates were swapped.")
    return notes


DRILL_KEYS = {"geo": 4, "prod": 2}  # URL key (and ViewState field) -> most steps


def as_path(value, depth: int) -> tuple[str, ...]:
    """A drill path from the URL (repeated key) or the drill store; not yet checked."""
    try:
        return as_values(value)[:depth]
    except TypeError:
        return ()


def from_query(query: dict, domain: Domain) -> ViewState:
    values = {field: query.get(key) for key, field in URL_KEYS.items()}
    try:
        flt = make_filter(query.get("start"), query.get("end"), domain, **values)
    except (TypeError, ValueError):
        flt = make_filter(None, None, domain)
    return ViewState(
        filter=flt,
        highlight=as_highlight(query.get("hl")),
        trend_by=choice(query.get("trend"), TREND_BY, "category"),
        measure=choice(query.get("measure"), MEASURES, "revenue"),
        top_n=choice(query.get("top"), TOP_N, 5),
        places=choice(query.get("places"), PLACES, "next"),
        **{key: as_path(query.get(key), depth) for key, depth in DRILL_KEYS.items()},
    )


def to_query(state: ViewState, domain: Domain) -> str:
    """The query string (with '?') that reproduces this view; defaults are left out."""
    pairs: list[tuple[str, str]] = []
    if (state.filter.start, state.filter.end) != domain.default_range():
        pairs += [("start", state.filter.start.isoformat()), ("end", state.filter.end.isoformat())]
    for key, field in URL_KEYS.items():
        pairs += [(key, v) for v in getattr(state.filter, field)]
    if state.highlight:
        pairs.append(("hl", f"{state.highlight.column}:{state.highlight.value}"))
    for key in DRILL_KEYS:
        pairs += [(key, v) for v in getattr(state, key)]
    defaults = ViewState(filter=state.filter)
    for key, attr in (("trend", "trend_by"), ("measure", "measure"), ("top", "top_n"),
                      ("places", "places")):
        if getattr(state, attr) != getattr(defaults, attr):
            pairs.append((key, str(getattr(state, attr))))
    return "?" + urlencode(pairs) if pairs else ""


def default_option(name: str):
    """The default of a chart option (trend_by, measure, top_n, places), as the dataclass
    declares it."""
    return next(f.default for f in fields(ViewState) if f.name == name)


def reset(domain: Domain) -> ViewState:
    return replace(ViewState(filter=make_filter(None, None, domain)))
