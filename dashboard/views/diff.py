"""Two versions of a view in words: "Region: North → North, South; Top N: 5 → 10".

Computed from the parsed queries (the Overview's own keys and labels, components/view_state.py
and queries/filters.LABELS), never from the raw strings, so reordered values are no change.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from dashboard.components.view_state import URL_KEYS, as_date
from dashboard.queries.filters import LABELS
from dashboard.story import saved
from dashboard.views import content

OPTIONS = {  # URL key -> (label, default, shown values)
    "trend": ("Trend by", "category", {"category": "Category", "region": "Region"}),
    "measure": ("Measure", "revenue", {"revenue": "Revenue", "units": "Units"}),
    "top": ("Top N", "5", {}),
}
DRILLS = {"geo": "Places drill-down", "prod": "Toys drill-down"}
HIGHLIGHT_NAMES = {"region": "region", "category": "category", "subcategory": "toy type",
                   "product": "toy", "age_group": "age group", "gender": "gender",
                   "channel": "channel", "season": "season", "festival": "festival"}


def _day(value: str | None) -> dt.date | None:
    return as_date(value, None) if value else None


def _dates(parsed: dict) -> str:
    start, end = (_day((parsed.get(k) or [None])[0]) for k in ("start", "end"))
    if start is None and end is None:
        return "the default range"
    shown = [f"{d.day} {d:%b %Y}" if d else "default" for d in (start, end)]
    return " – ".join(shown)


def _highlight(parsed: dict) -> str | None:
    value = (parsed.get("hl") or [None])[0]
    if not value or ":" not in value:
        return None
    column, member = value.split(":", 1)
    return f"{member} ({HIGHLIGHT_NAMES.get(column, column)})"


def _change(label: str, before: tuple[str, ...], after: tuple[str, ...], sep=", ") -> str | None:
    if set(before) == set(after) and (sep == ", " or before == after):
        return None
    if not before:
        return f"{label}: added {sep.join(after)}"
    if not after:
        return f"{label}: removed {sep.join(before)}"
    return f"{label}: {sep.join(before)} → {sep.join(after)}"


def _parsed(query: str, options: str) -> dict[str, list[str]]:
    return parse_qs(content.joined(query, options))


def changes(old, new) -> list[str]:
    """What changed from version `old` to version `new` (store.Version), one phrase each."""
    a, b = _parsed(old.query, old.options), _parsed(new.query, new.options)
    out = []
    if _dates(a) != _dates(b):
        out.append(f"Dates: {_dates(a)} → {_dates(b)}")
    for key, field in URL_KEYS.items():
        out.append(_change(LABELS[field], tuple(a.get(key, ())), tuple(b.get(key, ()))))
    hl_a, hl_b = _highlight(a), _highlight(b)
    if hl_a != hl_b:
        out.append(f"Highlight: {hl_a or 'none'} → {hl_b or 'none'}")
    for key, label in DRILLS.items():
        out.append(_change(label, tuple(a.get(key, ())), tuple(b.get(key, ())), sep=" › "))
    for key, (label, default, shown) in OPTIONS.items():
        was, now = (p.get(key, [default])[0] for p in (a, b))
        if was != now:
            out.append(f"{label}: {shown.get(was, was)} → {shown.get(now, now)}")
    return [phrase for phrase in out if phrase]


def summary(old, new, page: str = "overview") -> str:
    """One line for the history: the changes joined, or that there were none. A story's
    versions are compared scene by scene (story/saved.changes)."""
    if old is None:
        return "First version."
    if page == "story":
        found = saved.changes(old.options, new.options)
        return "; ".join(found) + "." if found else f"Same scenes as version {old.n}."
    found = changes(old, new)
    return "; ".join(found) + "." if found else f"Same filters and options as version {old.n}."
