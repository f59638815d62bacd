"""Cross-highlight on the Team page: one employee or one region, clicked on any chart, lit on
every chart while the rest dims (the Overview's look, figures/charts.py).

The highlight travels in the URL as `hl=employee:ID` or `hl=region:NAME` (the Overview's key),
so a link, a saved view and `dashboard report --page team` show it too. It comes from a browser,
so it is checked against the ranking the viewer's scope produced: an employee or region the
viewer cannot see is dropped, never named or counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

KINDS = ("employee", "region")
MAX_LENGTH = 200
HINT = "Click a bar to highlight that employee or region on every chart; click it again to undo."


@dataclass(frozen=True)
class TeamHighlight:
    kind: str  # "employee" or "region"
    value: str  # an employee id or a region name

    def as_query(self) -> tuple[str, str]:
        return ("hl", f"{self.kind}:{self.value}")

    def as_data(self) -> dict:
        return {"kind": self.kind, "value": self.value}


def parse(value) -> TeamHighlight | None:
    """'employee:E1' (URL), {'kind': ..., 'value': ...} (the page's store) or a chart click's
    customdata [kind, value]; anything else is no highlight."""
    if isinstance(value, str) and ":" in value:
        kind, member = value.split(":", 1)
    elif isinstance(value, dict):
        kind, member = value.get("kind"), value.get("value")
    elif isinstance(value, list | tuple) and len(value) in (2, 3):
        kind, member = value[0], value[1]  # a bar's [kind, value] or [kind, id, label]
    else:
        return None
    if kind in KINDS and isinstance(member, str) and 0 < len(member) <= MAX_LENGTH:
        return TeamHighlight(kind, member)
    return None


def checked(highlight: TeamHighlight | None, ranked: pd.DataFrame) -> TeamHighlight | None:
    """The highlight if the viewer's ranking holds its employee or region, else none."""
    if highlight is None or ranked.empty:
        return None
    column = "employee_id" if highlight.kind == "employee" else "region"
    seen = set(ranked[column].dropna().astype(str))
    return highlight if highlight.value in seen else None


def toggle(current, clicked: TeamHighlight | None) -> dict | None:
    """A click highlights a member; a second click on the same member clears it."""
    if clicked is None:
        return current
    return None if parse(current) == clicked else clicked.as_data()


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


def with_query(query: str, highlight: TeamHighlight) -> str:
    """A page query ('' or '?...') with the highlight's `hl` added."""
    pair = urlencode([highlight.as_query()])
    return f"{query}&{pair}" if query else f"?{pair}"
