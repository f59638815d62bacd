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

KINDS = ("employee", "region")
HINT = "Click a bar to highlight that employee or region on every chart; click it again to undo."


def parse(value) -> TeamHighlight | None:
    return page_highlight.parse(value, KINDS)


def toggle(current, clicked: TeamHighlight | None) -> dict | None:
    return page_highlight.toggle(current, clicked, KINDS)


with_query = page_highlight.with_query


def checked(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> TeamHighlight | None:
    """The highlight if the viewer's ranking holds its employee or region, else none."""
    if highlight is None or ranked.empty:
        return None
    column = "employee_id" if highlight.kind == "employee" else "region"
    seen = set(ranked[column].dropna().astype(str))
    return highlight if highlight.value in seen else None


def lit_employees(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> set[str]:
    """Employee ids the highlight lights: the one employee, or everyone of the region."""
    if highlight is None:
        return set()
    if highlight.kind == "employee":
        return {highlight.value}
    return set(ranked.loc[ranked["region"].astype(str) == highlight.value,
                          "employee_id"].astype(str))


def lit_region(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> str | None:
    """The region the highlight lights on the regional charts (an employee's own region)."""
    if highlight is None:
        return None
    if highlight.kind == "region":
        return highlight.value
    row = ranked.loc[ranked["employee_id"].astype(str) == highlight.value]
    return None if row.empty or row["region"].isna().all() else str(row["region"].iloc[0])


def sentence(highlight: TeamHighlight | None, ranked: pd.DataFrame, money) -> str:
    """What the highlighted member sold in this view, in words (`money`: value -> text)."""
    if highlight is None:
        return ""
    total = float(ranked["revenue"].sum())
    if highlight.kind == "region":
        people = ranked[ranked["region"].astype(str) == highlight.value]
        revenue = float(people["revenue"].sum())
        share = f", {revenue / total:.1%} of employee sales" if total else ""
        return (f"Highlighting {highlight.value}: {len(people):,} employees sold "
                f"{money(revenue)}{share}. Click it again or “Clear highlight” to undo.")
    row = ranked[ranked["employee_id"].astype(str) == highlight.value].iloc[0]
    revenue = float(row["revenue"])
    share = f", {revenue / total:.1%} of employee sales" if total else ""
    tie = "=" if int((ranked["rank"] == row["rank"]).sum()) > 1 else ""
    where = f" ({row['region']})" if isinstance(row["region"], str) else ""
    return (f"Highlighting {row['name']}{where}: rank #{int(row['rank'])}{tie} of "
            f"{len(ranked):,}, sold {money(revenue)}{share}. Click it again or “Clear "
            "highlight” to undo.")

