"""The dimension registry: what each dimension is called, how it nests and how it sorts.

Beside the metric registry (registry.py), so filters, charts, drill-down and later pages agree:
age groups sort by age (0-2, 3-5, ..., 13+), not as text (0-2, 13+, 3-5); seasons and months by
the calendar; "Unknown" always last; everything else alphabetically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.warehouse.schema import UNKNOWN


@dataclass(frozen=True)
class Dimension:
    column: str  # column in sales_fact and the rollups
    label: str
    filter_field: str | None  # Filter attribute, when the filter bar offers it
    order: str = "alpha"  # alpha, numeric (by the first number), season, month


DIMENSIONS: dict[str, Dimension] = {d.column: d for d in (
    Dimension("region", "Region", "regions"),
    Dimension("state", "State", None),
    Dimension("city", "City", None),
    Dimension("store_id", "Store", None),
    Dimension("category", "Category", "categories"),
    Dimension("subcategory", "Toy type", "subcategories"),
    Dimension("product_name", "Toy", "products"),
    Dimension("age_group", "Age", "age_groups", "numeric"),
    Dimension("gender", "Gender", "genders"),
    Dimension("channel", "Channel", "channels"),
    Dimension("season", "Season", "seasons", "season"),
    Dimension("festival", "Festival", "festivals"),
    Dimension("month", "Month", None, "month"),
)}

# Drill paths, coarse to fine.
HIERARCHIES: dict[str, tuple[str, ...]] = {
    "geography": ("region", "state", "city", "store_id"),
    "product": ("category", "subcategory", "product_name"),
    "time": ("year", "quarter", "month", "week", "date"),
}

SEASONS = ("Winter", "Spring", "Summer", "Autumn", "Fall")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FIRST_NUMBER = re.compile(r"\d+")


def child_of(column: str) -> str | None:
    """The next level down from `column` in its hierarchy, or None at the bottom."""
    for path in HIERARCHIES.values():
        if column in path[:-1]:
            return path[path.index(column) + 1]
    return None


def sort_key(column: str, member: str) -> tuple:
    """Natural order of one member: Unknown last, then by the dimension's own order."""
    text = str(member)
    if text == UNKNOWN:
        return (2, 0, "")
    order = DIMENSIONS[column].order if column in DIMENSIONS else "alpha"
    if order == "numeric":
        found = _FIRST_NUMBER.search(text)
        if found:
            return (0, int(found.group()), text.casefold())
    elif order == "season" and text in SEASONS:
        return (0, SEASONS.index(text), "")
    elif order == "month" and text[:3].casefold() in MONTHS:
        return (0, MONTHS.index(text[:3].casefold()), text.casefold())
    return (1, 0, text.casefold())


def natural(column: str, members: Iterable[str]) -> list[str]:
    """`members` in the dimension's natural order."""
    return sorted(members, key=lambda m: sort_key(column, m))
