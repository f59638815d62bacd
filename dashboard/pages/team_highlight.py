"""Cross-highlight on the Team page: one employee or one region, clicked on any chart, lit on
every chart while the rest dims (the Overview's look, figures/charts.py).

The highlight travels in the URL as `hl=employee:ID` or `hl=region:NAME` (components/
page_highlight.py), so a link, a saved view and `dashboard report --page team` show it too. It
is checked against the ranking the viewer's scope produced: an employee or region the viewer
cannot see is dropped, never named or counted.
"""

from __future__ import annotations

import pandas as pd

from dashboard.components import page_highlight
from dashboard.components.page_highlight import PageHighlight as TeamHighlight

KINDS = ("employee", "region", "store")
COLUMNS = {"employee": "employee_id", "region": "region", "store": "store_id"}
HINT = ("Click an employee, region or store bar to highlight it on every chart; click it again "
        "to undo.")


def parse(value) -> TeamHighlight | None:
    return page_highlight.parse(value, KINDS)


def toggle(current, clicked: TeamHighlight | None) -> dict | None:
    return page_highlight.toggle(current, clicked, KINDS)


with_query = page_highlight.with_query


def checked(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> TeamHighlight | None:
    """The highlight if the viewer's ranking holds its employee, region or store, else none."""
    if highlight is None or ranked.empty:
        return None
    seen = set(ranked[COLUMNS[highlight.kind]].dropna().astype(str))
    return highlight if highlight.value in seen else None


def _rows(highlight: TeamHighlight, ranked: pd.DataFrame) -> pd.DataFrame:
    return ranked[ranked[COLUMNS[highlight.kind]].astype(str) == highlight.value]


def lit_employees(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> set[str]:
    """Employee ids the highlight lights: the one employee, or everyone of the region or
    store."""
    if highlight is None:
        return set()
    return set(_rows(highlight, ranked)["employee_id"].astype(str))


def lit_places(highlight: TeamHighlight | None, ranked: pd.DataFrame, level: str) -> set[str]:
    """The regions (level "region") or store ids (level "store") the highlight lights on the
    place charts: its own, or those of the employees it lights."""
    if highlight is None:
        return set()
    return set(_rows(highlight, ranked)[COLUMNS[level]].dropna().astype(str))


def sentence(highlight: TeamHighlight | None, ranked: pd.DataFrame, money,
             names: dict[str, str] | None = None) -> str:
    """What the highlighted member sold in this view, in words (`money`: value -> text;
    `names`: store id -> name)."""
    if highlight is None:
        return ""
    total = float(ranked["revenue"].sum())
    undo = "Click it again or “Clear highlight” to undo."
    if highlight.kind in ("region", "store"):
        people = _rows(highlight, ranked)
        revenue = float(people["revenue"].sum())
        share = f", {revenue / total:.1%} of employee sales" if total else ""
        name = (names or {}).get(highlight.value, highlight.value) \
            if highlight.kind == "store" else highlight.value
        return (f"Highlighting {name}: {len(people):,} employees sold {money(revenue)}{share}. "
                + undo)
    row = _rows(highlight, ranked).iloc[0]
    revenue = float(row["revenue"])
    share = f", {revenue / total:.1%} of employee sales" if total else ""
    tie = "=" if int((ranked["rank"] == row["rank"]).sum()) > 1 else ""
    where = f" ({row['region']})" if isinstance(row["region"], str) else ""
    return (f"Highlighting {row['name']}{where}: rank #{int(row['rank'])}{tie} of "
            f"{len(ranked):,}, sold {money(revenue)}{share}. " + undo)
